"""Whole missing-person cases on the virtual clock, on SQLite and PostgreSQL.

Each test is one of the cases a centre meets: the elderly woman with dementia found inside the
golden hours, the 12-year-old whose case is criminal at once, the adult nobody can explain whose
callbacks run for three months, three pupils of one school, the same person reported twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.models.supervision import Step, Supervision
from tests.api.helpers import ok, walk_to_arrival
from tests.conftest import Api
from tests.integration.missing_steps import (
    FakeChannel,
    advance,
    case,
    journal_kinds,
    notifications,
    ok_list,
    open_case,
    person,
    tick,
)
from tests.world import GULOU_EAST, GULOU_WEST, MINHOU

UNIT = "35010201-1"


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def test_elderly_woman_with_dementia_missing_8_hours_is_found_in_2_hours(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    sms, wechat = FakeChannel(), FakeChannel()
    runtime.outbox_channels = {"sms": sms, "wechat_groups": wechat}
    opened = open_case(
        api,
        clock,
        category="missing_elderly",
        who=person(
            "王秀英",
            "female",
            78,
            conditions=["dementia"],
            details={"clothing": "蓝色棉袄，黑色裤子", "height_cm": 155, "accent": "福州口音"},
        ),
        lost_hours_ago=8,
    )
    number = opened["number"]
    # Vulnerable: grade-1 urgency, the golden 72 hours counted from when she was last seen.
    assert opened["urgent"] is True
    assert [f["rule"] for f in opened["firings"]] == ["vulnerable"]
    assert "认知障碍" in opened["firings"][0]["reason"]
    assert opened["golden_left_s"] == 64 * 3600
    assert opened["grade"] == 1
    assert opened["handling_unit"] == "station"
    incident = ok(api.get(f"/incidents/{opened['incident']}", "dispatcher"))
    assert incident["grade"] == 1

    # The unit goes; the search group is formed in one click; details go to nearby units.
    walk_to_arrival(api, opened["incident"], UNIT)
    grouped = ok(api.post(f"/missing/{number}/group", "dispatcher", json={"commander": "leader"}))
    assert grouped["commander"] == "leader"
    assert {t["team"] for t in grouped["tasks"]} == {
        "command",
        "intelligence",
        "criminal",
        "cyber",
        "patrol",
    }
    again = ok(api.post(f"/missing/{number}/group", "dispatcher", json={}))
    assert len(again["tasks"]) == 5  # one click, one group
    pushed = ok(api.post(f"/missing/{number}/push", "dispatcher", json={"radius_km": 3}))
    assert UNIT in pushed["units"]
    assert "35012101-1" not in pushed["units"]  # Minhou is ~15 km away

    # The appeal reaches 500 km: she has been gone 8 hours.
    appeals = ok_list(
        api.post(f"/missing/{number}/appeals", "dispatcher", json={"channels": ["wechat_groups"]})
    )
    assert [(a["channel"], a["radius_km"], a["state"]) for a in appeals] == [
        ("wechat_groups", 500, "active")
    ]
    assert "王秀英" in appeals[0]["text"]
    assert appeals[0]["text"].count("蓝色棉袄") == 1  # worn when lost: said once
    tick(runtime)
    assert [m["kind"] for m in wechat.sent] == ["appeal_publish"]
    assert case(api, number)["appeals"][0]["delivered"] is True

    # Two hours later she is found; the incident closes with the case.
    clock.advance(timedelta(hours=2))
    closed = ok(
        api.post(
            f"/missing/{number}/close",
            "dispatcher",
            json={
                "outcome": "found_safe",
                "note": "在闽江公园长椅找到，身体无恙",
                "found_place": "闽江公园",
            },
        )
    )
    assert closed["status"] == "closed"
    assert closed["outcome"] == "found_safe"
    assert closed["golden_left_s"] == 62 * 3600  # the clock stops when she is found
    assert [a["state"] for a in closed["appeals"]] == ["withdrawn"]
    assert all(c["cancelled"] for c in closed["callbacks"])
    incident = ok(api.get(f"/incidents/{opened['incident']}", "dispatcher"))
    assert incident["status"] == "closed"
    tick(runtime)
    assert [m["kind"] for m in wechat.sent] == ["appeal_publish", "appeal_withdraw"]
    assert len(sms.sent) == 1
    assert sms.sent[0]["phone"] == "13900139000"
    assert "王秀英" in sms.sent[0]["text"]
    assert "平安" in sms.sent[0]["text"]
    kinds = journal_kinds(api, number)
    for kind in (
        "opened",
        "rule_fired",
        "group_formed",
        "search_pushed",
        "appeal_published",
        "closed",
        "informant_told",
    ):
        assert kind in kinds
    # A retried close answers the same; a different outcome is refused.
    again = api.post(
        f"/missing/{number}/close", "dispatcher", json={"outcome": "found_safe", "note": "重复"}
    )
    assert again.status_code == 200
    other = api.post(
        f"/missing/{number}/close", "dispatcher", json={"outcome": "found_dead", "note": "x"}
    )
    assert other.status_code == 409


def test_a_missing_12_year_old_is_a_criminal_case_at_once_and_48_hours_asks_for_criminal_investigation(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    opened = open_case(
        api, clock, category="missing_child", who=person("陈小明", "male", 12), lost_hours_ago=3
    )
    number = opened["number"]
    assert [f["rule"] for f in opened["firings"]] == ["child"]
    assert opened["criminal_case_at"] is not None
    assert (opened["grade"], opened["handling_unit"]) == (2, "criminal")
    assert opened["requests"] == []

    # 44 hours on (47 h since last seen): nothing yet.
    advance(runtime, clock, timedelta(hours=44))
    assert case(api, number)["requests"] == []
    # Past 48 hours since last seen: a transfer to criminal investigation waits for a leader.
    advance(runtime, clock, timedelta(hours=1, minutes=1))
    now = case(api, number)
    assert [f["rule"] for f in now["firings"]] == ["child", "child_48h"]
    [request] = now["requests"]
    assert (request["kind"], request["state"], request["rule"]) == (
        "transfer_criminal",
        "pending",
        "child_48h",
    )
    assert any(
        number in n.message and "移交刑侦" in n.message
        for n in notifications(runtime, "missing_request")
    )
    advance(runtime, clock, timedelta(hours=1))
    assert len(case(api, number)["requests"]) == 1  # fires once

    # Only a leader approves; the case moves to grade 3 under criminal investigation.
    path = f"/missing/{number}/requests/{request['id']}/decision"
    assert api.post(path, "dispatcher", json={"approve": True}).status_code == 403
    decided = ok(api.post(path, "leader", json={"approve": True, "comment": "同意移交刑侦"}))
    assert (decided["state"], decided["decided_by"]) == ("approved", "leader")
    after = case(api, number)
    assert (after["grade"], after["handling_unit"]) == (3, "criminal")
    assert after["investigation_at"] is not None
    assert api.post(path, "leader", json={"approve": False}).status_code == 409


def test_an_unexplained_adult_case_callbacks_on_schedule_a_missed_one_escalates_then_3_months(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    opened = open_case(
        api,
        clock,
        category="missing_person",
        who=person("赵建国", "male", 41, phone="13700137000"),
        case_officer="officer-35010201-1",
        leader="leader",
    )
    number = opened["number"]
    assert [c["label"] for c in opened["callbacks"]] == [
        "24h",
        "3d",
        "7d",
        "15d",
        "30d",
        "60d",
        "90d",
    ]
    start = _at(opened["opened_at"])
    # Not due yet: refused, with the time it falls due.
    early = api.post(
        f"/missing/{number}/callbacks/1",
        "officer-35010201-1",
        json={"reached": True, "family_said": "无"},
    )
    assert early.status_code == 409
    assert "not due" in early.text

    # 24 h: the station is reminded; the officer calls the family the same hour.
    advance(runtime, clock, timedelta(hours=24))
    [reminder] = [n for n in notifications(runtime, "missing_callback") if number in n.message]
    assert "第1次回访" in reminder.message
    assert "officer-35010201-1" in reminder.message
    cb = ok(
        api.post(
            f"/missing/{number}/callbacks/1",
            "officer-35010201-1",
            json={"reached": True, "family_said": "仍未联系上", "new_lead": "同事称其提过去厦门"},
        )
    )
    assert cb["done_by"] == "officer-35010201-1"
    assert any("厦门" in n.message for n in notifications(runtime, "missing_lead"))
    assert (
        api.post(
            f"/missing/{number}/callbacks/1", "officer-35010201-1", json={"reached": False}
        ).status_code
        == 409
    )

    # The day-3 callback is missed: 8 hours past due a 督办 opens for the station's leader…
    clock.set(start + timedelta(days=3, hours=8) - timedelta(seconds=1))
    tick(runtime)
    assert _case_supervisions(runtime) == []
    advance(runtime, clock, timedelta(seconds=2))
    [opened_sup] = _case_supervisions(runtime)
    assert (opened_sup.step, opened_sup.level.value) == (Step.CASE_CALLBACK, "station")
    # …and, unacknowledged, it climbs to the district.
    advance(runtime, clock, timedelta(seconds=runtime.settings.escalate_station_after_s + 1))
    [climbed] = _case_supervisions(runtime)
    assert climbed.level.value == "district"
    board = ok_list(api.get("/supervision", "leader"))
    assert any(s["step"] == "case_callback" for s in board)
    # Recording it late closes the supervised step.
    ok(api.post(f"/missing/{number}/callbacks/2", "officer-35010201-1", json={"reached": False}))
    [done] = _case_supervisions(runtime)
    assert done.step_done_at is not None

    # Three months with no explanation: raised for criminal investigation (立线调查).
    for days in (7, 15, 30, 60):
        clock.set(start + timedelta(days=days, hours=1))
        seq = {7: 3, 15: 4, 30: 5, 60: 6}[days]
        tick(runtime)
        ok(
            api.post(
                f"/missing/{number}/callbacks/{seq}",
                "officer-35010201-1",
                json={"reached": True, "family_said": "无新情况"},
            )
        )
    clock.set(start + timedelta(days=89, hours=23))
    tick(runtime)
    assert case(api, number)["requests"] == []
    clock.set(start + timedelta(days=90, minutes=1))
    tick(runtime)
    now = case(api, number)
    assert [f["rule"] for f in now["firings"]] == ["unexplained"]
    assert "立线调查" in now["firings"][0]["reason"]
    assert now["requests"][0]["kind"] == "transfer_criminal"
    assert now["on_ledger"] is True
    ledger = ok(api.get("/missing?ledger=true", "dispatcher"))
    assert number in [c["number"] for c in ledger["items"]]


def _case_supervisions(runtime: Runtime) -> list[Supervision]:
    with transaction(runtime.sessions) as session:
        rows = session.scalars(
            select(Supervision)
            .where(Supervision.step == Step.CASE_CALLBACK)
            .order_by(Supervision.id)
        ).all()
        session.expunge_all()
        return list(rows)


def test_three_pupils_of_one_school_raise_a_cluster_alert_for_the_district(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    numbers = []
    for i, (name, point, school) in enumerate(
        [
            ("林一", GULOU_WEST, "鼓楼实验中学"),
            ("林二", GULOU_EAST, "鼓楼 实验中学"),
            ("林三", GULOU_EAST, "鼓楼实验中学（初二）"),
        ]
    ):
        c = open_case(
            api,
            clock,
            category="missing_minor_female" if i == 1 else "missing_person",
            who=person(name, "female" if i == 1 else "male", 15, school_or_work=school),
            point=point,
            informant_phone=f"1390013900{i}",
        )
        numbers.append(c["number"])
        clock.advance(timedelta(days=2))
    # The third pupil's school is written differently: two share the key, no alert yet
    # (and no grid holds three).
    assert ok_list(api.get("/missing/clusters", "gulou_leader")) == []
    c = open_case(
        api,
        clock,
        category="missing_person",
        who=person("林四", "male", 14, school_or_work="鼓楼实验中学"),
        informant_phone="13900139009",
    )
    numbers.append(c["number"])
    [alert] = ok_list(api.get("/missing/clusters", "gulou_leader"))
    assert alert["kind"] == "school_or_work"
    assert alert["district"] == "350102"
    assert sorted(x["number"] for x in alert["cases"]) == sorted(
        [numbers[0], numbers[1], numbers[3]]
    )
    told = list(notifications(runtime, "missing_cluster"))
    assert told
    assert told[-1].target_code == "350102"
    assert "3人失踪" in told[-1].message
    assert "cluster_alert" in journal_kinds(api, numbers[0])
    # The district leader takes note; the city sees it too; Minhou's dispatcher does not.
    ack = ok(
        api.post(
            f"/missing/clusters/{alert['id']}/acknowledge",
            "gulou_leader",
            json={"comment": "立线调查"},
        )
    )
    assert ack["acknowledged_by"] == "gulou_leader"
    assert len(ok_list(api.get("/missing/clusters", "leader"))) == 1
    assert ok_list(api.get("/missing/clusters", "minhou_dispatcher")) == []
    # A station's officer sees the alert, but only the cases of their own station.
    [seen] = ok_list(api.get("/missing/clusters", "officer-35010201-1"))
    assert seen["people"] == 3
    assert sorted(x["number"] for x in seen["cases"]) == sorted([numbers[0], numbers[3]])


def test_a_second_report_of_the_same_person_is_linked_with_a_score_not_merged(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    first = open_case(
        api, clock, category="missing_person", who=person("黄志强", "male", 30, phone="13600136000")
    )
    clock.advance(timedelta(hours=3))
    second = open_case(
        api,
        clock,
        category="missing_person",
        who=person("黄志强", "male", 31, phone="136 0013 6000"),
        informant_phone="13500135000",
        place="鼓楼区西湖公园北门",
    )
    [link] = second["links"]
    assert (link["case"], link["direction"]) == (first["number"], "duplicate_of")
    assert link["reasons"] == ["phone", "name", "age", "place"]
    assert link["score"] == 110
    back = case(api, first["number"])["links"]
    assert [(x["case"], x["direction"]) for x in back] == [(second["number"], "duplicated_by")]
    # Both stay open: a link, not a merge.
    assert case(api, first["number"])["status"] == case(api, second["number"])["status"] == "open"
    # A different person with the same name only is not linked.
    third = open_case(
        api,
        clock,
        category="missing_person",
        who=person("黄志强", "male", 70),
        place="闽侯县",
        point=MINHOU,
    )
    assert third["links"] == []


def test_the_incident_is_reported_with_the_case_closed_when_units_are_on_scene(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    opened = open_case(api, clock, category="missing_person", who=person("周敏", "female", 25))
    walk_to_arrival(api, opened["incident"], UNIT)
    ok(
        api.post(
            f"/missing/{opened['number']}/close",
            "dispatcher",
            json={"outcome": "returned", "note": "已自行回家"},
        )
    )
    incident = ok(api.get(f"/incidents/{opened['incident']}/timeline", "dispatcher"))
    kinds = [e["kind"] for e in incident["events"]]
    assert kinds[-4:] == ["release", "handle", "report", "close"]
    assert incident["status"] == "closed"


def test_an_incident_found_invalid_leaves_the_case_open_and_asks_the_station_to_check(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    opened = open_case(api, clock, category="missing_person", who=person("蒋涛", "male", 29))
    ok(
        api.post(
            f"/incidents/{opened['incident']}/invalidate", "dispatcher", json={"reason": "hoax"}
        )
    )
    tick(runtime)
    after = case(api, opened["number"])
    assert after["status"] == "open"
    assert [f["rule"] for f in after["firings"]] == ["incident_ended"]
    assert "认定无效" in after["firings"][0]["reason"]
    [review] = notifications(runtime, "missing_review")
    assert opened["number"] in review.message
    assert review.target_code == "35010201"
    tick(runtime)
    assert len(notifications(runtime, "missing_review")) == 1
