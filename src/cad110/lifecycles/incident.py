"""The incident lifecycle as a pure state machine: no I/O, no clock, no database.

`decide(snapshot, command)` either refuses (InvalidTransition) or returns the Outcome the
service records as one event and projects onto the incident row. The twelve stages of the
time axis (时间轴) are statuses too; merge, transfer, invalid and cancel end an incident early.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from cad110.errors import InvalidTransition


class Status(StrEnum):
    RECEIVED = "received"  # 接警
    ACCEPTED = "accepted"  # 受理
    ASSESSED = "assessed"  # 研判
    QUEUED = "queued"  # 待派: no suitable unit free; first one to free up is offered it
    DISPATCHED = "dispatched"  # 派警
    ACKNOWLEDGED = "acknowledged"  # 签收
    DEPARTED = "departed"  # 出动
    ARRIVED = "arrived"  # 到场
    HANDLED = "handled"  # 处置
    REPORTED = "reported"  # 反馈
    CLOSED = "closed"  # 结警
    CALLED_BACK = "callback"  # 回访
    ARCHIVED = "archived"  # 归档
    MERGED = "merged"  # 并案
    TRANSFERRED = "transferred"  # 移交
    INVALID = "invalid"  # 无效警情
    CANCELLED = "cancelled"  # 撤销


# The twelve stages of the time axis, in order; each is a Status of the same name.
STAGES: tuple[Status, ...] = (
    Status.RECEIVED,
    Status.ACCEPTED,
    Status.ASSESSED,
    Status.DISPATCHED,
    Status.ACKNOWLEDGED,
    Status.DEPARTED,
    Status.ARRIVED,
    Status.HANDLED,
    Status.REPORTED,
    Status.CLOSED,
    Status.CALLED_BACK,
    Status.ARCHIVED,
)
STAGE_ORDER = {stage: i for i, stage in enumerate(STAGES)}
TERMINAL = frozenset(
    {Status.ARCHIVED, Status.MERGED, Status.TRANSFERRED, Status.INVALID, Status.CANCELLED}
)
ENDED_EARLY = frozenset({Status.MERGED, Status.TRANSFERRED, Status.INVALID, Status.CANCELLED})
# Incidents still being worked: on the dispatch board until closed.
OPEN = tuple(
    s for s in Status if s not in TERMINAL and s not in {Status.CLOSED, Status.CALLED_BACK}
)

STAGE_NAMES_ZH = {
    Status.RECEIVED: "接警",
    Status.ACCEPTED: "受理",
    Status.ASSESSED: "研判",
    Status.QUEUED: "待派",
    Status.DISPATCHED: "派警",
    Status.ACKNOWLEDGED: "签收",
    Status.DEPARTED: "出动",
    Status.ARRIVED: "到场",
    Status.HANDLED: "处置",
    Status.REPORTED: "反馈",
    Status.CLOSED: "结警",
    Status.CALLED_BACK: "回访",
    Status.ARCHIVED: "归档",
    Status.MERGED: "并案",
    Status.TRANSFERRED: "移交",
    Status.INVALID: "无效",
    Status.CANCELLED: "撤销",
}


class AssignmentState(StrEnum):
    DISPATCHED = "dispatched"
    ACKNOWLEDGED = "acknowledged"
    DEPARTED = "departed"
    ARRIVED = "arrived"
    RELEASED = "released"


class Action(StrEnum):
    ACCEPT = "accept"
    ASSESS = "assess"
    QUEUE = "queue"
    DISPATCH = "dispatch"
    ACKNOWLEDGE = "acknowledge"
    DEPART = "depart"
    ARRIVE = "arrive"
    RELEASE = "release"
    HANDLE = "handle"
    REPORT = "report"
    CLOSE = "close"
    CALLBACK = "callback"
    ARCHIVE = "archive"
    MERGE = "merge"
    TRANSFER = "transfer"
    INVALIDATE = "invalidate"
    CANCEL = "cancel"
    RECLASSIFY = "reclassify"
    RELOCATE = "relocate"  # 更正地点


UNIT_ACTIONS = frozenset({Action.ACKNOWLEDGE, Action.DEPART, Action.ARRIVE, Action.RELEASE})

_WITH_UNITS = frozenset(
    {
        Status.DISPATCHED,
        Status.ACKNOWLEDGED,
        Status.DEPARTED,
        Status.ARRIVED,
        Status.HANDLED,
        Status.REPORTED,
    }
)
_BEFORE_DISPATCH = frozenset({Status.RECEIVED, Status.ACCEPTED, Status.ASSESSED, Status.QUEUED})
# No unit has ever been sent to an incident at 接警: units are dispatched from 受理 on, and no
# action takes an incident back to 接警 (tests/unit/test_lifecycle_guards.py).
NEVER_DISPATCHED = frozenset({Status.RECEIVED})

# Every stage at which the incident is still being worked on, from 受理 to 反馈.
_OPEN_WORK = frozenset({Status.ACCEPTED, Status.ASSESSED, Status.QUEUED}) | _WITH_UNITS

# Where each action may start. Unit guards come on top (see _check_units).
ALLOWED_FROM: Mapping[Action, frozenset[Status]] = {
    Action.ACCEPT: frozenset({Status.RECEIVED}),
    # 研判 may be repeated while the incident is worked (risk and grade rise as facts come in).
    Action.ASSESS: _OPEN_WORK,
    Action.QUEUE: frozenset({Status.ACCEPTED, Status.ASSESSED}),
    Action.DISPATCH: frozenset(
        {
            Status.ACCEPTED,
            Status.ASSESSED,
            Status.QUEUED,
            Status.DISPATCHED,
            Status.ACKNOWLEDGED,
            Status.DEPARTED,
            Status.ARRIVED,
            Status.HANDLED,
        }
    ),
    Action.ACKNOWLEDGE: _WITH_UNITS,
    Action.DEPART: _WITH_UNITS,
    Action.ARRIVE: _WITH_UNITS,
    Action.RELEASE: _WITH_UNITS,
    Action.HANDLE: frozenset({Status.ARRIVED}),
    Action.REPORT: frozenset({Status.HANDLED}),
    # Closing straight from accepted/assessed covers a call settled by phone advice; from
    # dispatched/acknowledged/departed (every unit released) a matter settled before any unit
    # reached the scene (the missing person came home on their own).
    Action.CLOSE: frozenset(
        {
            Status.ACCEPTED,
            Status.ASSESSED,
            Status.QUEUED,
            Status.DISPATCHED,
            Status.ACKNOWLEDGED,
            Status.DEPARTED,
            Status.REPORTED,
        }
    ),
    Action.CALLBACK: frozenset({Status.CLOSED}),
    # From closed only where the catalog does not ask for 回访 first (Snapshot.callback_due).
    Action.ARCHIVE: frozenset({Status.CLOSED, Status.CALLED_BACK}),
    Action.MERGE: _BEFORE_DISPATCH,
    # Handing over to another agency happens on scene and after feedback too (railway police).
    Action.TRANSFER: _BEFORE_DISPATCH
    | frozenset({Status.ARRIVED, Status.HANDLED, Status.REPORTED}),
    # A hoax is often found out on scene: the units are released with it.
    Action.INVALIDATE: _BEFORE_DISPATCH | _WITH_UNITS,
    Action.CANCEL: _BEFORE_DISPATCH
    | frozenset({Status.DISPATCHED, Status.ACKNOWLEDGED, Status.DEPARTED, Status.ARRIVED}),
    # Category and grade may be corrected at any open stage; the status stays.
    Action.RECLASSIFY: _OPEN_WORK,
    # The place may be corrected from 接警 (an address that matched nothing) until 反馈; once
    # closed the record is the one the caller is called back about, and it stays as it was.
    Action.RELOCATE: frozenset({Status.RECEIVED}) | _OPEN_WORK,
}

# The assignment state a unit must be in for each unit action, and the state it moves to.
_UNIT_STEP: Mapping[Action, tuple[frozenset[AssignmentState], AssignmentState]] = {
    Action.ACKNOWLEDGE: (frozenset({AssignmentState.DISPATCHED}), AssignmentState.ACKNOWLEDGED),
    Action.DEPART: (frozenset({AssignmentState.ACKNOWLEDGED}), AssignmentState.DEPARTED),
    Action.ARRIVE: (frozenset({AssignmentState.DEPARTED}), AssignmentState.ARRIVED),
    Action.RELEASE: (
        frozenset(
            {
                AssignmentState.DISPATCHED,
                AssignmentState.ACKNOWLEDGED,
                AssignmentState.DEPARTED,
                AssignmentState.ARRIVED,
            }
        ),
        AssignmentState.RELEASED,
    ),
}
# The incident stage a unit action brings the incident to (its first unit's time counts).
_UNIT_STAGE = {
    Action.ACKNOWLEDGE: Status.ACKNOWLEDGED,
    Action.DEPART: Status.DEPARTED,
    Action.ARRIVE: Status.ARRIVED,
}
# Actions refused while any unit is still assigned (release them first).
_NEEDS_NO_UNITS = frozenset({Action.CLOSE, Action.MERGE})
# Actions that end the incident and release every unit still assigned.
_RELEASES_ALL = frozenset({Action.CANCEL, Action.TRANSFER, Action.INVALIDATE})
# Actions that leave the status as it is (研判 moves only 受理 on to 研判).
_KEEPS_STATUS = frozenset({Action.RECLASSIFY, Action.RELOCATE, Action.ASSESS})
_SIMPLE_TARGET = {
    Action.ACCEPT: Status.ACCEPTED,
    Action.ASSESS: Status.ASSESSED,
    Action.QUEUE: Status.QUEUED,
    Action.HANDLE: Status.HANDLED,
    Action.REPORT: Status.REPORTED,
    Action.CLOSE: Status.CLOSED,
    Action.CALLBACK: Status.CALLED_BACK,
    Action.ARCHIVE: Status.ARCHIVED,
    Action.MERGE: Status.MERGED,
    Action.TRANSFER: Status.TRANSFERRED,
    Action.INVALIDATE: Status.INVALID,
    Action.CANCEL: Status.CANCELLED,
}


@dataclass(frozen=True)
class Snapshot:
    """What the rules need to know of an incident: its status and its units' latest states.

    The guards below default to "no limit", so a replay of recorded events (which knows only
    status and units) follows every action that was once allowed."""

    status: Status
    units: Mapping[str, AssignmentState] = field(default_factory=dict)
    # The most units the category needs at once; a dispatch beyond it needs `add_unit`.
    min_units: int | None = None
    # The catalog asks for 回访 before 归档 and none is recorded yet.
    callback_due: bool = False

    @property
    def active_units(self) -> tuple[str, ...]:
        return tuple(u for u, s in self.units.items() if s is not AssignmentState.RELEASED)


@dataclass(frozen=True)
class Command:
    action: Action
    units: tuple[str, ...] = ()
    # The dispatcher means to send more units than the category needs (增派).
    add_unit: bool = False


@dataclass(frozen=True)
class Outcome:
    """The result of an allowed command."""

    status: Status
    units: Mapping[str, AssignmentState]
    # The time-axis stage first reached by this command, if any.
    stage: Status | None
    # Units whose assignments this command changed, with their new state.
    unit_changes: tuple[tuple[str, AssignmentState], ...]


def decide(snapshot: Snapshot, command: Command) -> Outcome:
    """Apply `command` to `snapshot`, or raise InvalidTransition saying why."""
    action = command.action
    if snapshot.status not in ALLOWED_FROM[action]:
        raise _refuse(
            snapshot, f"{action.value} is not allowed while the incident is {snapshot.status.value}"
        )
    units = dict(snapshot.units)

    if action is Action.DISPATCH:
        return _dispatch(snapshot, command, units)
    if action in UNIT_ACTIONS:
        return _unit_step(snapshot, command, units)

    if action is Action.ARCHIVE and _callback_first(snapshot):
        raise _refuse(
            snapshot,
            "回访 (callback) is due before archive for this category and grade",
            code="callback_first",
        )
    changes: list[tuple[str, AssignmentState]] = []
    if action in _RELEASES_ALL:
        for unit in snapshot.active_units:
            units[unit] = AssignmentState.RELEASED
            changes.append((unit, AssignmentState.RELEASED))
    elif snapshot.active_units and action in _NEEDS_NO_UNITS:
        raise _refuse(
            snapshot,
            f"{action.value} needs every unit released first; still assigned: "
            + ", ".join(snapshot.active_units),
        )
    if action in _KEEPS_STATUS and not (
        action is Action.ASSESS and snapshot.status is Status.ACCEPTED
    ):
        return Outcome(status=snapshot.status, units=units, stage=None, unit_changes=())
    target = _SIMPLE_TARGET[action]
    stage = target if target in STAGE_ORDER else None
    return Outcome(status=target, units=units, stage=stage, unit_changes=tuple(changes))


def _dispatch(snapshot: Snapshot, command: Command, units: dict[str, AssignmentState]) -> Outcome:
    if not command.units:
        raise _refuse(snapshot, "dispatch needs at least one unit")
    if len(set(command.units)) != len(command.units):
        raise _refuse(snapshot, "a unit is named twice in one dispatch")
    already = [u for u in command.units if u in snapshot.active_units]
    if already:
        raise _refuse(
            snapshot,
            "already assigned to this incident: " + ", ".join(already),
            code="already_assigned",
        )
    after = len(snapshot.active_units) + len(command.units)
    if snapshot.min_units is not None and after > snapshot.min_units and not command.add_unit:
        raise _refuse(
            snapshot,
            f"this would send {after} units where the category needs {snapshot.min_units}; "
            "set add_unit to send more (增派)",
            code="add_unit_needed",
        )
    for unit in command.units:
        units[unit] = AssignmentState.DISPATCHED
    first_time = snapshot.status in _BEFORE_DISPATCH
    return Outcome(
        status=Status.DISPATCHED if first_time else snapshot.status,
        units=units,
        stage=Status.DISPATCHED if first_time else None,
        unit_changes=tuple((u, AssignmentState.DISPATCHED) for u in command.units),
    )


def _unit_step(snapshot: Snapshot, command: Command, units: dict[str, AssignmentState]) -> Outcome:
    action = command.action
    if len(command.units) != 1:
        raise _refuse(snapshot, f"{action.value} names exactly one unit")
    unit = command.units[0]
    current = snapshot.units.get(unit)
    if current is None:
        raise _refuse(snapshot, f"unit {unit} is not assigned to this incident")
    required, new_state = _UNIT_STEP[action]
    if current not in required:
        raise _refuse(
            snapshot,
            f"unit {unit} is {current.value}; {action.value} needs it "
            + " or ".join(sorted(s.value for s in required)),
        )
    units[unit] = new_state
    status, stage = snapshot.status, None
    target = _UNIT_STAGE.get(action)
    if target is not None and STAGE_ORDER[snapshot.status] < STAGE_ORDER[target]:
        status, stage = target, target
    return Outcome(status=status, units=units, stage=stage, unit_changes=((unit, new_state),))


def allowed_actions(snapshot: Snapshot) -> list[Action]:
    """Every action that `decide` would accept now for some unit (used in 409 bodies and UIs)."""
    allowed: list[Action] = []
    for action in Action:
        if snapshot.status not in ALLOWED_FROM[action]:
            continue
        if action in UNIT_ACTIONS:
            required = _UNIT_STEP[action][0]
            if not any(state in required for state in snapshot.units.values()):
                continue
        elif (action in _NEEDS_NO_UNITS and snapshot.active_units) or (
            action is Action.ARCHIVE and _callback_first(snapshot)
        ):
            continue
        allowed.append(action)
    return allowed


def _callback_first(snapshot: Snapshot) -> bool:
    """归档 straight from 结警 skips a 回访 the catalog asks for."""
    return snapshot.status is Status.CLOSED and snapshot.callback_due


def _refuse(snapshot: Snapshot, reason: str, *, code: str = "not_allowed") -> InvalidTransition:
    """The refusal, in English for the log and by `code` for a screen to say it in its words."""
    allowed = [a.value for a in allowed_actions(snapshot)]
    message = (
        f"Refused: {reason}. The incident is {snapshot.status.value} "
        f"({STAGE_NAMES_ZH[snapshot.status]}); allowed now: {', '.join(allowed) or 'nothing'}."
    )
    return InvalidTransition(message, state=snapshot.status.value, allowed=allowed, reason=code)
