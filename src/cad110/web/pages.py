"""HTML pages of the console: login, language, the dispatch board."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select

from cad110.api.deps import authenticate, runtime
from cad110.auth.principal import Principal
from cad110.auth.sessions import COOKIE, login, logout
from cad110.incidents.lifecycle import STAGE_NAMES_ZH, Status
from cad110.models.incident import Incident
from cad110.models.supervision import Deadline
from cad110.models.user import Role
from cad110.runtime import Runtime
from cad110.web.i18n import LANG_COOKIE, LOCALES, pick_locale
from cad110.web.render import render

router = APIRouter(include_in_schema=False)
Rt = Annotated[Runtime, Depends(runtime)]

# Where each role starts its shift.
HOME = {
    Role.CALLTAKER: "/board",
    Role.DISPATCHER: "/board",
    Role.OFFICER: "/board",
    Role.LEADER: "/board",
    Role.ANALYST: "/board",
    Role.ADMIN: "/board",
}
OPEN = (
    Status.RECEIVED,
    Status.ACCEPTED,
    Status.ASSESSED,
    Status.QUEUED,
    Status.DISPATCHED,
    Status.ACKNOWLEDGED,
    Status.DEPARTED,
    Status.ARRIVED,
    Status.HANDLED,
    Status.REPORTED,
)


def _locale(request: Request) -> str:
    return pick_locale(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))


def _safe_next(target: str | None) -> str:
    # Only local paths: never redirect a login to another site.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return ""


async def _user(request: Request, rt: Runtime) -> Principal | None:
    return await authenticate(request, rt, None)


def _to_login(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)


@router.get("/")
async def index(request: Request, rt: Rt) -> Response:
    by = await _user(request, rt)
    return RedirectResponse(HOME[by.role] if by else "/login", status_code=303)


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, next: str | None = None) -> HTMLResponse:
    return HTMLResponse(
        render(_locale(request), "login.html", next=_safe_next(next), error=False, user=None)
    )


@router.post("/login")
async def login_submit(
    request: Request,
    rt: Rt,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form(max_length=512)] = "",
) -> Response:
    def attempt() -> tuple[str, str] | None:
        with rt.sessions.begin() as session:
            return login(
                session,
                username=username,
                password=password,
                now=rt.clock.now(),
                ttl=timedelta(hours=rt.settings.session_hours),
            )

    opened = await run_in_threadpool(attempt)
    if opened is None:
        page = render(
            _locale(request),
            "login.html",
            next=_safe_next(next),
            error=True,
            user=None,
            username=username,
        )
        return HTMLResponse(page, status_code=401)
    response = RedirectResponse(_safe_next(next) or "/", status_code=303)
    response.set_cookie(
        COOKIE,
        opened[0],
        httponly=True,
        samesite="lax",
        secure=rt.settings.secure_cookies,
        max_age=rt.settings.session_hours * 3600,
    )
    return response


@router.post("/logout")
async def logout_submit(request: Request, rt: Rt) -> Response:
    cookie = request.cookies.get(COOKIE)
    if cookie:

        def end() -> None:
            with rt.sessions.begin() as session:
                logout(session, cookie, now=rt.clock.now())

        await run_in_threadpool(end)
        rt.principals.clear()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/lang/{locale}")
async def switch_language(request: Request, locale: str) -> Response:
    back = (
        _safe_next(
            request.headers.get("referer", "").split(str(request.base_url).rstrip("/"), 1)[-1]
        )
        or "/"
    )
    response = RedirectResponse(back, status_code=303)
    if locale in LOCALES:
        response.set_cookie(LANG_COOKIE, locale, max_age=365 * 86400, samesite="lax")
    return response


def _board_rows(rt: Runtime, by: Principal) -> list[dict[str, object]]:
    with rt.readers() as session:
        next_due = (
            select(Deadline.incident_id, func.min(Deadline.due_at).label("due_at"))
            .where(
                Deadline.met_at.is_(None),
                Deadline.fired_at.is_(None),
                Deadline.cancelled_at.is_(None),
            )
            .group_by(Deadline.incident_id)
            .subquery()
        )
        rows = session.execute(
            select(Incident, next_due.c.due_at)
            .outerjoin(next_due, next_due.c.incident_id == Incident.id)
            .where(
                Incident.status.in_(OPEN),
                Incident.jurisdiction_path.startswith(by.scope_path, autoescape=True),
            )
            .order_by(Incident.grade.asc().nulls_last(), Incident.received_at, Incident.id)
            .limit(500)
        ).all()
        return [
            {
                "number": i.number,
                "grade": i.grade,
                "status": i.status.value,
                "stage_zh": STAGE_NAMES_ZH[i.status],
                "category": rt.catalog.get(i.category_code) if i.category_code else None,
                "address": i.address or "",
                "received_at": i.received_at,
                "next_due": due,
            }
            for i, due in rows
        ]


@router.get("/board", response_class=HTMLResponse)
async def board(request: Request, rt: Rt) -> Response:
    """指挥调度台: open incidents by grade then age, each with its stage and next deadline."""
    by = await _user(request, rt)
    if by is None:
        return _to_login(request)
    rows = await run_in_threadpool(_board_rows, rt, by)
    return HTMLResponse(
        render(_locale(request), "board.html", user=by, rows=rows, now=rt.clock.now())
    )
