"""The incident state machine under random command sequences (a stateful property test against
the reference model, lifecycle_model.py), and the guards that need more than status and units.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
)

from cad110.lifecycles.incident import (
    Action,
    AssignmentState,
    Command,
    Snapshot,
    Status,
    allowed_actions,
    decide,
)
from tests.unit.lifecycle_model import (
    AFTER_CLOSE,
    ENDED_EARLY,
    STATUS_TABLE,
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
# 4. Guards that need more than status and units: the category's unit count, 回访 before 归档.
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
