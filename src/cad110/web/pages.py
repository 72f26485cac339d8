"""HTML pages of the console: login, language, the dispatch board."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cad110.auth.sessions import COOKIE, login, logout
from cad110.models.user import Role
from cad110.web.common import Rt, console_user, locale_of, safe_next
from cad110.web.i18n import LANG_COOKIE, LOCALES
from cad110.web.render import render

router = APIRouter(include_in_schema=False)

# Where each role starts its shift.
HOME = {
    Role.CALLTAKER: "/desk",
    Role.DISPATCHER: "/board",
    Role.OFFICER: "/unit",
    Role.LEADER: "/supervise",
    Role.ANALYST: "/board",
    Role.ADMIN: "/board",
    Role.AUDITOR: "/board",
}


@router.get("/")
async def index(request: Request, rt: Rt) -> Response:
    by = await console_user(request, rt)
    return RedirectResponse(HOME[by.role] if by else "/login", status_code=303)


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
            locale_of(request),
            "login.html",
            next=safe_next(next),
            error=True,
            user=None,
            username=username,
        )
        return HTMLResponse(page, status_code=401)
    response = RedirectResponse(safe_next(next) or "/", status_code=303)
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
        safe_next(
            request.headers.get("referer", "").split(str(request.base_url).rstrip("/"), 1)[-1]
        )
        or "/"
    )
    response = RedirectResponse(back, status_code=303)
    if locale in LOCALES:
        response.set_cookie(LANG_COOKIE, locale, max_age=365 * 86400, samesite="lax")
    return response
