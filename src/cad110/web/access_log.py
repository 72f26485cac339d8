"""个人信息访问记录: the access log screen of the auditor (督察), and what every screen that
shows personal data in full shares: recording the view, and the page shown when it cannot be
recorded."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from cad110.api.routing import Router
from cad110.auth.permissions import Permission, allowed
from cad110.auth.principal import Principal
from cad110.kernel.inputs import EARLIEST_YEAR, LATEST_YEAR
from cad110.kernel.runtime import Runtime
from cad110.privacy import repository
from cad110.privacy.policy import Action, Sight, Subject
from cad110.privacy.repository import LogFilter
from cad110.web.common import Rt, console_user, page, to_login

router = Router(include_in_schema=False)

PAGE_SIZE = 100


def pii(by: Principal, seen: Sight) -> dict[str, bool]:
    """What a screen needs to show personal data (templates/_reveal.html): in full or masked,
    and whether this reader may reveal it with a reason."""
    return {"full": seen.full, "reveal": allowed(by.role, Permission.REVEAL)}


def unrecorded(request: Request, by: Principal) -> Response:
    """The data is not shown when its view could not be recorded (fail closed)."""
    return page(request, "access_log.html", by, status_code=503, kind="unrecorded")


def _day(value: str) -> date | None:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if EARLIEST_YEAR <= day.year <= LATEST_YEAR else None


def _filters(rt: Runtime, params: dict[str, str]) -> tuple[LogFilter, dict[str, str]]:
    """The screen's filters from its query (anything unreadable is dropped, never an error),
    and the same filters as the screen shows them (days as YYYY-MM-DD)."""
    tz = rt.settings.tz
    since_day = _day(params.get("since", ""))
    until_day = _day(params.get("until", ""))
    subject_type = params.get("subject_type", "")
    action = params.get("action", "")
    f = LogFilter(
        user=params.get("user", "").strip()[:64] or None,
        subject_type=subject_type if subject_type in {s.value for s in Subject} else None,
        subject=params.get("subject", "").strip()[:64] or None,
        action=action if action in {a.value for a in Action} else None,
        since=datetime.combine(since_day, time(), tz) if since_day else None,
        # "until" names the last day shown: everything before the next midnight.
        until=datetime.combine(until_day + timedelta(days=1), time(), tz) if until_day else None,
    )
    shown = {
        "user": f.user or "",
        "subject_type": f.subject_type or "",
        "subject": f.subject or "",
        "action": f.action or "",
        "since": since_day.isoformat() if since_day else "",
        "until": until_day.isoformat() if until_day else "",
    }
    return f, shown


def _view(rt: Runtime, by: Principal, params: dict[str, str]) -> dict[str, Any]:
    f, shown = _filters(rt, params)
    raw = params.get("page_no", "1")
    number = int(raw) if raw.isdigit() and 0 < int(raw) <= 10_000 else 1
    with rt.readers() as session:
        rows, total = repository.page(
            session, f, by, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE
        )
    query = {k: v for k, v in shown.items() if v}
    export = {k: v for k, v in query.items() if k not in ("since", "until")}
    export |= {k: v.isoformat() for k, v in (("since", f.since), ("until", f.until)) if v}
    return {
        "rows": rows,
        "total": total,
        "page_no": number,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "filters": shown,
        "subjects": [s.value for s in Subject],
        "actions": [a.value for a in Action],
        "export_url": "/api/v1/access-log/export.csv" + ("?" + urlencode(export) if export else ""),
        "page_url": "/access-log?" + urlencode({**query, "page_no": ""}),
    }


@router.get("/access-log")
async def access_log(request: Request, rt: Rt) -> Response:
    """Who saw whose personal data, when, why and where: filters, pages, a CSV export."""
    by = await console_user(request, rt)
    if by is None:
        return to_login(request)
    if not allowed(by.role, Permission.AUDIT):
        return page(request, "access_log.html", by, status_code=403, kind="forbidden")
    params = {k: v for k, v in request.query_params.items() if isinstance(v, str)}
    data = await run_in_threadpool(_view, rt, by, params)
    return page(request, "access_log.html", by, kind="log", **data)
