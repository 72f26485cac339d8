"""Exhaustive tests of the pure incident state machine (cad110.lifecycles.incident): every
status, action and unit situation against the reference model (lifecycle_model.py), and the
scenarios of the rules one by one.
"""

from __future__ import annotations

import pytest

from cad110.lifecycles.incident import (
    STAGES,
    Action,
    AssignmentState,
    Command,
    Outcome,
    Snapshot,
    Status,
    allowed_actions,
    decide,
)
from tests.unit.lifecycle_model import (
    BEFORE_DISPATCH,
    ENDED_EARLY,
    STATUS_TABLE,
    TARGET,
    TERMINAL,
    TIME_AXIS,
    UNIT_STEPS,
    WAITING,
    A,
    as_plain,
    cmd,
    model_decide,
    refused,
    snap,
    try_decide,
    unit_choices,
)

# --------------------------------------------------------------------------------------------
# 0. The test's own tables cover the module's vocabulary exactly.
# --------------------------------------------------------------------------------------------


def test_tables_cover_every_status_and_action() -> None:
    assert set(STATUS_TABLE) == {s.value for s in Status}
    assert set(TIME_AXIS) | set(ENDED_EARLY) | set(WAITING) == {s.value for s in Status}
    actions = {a.value for a in Action}
    assert set().union(*STATUS_TABLE.values()) <= actions
    assert set(TARGET) | set(UNIT_STEPS) | {"dispatch"} == actions
    assert {s.value for s in AssignmentState} == {"released"} | {
        s for needs, _, _ in UNIT_STEPS.values() for s in needs
    }


def test_time_axis_has_the_twelve_stages_in_order() -> None:
    assert tuple(s.value for s in STAGES) == TIME_AXIS
    assert len(STAGES) == 12


# --------------------------------------------------------------------------------------------
# 1. Exhaustive table: every status × every action × representative unit situations.
# --------------------------------------------------------------------------------------------

SITUATIONS: dict[str, dict[str, str]] = {
    "no_units": {},
    **{f"one_{s.value}": {"U1": s.value} for s in AssignmentState},
    "dispatched+arrived": {"U1": "dispatched", "U2": "arrived"},
    "acknowledged+departed": {"U1": "acknowledged", "U2": "departed"},
    "acknowledged+released": {"U1": "acknowledged", "U2": "released"},
    "released+released": {"U1": "released", "U2": "released"},
}
POOL_FOR_TABLE = ("U1", "U2")


@pytest.mark.parametrize("action", [a.value for a in Action])
@pytest.mark.parametrize("situation", list(SITUATIONS))
@pytest.mark.parametrize("status", [s.value for s in Status])
def test_decide_matches_the_rule_table(status: str, situation: str, action: str) -> None:
    units = SITUATIONS[situation]
    snapshot = snap(status, **units)
    accepted_any = False
    for choice in unit_choices(action, units, POOL_FOR_TABLE):
        expected = model_decide(status, units, action, choice)
        outcome = try_decide(snapshot, Command(Action(action), choice))
        if expected is None:
            assert outcome is None, f"{action}{choice} should be refused in {status}/{units}"
        else:
            assert outcome is not None, f"{action}{choice} should be accepted in {status}/{units}"
            assert as_plain(outcome) == expected
            accepted_any = True
    # allowed_actions lists the action exactly when some unit choice is accepted.
    assert (Action(action) in allowed_actions(snapshot)) is accepted_any


@pytest.mark.parametrize("situation", list(SITUATIONS))
@pytest.mark.parametrize("status", [s.value for s in Status])
def test_allowed_actions_match_the_rule_table(status: str, situation: str) -> None:
    units = SITUATIONS[situation]
    expected = [
        a.value
        for a in Action
        if any(
            model_decide(status, units, a.value, c) is not None
            for c in unit_choices(a.value, units, POOL_FOR_TABLE)
        )
    ]
    assert [a.value for a in allowed_actions(snap(status, **units))] == expected


# --------------------------------------------------------------------------------------------
# 2. Focused domain tests.
# --------------------------------------------------------------------------------------------


def run(snapshot: Snapshot, *commands: Command) -> tuple[Snapshot, list[Outcome]]:
    outcomes = []
    for command in commands:
        outcome = decide(snapshot, command)
        outcomes.append(outcome)
        snapshot = Snapshot(outcome.status, outcome.units)
    return snapshot, outcomes


def to_reported(*extra: Command) -> Snapshot:
    """An incident taken by one unit U1 all the way to reported, U1 still on scene."""
    snapshot, _ = run(
        snap("received"),
        cmd("accept"),
        cmd("dispatch", "U1"),
        cmd("acknowledge", "U1"),
        cmd("depart", "U1"),
        cmd("arrive", "U1"),
        cmd("handle"),
        *extra,
        cmd("report"),
    )
    return snapshot


def test_happy_path_reaches_all_twelve_stages_in_order() -> None:
    snapshot, outcomes = run(
        snap("received"),
        cmd("accept"),
        cmd("assess"),
        cmd("dispatch", "U1"),
        cmd("acknowledge", "U1"),
        cmd("depart", "U1"),
        cmd("arrive", "U1"),
        cmd("handle"),
        cmd("report"),
        cmd("release", "U1"),
        cmd("close"),
        cmd("callback"),
        cmd("archive"),
    )
    stages = ["received", *(o.stage.value for o in outcomes if o.stage is not None)]
    assert tuple(stages) == TIME_AXIS
    assert snapshot.status is Status.ARCHIVED
    assert dict(snapshot.units) == {"U1": A.RELEASED}


def test_cannot_close_while_a_unit_is_still_assigned() -> None:
    reported = to_reported()
    assert reported.status is Status.REPORTED
    exc = refused(reported, cmd("close"))
    assert "U1" in exc.message
    assert Action.CLOSE not in allowed_actions(reported)
    released = decide(reported, cmd("release", "U1"))
    assert released.status is Status.REPORTED
    closed = decide(Snapshot(released.status, released.units), cmd("close"))
    assert closed.status is Status.CLOSED
    assert closed.stage is Status.CLOSED


def test_cannot_close_while_a_reinforcement_is_only_dispatched() -> None:
    reported = to_reported(cmd("dispatch", "U2"), cmd("release", "U1"))
    assert dict(reported.units) == {"U1": A.RELEASED, "U2": A.DISPATCHED}
    refused(reported, cmd("close"))
    # The late reinforcement may still sign for it; close waits for its release.
    acknowledged = decide(reported, cmd("acknowledge", "U2"))
    assert acknowledged.status is Status.REPORTED
    assert acknowledged.stage is None


@pytest.mark.parametrize("start", ["accepted", "assessed"])
def test_call_settled_by_phone_closes_without_dispatch(start: str) -> None:
    outcome = decide(snap(start), cmd("close"))
    assert outcome.status is Status.CLOSED
    assert outcome.stage is Status.CLOSED
    assert outcome.unit_changes == ()


def test_close_is_refused_before_acceptance_and_during_the_response() -> None:
    for status in ("received", "arrived", "handled"):
        refused(snap(status), cmd("close"))
    for status in ("dispatched", "acknowledged", "departed"):
        refused(snap(status, U1="dispatched"), cmd("close"))


@pytest.mark.parametrize("status", ["dispatched", "acknowledged", "departed"])
def test_a_matter_settled_before_any_unit_arrived_closes_once_they_are_called_back(
    status: str,
) -> None:
    outcome = decide(snap(status, U1="released"), cmd("close"))
    assert (outcome.status, outcome.stage) == (Status.CLOSED, Status.CLOSED)


def test_acknowledge_before_dispatch_is_refused() -> None:
    for status in BEFORE_DISPATCH:
        refused(snap(status), cmd("acknowledge", "U1"))
    # A dispatched incident: a unit that was not sent there cannot sign for it.
    dispatched = decide(snap("accepted"), cmd("dispatch", "U1"))
    snapshot = Snapshot(dispatched.status, dispatched.units)
    exc = refused(snapshot, cmd("acknowledge", "U2"))
    assert "U2" in exc.message
    assert "acknowledge" in exc.allowed  # U1 may


def test_unit_steps_go_in_order() -> None:
    snapshot = snap("dispatched", U1="dispatched")
    refused(snapshot, cmd("depart", "U1"))
    refused(snapshot, cmd("arrive", "U1"))
    snapshot, _ = run(snapshot, cmd("acknowledge", "U1"))
    refused(snapshot, cmd("acknowledge", "U1"))
    refused(snapshot, cmd("arrive", "U1"))
    snapshot, _ = run(snapshot, cmd("depart", "U1"))
    refused(snapshot, cmd("depart", "U1"))
    snapshot, _ = run(snapshot, cmd("arrive", "U1"))
    refused(snapshot, cmd("arrive", "U1"))
    assert snapshot.status is Status.ARRIVED


def test_unit_action_names_exactly_one_unit() -> None:
    snapshot = snap("dispatched", U1="dispatched", U2="dispatched")
    for action in ("acknowledge", "depart", "arrive", "release"):
        refused(snapshot, cmd(action))
        refused(snapshot, cmd(action, "U1", "U2"))


@pytest.mark.parametrize("step", ["acknowledge", "depart", "arrive", "release"])
def test_released_unit_takes_no_further_step(step: str) -> None:
    refused(snap("arrived", U1="released", U2="arrived"), cmd(step, "U1"))


@pytest.mark.parametrize("state", ["dispatched", "acknowledged", "departed", "arrived"])
def test_release_works_from_any_active_state(state: str) -> None:
    outcome = decide(snap("arrived", U1=state), cmd("release", "U1"))
    assert outcome.status is Status.ARRIVED
    assert outcome.stage is None
    assert outcome.unit_changes == (("U1", A.RELEASED),)


def test_first_unit_moves_the_stage_each_step() -> None:
    _, outcomes = run(
        snap("accepted"),
        cmd("dispatch", "U1"),
        cmd("acknowledge", "U1"),
        cmd("depart", "U1"),
        cmd("arrive", "U1"),
    )
    assert [o.stage for o in outcomes] == [
        Status.DISPATCHED,
        Status.ACKNOWLEDGED,
        Status.DEPARTED,
        Status.ARRIVED,
    ]
    assert [o.status for o in outcomes] == [o.stage for o in outcomes]


def test_second_unit_does_not_move_the_stage_again() -> None:
    snapshot, outcomes = run(
        snap("accepted"),
        cmd("dispatch", "U1", "U2"),
        cmd("acknowledge", "U1"),
        cmd("acknowledge", "U2"),
        cmd("depart", "U2"),
        cmd("depart", "U1"),
        cmd("arrive", "U1"),
        cmd("arrive", "U2"),
    )
    assert [o.stage for o in outcomes] == [
        Status.DISPATCHED,
        Status.ACKNOWLEDGED,
        None,  # U2 signs later: the incident's 签收 time is U1's
        Status.DEPARTED,  # U2 is first to leave
        None,
        Status.ARRIVED,
        None,
    ]
    assert snapshot.status is Status.ARRIVED
    assert dict(snapshot.units) == {"U1": A.ARRIVED, "U2": A.ARRIVED}


def test_reinforcement_keeps_the_status_and_reaches_no_stage() -> None:
    for status in ("dispatched", "acknowledged", "departed", "arrived", "handled"):
        outcome = decide(snap(status, U1="arrived"), cmd("dispatch", "U2", "U3"))
        assert outcome.status is Status(status)
        assert outcome.stage is None
        assert outcome.unit_changes == (("U2", A.DISPATCHED), ("U3", A.DISPATCHED))
        assert outcome.units["U1"] is A.ARRIVED
        # Its units signing and arriving late do not move the incident back or forward.
        snapshot = Snapshot(outcome.status, outcome.units)
        later = decide(snapshot, cmd("acknowledge", "U2"))
        assert later.stage is None or later.stage is Status.ACKNOWLEDGED
        if status != "dispatched":
            assert later.status is Status(status)


def test_first_dispatch_reaches_the_dispatched_stage() -> None:
    for status in ("accepted", "assessed"):
        outcome = decide(snap(status), cmd("dispatch", "U1", "U2"))
        assert outcome.status is Status.DISPATCHED
        assert outcome.stage is Status.DISPATCHED
        assert dict(outcome.units) == {"U1": A.DISPATCHED, "U2": A.DISPATCHED}


def test_dispatch_refused_before_acceptance_and_after_report() -> None:
    for status in ("received", "reported", "closed", "callback", *TERMINAL):
        refused(snap(status), cmd("dispatch", "U1"))


def test_dispatch_needs_a_unit() -> None:
    refused(snap("accepted"), cmd("dispatch"))


def test_dispatch_refuses_unit_named_twice() -> None:
    exc = refused(snap("accepted"), cmd("dispatch", "U1", "U2", "U1"))
    assert "twice" in exc.message


def test_dispatch_refuses_unit_already_assigned() -> None:
    for state in ("dispatched", "acknowledged", "departed", "arrived"):
        snapshot = snap("arrived", U1=state)
        exc = refused(snapshot, cmd("dispatch", "U2", "U1"))
        assert "U1" in exc.message
        assert "dispatch" in exc.allowed  # another unit could still be sent


def test_dispatch_may_send_a_released_unit_again() -> None:
    outcome = decide(snap("arrived", U1="released"), cmd("dispatch", "U1"))
    assert outcome.units["U1"] is A.DISPATCHED
    assert outcome.status is Status.ARRIVED


def test_handle_only_after_arrival_and_report_only_after_handling() -> None:
    for status in Status:
        if status is not Status.ARRIVED:
            refused(Snapshot(status), cmd("handle"))
        if status is not Status.HANDLED:
            refused(Snapshot(status), cmd("report"))
    assert decide(snap("arrived", U1="arrived"), cmd("handle")).stage is Status.HANDLED
    assert decide(snap("handled", U1="arrived"), cmd("report")).stage is Status.REPORTED


def test_callback_only_from_closed() -> None:
    for status in Status:
        if status is Status.CLOSED:
            assert decide(Snapshot(status), cmd("callback")).stage is Status.CALLED_BACK
        else:
            refused(Snapshot(status), cmd("callback"))


def test_archive_only_after_close() -> None:
    for status in Status:
        if status.value in ("closed", "callback"):
            outcome = decide(Snapshot(status), cmd("archive"))
            assert outcome.status is Status.ARCHIVED
            assert outcome.stage is Status.ARCHIVED
        else:
            refused(Snapshot(status), cmd("archive"))


def test_merge_only_before_dispatch_and_with_every_unit_released() -> None:
    for status in Status:
        if status.value in BEFORE_DISPATCH:
            outcome = decide(Snapshot(status), cmd("merge"))
            assert outcome.status is Status.MERGED
            assert outcome.stage is None  # ending early is no stage of the time axis
        else:
            refused(Snapshot(status), cmd("merge"))
    refused(snap("assessed", U1="dispatched"), cmd("merge"))
    assert decide(snap("assessed", U1="released"), cmd("merge")).status is Status.MERGED


def test_a_hoax_found_out_on_scene_is_invalidated_and_its_units_released() -> None:
    snapshot = snap("arrived", U1="arrived", U2="departed", U3="released")
    outcome = decide(snapshot, cmd("invalidate"))
    assert outcome.status is Status.INVALID
    assert outcome.stage is None
    assert sorted(outcome.unit_changes) == [("U1", A.RELEASED), ("U2", A.RELEASED)]
    assert set(outcome.units.values()) == {A.RELEASED}


@pytest.mark.parametrize("status", ["arrived", "handled", "reported"])
def test_transfer_to_another_agency_after_arrival_releases_the_units(status: str) -> None:
    outcome = decide(snap(status, U1="arrived"), cmd("transfer"))
    assert outcome.status is Status.TRANSFERRED
    assert outcome.unit_changes == (("U1", A.RELEASED),)


@pytest.mark.parametrize("status", ["dispatched", "acknowledged", "departed"])
def test_transfer_is_refused_while_units_are_on_their_way(status: str) -> None:
    refused(snap(status, U1="dispatched"), cmd("transfer"))


@pytest.mark.parametrize("action", ["merge", "transfer", "invalidate"])
def test_nothing_ends_once_closed(action: str) -> None:
    for status in ("closed", "callback", "archived", *ENDED_EARLY):
        refused(snap(status), cmd(action))


def test_cancel_releases_every_unit() -> None:
    snapshot = snap(
        "arrived", U1="dispatched", U2="acknowledged", U3="departed", U4="arrived", U5="released"
    )
    outcome = decide(snapshot, cmd("cancel"))
    assert outcome.status is Status.CANCELLED
    assert outcome.stage is None
    assert set(outcome.units.values()) == {A.RELEASED}
    assert set(outcome.units) == {"U1", "U2", "U3", "U4", "U5"}
    assert sorted(outcome.unit_changes) == [(u, A.RELEASED) for u in ("U1", "U2", "U3", "U4")]


def test_cancel_allowed_from_received_to_arrived_only() -> None:
    allowed = {
        "received",
        "accepted",
        "assessed",
        "queued",
        "dispatched",
        "acknowledged",
        "departed",
        "arrived",
    }
    for status in Status:
        if status.value in allowed:
            assert decide(Snapshot(status), cmd("cancel")).status is Status.CANCELLED
        else:
            refused(Snapshot(status), cmd("cancel"))


def test_terminal_states_allow_nothing() -> None:
    for status in TERMINAL:
        for units in SITUATIONS.values():
            snapshot = snap(status, **units)
            assert allowed_actions(snapshot) == []
            for action in Action:
                for choice in unit_choices(action.value, units, POOL_FOR_TABLE):
                    exc = refused(snapshot, Command(action, choice))
                    assert exc.allowed == []
                    assert "nothing" in exc.message


def test_refusal_says_state_and_what_is_allowed() -> None:
    snapshot = snap("arrived", U1="arrived", U2="dispatched")
    exc = refused(snapshot, cmd("close"))
    assert exc.state == "arrived"
    assert exc.allowed == [
        "assess",
        "dispatch",
        "acknowledge",
        "release",
        "handle",
        "transfer",
        "invalidate",
        "cancel",
        "reclassify",
        "relocate",
    ]
    assert "arrived" in exc.message
    assert "到场" in exc.message
    body = exc.body()
    assert body["state"] == "arrived"
    assert body["allowed"] == exc.allowed
    assert body["code"] == "invalid_transition"


def test_decide_does_not_mutate_the_snapshot() -> None:
    units = {"U1": A.ARRIVED, "U2": A.DISPATCHED}
    snapshot = Snapshot(Status.ARRIVED, units)
    outcome = decide(snapshot, cmd("cancel"))
    assert units == {"U1": A.ARRIVED, "U2": A.DISPATCHED}
    assert outcome.units is not units
    decide(snapshot, cmd("release", "U1"))
    decide(snapshot, cmd("dispatch", "U3"))
    assert units == {"U1": A.ARRIVED, "U2": A.DISPATCHED}
