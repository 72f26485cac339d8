"""寻人 screens: the case desk (寻人台账), one case, opening a case, cluster alerts.

Pages are read here; every action on them calls the JSON API under /api/v1/missing.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from cad110.api.routing import Router
from cad110.errors import NotFound
from cad110.privacy.deps import where_of
from cad110.privacy.record import AccessNotRecorded
from cad110.web import missing_views as views
from cad110.web.access_log import unrecorded
from cad110.web.common import Rt, console_user, locale_of, page, to_login

router = Router(include_in_schema=False)


@router.get("/missing")
async def case_desk(request: Request, rt: Rt, view: str = "open", page_no: str = "1") -> Response:
    """寻人台账: open cases first, urgent ones on top with the golden-hours clock."""
    by = await console_user(request, rt)
    if by is None:
        return to_login(request)
    if view not in views.VIEWS:
        view = "open"
    number = int(page_no) if page_no.isdigit() and 0 < int(page_no) <= 100_000 else 1
    data = await run_in_threadpool(views.desk, rt, by, view, number, locale_of(request))
    return page(request, "missing_desk.html", by, **data)


@router.get("/missing/new")
async def new_case(request: Request, rt: Rt, incident: str = "") -> Response:
    """建档: the form that opens a case from a missing-person incident."""
    by = await console_user(request, rt)
    if by is None:
        return to_login(request)
    try:
        data = await run_in_threadpool(views.new_case, rt, by, incident, where_of(request))
    except NotFound:
        return page(request, "not_found.html", by, status_code=404, number=incident)
    except AccessNotRecorded:
        return unrecorded(request, by)
    if data["existing"]:
        return RedirectResponse(f"/missing/{data['existing']}", status_code=303)
    if not data["can"]["work"]:
        return page(request, "missing_message.html", by, status_code=403, kind="forbidden")
    return page(request, "missing_new.html", by, **data)


@router.get("/missing/clusters")
async def cluster_alerts(request: Request, rt: Rt) -> Response:
    """聚集预警: several people missing from one grid, school or workplace."""
    by = await console_user(request, rt)
    if by is None:
        return to_login(request)
    data = await run_in_threadpool(views.clusters, rt, by)
    return page(request, "missing_clusters.html", by, **data)


@router.get("/missing/{number}")
async def case_page(request: Request, rt: Rt, number: str) -> Response:
    """One case: the record, its clocks, the search, callbacks, approvals and the journal."""
    by = await console_user(request, rt)
    if by is None:
        return to_login(request)
    try:
        data = await run_in_threadpool(
            views.case_page, rt, by, number, where_of(request), locale_of(request)
        )
    except NotFound:
        return page(
            request, "missing_message.html", by, status_code=404, kind="not_found", number=number
        )
    except AccessNotRecorded:
        return unrecorded(request, by)
    return page(request, "missing_case.html", by, **data)
