"""An incident rebuilt from its events alone, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from cad110.incidents.replay import RecordedEvent, differences, replay
from cad110.lifecycles.incident import Status

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
NUMBER = "35010201-20261123-0001"
UNIT = "35010201-1"

RECEIVED: dict[str, Any] = {
    "source": "call_110",
    "caller_name": "张三",
    "caller_phone": "13800138000",
    "address": "鼓楼区东街口",
    "lon": 119.29,
    "lat": 26.08,
    "jurisdiction": "35010201",
    "grid": "3501020101",
    "narrative": "电动车被盗",
    "tags": ["电动车"],
    "category": "theft",
    "grade": 3,
    "received_at": (T0 - timedelta(seconds=40)).isoformat(),
}


def chain(*steps: tuple[str, dict[str, Any]]) -> list[RecordedEvent]:
    """Events one minute apart, the first the 接警 event."""
    events = [RecordedEvent(1, "received", T0, "calltaker", RECEIVED)]
    for i, (kind, payload) in enumerate(steps, start=2):
        events.append(RecordedEvent(i, kind, T0 + timedelta(minutes=i - 1), "dispatcher", payload))
    return events


def at(minute: int) -> datetime:
    return T0 + timedelta(minutes=minute)


def test_the_received_event_gives_every_field_of_the_call() -> None:
    state = replay(NUMBER, chain()).state
    assert state is not None
    assert state.status is Status.RECEIVED
    assert (state.caller_phone, state.caller_name, state.narrative) == (
        "13800138000",
        "张三",
        "电动车被盗",
    )
    assert (state.jurisdiction_code, state.grid_code, state.grade) == ("35010201", "3501020101", 3)
    assert state.received_at == T0 - timedelta(seconds=40)
    assert state.created_by == "calltaker"


def test_a_whole_life_follows_the_lifecycle_to_the_archive() -> None:
    report = {"summary": "已找回", "result": "resolved", "guide": []}
    replayed = replay(
        NUMBER,
        chain(
            ("accept", {"category": "theft", "grade": 2, "address": None, "note": ""}),
            ("dispatch", {"units": [UNIT], "note": "", "recommended": [UNIT], "override": False}),
            ("acknowledge", {"note": "", "unit": UNIT, "unit_changes": {UNIT: "acknowledged"}}),
            ("depart", {"note": "", "unit": UNIT, "unit_changes": {UNIT: "departed"}}),
            ("arrive", {"note": "", "unit": UNIT, "unit_changes": {UNIT: "arrived"}}),
            ("handle", {"note": "现场处置"}),
            ("report", report),
            ("release", {"note": "", "unit": UNIT, "unit_changes": {UNIT: "released"}}),
            ("close", {"summary": "结警"}),
            ("callback", {"satisfaction": "satisfied", "note": ""}),
            ("archive", {"note": ""}),
        ),
    )
    assert replayed.problems == ()
    state = replayed.state
    assert state is not None
    assert state.status is Status.ARCHIVED
    assert state.grade == 2
    assert (state.accepted_at, state.dispatched_at, state.arrived_at) == (at(1), at(2), at(5))
    assert (state.reported_at, state.closed_at, state.archived_at) == (at(7), at(9), at(11))
    assert state.ended_at is None
    assert state.outcome == {
        "handle": {"note": "现场处置"},
        "report": report,
        "close": {"summary": "结警"},
        "callback": {"satisfaction": "satisfied", "note": ""},
    }


def test_accept_and_assess_correct_the_place_category_and_grade() -> None:
    state = replay(
        NUMBER,
        chain(
            (
                "accept",
                {
                    "category": "robbery",
                    "grade": 1,
                    "address": "东街口 3 号",
                    "lon": 119.3,
                    "lat": 26.09,
                },
            ),
            ("assess", {"note": "", "risk": "high", "related": [], "category": None, "grade": 2}),
        ),
    ).state
    assert state is not None
    assert (state.category_code, state.grade) == ("robbery", 2)
    assert (state.address, state.lon, state.lat) == ("东街口 3 号", 119.3, 26.09)
    assert state.outcome == {"risk": "high"}
    assert state.status is Status.ASSESSED


def test_a_reclassify_and_a_second_assess_change_category_and_grade_but_not_the_status() -> None:
    state = replay(
        NUMBER,
        chain(
            ("accept", {"category": "homicide", "grade": 1, "address": "东街口"}),
            (
                "assess",
                {"note": "", "risk": "high", "related": [], "category": None, "grade": None},
            ),
            (
                "reclassify",
                {
                    "category": "false_report",
                    "grade": 3,
                    "reason": "谎报",
                    "before": {"category": "homicide", "grade": 1},
                    "after": {"category": "false_report", "grade": 3},
                },
            ),
            ("assess", {"note": "", "risk": "low", "related": [], "grade": None, "reason": "x"}),
        ),
    ).state
    assert state is not None
    assert (state.category_code, state.grade, state.status) == ("false_report", 3, Status.ASSESSED)
    assert state.outcome == {"risk": "low"}


def test_a_cancel_keeps_its_note_but_not_the_units_it_released() -> None:
    state = replay(
        NUMBER,
        chain(
            ("accept", {"category": "theft", "grade": 3}),
            ("dispatch", {"units": [UNIT], "note": ""}),
            ("cancel", {"note": "报警人撤回", "unit_changes": {UNIT: "released"}}),
        ),
    ).state
    assert state is not None
    assert state.status is Status.CANCELLED
    assert state.outcome == {"cancel": {"note": "报警人撤回"}}
    assert state.ended_at == at(3)


def test_merge_transfer_and_invalid_end_an_incident_with_their_reason() -> None:
    merged = replay(NUMBER, chain(("merge", {"into": "35010201-20261123-0002", "note": ""})))
    transferred = replay(NUMBER, chain(("transfer", {"to": "12345", "agency": None, "note": ""})))
    invalid = replay(NUMBER, chain(("invalidate", {"reason": "misdial", "note": ""})))
    assert merged.state is not None
    assert transferred.state is not None
    assert invalid.state is not None
    assert merged.state.merged_into == "35010201-20261123-0002"
    assert transferred.state.transferred_to == "12345"
    assert invalid.state.invalid_reason == "misdial"
    assert (merged.state.status, transferred.state.status, invalid.state.status) == (
        Status.MERGED,
        Status.TRANSFERRED,
        Status.INVALID,
    )
    assert merged.state.ended_at == at(1)


def test_a_raised_grade_counts_and_journal_only_events_change_nothing() -> None:
    state = replay(
        NUMBER,
        chain(
            ("missing_case_opened", {"case": "XR-1"}),
            ("grade_raised", {"from": 3, "to": 1, "reason": "老人走失"}),
            ("call_attached", {"call": 7, "caller_phone": "13900000000", "caller_name": "李四"}),
            ("supervision_opened", {"supervision": 1, "step": "accept"}),
        ),
    ).state
    assert state is not None
    assert state.grade == 1
    assert state.caller_phone == "13800138000"
    assert state.status is Status.RECEIVED


def test_an_event_the_lifecycle_refuses_is_named_by_its_sequence() -> None:
    replayed = replay(
        NUMBER,
        chain(("arrive", {"note": "", "unit": UNIT}), ("accept", {"category": "theft"})),
    )
    assert [seq for seq, _ in replayed.problems] == [2]
    assert "arrive" in replayed.problems[0][1]
    assert replayed.state is not None
    assert replayed.state.status is Status.ACCEPTED


def test_an_unknown_kind_of_event_is_a_problem() -> None:
    replayed = replay(NUMBER, chain(("grade_lowered", {"to": 4})))
    assert replayed.problems == ((2, "grade_lowered is no kind of incident event"),)


def test_a_chain_that_does_not_start_with_received_gives_no_state() -> None:
    events = chain(("accept", {"category": "theft"}))[1:]
    replayed = replay(NUMBER, events)
    assert replayed.state is None
    assert replayed.problems == ((2, "the chain starts with accept, not received"),)


def test_differences_name_each_field_with_the_row_and_the_events_value() -> None:
    state = replay(NUMBER, chain()).state
    assert state is not None
    row = {name: getattr(state, name) for name in state.__dataclass_fields__}
    assert differences(state, row) == []
    row.update(caller_phone="13999999999", grade=4)
    assert differences(state, row) == [
        ("caller_phone", "13999999999", "13800138000"),
        ("grade", 4, 3),
    ]


def test_a_relocation_moves_address_point_jurisdiction_and_grid_but_not_the_status() -> None:
    before = {
        "address": "鼓楼区东街口",
        "lon": 119.29,
        "lat": 26.08,
        "jurisdiction": "35010201",
        "grid": "3501020101",
    }
    after = {
        "address": "闽侯县甘蔗街道上街路8号",
        "lon": 119.1505,
        "lat": 26.1505,
        "jurisdiction": "35012101",
        "grid": "3501210101",
        "place": "T-MH-SJ8",
    }
    state = replay(
        NUMBER,
        chain(
            ("accept", {"category": None, "grade": None}),
            (
                "relocate",
                {"place": "T-MH-SJ8", "reason": "报警人说错区", "before": before, "after": after},
            ),
        ),
    ).state
    assert state is not None
    assert state.status is Status.ACCEPTED
    assert (state.address, state.lon, state.lat) == ("闽侯县甘蔗街道上街路8号", 119.1505, 26.1505)
    assert (state.jurisdiction_code, state.grid_code) == ("35012101", "3501210101")


def test_a_relocation_after_closing_cannot_follow() -> None:
    move = {"after": {"address": "x", "lon": 1.0, "lat": 2.0, "jurisdiction": "350100"}}
    replayed = replay(
        NUMBER,
        chain(
            ("accept", {"category": None, "grade": None}),
            ("close", {"summary": "电话劝解", "no_dispatch_reason": "advice_by_phone"}),
            ("relocate", move),
        ),
    )
    assert [seq for seq, _ in replayed.problems] == [4]
    assert replayed.state is not None
    assert replayed.state.address == "鼓楼区东街口"
