"""Personal data on missing-person cases and on the console's screens: masked or full by duty,
revealed with a reason, and every full view recorded."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import text

from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from tests.api.helpers import new_incident, ok
from tests.api.privacy_steps import MASKED_PHONE, PHONE, access_log, dispatched
from tests.conftest import Api
from tests.integration.missing_steps import ok_list, open_case, person
from tests.world import PASSWORD

ID_NUMBER, MASKED_ID = "35010219480101002X", "350102********002X"
INFORMANT_PHONE, MASKED_INFORMANT = "13900139000", "139****9000"
CASE_FIELDS = "id_number,informant_name,informant_phone,phone"


def _login(api: Api, username: str) -> None:
    api.client.cookies.clear()
    response = api.client.post(
        "/login", data={"username": username, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def _case(api: Api, clock: VirtualClock, **extra: Any) -> tuple[str, str]:
    """A case whose incident unit 35010201-1 was sent to: (case number, incident number)."""
    opened = open_case(
        api,
        clock,
        category="missing_elderly",
        who=person("王秀英", "female", 78, id_number=ID_NUMBER, phone="13600136000"),
        **extra,
    )
    incident = opened["incident"]
    ok(api.post(f"/incidents/{incident}/accept", "dispatcher", json={}))
    ok(api.post(f"/incidents/{incident}/dispatch", "dispatcher", json={"units": ["35010201-1"]}))
    return opened["number"], incident


@pytest.mark.parametrize(
    ("user", "reason"),
    [
        ("dispatcher", "duty:dispatcher"),
        ("leader", "duty:leader"),
        ("officer-35010201-1", "assigned unit 35010201-1"),
        ("officer-35010201-2", "case officer"),
        ("analyst", None),
        ("auditor", None),
        ("officer-35010202-1", None),
    ],
)
def test_the_case_and_its_journal_show_the_informant_as_the_readers_duty_allows(
    api: Api, runtime: Runtime, clock: VirtualClock, user: str, reason: str | None
) -> None:
    number, _incident = _case(api, clock, case_officer="officer-35010201-2")
    if user == "officer-35010202-1":  # the next station: another unit, not the case officer
        assert api.get(f"/missing/{number}", user).status_code == 404
        return
    full = reason is not None
    case = ok(api.get(f"/missing/{number}", user))
    assert case["name"] == "王秀英"  # never masked: the search needs it
    assert case["id_number"] == (ID_NUMBER if full else MASKED_ID)
    assert case["informant_name"] == ("李芳" if full else "李*")
    assert case["informant_phone"] == (INFORMANT_PHONE if full else MASKED_INFORMANT)
    opened = ok_list(api.get(f"/missing/{number}/journal", user))[0]["payload"]
    assert opened["informant"]["phone"] == (INFORMANT_PHONE if full else MASKED_INFORMANT)
    assert opened["person"]["id_number"] == (ID_NUMBER if full else MASKED_ID)
    log = access_log(runtime)
    if not full:
        assert log == []
        return
    assert [(r.username, r.action, r.subject_id, r.reason) for r in log] == [
        (user, "read", number, reason),
        (user, "read", number, reason),
    ]
    assert log[0].fields == CASE_FIELDS
    assert log[1].fields == "informant.name,informant.phone,person.id_number,person.phone"


def test_a_case_is_revealed_with_a_reason_and_its_pfif_export_recorded(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    number, _incident = _case(api, clock)
    assert api.post(f"/missing/{number}/reveal", "analyst", json={}).status_code == 422
    revealed = ok(api.post(f"/missing/{number}/reveal", "analyst", json={"reason": "研判重复报失"}))
    assert revealed["fields"]["informant_phone"] == INFORMANT_PHONE
    assert revealed["fields"]["id_number"] == ID_NUMBER
    # The informant is the records' author: masked for the analyst, in full for the duty.
    masked = api.get(f"/missing/{number}/pfif", "analyst")
    assert masked.status_code == 200
    assert "李芳" not in masked.text
    assert "李*" in masked.text
    full = api.get(f"/missing/{number}/pfif", "dispatcher")
    assert "李芳" in full.text
    assert [(r.username, r.action, r.fields, r.reason) for r in access_log(runtime)] == [
        ("analyst", "reveal", CASE_FIELDS, "研判重复报失"),
        ("analyst", "export", "", "role:analyst"),
        ("dispatcher", "export", "informant_name", "duty:dispatcher"),
    ]


def test_the_board_panel_shows_the_caller_by_duty_and_offers_a_reveal_to_the_analyst(
    api: Api, runtime: Runtime
) -> None:
    number = dispatched(api)
    _login(api, "dispatcher")
    panel = api.client.get(f"/board/incident/{number}").text
    assert PHONE in panel
    assert 'class="reveal"' not in panel
    _login(api, "analyst")
    panel = api.client.get(f"/board/incident/{number}").text
    assert PHONE not in panel
    assert MASKED_PHONE in panel
    assert f'data-reveal-url="/api/v1/incidents/{number}/reveal"' in panel
    _login(api, "admin")  # masked, and no reveal: administration is not a reason
    panel = api.client.get(f"/board/incident/{number}").text
    assert MASKED_PHONE in panel
    assert "data-reveal-url" not in panel
    assert [(r.username, r.channel) for r in access_log(runtime)] == [
        ("dispatcher", "GET /board/incident/{number}")
    ]


def _visible(html: str) -> str:
    """The page without its script blocks (the error texts' JSON names fields by their codes)."""
    return re.sub(r"<script\b.*?</script>", "", html, flags=re.S)


def test_the_record_page_masks_the_caller_and_the_event_log_alike(
    api: Api, runtime: Runtime
) -> None:
    number = dispatched(api)
    _login(api, "analyst")
    page = api.client.get(f"/incidents/{number}").text
    assert PHONE not in page
    assert page.count(MASKED_PHONE) == 1  # the caller line (the log's sentences name no caller)
    assert "/static/js/reveal.js" in page
    _login(api, "leader")
    page = api.client.get(f"/incidents/{number}").text
    assert page.count(PHONE) == 1
    [entry] = access_log(runtime)
    assert (entry.username, entry.subject_id, entry.channel) == (
        "leader",
        number,
        "GET /incidents/{number}",
    )
    assert entry.fields == "caller_name,caller_phone"


def test_the_unit_view_shows_the_officer_his_callers_phone_and_records_it(
    api: Api, runtime: Runtime
) -> None:
    number = dispatched(api)
    _login(api, "officer-35010201-1")
    page = api.client.get("/unit").text
    assert number in page
    assert PHONE in page
    [entry] = access_log(runtime)
    assert (entry.username, entry.fields, entry.reason, entry.channel) == (
        "officer-35010201-1",
        "caller_phone",
        "assigned unit 35010201-1",
        "GET /unit",
    )


def test_the_case_page_masks_the_informant_for_the_analyst(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    number, _incident = _case(api, clock)
    _login(api, "analyst")
    page = api.client.get(f"/missing/{number}").text
    assert "王秀英" in page
    assert INFORMANT_PHONE not in page
    assert ID_NUMBER not in page
    assert MASKED_INFORMANT in page
    assert f'data-reveal-url="/api/v1/missing/{number}/reveal"' in page
    assert access_log(runtime) == []
    _login(api, "dispatcher")
    page = api.client.get(f"/missing/{number}").text
    assert INFORMANT_PHONE in page
    assert ID_NUMBER in page
    [entry] = access_log(runtime)
    assert (entry.username, entry.channel) == ("dispatcher", "GET /missing/{number}")
    assert set(entry.fields.split(",")) == {
        *CASE_FIELDS.split(","),
        *("informant.name", "informant.phone", "person.id_number", "person.phone"),
    }


def test_the_opening_form_offers_the_caller_as_informant_only_to_whom_may_see_him(
    api: Api, runtime: Runtime
) -> None:
    number = new_incident(api, category="missing_elderly", caller_name="李芳")["number"]
    _login(api, "officer-35010201-2")  # may open a case; his unit was not sent
    form = api.client.get(f"/missing/new?incident={number}").text
    assert 'name="informant.phone" required inputmode="tel" value=""' in form
    assert "李芳" not in form
    assert access_log(runtime) == []
    _login(api, "dispatcher")
    form = api.client.get(f"/missing/new?incident={number}").text
    assert f'value="{PHONE}"' in form
    [entry] = access_log(runtime)
    assert (entry.username, entry.subject_id, entry.channel) == (
        "dispatcher",
        number,
        "GET /missing/new",
    )


def test_a_screen_is_not_shown_when_its_view_cannot_be_recorded(api: Api, runtime: Runtime) -> None:
    number = dispatched(api)
    with runtime.engine.begin() as connection:
        connection.execute(text("ALTER TABLE access_log RENAME TO access_log_gone"))
    _login(api, "dispatcher")
    page = api.client.get(f"/incidents/{number}")
    assert page.status_code == 503
    assert PHONE not in page.text
    assert "未能记录" in page.text
    assert api.client.get(f"/board/incident/{number}").status_code == 503


def test_the_auditor_starts_on_the_access_log_and_others_may_not_open_it(
    api: Api, runtime: Runtime
) -> None:
    number = dispatched(api)
    ok(api.post(f"/incidents/{number}/reveal", "analyst", json={"reason": "研判：重复报警"}))
    response = api.client.post(
        "/login", data={"username": "auditor", "password": PASSWORD}, follow_redirects=False
    )
    assert (
        api.client.get(response.headers["location"], follow_redirects=False).headers["location"]
        == "/access-log"
    )
    page = api.client.get("/access-log")
    assert page.status_code == 200
    assert 'href="/access-log"' in page.text  # in the top bar
    assert "研判：重复报警" in page.text
    assert "说明理由后显示" in page.text
    assert "报警人姓名、报警电话" in page.text  # the fields in the reader's words, not codes
    assert "caller_phone" not in _visible(page.text)
    api.client.get(f"/incidents/{number}")  # the auditor's own masked view records nothing
    ok(api.get(f"/incidents/{number}", "dispatcher"))
    assert "职责：调度员" in api.client.get("/access-log").text
    filtered = api.client.get("/access-log", params={"action": "read", "since": "2026-11-23"})
    assert "研判：重复报警" not in filtered.text
    assert 'href="/api/v1/access-log/export.csv?action=read&amp;since=2026-11-23T00' in (
        filtered.text
    )
    assert (
        api.client.get("/access-log", params={"since": "no date", "page_no": "x"}).status_code
        == 200
    )
    _login(api, "analyst")
    assert api.client.get("/access-log").status_code == 403
