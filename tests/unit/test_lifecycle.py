"""Exhaustive tests of the pure incident state machine (cad110.lifecycles.incident).

The expectations here come from an explicit table and a small reference model written in this
file from the rules (DOMAIN.md, "The incident lifecycle and its time axis"), using plain strings,
so that a wrong table or guard in the module is caught rather than copied.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
)

from cad110.errors import InvalidTransition
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

# --------------------------------------------------------------------------------------------
# The rules, written out independently of the module (plain strings, not its enums or tables).
# --------------------------------------------------------------------------------------------

# The twelve stages of the time axis (时间轴), in order.
TIME_AXIS = (
    "received",  # 接警
    "accepted",  # 受理
    "assessed",  # 研判
    "dispatched",  # 派警
    "acknowledged",  # 签收
    "departed",  # 出动
    "arrived",  # 到场
    "handled",  # 处置
    "reported",  # 反馈
    "closed",  # 结警
    "callback",  # 回访
    "archived",  # 归档
)
ENDED_EARLY = ("merged", "transferred", "invalid", "cancelled")
# Statuses off the time axis that an incident passes through and leaves.
WAITING = ("queued",)
TERMINAL = frozenset({"archived", *ENDED_EARLY})
BEFORE_DISPATCH = frozenset({"received", "accepted", "assessed", "queued"})
AFTER_CLOSE = frozenset({"closed", "callback", "archived"})

# Which actions each status lets through its status guard (unit guards come on top).
# Unit steps (acknowledge/depart/arrive/release) are possible wherever units can be on the
# incident: from dispatched up to reported (a reinforcement dispatched while handling may
# still sign for it after the report; close then waits for its release).
# 研判 and 改类/改级 are possible at every open stage from 受理 to 反馈, 更正地点 from 接警 to 反馈
# (never once closed, archived or ended early); invalidate (a hoax found
# out on scene) at any open stage; transfer to another agency before dispatch and from arrival
# on; close also once every unit was called back before reaching the scene.
WORKED = frozenset({"assess", "reclassify", "relocate"})
STATUS_TABLE: dict[str, frozenset[str]] = {
    # 更正地点 from the first moment: an address that matched nothing is placed at once.
    "received": frozenset({"accept", "merge", "transfer", "invalidate", "cancel", "relocate"}),
    "accepted": frozenset(
        {"assess", "queue", "dispatch", "close", "merge", "transfer", "invalidate", "cancel"}
    )
    | WORKED,
    "assessed": frozenset(
        {"queue", "dispatch", "close", "merge", "transfer", "invalidate", "cancel"}
    )
    | WORKED,
    # Waiting for a unit (待派): dispatch when one frees up, or end it before dispatch.
    "queued": frozenset({"dispatch", "close", "merge", "transfer", "invalidate", "cancel"})
    | WORKED,
    "dispatched": frozenset(
        {"dispatch", "acknowledge", "depart", "arrive", "release", "cancel", "invalidate", "close"}
    )
    | WORKED,
    "acknowledged": frozenset(
        {"dispatch", "acknowledge", "depart", "arrive", "release", "cancel", "invalidate", "close"}
    )
    | WORKED,
    "departed": frozenset(
        {"dispatch", "acknowledge", "depart", "arrive", "release", "cancel", "invalidate", "close"}
    )
    | WORKED,
    "arrived": frozenset(
        {
            "dispatch",
            "acknowledge",
            "depart",
            "arrive",
            "release",
            "handle",
            "cancel",
            "invalidate",
            "transfer",
        }
    )
    | WORKED,
    "handled": frozenset(
        {"dispatch", "acknowledge", "depart", "arrive", "release", "report"}
        | {"invalidate", "transfer"}
    )
    | WORKED,
    "reported": frozenset(
        {"acknowledge", "depart", "arrive", "release", "close", "invalidate", "transfer"}
    )
    | WORKED,
    "closed": frozenset({"callback", "archive"}),
    "callback": frozenset({"archive"}),
    "archived": frozenset(),
    "merged": frozenset(),
    "transferred": frozenset(),
    "invalid": frozenset(),
    "cancelled": frozenset(),
}

# Per-unit steps: (states the unit must be in, state it moves to, incident stage it can reach).
UNIT_STEPS: dict[str, tuple[frozenset[str], str, str | None]] = {
    "acknowledge": (frozenset({"dispatched"}), "acknowledged", "acknowledged"),
    "depart": (frozenset({"acknowledged"}), "departed", "departed"),
    "arrive": (frozenset({"departed"}), "arrived", "arrived"),
    "release": (
        frozenset({"dispatched", "acknowledged", "departed", "arrived"}),
        "released",
        None,
    ),
}
# Actions refused while any unit is still assigned (not released).
NEEDS_NO_ACTIVE_UNITS = frozenset({"close", "merge"})
# Actions that end the incident and release every unit still assigned.
RELEASES_ALL = frozenset({"cancel", "transfer", "invalidate"})
# Where the other actions lead.
TARGET: dict[str, str | None] = {
    "accept": "accepted",
    "assess": "assessed",
    "queue": "queued",
    "handle": "handled",
    "report": "reported",
    "close": "closed",
    "callback": "callback",
    "archive": "archived",
    "merge": "merged",
    "transfer": "transferred",
    "invalidate": "invalid",
    "cancel": "cancelled",
    "reclassify": None,  # the status stays
    "relocate": None,  # the status stays
}

ModelOutcome = tuple[str, str | None, dict[str, str], dict[str, str]]


def model_decide(
    status: str, units: Mapping[str, str], action: str, cmd_units: tuple[str, ...]
) -> ModelOutcome | None:
    """Reference model: (status, stage reached, units, unit changes), or None for a refusal."""
    if action not in STATUS_TABLE[status]:
        return None
    active = [u for u, s in units.items() if s != "released"]

    if action == "dispatch":
        if not cmd_units or len(set(cmd_units)) != len(cmd_units):
            return None
        if any(u in active for u in cmd_units):
            return None
        changes = dict.fromkeys(cmd_units, "dispatched")
        first = status in BEFORE_DISPATCH
        return (
            "dispatched" if first else status,
            "dispatched" if first else None,
            {**units, **changes},
            changes,
        )

    if action in UNIT_STEPS:
        if len(cmd_units) != 1 or cmd_units[0] not in units:
            return None
        unit = cmd_units[0]
        needs, becomes, stage = UNIT_STEPS[action]
        if units[unit] not in needs:
            return None
        new_status, reached = status, None
        # The incident reaches a unit stage with its first unit only.
        if stage is not None and TIME_AXIS.index(status) < TIME_AXIS.index(stage):
            new_status, reached = stage, stage
        return new_status, reached, {**units, unit: becomes}, {unit: becomes}

    if action in NEEDS_NO_ACTIVE_UNITS and active:
        return None
    changes = dict.fromkeys(active, "released") if action in RELEASES_ALL else {}
    target = TARGET[action]
    # A repeated 研判 and every 改类/改级 leave the status where it is.
    if target is None or (action == "assess" and status != "accepted"):
        return status, None, dict(units), {}
    return (
        target,
        target if target in TIME_AXIS else None,
        {**units, **changes},
        changes,
    )


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------

A = AssignmentState


def snap(status: str, **units: str) -> Snapshot:
    return Snapshot(Status(status), {u: AssignmentState(s) for u, s in units.items()})


def cmd(action: str, *units: str) -> Command:
    return Command(Action(action), tuple(units))


def as_plain(outcome: Outcome) -> ModelOutcome:
    changes = dict(outcome.unit_changes)
    assert len(changes) == len(outcome.unit_changes), "a unit changed twice in one outcome"
    return (
        outcome.status.value,
        outcome.stage.value if outcome.stage is not None else None,
        {u: s.value for u, s in outcome.units.items()},
        {u: s.value for u, s in changes.items()},
    )


def check_refusal(exc: InvalidTransition, snapshot: Snapshot) -> None:
    assert exc.state == snapshot.status.value
    assert exc.allowed == [a.value for a in allowed_actions(snapshot)]
    assert snapshot.status.value in exc.message
    assert exc.status_code == 409


def try_decide(snapshot: Snapshot, command: Command) -> Outcome | None:
    """decide(), with a refusal checked for its contract and turned into None."""
    before_status, before_units = snapshot.status, dict(snapshot.units)
    try:
        outcome = decide(snapshot, command)
    except InvalidTransition as exc:
        check_refusal(exc, snapshot)
        outcome = None
    # decide never changes what it is given, accepted or not.
    assert snapshot.status is before_status
    assert dict(snapshot.units) == before_units
    return outcome


def unit_choices(action: str, units: Mapping[str, str], pool: tuple[str, ...]) -> list[tuple]:
    """The unit lists worth trying for an action: good ones, bad ones, none."""
    known = tuple(dict.fromkeys((*units, *pool)))
    if action == "dispatch":
        fresh = "U99"
        choices: list[tuple] = [(), (fresh,), (fresh, fresh), (fresh, "U98")]
        choices += [(u,) for u in known] + [(u, fresh) for u in known]
        return choices
    if action in UNIT_STEPS:
        return [(), *[(u,) for u in (*known, "U99")], known[:2]]
    return [()]


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


def refused(snapshot: Snapshot, command: Command) -> InvalidTransition:
    with pytest.raises(InvalidTransition) as info:
        decide(snapshot, command)
    check_refusal(info.value, snapshot)
    return info.value


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


# --------------------------------------------------------------------------------------------
# 3. Random command sequences (stateful property test).
# --------------------------------------------------------------------------------------------

POOL = ("U1", "U2", "U3", "U4")
ENDING_EARLY_ACTIONS = (Action.MERGE, Action.TRANSFER, Action.INVALIDATE, Action.CANCEL)
# Any action, valid or not; those ending an incident early are drawn less often so that
# more runs get far along the time axis before merge/transfer/invalid/cancel ends them.
ANY_ACTION_WEIGHTED = [
    *(a for a in Action if a not in ENDING_EARLY_ACTIONS for _ in range(3)),
    *ENDING_EARLY_ACTIONS,
]
UNIT_STAGES = ("acknowledged", "departed", "arrived")
_CHECKED_SNAPSHOTS: set[tuple[Status, frozenset[tuple[str, AssignmentState]]]] = set()


class LifecycleMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.snapshot = Snapshot(Status.RECEIVED)
        self.reached: list[str] = ["received"]
        # Unit states any unit has ever been in on this incident.
        self.unit_history: set[str] = set()
        self.terminal_seen = False

    # -- applying one command, checked against the reference model --

    def apply(self, command: Command) -> None:
        snapshot = self.snapshot
        units = {u: s.value for u, s in snapshot.units.items()}
        expected = model_decide(snapshot.status.value, units, command.action.value, command.units)
        outcome = try_decide(snapshot, command)  # checks refusals leave it unchanged
        if outcome is None:
            assert expected is None, f"{command} refused in {snapshot}"
            return
        assert expected is not None, f"{command} accepted in {snapshot}"
        assert not self.terminal_seen
        assert as_plain(outcome) == expected
        if outcome.stage is not None:
            assert outcome.stage is outcome.status
            self.reached.append(outcome.stage.value)
        for _, state in outcome.unit_changes:
            self.unit_history.add(state.value)
        self.snapshot = Snapshot(outcome.status, dict(outcome.units))
        if self.snapshot.status.value in TERMINAL:
            self.terminal_seen = True

    @rule(
        action=st.sampled_from(ANY_ACTION_WEIGHTED),
        units=st.lists(st.sampled_from(POOL), max_size=3).map(tuple),
    )
    def any_command(self, action: Action, units: tuple[str, ...]) -> None:
        self.apply(Command(action, units))

    def _draw_units(self, data: st.DataObject, action: Action) -> tuple[str, ...]:
        """Units for a command, preferring units the rules would accept."""
        units = {u: s.value for u, s in self.snapshot.units.items()}
        if action is Action.DISPATCH:
            free = [u for u in POOL if units.get(u, "released") == "released"]
            pool = free or list(POOL)
            return tuple(data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=2)))
        if action.value in UNIT_STEPS:
            ready = sorted(u for u, s in units.items() if s in UNIT_STEPS[action.value][0])
            pool = ready or list(POOL)
            return (data.draw(st.sampled_from(pool)),)
        return ()

    @precondition(
        lambda self: any(a not in ENDING_EARLY_ACTIONS for a in allowed_actions(self.snapshot))
    )
    @rule(data=st.data())
    def forward_command(self, data: st.DataObject) -> None:
        choices = [a for a in allowed_actions(self.snapshot) if a not in ENDING_EARLY_ACTIONS]
        action = data.draw(st.sampled_from(choices))
        self.apply(Command(action, self._draw_units(data, action)))

    @precondition(lambda self: self.snapshot.status.value not in TERMINAL)
    @rule()
    def advance(self) -> None:
        """The step that takes the incident furthest along the time axis, to reach late stages."""
        status = self.snapshot.status.value
        units = {u: s.value for u, s in self.snapshot.units.items()}
        active = [u for u, s in units.items() if s != "released"]
        free = [u for u in POOL if u not in active]
        if status in ("dispatched", "acknowledged", "departed"):
            stepping = [u for u in active if units[u] != "arrived"]
            if not stepping:
                self.apply(cmd("dispatch", free[0]))
                return
            unit = max(stepping, key=lambda u: TIME_AXIS.index(units[u]))
            step = {"dispatched": "acknowledge", "acknowledged": "depart", "departed": "arrive"}
            self.apply(cmd(step[units[unit]], unit))
        elif status == "reported":
            self.apply(cmd("release", active[0]) if active else cmd("close"))
        elif status in ("accepted", "assessed", "queued"):
            self.apply(cmd("dispatch", free[0]))
        else:
            step = {
                "received": "accept",
                "arrived": "handle",
                "handled": "report",
                "closed": "callback",
                "callback": "archive",
            }
            self.apply(cmd(step[status]))

    # -- invariants after every step --

    @invariant()
    def stages_in_time_axis_order_each_once(self) -> None:
        order = [TIME_AXIS.index(s) for s in self.reached]
        assert order == sorted(set(order)), self.reached
        status = self.snapshot.status.value
        if status in TIME_AXIS:
            assert self.reached[-1] == status  # the status is the last stage reached
        if status in WAITING:
            assert self.reached[-1] in ("accepted", "assessed")  # queued after 受理/研判

    @invariant()
    def nothing_assigned_after_close(self) -> None:
        if self.snapshot.status.value in AFTER_CLOSE:
            assert self.snapshot.active_units == ()

    @invariant()
    def unit_stages_were_reached_by_some_unit(self) -> None:
        # At or past 签收/出动/到场, some unit has signed / left / arrived at some point.
        status = self.snapshot.status.value
        if status not in TIME_AXIS:
            return
        for stage in UNIT_STAGES:
            if TIME_AXIS.index(status) >= TIME_AXIS.index(stage) and (
                status not in AFTER_CLOSE or stage in self.reached
            ):
                assert stage in self.unit_history, (stage, self.reached)

    @invariant()
    def allowed_actions_agree_with_decide(self) -> None:
        # decide is pure, so each distinct snapshot needs checking only once per session.
        snapshot = self.snapshot
        key = (snapshot.status, frozenset(snapshot.units.items()))
        if key in _CHECKED_SNAPSHOTS:
            return
        units = {u: s.value for u, s in snapshot.units.items()}
        listed = set(allowed_actions(snapshot))
        for action in Action:
            accepted = False
            for choice in unit_choices(action.value, units, POOL):
                expected = model_decide(snapshot.status.value, units, action.value, choice)
                outcome = try_decide(snapshot, Command(action, choice))
                assert (outcome is None) is (expected is None), (action, choice, snapshot)
                if outcome is not None:
                    assert as_plain(outcome) == expected
                    accepted = True
            assert accepted is (action in listed), (action, snapshot)
        _CHECKED_SNAPSHOTS.add(key)

    @invariant()
    def terminal_stays_terminal(self) -> None:
        if self.terminal_seen:
            assert self.snapshot.status.value in TERMINAL
            assert allowed_actions(self.snapshot) == []

    @invariant()
    def only_pool_units(self) -> None:
        assert set(self.snapshot.units) <= set(POOL)


LifecycleMachine.TestCase.settings = settings(
    max_examples=300,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_random_command_sequences = LifecycleMachine.TestCase


def test_unit_choices_cover_every_pairing() -> None:
    """Guard for the helper itself: it tries every known unit and a fresh one."""
    choices = unit_choices("acknowledge", {"U1": "dispatched"}, ("U2",))
    assert {c for c in choices if len(c) == 1} == {("U1",), ("U2",), ("U99",)}
    assert () in choices
    dispatch = unit_choices("dispatch", {}, ("U1",))
    assert ("U99",) in dispatch
    assert ("U99", "U99") in dispatch
    assert all(len(c) == len(set(c)) or c == ("U99", "U99") for c in dispatch)
    assert unit_choices("close", {}, ("U1",)) == [()]


# --------------------------------------------------------------------------------------------
# 3. Guards that need more than status and units: the category's unit count, 回访 before 归档.
# --------------------------------------------------------------------------------------------


def guarded(
    status: str, *, min_units: int | None = None, callback_due: bool = False, **units: str
) -> Snapshot:
    return Snapshot(
        Status(status),
        {u: AssignmentState(s) for u, s in units.items()},
        min_units=min_units,
        callback_due=callback_due,
    )


def test_dispatching_more_units_than_the_category_needs_takes_add_unit() -> None:
    exc = refused(guarded("accepted", min_units=2), cmd("dispatch", "U1", "U2", "U3"))
    assert "add_unit" in exc.message
    outcome = decide(
        guarded("accepted", min_units=2),
        Command(Action.DISPATCH, ("U1", "U2", "U3"), add_unit=True),
    )
    assert outcome.status is Status.DISPATCHED
    assert len(outcome.unit_changes) == 3


def test_pressing_dispatch_twice_sends_no_second_unit() -> None:
    once = decide(guarded("accepted", min_units=1), cmd("dispatch", "U1"))
    snapshot = Snapshot(once.status, once.units, min_units=1)
    refused(snapshot, cmd("dispatch", "U1"))  # the same unit: already assigned
    exc = refused(snapshot, cmd("dispatch", "U2"))  # the next recommendation: one too many
    assert "add_unit" in exc.message
    # A released unit no longer counts: its replacement goes without add_unit.
    released = guarded("arrived", min_units=1, U1="released")
    assert decide(released, cmd("dispatch", "U2")).unit_changes == (("U2", A.DISPATCHED),)


def test_archive_waits_for_the_callback_where_the_catalog_asks_for_it() -> None:
    closed = guarded("closed", callback_due=True)
    exc = refused(closed, cmd("archive"))
    assert "回访" in exc.message
    assert allowed_actions(closed) == [Action.CALLBACK]
    called_back = decide(closed, cmd("callback"))
    after = Snapshot(called_back.status, called_back.units, callback_due=True)
    assert decide(after, cmd("archive")).status is Status.ARCHIVED
    assert decide(guarded("closed"), cmd("archive")).status is Status.ARCHIVED


@pytest.mark.parametrize("status", sorted(STATUS_TABLE))
def test_reassessing_reclassifying_and_relocating_never_move_the_status_back(status: str) -> None:
    for action in ("assess", "reclassify", "relocate"):
        outcome = try_decide(snap(status), cmd(action))
        if action not in STATUS_TABLE[status]:
            assert outcome is None
            continue
        assert outcome is not None
        if action == "assess" and status == "accepted":
            assert (outcome.status, outcome.stage) == (Status.ASSESSED, Status.ASSESSED)
        else:
            assert (outcome.status, outcome.stage) == (Status(status), None)


@pytest.mark.parametrize("status", ["closed", "callback", "archived", *ENDED_EARLY])
def test_the_place_is_never_corrected_once_closed_or_ended(status: str) -> None:
    exc = refused(snap(status), cmd("relocate"))
    assert "relocate" not in exc.allowed
    assert "relocate is not allowed" in exc.message


def test_the_place_of_a_received_incident_can_be_corrected_before_acceptance() -> None:
    outcome = try_decide(snap("received"), cmd("relocate"))
    assert outcome is not None
    assert (outcome.status, outcome.stage, outcome.unit_changes) == (Status.RECEIVED, None, ())


def test_correcting_the_place_leaves_the_units_where_they_are() -> None:
    snapshot = snap("departed", U1="departed", U2="released")
    outcome = try_decide(snapshot, cmd("relocate"))
    assert outcome is not None
    assert outcome.unit_changes == ()
    assert dict(outcome.units) == dict(snapshot.units)
