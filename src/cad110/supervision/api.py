"""督办 for leaders: what is overdue in my jurisdiction, worst first; acknowledge with a comment."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Path, Query
from pydantic import BaseModel, ConfigDict, StringConstraints

from cad110.api.deps import Context
from cad110.api.routing import Router
from cad110.auth.permissions import Permission
from cad110.models.incident import Incident
from cad110.models.supervision import Step, Supervision, SupervisionLevel
from cad110.supervision.repository import SupervisionState, supervisions_seen_by
from cad110.supervision.service import acknowledge

router = Router(prefix="/supervision", tags=["supervision"])


class SupervisionOut(BaseModel):
    id: int
    incident: str
    grade: int | None
    step: Step
    unit: str | None
    due_at: datetime
    overdue_s: int
    opened_at: datetime
    level: SupervisionLevel
    owner: str
    escalate_at: datetime | None
    step_done_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    comment: str


class AcknowledgeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    comment: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


def _out(s: Supervision, incident: Incident, now: datetime) -> SupervisionOut:
    end = s.step_done_at or now
    return SupervisionOut(
        id=s.id,
        incident=incident.number,
        grade=incident.grade,
        step=s.step,
        unit=s.unit_code,
        due_at=s.due_at,
        overdue_s=max(0, int((end - s.due_at).total_seconds())),
        opened_at=s.opened_at,
        level=s.level,
        owner=s.owner_code,
        escalate_at=s.escalate_at,
        step_done_at=s.step_done_at,
        acknowledged_at=s.acknowledged_at,
        acknowledged_by=s.acknowledged_by,
        comment=s.comment,
    )


@router.get("", response_model=list[SupervisionOut])
def list_supervisions(
    ctx: Context,
    state: SupervisionState = "open",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[SupervisionOut]:
    """Supervisions on incidents in the caller's jurisdiction: highest level, then longest overdue."""
    ctx.by.require(Permission.READ)
    found = supervisions_seen_by(ctx.session, ctx.by, state, limit=limit)
    return [_out(s, i, ctx.at) for s, i in found]


@router.post("/{supervision_id}/acknowledge", response_model=SupervisionOut)
def acknowledge_supervision(
    supervision_id: Annotated[int, Path(ge=1, le=2**62)], body: AcknowledgeBody, ctx: Context
) -> SupervisionOut:
    """A leader acknowledges a supervision with a comment; it stops escalating."""
    supervision = acknowledge(ctx, supervision_id, body.comment)
    incident = ctx.session.get(Incident, supervision.incident_id)
    assert incident is not None
    return _out(supervision, incident, ctx.at)
