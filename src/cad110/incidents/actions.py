"""Every action on an incident: load, decide (pure lifecycle), apply, record one event.

Each action has a typed entry (`accept(ctx, number, body: AcceptBody)`, …) that runs its own
`Step` through the one sequence in `Step.perform`; what each does to the incident row is in
`row_changes.py`. What follows in other packages — units' statuses, the recommendation kept
with a dispatch, deadlines, queue offers — subscribes to the facts announced there (`incidents/facts.py`); incidents imports none of those packages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import select

from cad110.auth.permissions import Permission
from cad110.errors import Forbidden
from cad110.incidents import row_changes as rows
from cad110.incidents.arrival import judge_arrival
from cad110.incidents.facts import ActionDecided, IncidentActed
from cad110.incidents.feedback import close_content, report_content
from cad110.incidents.location import AlreadyThere, relocate_to
from cad110.incidents.repository import get_incident
from cad110.incidents.schemas import (
    AcceptBody,
    ArriveBody,
    AssessBody,
    CallbackBody,
    CloseBody,
    DispatchBody,
    InvalidateBody,
    MergeBody,
    NoteBody,
    ReassignBody,
    ReclassifyBody,
    RelocateBody,
    ReportBody,
    TransferBody,
)
from cad110.incidents.snapshot import snapshot_of
from cad110.kernel.context import Ctx
from cad110.lifecycles.incident import (
    ENDED_EARLY,
    NEVER_DISPATCHED,
    Action,
    AssignmentState,
    Command,
    Outcome,
    decide,
)
from cad110.models.incident import Incident
from cad110.models.subjects import SubjectType
from cad110.models.unit import Assignment, Unit
from cad110.models.user import Role

B = TypeVar("B", bound=BaseModel)

# The assignment's time stamp for each state a unit step moves it to.
_STAMP = {
    AssignmentState.ACKNOWLEDGED: "acknowledged_at",
    AssignmentState.DEPARTED: "departed_at",
    AssignmentState.ARRIVED: "arrived_at",
    AssignmentState.RELEASED: "released_at",
}


def latest_assignments(ctx: Ctx, incident: Incident) -> dict[str, Assignment]:
    """Each unit's latest assignment on this incident (none read at 接警, before any could be)."""
    if incident.status in NEVER_DISPATCHED:
        return {}
    rows = ctx.session.scalars(
        select(Assignment).where(Assignment.incident_id == incident.id).order_by(Assignment.id)
    )
    return {a.unit_code: a for a in rows}


@dataclass(frozen=True)
class Step(Generic[B]):
    """One action: who may take it, its body, and what it does to the incident row."""

    action: Action
    permission: Permission
    body: type[B]
    apply: rows.Apply[B]
    # The units a body names (a dispatch's); otherwise the unit of a unit step, if any.
    units: Callable[[B], tuple[str, ...]] | None = None

    def act(self, ctx: Ctx, number: str, body: B, *, unit: str | None = None) -> Incident:
        """Take this action on incident `number` for the caller (role and scope checked)."""
        ctx.by.require(self.permission)
        incident = get_incident(ctx.session, number, by=ctx.by)
        return self.perform(ctx, incident, body, unit=unit)

    def perform(
        self, ctx: Ctx, incident: Incident, body: B, *, unit: str | None = None
    ) -> Incident:
        """Decide and apply this action on a loaded incident, and announce it."""
        action = self.action
        assignments = latest_assignments(ctx, incident)
        units = self.units(body) if self.units is not None else (() if unit is None else (unit,))
        _check_officer(ctx, action, units, assignments)
        before = incident.status
        snapshot = snapshot_of(
            ctx.catalog, incident, {code: a.state for code, a in assignments.items()}
        )
        add_unit = isinstance(body, DispatchBody) and body.add_unit
        outcome = decide(snapshot, Command(action, units, add_unit=add_unit))
        payload: dict[str, Any] = body.model_dump(mode="json", exclude_defaults=False)
        if unit is not None:
            payload["unit"] = unit
        try:
            self.apply(ctx, incident, body, payload)
        except AlreadyThere:
            return incident  # the same correction sent again: it is done, nothing to record
        _move_assignments(ctx, outcome, assignments)
        # Subscribers check and move the units (an unknown or busy unit refuses it here, before
        # an assignment names it) and add to the payload.
        ctx.emit(ActionDecided(incident, action, units, outcome, payload))
        _add_assignments(ctx, incident, outcome)
        if outcome.unit_changes:
            payload["unit_changes"] = {u: s.value for u, s in outcome.unit_changes}
        incident.status = outcome.status
        if outcome.stage is not None:
            setattr(incident, f"{outcome.stage.value}_at", ctx.at)
        if outcome.status in ENDED_EARLY:
            incident.ended_at = ctx.at
        ctx.session.flush()
        ctx.record(SubjectType.INCIDENT, incident.number, action.value, payload)
        ctx.emit(IncidentActed(incident, action, before, outcome))
        return incident

    def checked(self, body: BaseModel) -> B:
        """`body` as this action's body; a body of another action is a programming error."""
        if not isinstance(body, self.body):
            raise TypeError(
                f"{self.action.value} takes a {self.body.__name__}, not a {type(body).__name__}"
            )
        return body


def _check_officer(
    ctx: Ctx, action: Action, units: tuple[str, ...], assignments: dict[str, Assignment]
) -> None:
    """An officer acts for their own unit, and only on incidents it is assigned to."""
    if ctx.by.role is not Role.OFFICER:
        return
    own = ctx.by.unit_code
    if units and set(units) != {own}:
        raise Forbidden(f"an officer acts for their own unit ({own}) only")
    if action is Action.DISPATCH:
        return  # taking an offered incident: the officer dispatches their own unit
    if not units:
        active = own in assignments and assignments[own].state is not AssignmentState.RELEASED
        if not active:
            raise Forbidden("your unit is not assigned to this incident")


def _move_assignments(ctx: Ctx, outcome: Outcome, assignments: dict[str, Assignment]) -> None:
    """Move the existing assignments this action changed, stamping the time of each step."""
    for code, state in outcome.unit_changes:
        if state is not AssignmentState.DISPATCHED:
            assignment = assignments[code]
            assignment.state = state
            setattr(assignment, _STAMP[state], ctx.at)


def _add_assignments(ctx: Ctx, incident: Incident, outcome: Outcome) -> None:
    """A new assignment for each unit dispatched (one released earlier gets a fresh one)."""
    for code, state in outcome.unit_changes:
        if state is AssignmentState.DISPATCHED:
            unit = ctx.session.get(Unit, code)
            ctx.session.add(
                Assignment(
                    incident_id=incident.id,
                    unit_code=code,
                    state=state,
                    dispatched_at=ctx.at,
                    dispatched_by=ctx.by.username,
                    dispatch_lon=unit.last_lon if unit is not None else None,
                    dispatch_lat=unit.last_lat if unit is not None else None,
                )
            )


# --- what an action does to the row, beyond row_changes.py ---------------------------------


def _arrive(ctx: Ctx, incident: Incident, body: ArriveBody, payload: dict[str, Any]) -> None:
    """到场 far from the scene, or sooner than the drive allows, needs the officer's reason."""
    code = payload["unit"]
    judge_arrival(
        ctx,
        incident,
        ctx.session.get(Unit, code),
        latest_assignments(ctx, incident).get(code),
        body.reason,
    )


_ACCEPT = Step(Action.ACCEPT, Permission.ACCEPT, AcceptBody, rows.accept)
_ASSESS = Step(Action.ASSESS, Permission.ASSESS, AssessBody, rows.assess)
_QUEUE = Step(Action.QUEUE, Permission.DISPATCH, NoteBody, rows.nothing)
# The recommendation is kept with the dispatch by its subscriber (dispatch/recommend.py).
_DISPATCH = Step(Action.DISPATCH, Permission.DISPATCH, DispatchBody, rows.nothing, rows.dispatched)
_ACKNOWLEDGE = Step(Action.ACKNOWLEDGE, Permission.UNIT_STEP, NoteBody, rows.nothing)
_DEPART = Step(Action.DEPART, Permission.UNIT_STEP, NoteBody, rows.nothing)
_ARRIVE = Step(Action.ARRIVE, Permission.UNIT_STEP, ArriveBody, _arrive)
_RELEASE = Step(Action.RELEASE, Permission.RELEASE, NoteBody, rows.nothing)
_HANDLE = Step(Action.HANDLE, Permission.HANDLE, NoteBody, rows.kept_as("handle"))
_REPORT = Step(Action.REPORT, Permission.REPORT, ReportBody, report_content)
_CLOSE = Step(Action.CLOSE, Permission.CLOSE, CloseBody, close_content)
_CALLBACK = Step(Action.CALLBACK, Permission.CALLBACK, CallbackBody, rows.kept_as("callback"))
_ARCHIVE = Step(Action.ARCHIVE, Permission.ARCHIVE, NoteBody, rows.nothing)
_MERGE = Step(Action.MERGE, Permission.MERGE, MergeBody, rows.merge)
_TRANSFER = Step(Action.TRANSFER, Permission.TRANSFER, TransferBody, rows.transfer)
_INVALIDATE = Step(Action.INVALIDATE, Permission.INVALIDATE, InvalidateBody, rows.invalidate)
_CANCEL = Step(Action.CANCEL, Permission.CANCEL, NoteBody, rows.kept_as("cancel"))
# Correcting category or grade is the same judgement as 研判, so the same people may.
_RECLASSIFY = Step(Action.RECLASSIFY, Permission.ASSESS, ReclassifyBody, rows.reclassify)
# Where the incident is belongs to the same people's judgement (call-taker and dispatcher).
_RELOCATE = Step(Action.RELOCATE, Permission.ASSESS, RelocateBody, relocate_to)

STEPS: dict[Action, Step[Any]] = {
    step.action: step
    for step in (
        _ACCEPT,
        _ASSESS,
        _QUEUE,
        _DISPATCH,
        _ACKNOWLEDGE,
        _DEPART,
        _ARRIVE,
        _RELEASE,
        _HANDLE,
        _REPORT,
        _CLOSE,
        _CALLBACK,
        _ARCHIVE,
        _MERGE,
        _TRANSFER,
        _INVALIDATE,
        _CANCEL,
        _RECLASSIFY,
        _RELOCATE,
    )
}
assert set(STEPS) == set(Action), "every action needs its step"


# --- the use cases, one per action -----------------------------------------------------------


def accept(ctx: Ctx, number: str, body: AcceptBody) -> Incident:
    """受理: the record is complete (category, grade, place)."""
    return _ACCEPT.act(ctx, number, body)


def assess(ctx: Ctx, number: str, body: AssessBody) -> Incident:
    """研判: history, links, risk."""
    return _ASSESS.act(ctx, number, body)


def queue(ctx: Ctx, number: str, body: NoteBody) -> Incident:
    """待派: no suitable unit is free; the first that frees up is offered it."""
    return _QUEUE.act(ctx, number, body)


def dispatch(ctx: Ctx, number: str, body: DispatchBody) -> Incident:
    """派警: send one or more units."""
    return _DISPATCH.act(ctx, number, body)


def acknowledge(ctx: Ctx, number: str, unit: str, body: NoteBody) -> Incident:
    """签收: `unit` signs for the incident."""
    return _ACKNOWLEDGE.act(ctx, number, body, unit=unit)


def depart(ctx: Ctx, number: str, unit: str, body: NoteBody) -> Incident:
    """出动: `unit` sets off."""
    return _DEPART.act(ctx, number, body, unit=unit)


def arrive(ctx: Ctx, number: str, unit: str, body: ArriveBody) -> Incident:
    """到场: `unit` is on scene."""
    return _ARRIVE.act(ctx, number, body, unit=unit)


def release(ctx: Ctx, number: str, unit: str, body: NoteBody) -> Incident:
    """释放: `unit` leaves the incident and is free again."""
    return _RELEASE.act(ctx, number, body, unit=unit)


def handle(ctx: Ctx, number: str, body: NoteBody) -> Incident:
    """处置: what was done on scene."""
    return _HANDLE.act(ctx, number, body)


def report(ctx: Ctx, number: str, body: ReportBody) -> Incident:
    """反馈: the unit's report, confirming every required guide item."""
    return _REPORT.act(ctx, number, body)


def close(ctx: Ctx, number: str, body: CloseBody) -> Incident:
    """结警."""
    return _CLOSE.act(ctx, number, body)


def callback(ctx: Ctx, number: str, body: CallbackBody) -> Incident:
    """回访: the caller was called back."""
    return _CALLBACK.act(ctx, number, body)


def archive(ctx: Ctx, number: str, body: NoteBody) -> Incident:
    """归档."""
    return _ARCHIVE.act(ctx, number, body)


def merge(ctx: Ctx, number: str, body: MergeBody) -> Incident:
    """并案: the same event as another incident."""
    return _MERGE.act(ctx, number, body)


def transfer(ctx: Ctx, number: str, body: TransferBody) -> Incident:
    """移交: to 12345, 119, 120 or another agency."""
    return _TRANSFER.act(ctx, number, body)


def invalidate(ctx: Ctx, number: str, body: InvalidateBody) -> Incident:
    """无效警情."""
    return _INVALIDATE.act(ctx, number, body)


def cancel(ctx: Ctx, number: str, body: NoteBody) -> Incident:
    """撤销: releases every unit."""
    return _CANCEL.act(ctx, number, body)


def reclassify(ctx: Ctx, number: str, body: ReclassifyBody) -> Incident:
    """改类/改级: a new category and/or grade at any open stage, with the reason."""
    return _RECLASSIFY.act(ctx, number, body)


def relocate(ctx: Ctx, number: str, body: RelocateBody) -> Incident:
    """更正地点: a new place, with the reason; who sees it and its deadlines follow."""
    return _RELOCATE.act(ctx, number, body)


def reassign(ctx: Ctx, number: str, unit: str, body: ReassignBody) -> Incident:
    """改派: release `unit` and dispatch `body.to` in its place, all or nothing.

    If `to` cannot go (unknown: 422, busy: 409) the refusal comes after the release but before
    the unit of work is committed, so the caller's rollback undoes both."""
    ctx.by.require(Permission.DISPATCH)
    release(ctx, number, unit, NoteBody(note=body.note))
    # One unit replaces another: the number sent stays as it was. The dispatch event names
    # the unit replaced (`reassigned_from`), so the record says "改派：A → B" in any language.
    step = Step(
        Action.DISPATCH, Permission.DISPATCH, DispatchBody, _replacing(unit), rows.dispatched
    )
    return step.act(ctx, number, DispatchBody(units=[body.to], note=body.note, add_unit=True))


def _replacing(unit: str) -> rows.Apply[DispatchBody]:
    def apply(ctx: Ctx, incident: Incident, body: DispatchBody, payload: dict[str, Any]) -> None:
        payload["reassigned_from"] = unit

    return apply


# --- an action chosen at run time (the seed, the simulator, a case closing its incident) -----


def act(
    ctx: Ctx, number: str, action: Action, body: BaseModel, *, unit: str | None = None
) -> Incident:
    """Take `action` on incident `number` for the caller; `body` must be that action's."""
    step = STEPS[action]
    return step.act(ctx, number, step.checked(body), unit=unit)


def perform(
    ctx: Ctx, incident: Incident, action: Action, body: BaseModel, *, unit: str | None = None
) -> Incident:
    """Take `action` on a loaded incident (the caller checked who may); `body` as in `act`."""
    step = STEPS[action]
    return step.perform(ctx, incident, step.checked(body), unit=unit)
