"""A repeat case's journal as its readers see it: the parties named in its free text only to
those whose duty covers the case (the read recorded; anyone else may reveal them with a reason),
and what the system did kept as data, said in the reader's language (Chinese and English)."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from sqlalchemy import select

from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from cad110.models.event import Event
from cad110.web.i18n import LANG_COOKIE
from tests.api.helpers import new_incident, ok
from tests.api.privacy_steps import access_log
from tests.conftest import Api
from tests.world import PASSWORD

OWNER = "officer-35010201-1"
PARTY = "王建国"  # the husband: in no field of the record, only in the officer's words
MEDIATION = f"会同社区调解，{PARTY}答应搬出"
DISPUTE = {"caller_phone": "13912345678", "caller_name": "李梅", "category": "family_dispute"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def _page(api: Api, user: str, path: str, lang: str = "zh_CN") -> str:
    api.client.cookies.clear()
    login = {"username": user, "password": PASSWORD}
    assert api.client.post("/login", data=login, follow_redirects=False).status_code == 303
    api.client.cookies.set(LANG_COOKIE, lang)
    response = api.client.get(path)
    assert response.status_code == 200, response.text
    return response.text


def _case_with_mediation(api: Api) -> tuple[str, int]:
    incident = new_incident(api, **DISPUTE)["number"]
    body = {"incident": incident, "type": "family", "owner": OWNER}
    number = str(ok_created(api.post("/repeat-cases", "dispatcher", json=body))["number"])
    entry = {"kind": "mediation", "text": MEDIATION, "result": "partly"}
    answer = ok(api.post(f"/repeat-cases/{number}/journal", OWNER, json=entry))
    # An action's answer never carries the texts, not even to the one who typed them.
    assert PARTY not in json.dumps(answer, ensure_ascii=False)
    seq = next(e["seq"] for e in answer["journal"] if e["kind"] == "mediation")
    return number, seq


def ok_created(response: object) -> dict[str, object]:
    assert getattr(response, "status_code", None) == 201, getattr(response, "text", "")
    return response.json()  # type: ignore[attr-defined,no-any-return]


def test_a_name_typed_into_the_journal_is_hidden_from_a_reader_whose_duty_it_is_not(
    api: Api, runtime: Runtime
) -> None:
    number, seq = _case_with_mediation(api)
    for reader in ("analyst", "officer-35010201-2"):  # no duty: not the owner, no unit sent
        case = ok(api.get(f"/repeat-cases/{number}", reader))
        assert PARTY not in json.dumps(case, ensure_ascii=False)
        [mediation] = [e for e in case["journal"] if e["kind"] == "mediation"]
        assert mediation["withheld"] == ["text"]
        assert mediation["payload"]["text"] is None
        assert mediation["payload"]["result"] == "partly"  # the rest of the entry stays
    assert access_log(runtime) == []
    html = _page(api, "analyst", f"/repeats/{number}")
    assert PARTY not in html
    assert f'data-field="journal.{seq}.text"' in html
    assert 'class="reveal"' in html  # the analyst may reveal it, with a reason


def test_the_duty_reads_the_journal_as_written_and_the_read_is_recorded(
    api: Api, runtime: Runtime
) -> None:
    number, _seq = _case_with_mediation(api)
    for reader in ("dispatcher", OWNER):
        case = ok(api.get(f"/repeat-cases/{number}", reader))
        [mediation] = [e for e in case["journal"] if e["kind"] == "mediation"]
        assert mediation["payload"]["text"] == MEDIATION
        assert mediation["withheld"] == []
    html = _page(api, "leader", f"/repeats/{number}")
    assert PARTY in html
    assert 'class="reveal"' not in html
    log = [
        (r.username, r.action, r.subject_type, r.subject_id, r.fields, r.reason)
        for r in access_log(runtime)
    ]
    assert log == [
        ("dispatcher", "read", "repeat_case", number, "journal", "duty:dispatcher"),
        (OWNER, "read", "repeat_case", number, "journal", "case officer"),
        ("leader", "read", "repeat_case", number, "journal", "duty:leader"),
    ]


def test_a_reveal_with_a_reason_shows_the_texts_and_is_recorded(api: Api, runtime: Runtime) -> None:
    number, seq = _case_with_mediation(api)
    assert api.post(f"/repeat-cases/{number}/reveal", "analyst", json={}).status_code == 422
    denied = api.post(f"/repeat-cases/{number}/reveal", "auditor", json={"reason": "督察抽查"})
    assert denied.status_code == 403
    revealed = api.post(
        f"/repeat-cases/{number}/reveal", "analyst", json={"reason": "研判重复警情"}
    )
    assert revealed.status_code == 200, revealed.text
    assert revealed.headers["cache-control"] == "no-store"
    assert revealed.json()["fields"][f"journal.{seq}.text"] == MEDIATION
    assert [(r.username, r.action, r.fields, r.reason) for r in access_log(runtime)] == [
        ("analyst", "reveal", "journal", "研判重复警情"),
    ]
    # The auditor finds the record of it in the access log of the case's jurisdiction.
    found = ok(api.get("/access-log", "auditor", params={"subject_type": "repeat_case"}))
    assert [i["subject_id"] for i in found["items"]] == [number]
    assert "重复警情档案" in _page(api, "auditor", "/access-log")


def test_what_the_detection_did_is_kept_as_data_and_said_in_the_readers_language(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    numbers = []
    for _ in range(3):
        numbers.append(new_incident(api, narrative="夫妻吵架", **DISPUTE)["number"])
        clock.advance(timedelta(days=2))
    fourth = new_incident(api, narrative="又吵架", **DISPUTE)["number"]
    [row] = ok(api.get("/repeat-cases", "dispatcher"))["items"]
    number = row["number"]
    with runtime.readers() as session:
        payloads = {
            e.kind: json.loads(e.payload)
            for e in session.scalars(
                select(Event).where(Event.subject_type == "repeat_case", Event.subject_id == number)
            )
        }
    opened, linked = payloads["opened"], payloads["incident_linked"]
    assert opened["rule"] == {"within_days": 30, "incidents": 3, "extreme": False}
    assert linked["via"] == numbers[-1]
    assert linked["incident"] == fourth
    # No sentence in one language is kept in the record: only codes, numbers and references.
    assert not CJK.search(json.dumps(payloads, ensure_ascii=False))
    zh = _page(api, "dispatcher", f"/repeats/{number}")
    assert "30日内关联警情3起" in zh
    assert f"再次报警，关联警情 {numbers[-1]}" in zh
    en = _page(api, "dispatcher", f"/repeats/{number}", lang="en")
    assert "3 linked calls within 30 days" in en
    assert f"called again, repeating {numbers[-1]}" in en
    assert "日内关联警情" not in en


def test_opening_a_case_from_an_incident_chooses_the_type_its_category_suggests_or_none(
    api: Api,
) -> None:
    dispute = new_incident(api, category="family_dispute", narrative="夫妻吵架")["number"]
    theft = new_incident(api, category="theft", narrative="电动车被盗")["number"]
    chosen = re.compile(r'<select name="type" required>.*?</select>', re.S)

    def selected(number: str) -> list[str]:
        form = chosen.search(_page(api, "dispatcher", f"/repeats?incident={number}"))
        assert form is not None
        return re.findall(r'<option value="([a-z_]*)" selected>', form.group(0))

    assert selected(dispute) == ["family"]
    # A theft suggests no type: none is chosen for the user, who must choose one.
    assert selected(theft) == []
    assert selected("no-such-incident") == []
