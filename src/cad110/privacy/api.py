"""JSON routes of the access log (督察): who saw whose personal data, when, why and where."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Query, Response
from pydantic import BaseModel, ConfigDict

from cad110.api.deps import Context
from cad110.api.routing import Router
from cad110.auth.permissions import Permission
from cad110.kernel.inputs import Moment
from cad110.privacy import repository
from cad110.privacy.deps import AccessLog
from cad110.privacy.export import to_csv
from cad110.privacy.policy import (
    Action,
    Subject,
    role_reason,
)
from cad110.privacy.record import Access
from cad110.privacy.repository import LogFilter

router = Router(tags=["personal data"])


class AccessOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    at: datetime
    user_id: int | None
    username: str
    role: str
    action: str
    subject_type: str
    subject_id: str
    fields: str
    reason: str
    channel: str
    address: str


class AccessPage(BaseModel):
    items: list[AccessOut]
    total: int
    limit: int
    offset: int


Text64 = Annotated[str | None, Query(min_length=1, max_length=64)]
ActionName = Annotated[Action | None, Query()]
SubjectName = Annotated[Subject | None, Query()]


def _filter(
    user: str | None,
    subject_type: Subject | None,
    subject: str | None,
    action: Action | None,
    since: Moment | None,
    until: Moment | None,
) -> LogFilter:
    return LogFilter(
        user=user,
        subject_type=subject_type.value if subject_type else None,
        subject=subject,
        action=action.value if action else None,
        since=since,
        until=until,
    )


@router.get("/access-log", response_model=AccessPage)
def read_access_log(
    ctx: Context,
    user: Text64 = None,
    subject_type: SubjectName = None,
    subject: Text64 = None,
    action: ActionName = None,
    since: Moment | None = None,
    until: Moment | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> AccessPage:
    """Who saw whose personal data, when, why and where, newest first (督察 only)."""
    ctx.by.require(Permission.AUDIT)
    f = _filter(user, subject_type, subject, action, since, until)
    rows, total = repository.page(ctx.session, f, ctx.by, limit=limit, offset=offset)
    return AccessPage(
        items=[AccessOut.model_validate(r) for r in rows], total=total, limit=limit, offset=offset
    )


@router.get(
    "/access-log/export.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def export_access_log(
    ctx: Context,
    log: AccessLog,
    user: Text64 = None,
    subject_type: SubjectName = None,
    subject: Text64 = None,
    action: ActionName = None,
    since: Moment | None = None,
    until: Moment | None = None,
) -> Response:
    """The matching records as CSV (UTF-8 with BOM, for Excel); the export is recorded too."""
    ctx.by.require(Permission.AUDIT)
    f = _filter(user, subject_type, subject, action, since, until)
    rows = repository.for_export(ctx.session, f, ctx.by)
    body = to_csv(rows, ctx.tz)
    wanted = " ".join(f"{k}={v}" for k, v in vars(f).items() if v is not None)
    log.record(
        [
            Access(
                Action.EXPORT,
                Subject.ACCESS_LOG,
                "",
                [],
                f"{role_reason(ctx.by)}; {len(rows)} records" + (f"; {wanted}" if wanted else ""),
            )
        ]
    )
    stamp = ctx.at.astimezone(ctx.tz).strftime("%Y%m%d-%H%M%S")
    return Response(
        content=body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="access-log-{stamp}.csv"'},
    )
