"""Which deadlines follow which action on an incident: a supervised step's deadline starts when
the step before it happens and is met when the step itself does.

The rows and their states are the kernel's (`kernel/deadlines.py`); here is the incident's
policy, applied by following every recorded action (`follow_incident`, subscribed in
`cad110/runtime.py`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import select

from cad110.catalog.loader import TimeLimits
from cad110.incidents.facts import IncidentActed
from cad110.kernel.context import Ctx
from cad110.kernel.deadlines import PENDING, cancel_deadlines, meet_deadlines, open_deadline
from cad110.lifecycles.incident import ENDED_EARLY, Action, AssignmentState, Outcome, Status
from cad110.models.incident import Incident
from cad110.models.jurisdiction import AreaType, Jurisdiction
from cad110.models.supervision import INCIDENT_STEPS, Deadline, Step
from cad110.supervision.repository import open_deadline_ids


def limits_for(ctx: Ctx, incident: Incident) -> TimeLimits:
    """The time limits of the incident's category at its grade (the catalog's one rule)."""
    return ctx.catalog.limits_at(incident.category_code, incident.grade)


def _suburban(ctx: Ctx, incident: Incident) -> bool:
    place = ctx.session.get(Jurisdiction, incident.jurisdiction_code)
    return place is not None and place.area_type is AreaType.SUBURBAN


def _add(ctx: Ctx, incident: Incident, step: Step, seconds: int, unit: str | None = None) -> None:
    open_deadline(
        ctx.session,
        incident_id=incident.id,
        step=step,
        at=ctx.at,
        within=timedelta(seconds=seconds),
        unit=unit,
    )


def _meet(ctx: Ctx, incident: Incident, steps: Iterable[Step], unit: str | None = None) -> None:
    """Mark the open deadlines of `steps` met; an open supervision on them records it too."""
    meet_deadlines(ctx.session, open_deadline_ids(ctx.session, incident.id, steps, unit), ctx.at)


def _cancel(ctx: Ctx, incident: Incident, unit: str | None = None) -> None:
    """Drop deadlines that can no longer be met (the unit was released, the incident ended).

    Only the incident's own steps go: a missing-person case's callbacks outlive the incident
    and are cancelled by the case."""
    where = [Deadline.incident_id == incident.id, Deadline.step.in_(INCIDENT_STEPS)]
    if unit is not None:
        where.append(Deadline.unit_code == unit)
    cancel_deadlines(ctx.session, ctx.at, *where)


def redate(ctx: Ctx, incident: Incident) -> None:
    """A new category, grade or place: each deadline not yet met or fired is due its new limit after
    the moment it started (a fired one already has its supervision and stays as it is)."""
    limits, suburban = limits_for(ctx, incident), _suburban(ctx, incident)
    rows = ctx.session.scalars(
        select(Deadline).where(
            Deadline.incident_id == incident.id, Deadline.step.in_(INCIDENT_STEPS), PENDING
        )
    )
    for deadline in rows:
        seconds = limits.step_s(deadline.step, suburban=suburban)
        if seconds is not None:
            deadline.due_at = deadline.created_at + timedelta(seconds=seconds)


def on_action(ctx: Ctx, incident: Incident, action: Action, outcome: Outcome) -> None:
    """Start, meet or drop deadlines for what `action` just did to `incident`."""
    limits = limits_for(ctx, incident)
    if outcome.stage is Status.ACCEPTED:
        # 派警 is due from 受理, and keeps running while the incident waits in the queue.
        _add(ctx, incident, Step.DISPATCH, limits.dispatch_s)
    elif outcome.stage is Status.DISPATCHED:
        _meet(ctx, incident, [Step.DISPATCH])
    elif action in (Action.ASSESS, Action.RECLASSIFY, Action.RELOCATE):
        # 更正地点 may move the incident between urban and suburban areas: the arrival limit.
        redate(ctx, incident)
    for unit, state in outcome.unit_changes:
        if state is AssignmentState.DISPATCHED:
            _add(ctx, incident, Step.ACKNOWLEDGE, limits.acknowledge_s, unit)
            arrive = limits.arrive_s(suburban=_suburban(ctx, incident))
            _add(ctx, incident, Step.ARRIVE, arrive, unit)
        elif state is AssignmentState.ACKNOWLEDGED:
            _meet(ctx, incident, [Step.ACKNOWLEDGE], unit)
        elif state is AssignmentState.ARRIVED:
            _meet(ctx, incident, [Step.ARRIVE], unit)
        elif state is AssignmentState.RELEASED:
            _cancel(ctx, incident, unit)
    if outcome.stage is Status.ARRIVED:
        _add(ctx, incident, Step.REPORT, limits.report_s)
    elif action is Action.REPORT:
        _meet(ctx, incident, [Step.REPORT])
        _add(ctx, incident, Step.CLOSE, limits.close_s)
    elif action is Action.CLOSE:
        _meet(ctx, incident, [Step.CLOSE])
        _cancel(ctx, incident)
        _add(ctx, incident, Step.CALLBACK, limits.callback_s)
    elif action is Action.CALLBACK:
        _meet(ctx, incident, [Step.CALLBACK])
    if outcome.status in ENDED_EARLY or outcome.status is Status.ARCHIVED:
        _cancel(ctx, incident)


def follow_incident(ctx: Ctx, fact: IncidentActed) -> None:
    """Every recorded action on an incident starts, meets or drops its steps' deadlines."""
    on_action(ctx, fact.incident, fact.action, fact.outcome)
