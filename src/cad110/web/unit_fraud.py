"""反诈见面劝阻 on the officer's phone: the warning behind a visit's incident (who, where, the
fraud type, what is at stake, what to say, the level), and the unit's next deadline (签收 or
到场) for any assignment.

The person's name and phone come in full only to the officers of a unit sent to the incident
(privacy/policy.py::sight, as the fraud API decides it), and that read is returned for the
page to record with its other reads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cad110.auth.principal import Principal
from cad110.fraud import repository as fraud_repo
from cad110.fraud.ladder import warning_ref
from cad110.fraud.rules import in_force
from cad110.fraud.schemas import WarningOut
from cad110.fraud.views import warnings_out
from cad110.kernel.context import Ctx
from cad110.kernel.deadlines import OPEN
from cad110.models.supervision import Deadline, Step
from cad110.privacy.policy import Action, Subject, shown, sight
from cad110.privacy.record import Access

# What the phone shows of the person: the ID number stays on the desk (the age is enough here).
PHONE_FIELDS = ("name", "phone")
# The steps of a unit's own deadlines, in the order it meets them.
UNIT_STEPS = (Step.ACKNOWLEDGE, Step.ARRIVE)


def warning_on_phone(
    ctx: Ctx, by: Principal, incident_id: int
) -> tuple[WarningOut | None, list[Access]]:
    """The warning the incident is the visit of, as `by` may see it, and the read to record."""
    w = fraud_repo.warning_of_incident(ctx.session, incident_id)
    if w is None:
        return None, []
    seen = sight(
        by, path=w.jurisdiction_path, units_sent=fraud_repo.units_sent(ctx.session, incident_id)
    )
    [out] = warnings_out(ctx.session, [w], in_force(ctx), ctx.at, full=seen.full)
    fields = shown(w, PHONE_FIELDS)
    reads = (
        [Access(Action.READ, Subject.FRAUD_WARNING, warning_ref(w.id), fields, seen.reason)]
        if seen.full and fields
        else []
    )
    return out, reads


def next_due(
    session: Session, incident_id: int, unit_code: str, now: datetime
) -> dict[str, Any] | None:
    """The unit's earliest open deadline on the incident (签收, then 到场), late or not."""
    found = session.scalar(
        select(Deadline)
        .where(
            Deadline.incident_id == incident_id,
            Deadline.unit_code == unit_code,
            Deadline.step.in_(UNIT_STEPS),
            OPEN,
        )
        .order_by(Deadline.due_at)
        .limit(1)
    )
    if found is None:
        return None
    return {"step": found.step.value, "due_at": found.due_at, "late": found.due_at < now}
