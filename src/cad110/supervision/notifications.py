"""Notifications to a jurisdiction's duty desk: supervisions, escalations, offers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Path, Query
from pydantic import BaseModel
from sqlalchemy import update

from cad110.api.deps import Context
from cad110.api.routing import Router
from cad110.auth.permissions import Permission
from cad110.errors import NotFound
from cad110.models.incident import Incident
from cad110.models.supervision import Notification
from cad110.supervision.repository import notifications_seen_by

router = Router(prefix="/notifications", tags=["supervision"])


class NotificationOut(BaseModel):
    id: int
    target: str
    kind: str
    incident: str | None
    supervision: int | None
    message: str
    created_at: datetime
    read_at: datetime | None


def _out(n: Notification, number: str | None) -> NotificationOut:
    return NotificationOut(
        id=n.id,
        target=n.target_code,
        kind=n.kind,
        incident=number,
        supervision=n.supervision_id,
        message=n.message,
        created_at=n.created_at,
        read_at=n.read_at,
    )


@router.get("", response_model=list[NotificationOut])
def list_notifications(
    ctx: Context,
    unread: bool = True,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[NotificationOut]:
    """Messages to desks in the caller's jurisdiction, newest first."""
    ctx.by.require(Permission.READ)
    found = notifications_seen_by(ctx.session, ctx.by, unread=unread, limit=limit)
    return [_out(n, number) for n, number in found]


@router.post("/{notification_id}/read", response_model=NotificationOut)
def mark_read(
    notification_id: Annotated[int, Path(ge=1, le=2**62)], ctx: Context
) -> NotificationOut:
    """Mark a notification read (the first reader's time is kept)."""
    ctx.by.require(Permission.READ)
    found = ctx.session.get(Notification, notification_id)
    if found is None or not ctx.by.sees(found.target_path):
        raise NotFound(f"notification {notification_id} not found")
    ctx.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.read_at.is_(None))
        .values(read_at=ctx.at)
        .execution_options(synchronize_session=False)
    )
    ctx.session.refresh(found)
    incident = ctx.session.get(Incident, found.incident_id) if found.incident_id else None
    return _out(found, incident.number if incident else None)
