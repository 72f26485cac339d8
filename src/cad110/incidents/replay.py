"""An incident's current state rebuilt from its events alone: pure, no I/O.

The incident row is a projection of its event chain, written in the same transaction. Replaying
the chain — the 接警 event's fields, then each action followed through the lifecycle
(`lifecycle.decide`) with what its event carried — must give the row back field by field;
`cad110 audit verify` compares the two, so a row edited without an event is found.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from cad110.errors import InvalidTransition
from cad110.lifecycles.incident import (
    ENDED_EARLY,
    UNIT_ACTIONS,
    Action,
    AssignmentState,
    Command,
    Snapshot,
    Status,
    decide,
)

# What perform() adds to an action's body in its event; the rest of the payload is the body.
_ADDED = frozenset({"unit", "unit_changes"})
# Actions whose body is kept on the incident's outcome under the action's name.
_KEPT_ON_OUTCOME = frozenset(
    {Action.HANDLE, Action.REPORT, Action.CLOSE, Action.CALLBACK, Action.CANCEL}
)
# Events on an incident's chain that change nothing on its row.
NO_ROW_CHANGE = frozenset(
    {
        "absorbed",  # another incident was merged into this one
        "call_attached",
        "offered",  # 待派 offered to a unit that freed up
        "supervision_opened",
        "supervision_escalated",
        "supervision_acknowledged",
        "missing_case_opened",
        "missing_case_closed",
        # A fraud warning whose visit this is was closed (fraud/outcomes.py).
        "fraud_warning_closed",
        "fraud_amount_raised",  # the warning's amount at risk, raised by a later signal
        # The outcome's entries and strikes (incidents/outcomes.py) have rows of their own.
        "outcome_recorded",
        "outcome_struck",
        # 回访's attempts, survey and follow-up (callbacks/) have rows of their own; the
        # callback itself is the incident's action.
        "callback_attempt",
        "callback_survey_sent",
        "callback_survey_reply",
        "follow_up_opened",
        "follow_up_answered",
        # Linked to a repeat case (重复警情档案): the case's own chain holds the rest.
        "repeat_case_linked",
    }
)


class _UnknownKind(Exception):
    pass


@dataclass(frozen=True)
class RecordedEvent:
    seq: int
    kind: str
    at: datetime
    actor: str
    payload: Mapping[str, Any]


@dataclass
class IncidentState:
    """Every field of the incident row that its events determine (row attribute names)."""

    number: str
    source: str
    caller_name: str | None
    caller_phone: str | None
    address: str | None
    lon: float | None
    lat: float | None
    jurisdiction_code: str
    grid_code: str | None
    narrative: str
    tags: list[str]
    category_code: str | None
    grade: int | None
    status: Status
    created_by: str
    received_at: datetime
    merged_into: str | None = None
    transferred_to: str | None = None
    invalid_reason: str | None = None
    outcome: dict[str, Any] = field(default_factory=dict)
    accepted_at: datetime | None = None
    assessed_at: datetime | None = None
    dispatched_at: datetime | None = None
    acknowledged_at: datetime | None = None
    departed_at: datetime | None = None
    arrived_at: datetime | None = None
    handled_at: datetime | None = None
    reported_at: datetime | None = None
    closed_at: datetime | None = None
    callback_at: datetime | None = None
    archived_at: datetime | None = None
    ended_at: datetime | None = None


FIELDS: tuple[str, ...] = tuple(f.name for f in fields(IncidentState))


@dataclass(frozen=True)
class Replayed:
    """The state the events lead to (None if not even the 接警 event is there), and every
    event that could not be followed, by sequence number."""

    state: IncidentState | None
    problems: tuple[tuple[int, str], ...] = ()


def replay(number: str, events: Iterable[RecordedEvent]) -> Replayed:
    """Rebuild incident `number` from its events, in sequence order."""
    state: IncidentState | None = None
    units: dict[str, AssignmentState] = {}
    problems: list[tuple[int, str]] = []
    for event in events:
        if state is None:
            if event.kind != "received":
                problems.append((event.seq, f"the chain starts with {event.kind}, not received"))
                return Replayed(None, tuple(problems))
            try:
                state = _received(number, event)
            except (KeyError, TypeError, ValueError) as exc:
                problems.append((event.seq, f"received event lacks what it needs ({exc!r})"))
                return Replayed(None, tuple(problems))
            continue
        try:
            units = _follow(state, units, event)
        except InvalidTransition as exc:
            problems.append((event.seq, f"{event.kind} cannot follow: {exc}"))
        except _UnknownKind:
            problems.append((event.seq, f"{event.kind} is no kind of incident event"))
        except (KeyError, TypeError, ValueError) as exc:
            problems.append((event.seq, f"{event.kind} event lacks what it needs ({exc!r})"))
    return Replayed(state, tuple(problems))


def _received(number: str, event: RecordedEvent) -> IncidentState:
    p = event.payload
    return IncidentState(
        number=number,
        source=p["source"],
        caller_name=p.get("caller_name"),
        caller_phone=p.get("caller_phone"),
        address=p.get("address"),
        lon=p.get("lon"),
        lat=p.get("lat"),
        jurisdiction_code=p["jurisdiction"],
        grid_code=p.get("grid"),
        narrative=p.get("narrative", ""),
        tags=list(p.get("tags", [])),
        category_code=p.get("category"),
        grade=p.get("grade"),
        status=Status.RECEIVED,
        created_by=event.actor,
        received_at=datetime.fromisoformat(p["received_at"]),
    )


def _follow(
    state: IncidentState, units: dict[str, AssignmentState], event: RecordedEvent
) -> dict[str, AssignmentState]:
    """Apply one event after 接警; returns the units' assignment states after it."""
    p = event.payload
    if event.kind in NO_ROW_CHANGE:
        return units
    if event.kind == "grade_raised":
        state.grade = p["to"]
        return units
    try:
        action = Action(event.kind)
    except ValueError:
        raise _UnknownKind(event.kind) from None
    if action is Action.DISPATCH:
        named: tuple[str, ...] = tuple(p["units"])
    elif action in UNIT_ACTIONS:
        named = (p["unit"],)
    else:
        named = ()
    outcome = decide(Snapshot(status=state.status, units=units), Command(action, named))
    _apply(state, action, p)
    state.status = outcome.status
    if outcome.stage is not None:
        setattr(state, f"{outcome.stage.value}_at", event.at)
    if outcome.status in ENDED_EARLY:
        state.ended_at = event.at
    return dict(outcome.units)


def _apply(state: IncidentState, action: Action, p: Mapping[str, Any]) -> None:
    """What an action's event puts on the row besides its status and stage time."""
    if action in (Action.ACCEPT, Action.ASSESS, Action.RECLASSIFY):
        if p.get("category") is not None:
            state.category_code = p["category"]
        if p.get("grade") is not None:
            state.grade = p["grade"]
    if action is Action.ACCEPT:
        if p.get("address") is not None:
            state.address = p["address"]
        if p.get("lon") is not None and p.get("lat") is not None:
            state.lon, state.lat = p["lon"], p["lat"]
    elif action is Action.ASSESS:
        if p.get("risk") is not None:
            state.outcome = {**state.outcome, "risk": p["risk"]}
    elif action in _KEPT_ON_OUTCOME:
        body = {k: v for k, v in p.items() if k not in _ADDED}
        state.outcome = {**state.outcome, action.value: body}
    elif action is Action.RELOCATE:
        after = p["after"]  # 更正地点: the place as corrected, with its jurisdiction and grid
        state.address, state.lon, state.lat = after["address"], after["lon"], after["lat"]
        state.jurisdiction_code, state.grid_code = after["jurisdiction"], after.get("grid")
    elif action is Action.MERGE:
        state.merged_into = p["into"]
    elif action is Action.TRANSFER:
        state.transferred_to = p["to"]
    elif action is Action.INVALIDATE:
        state.invalid_reason = p["reason"]


def differences(state: IncidentState, row: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """(field, row value, events value) for every field where `row` differs from `state`."""
    found = []
    for name in FIELDS:
        expected = getattr(state, name)
        actual = row.get(name)
        if actual != expected:
            found.append((name, actual, expected))
    return found
