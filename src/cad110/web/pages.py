"""HTML pages of the console: login, language, the dispatch board."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Annotated

from fastapi import Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cad110.api.routing import Router
from cad110.api.security import secure_cookie
from cad110.auth.passwords import login_pool
from cad110.auth.revocation import end_session
from cad110.auth.sessions import COOKIE, Opened, login
from cad110.auth.throttle import Limits
from cad110.models.user import Role
from cad110.web.common import Rt, console_user, locale_of, safe_next
from cad110.web.i18n import LANG_COOKIE, LOCALES
from cad110.web.render import render

router = Router(include_in_schema=False)

# Where each role starts its shift.
HOME = {
    Role.CALLTAKER: "/desk",
    Role.DISPATCHER: "/board",
    Role.OFFICER: "/unit",
    Role.LEADER: "/supervise",
    Role.ANALYST: "/search",
    Role.ADMIN: "/admin",
    Role.AUDITOR: "/access-log",
}


@router.get("/")
async def index(request: Request, rt: Rt) -> Response:
    by = await console_user(request, rt)
    return RedirectResponse(HOME[by.role] if by else "/login", status_code=303)


@router.get("/favicon.ico")
async def favicon() -> Response:
    """Browsers ask for /favicon.ico on their own (and for a PDF or JSON tab that has no
    <link rel="icon">): the console's icon, never a 404 in the log."""
    return RedirectResponse("/static/favicon.svg", status_code=301)


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, next: str | None = None) -> HTMLResponse:
    return HTMLResponse(
        render(locale_of(request), "login.html", next=safe_next(next), error=False, user=None)
    )


@router.post("/login")
async def login_submit(
    request: Request,
    rt: Rt,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form(max_length=512)] = "",
) -> Response:
    outcome = await login(
        rt.sessions,
        rt.readers,
        login_pool(rt.settings.login_hash_workers),
        username=username,
        password=password,
        # Behind a reverse proxy uvicorn puts the X-Forwarded-For client here itself
        # (--forwarded-allow-ips), so the proxy's own address is not what gets throttled.
        address=request.client.host if request.client else "unknown",
        clock=rt.clock,
        limits=Limits.of(rt.settings),
        ttl=timedelta(hours=rt.settings.session_hours),
    )
    if not isinstance(outcome, Opened):
        page = render(
            locale_of(request),
            "login.html",
            next=safe_next(next),
            error=True,
            refusal=outcome,
            user=None,
            username=username,
        )
        if outcome is None:
            return HTMLResponse(page, status_code=401)
        # Held back at no cost (a sleeping coroutine: no thread, no lock, no hash), so that a
        # client ignoring Retry-After tries once a second per connection, not hundreds of times.
        await asyncio.sleep(min(rt.settings.login_refusal_delay_s, outcome.retry_after_s))
        return HTMLResponse(
            page, status_code=429, headers={"Retry-After": str(outcome.retry_after_s)}
        )
    response = RedirectResponse(safe_next(next) or "/", status_code=303)
    response.set_cookie(
        COOKIE,
        outcome.cookie,
        httponly=True,
        samesite="lax",
        secure=secure_cookie(request),
        max_age=rt.settings.session_hours * 3600,
    )
    return response


@router.post("/logout")
async def logout_submit(request: Request, rt: Rt) -> Response:
    cookie = request.cookies.get(COOKIE)
    if cookie:

        def end() -> None:
            with rt.sessions.begin() as session:
                # Refuses the cookie at once and ends its open live streams, on every worker.
                end_session(session, cookie, now=rt.clock.now())

        await run_in_threadpool(end)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, secure=secure_cookie(request), httponly=True, samesite="lax")
    return response


@router.get("/lang/{locale}")
async def switch_language(request: Request, locale: str) -> Response:
    back = (
        safe_next(
            request.headers.get("referer", "").split(str(request.base_url).rstrip("/"), 1)[-1]
        )
        or "/"
    )
    response = RedirectResponse(back, status_code=303)
    if locale in LOCALES:
        response.set_cookie(
            LANG_COOKIE,
            locale,
            max_age=365 * 86400,
            samesite="lax",
            secure=secure_cookie(request),
        )
    return response
