"""Every action on an incident: load, decide (pure lifecycle), apply, record one event.

What follows in other packages — units' statuses, the recommendation kept with a dispatch,
deadlines, queue offers — subscribes to the facts announced here (`incidents/facts.py`);
incidents imports none of those packages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select

from cad110.auth.permissions import Permission
from cad110.errors import Forbidden, InvalidInput, NotFound
from cad110.events.subjects import SubjectType
from cad110.incidents.facts import ActionDecided, IncidentActed
from cad110.incidents.repository import get_incident
from cad110.incidents.schemas import (
    AcceptBody,
    AssessBody,
    DispatchBody,
    InvalidateBody,
    MergeBody,
    ReportBody,
    TransferBody,
)
from cad110.kernel.context import Ctx
from cad110.lifecycles.incident import (
    ENDED_EARLY,
    Action,
    AssignmentState,
    Command,
    Outcome,
    Snapshot,
    Status,
    decide,
)
from cad110.models.incident import Incident, IncidentLink
from cad110.models.unit import Assignment
from cad110.models.user import Role

PERMISSION = {
    Action.ACCEPT: Permission.ACCEPT,
    Action.ASSESS: Permission.ASSESS,
    Action.QUEUE: Permission.DISPATCH,
    Action.DISPATCH: Permission.DISPATCH,
    Action.ACKNOWLEDGE: Permission.UNIT_STEP,
    Action.DEPART: Permission.UNIT_STEP,
    Action.ARRIVE: Permission.UNIT_STEP,
    Action.RELEASE: Permission.RELEASE,
    Action.HANDLE: Permission.HANDLE,
    Action.REPORT: Permission.REPORT,
    Action.CLOSE: Permission.CLOSE,
    Action.CALLBACK: Permission.CALLBACK,
    Action.ARCHIVE: Permission.ARCHIVE,
    Action.MERGE: Permission.MERGE,
    Action.TRANSFER: Permission.TRANSFER,
    Action.INVALIDATE: Permission.INVALIDATE,
    Action.CANCEL: Permission.CANCEL,
}

# The assignment's time stamp for each state a unit step moves it to.
_STAMP = {
    AssignmentState.ACKNOWLEDGED: "acknowledged_at",
    AssignmentState.DEPARTED: "departed_at",
    AssignmentState.ARRIVED: "arrived_at",
    AssignmentState.RELEASED: "released_at",
}


def latest_assignments(ctx: Ctx, incident: Incident) -> dict[str, Assignment]:
    """Each unit's latest assignment on this incident."""
    rows = ctx.session.scalars(
        select(Assignment).where(Assignment.incident_id == incident.id).order_by(Assignment.id)
    )
    return {a.unit_code: a for a in rows}


def act(
    ctx: Ctx, number: str, action: Action, body: BaseModel, *, unit: str | None = None
) -> Incident:
    """Perform `action` on incident `number` for the caller (role and scope checked)."""
    ctx.by.require(PERMISSION[action])
    incident = get_incident(ctx.session, number, by=ctx.by)
    return perform(ctx, incident, action, body, unit=unit)


def perform(
    ctx: Ctx, incident: Incident, action: Action, body: BaseModel, *, unit: str | None = None
) -> Incident:
    """Decide and apply one action on a loaded incident."""
    assignments = latest_assignments(ctx, incident)
    units: tuple[str, ...] = (unit,) if unit is not None else ()
    if isinstance(body, DispatchBody):
        units = tuple(body.units)
    _check_officer(ctx, action, units, assignments)
    before = incident.status
    snapshot = Snapshot(status=before, units={code: a.state for code, a in assignments.items()})
    outcome = decide(snapshot, Command(action, units))
    payload: dict[str, Any] = body.model_dump(mode="json", exclude_defaults=False)
    if unit is not None:
        payload["unit"] = unit
    _APPLY[action](ctx, incident, body, payload)
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
            ctx.session.add(
                Assignment(
                    incident_id=incident.id,
                    unit_code=code,
                    state=state,
                    dispatched_at=ctx.at,
                    dispatched_by=ctx.by.username,
                )
            )


# --- per-action effects on the incident row ------------------------------------------------


def _classify(ctx: Ctx, incident: Incident, category: str | None, grade: int | None) -> None:
    """Set a new category and/or grade, if given (受理 and 研判 may both correct them)."""
    if category is not None:
        if ctx.catalog.get(category) is None:
            raise InvalidInput("category", f"unknown category {category}")
        incident.category_code = category
    if grade is not None:
        incident.grade = grade


def _accept(ctx: Ctx, incident: Incident, body: BaseModel, payload: dict[str, Any]) -> None:
    assert isinstance(body, AcceptBody)
    _classify(ctx, incident, body.category, body.grade)
    if body.address is not None:
        incident.address = body.address
    if body.lon is not None and body.lat is not None:
        incident.lon, incident.lat = body.lon, body.lat
    if incident.category_code is None:
        raise InvalidInput("category", "受理 needs a category")
    if incident.grade is None:
        incident.grade = ctx.catalog.categories[incident.category_code].default_grade
    if incident.address is None and incident.lon is None:
        raise InvalidInput("address", "受理 needs an address or a point on the map")
    payload.update(category=incident.category_code, grade=incident.grade)


def _assess(ctx: Ctx, incident: Incident, body: BaseModel, payload: dict[str, Any]) -> None:
    assert isinstance(body, AssessBody)
    _classify(ctx, incident, body.category, body.grade)
    for other_number in body.related:
        other = _other_incident(ctx, other_number, "related")
        if other.id == incident.id:
            raise InvalidInput("related", "an incident cannot be related to itself")
        ctx.session.merge(
            IncidentLink(
                incident_id=incident.id,
                related_id=other.id,
                created_at=ctx.at,
                created_by=ctx.by.username,
            )
        )
    if body.risk is not None:
        incident.outcome = {**incident.outcome, "risk": body.risk}


def _report(ctx: Ctx, incident: Incident, body: BaseModel, payload: dict[str, Any]) -> None:
    """The unit's feedback confirms each required guide item, or says why not."""
    assert isinstance(body, ReportBody)
    category = ctx.catalog.get(incident.category_code) if incident.category_code else None
    items = {g.code: g for g in (category.guide if category else ())}
    given = {c.code: c for c in body.guide}
    for code in given:
        if code not in items:
            raise InvalidInput(["guide", code], f"{code} is not an item of this category's guide")
    for code, item in items.items():
        check = given.get(code)
        if item.required and (check is None or (not check.done and not check.note)):
            raise InvalidInput(
                ["guide", code],
                f"guide item {code} ({item.zh}) must be confirmed done, or say why not",
            )
    incident.outcome = {**incident.outcome, "report": body.model_dump(mode="json")}


def _merge(ctx: Ctx, incident: Incident, body: BaseModel, payload: dict[str, Any]) -> None:
    assert isinstance(body, MergeBody)
    target = _other_incident(ctx, body.into, "into")
    if target.id == incident.id:
        raise InvalidInput("into", "an incident cannot be merged into itself")
    if target.status in ENDED_EARLY or target.status in {
        Status.CLOSED,
        Status.CALLED_BACK,
        Status.ARCHIVED,
    }:
        raise InvalidInput(
            "into", f"incident {target.number} is {target.status.value}; merge into an open one"
        )
    incident.merged_into_id = target.id
    ctx.record(
        SubjectType.INCIDENT,
        target.number,
        "absorbed",
        {"merged": incident.number, "note": body.note},
    )


def _transfer(ctx: Ctx, incident: Incident, body: BaseModel, payload: dict[str, Any]) -> None:
    assert isinstance(body, TransferBody)
    incident.transferred_to = body.to.value


def _invalidate(ctx: Ctx, incident: Incident, body: BaseModel, payload: dict[str, Any]) -> None:
    assert isinstance(body, InvalidateBody)
    incident.invalid_reason = body.reason


def _record(key: str) -> Callable[[Ctx, Incident, BaseModel, dict[str, Any]], None]:
    """An action whose body is kept on the incident's outcome under `key`."""

    def apply(ctx: Ctx, incident: Incident, body: BaseModel, payload: dict[str, Any]) -> None:
        incident.outcome = {**incident.outcome, key: body.model_dump(mode="json")}

    return apply


def _nothing(ctx: Ctx, incident: Incident, body: BaseModel, payload: dict[str, Any]) -> None:
    return None


def _other_incident(ctx: Ctx, number: str, field: str) -> Incident:
    try:
        return get_incident(ctx.session, number, by=ctx.by)
    except NotFound as exc:
        raise InvalidInput(field, f"unknown incident {number}") from exc


_APPLY: dict[Action, Callable[[Ctx, Incident, BaseModel, dict[str, Any]], None]] = {
    Action.ACCEPT: _accept,
    Action.ASSESS: _assess,
    Action.QUEUE: _nothing,
    # The recommendation is kept with the dispatch by its subscriber (dispatch/recommend.py).
    Action.DISPATCH: _nothing,
    Action.ACKNOWLEDGE: _nothing,
    Action.DEPART: _nothing,
    Action.ARRIVE: _nothing,
    Action.RELEASE: _nothing,
    Action.HANDLE: _record("handle"),
    Action.REPORT: _report,
    Action.CLOSE: _record("close"),
    Action.CALLBACK: _record("callback"),
    Action.ARCHIVE: _nothing,
    Action.MERGE: _merge,
    Action.TRANSFER: _transfer,
    Action.INVALIDATE: _invalidate,
    Action.CANCEL: _record("cancel"),
}
