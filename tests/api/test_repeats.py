"""重复警情 on both databases: links made at intake with their reasons, the warning while a call
is taken (scoped, recorded as a search), the incident's links both ways, and the history scan."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from typer.testing import CliRunner

from cad110.audit.verify import verify
from cad110.cli import app
from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.models.audit import AccessRecord
from cad110.models.repeats import RepeatKey, RepeatLink
from tests.api.helpers import new_incident, ok
from tests.conftest import Api
from tests.world import GULOU_WEST, PASSWORD

PHONE = "13912345678"
ID_NUMBER = "350102198506123011"
DISPUTE = {"caller_phone": PHONE, "caller_name": "李梅", "category": "family_dispute"}


def check(api: Api, user: str = "calltaker", **typed: Any) -> Any:
    return api.post("/repeats/check", user, json=typed)


def reasons(link: dict[str, Any]) -> list[str]:
    return [r["code"] for r in link["reasons"]]


def test_the_fifth_call_about_one_dispute_warns_and_links_the_four_before(
    api: Api, clock: VirtualClock, runtime: Runtime
) -> None:
    numbers = []
    for day in range(4):
        numbers.append(
            new_incident(api, narrative=f"丈夫扬言打人 第{day + 1}次", **DISPUTE)["number"]
        )
        clock.advance(timedelta(days=3))
    warning = ok(check(api, caller_phone=PHONE, category="family_dispute"))
    assert warning["caller_calls"] == 5
    assert warning["caller_window_days"] == 30
    assert [link["number"] for link in warning["links"]] == numbers[::-1]
    assert reasons(warning["links"][0]) == ["same_caller", "same_family"]
    assert warning["links"][0]["reasons"][1]["detail"] == "domestic"
    assert warning["attach_to"] == numbers[-1]  # the newest open one: all are still open
    fifth = new_incident(api, narrative="第五次报警", **DISPUTE)["number"]
    links = ok(api.get(f"/incidents/{fifth}/repeats", "dispatcher"))
    assert [link["number"] for link in links["earlier"]] == numbers[::-1]
    assert links["earlier"][0]["score"] == 100  # phone 50 + point 30 + name 25 + family 15
    first = ok(api.get(f"/incidents/{numbers[0]}/repeats", "dispatcher"))
    assert [link["number"] for link in first["later"]] == [fifth, *numbers[:0:-1]]
    assert first["earlier"] == []
    with transaction(runtime.readers) as session:
        assert verify(session).ok


def test_a_call_outside_the_caller_window_or_from_another_number_is_no_repeat(
    api: Api, clock: VirtualClock
) -> None:
    new_incident(api, caller_phone=PHONE, category="theft", narrative="车被偷")
    clock.advance(timedelta(days=31))
    far = ok(check(api, caller_phone=PHONE, lon=119.5, lat=26.2, category="theft"))
    assert (far["caller_calls"], far["links"]) == (1, [])
    other = ok(check(api, caller_phone="13700001111", lon=119.5, lat=26.2))
    assert other["links"] == []


def test_a_party_s_id_number_links_calls_from_different_people_far_apart(api: Api) -> None:
    first = new_incident(
        api, caller_phone="13700001111", narrative=f"对方身份证{ID_NUMBER}欠钱不还"
    )["number"]
    warning = ok(
        check(
            api,
            caller_phone="13600002222",
            lon=119.15,
            lat=26.15,
            narrative=f"讨债，对方身份证号 {ID_NUMBER}",
        )
    )
    [link] = warning["links"]
    assert (link["number"], reasons(link)) == (first, ["same_party"])
    assert link["reasons"][0]["detail"] == "id_number"
    assert ID_NUMBER not in str(warning)


def test_a_point_close_by_links_only_with_another_reason(api: Api) -> None:
    new_incident(api, caller_phone="13700001111", category="noise_nuisance", narrative="楼上吵")
    near = {"lon": GULOU_WEST[0] + 0.0005, "lat": GULOU_WEST[1]}  # about 50 m east
    alone = ok(check(api, caller_phone="13600002222", category="theft", **near))
    assert alone["links"] == []
    same_matter = ok(check(api, caller_phone="13600002222", category="construction_noise", **near))
    [link] = same_matter["links"]
    assert reasons(link) == ["near", "same_family"]
    assert link["reasons"][0]["detail"].endswith(" m")


def test_the_warning_shows_only_the_reader_s_jurisdiction_and_is_recorded(
    api: Api, runtime: Runtime
) -> None:
    number = new_incident(api, **DISPUTE)["number"]
    assert ok(check(api, "minhou_dispatcher", caller_phone=PHONE))["links"] == []
    assert ok(check(api, caller_phone=PHONE))["links"][0]["number"] == number
    with transaction(runtime.readers) as session:
        searches = session.scalars(
            select(AccessRecord).where(
                AccessRecord.action == "search", AccessRecord.username == "calltaker"
            )
        ).all()
    assert [(s.subject_id, s.fields) for s in searches] == [(number, "caller_phone")]
    assert PHONE not in searches[0].reason


def test_the_warning_refuses_bad_input_by_field_and_other_roles(api: Api) -> None:
    bad = check(api, lon=119.3)
    assert bad.status_code == 422
    assert check(api, caller_phone="12").status_code == 422
    assert check(api, "analyst", caller_phone=PHONE).status_code == 403


def test_the_scan_links_the_history_again_and_a_second_scan_adds_nothing(
    api: Api, runtime: Runtime, clock: VirtualClock, command_line: CliRunner
) -> None:
    for _ in range(3):
        new_incident(api, **DISPUTE)
        clock.advance(timedelta(hours=5))
    with transaction(runtime.sessions) as session:
        made = sorted(session.execute(select(RepeatLink.incident_id, RepeatLink.earlier_id)))
        session.execute(delete(RepeatLink))
        session.execute(delete(RepeatKey))
    assert len(made) == 3
    since = (clock.now() - timedelta(days=1)).strftime("%Y-%m-%d")
    until = (clock.now() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")
    first = command_line.invoke(app, ["repeats", "scan", "--since", since, "--until", until])
    assert first.exit_code == 0, first.output
    assert "3 incidents scanned, 2 linked to earlier ones (3 links added)" in first.output
    again = command_line.invoke(app, ["repeats", "scan", "--since", since, "--until", until])
    assert "(0 links added)" in again.output
    with transaction(runtime.readers) as session:
        rows = session.execute(
            select(RepeatLink.incident_id, RepeatLink.earlier_id, RepeatLink.found_by)
        )
        assert sorted((a, b) for a, b, _f in rows) == made


def test_the_board_marks_an_incident_that_repeats_earlier_ones(api: Api) -> None:
    first = new_incident(api, **DISPUTE)["number"]
    second = new_incident(api, **DISPUTE)["number"]
    api.client.post(
        "/login", data={"username": "dispatcher", "password": PASSWORD}, follow_redirects=False
    )
    html = api.client.get("/board/rows").text
    row = re.search(rf'data-number="{second}".*?</tr>', html, re.S)
    assert row is not None
    assert "重复×1" in row.group(0)
    plain = re.search(rf'data-number="{first}".*?</tr>', html, re.S)
    assert plain is not None
    assert "repeat-tag" not in plain.group(0)


def test_the_third_dispute_call_opens_a_repeat_case_and_a_later_call_joins_it(
    api: Api, clock: VirtualClock
) -> None:
    numbers = []
    for day in range(2):
        numbers.append(new_incident(api, narrative=f"夫妻吵架 第{day + 1}次", **DISPUTE)["number"])
        clock.advance(timedelta(days=2))
    assert ok(api.get("/repeat-cases", "dispatcher"))["items"] == []  # two calls: no case yet
    numbers.append(new_incident(api, narrative="夫妻又吵架", **DISPUTE)["number"])
    [row] = ok(api.get("/repeat-cases", "dispatcher"))["items"]
    case = ok(api.get(f"/repeat-cases/{row['number']}", "dispatcher"))
    assert case["opened_how"] == "rule"
    assert case["type"] == "family"
    assert case["owner"] == "gulou_leader"  # the nearest leader above the station
    assert [i["number"] for i in case["linked"]] == numbers
    clock.advance(timedelta(days=1))
    fourth = new_incident(api, narrative="第四次报警", **DISPUTE)["number"]
    case = ok(api.get(f"/repeat-cases/{row['number']}", "dispatcher"))
    assert [i["number"] for i in case["linked"]] == [*numbers, fourth]
    assert len(ok(api.get("/repeat-cases", "dispatcher"))["items"]) == 1
