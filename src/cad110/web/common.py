"""What every console page needs: the caller, the language, the login redirect."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cad110.api.deps import authenticate, runtime
from cad110.auth.permissions import Permission, allowed
from cad110.auth.principal import Principal
from cad110.kernel.runtime import Runtime
from cad110.web.i18n import LANG_COOKIE, pick_locale
from cad110.web.render import render

Rt = Annotated[Runtime, Depends(runtime)]


def locale_of(request: Request) -> str:
    return pick_locale(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))


def safe_next(target: str | None) -> str:
    # Only local paths: never redirect a login to another site.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return ""


async def console_user(request: Request, rt: Runtime) -> Principal | None:
    return await authenticate(request, rt, None)


async def fragment_user(
    request: Request, rt: Runtime, permission: Permission
) -> Principal | Response:
    """Who asks for a screen's live fragment, or the bare refusal a script reads: 401 when the
    session has ended (the page shows its banner), 403 without `permission`."""
    by = await console_user(request, rt)
    if by is None:
        return Response(status_code=401)
    if not allowed(by.role, permission):
        return Response(status_code=403)
    return by


def to_login(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)


def page(
    request: Request,
    template: str,
    user: Principal | None,
    status_code: int = 200,
    **context: object,
) -> Response:
    return HTMLResponse(
        render(locale_of(request), template, user=user, **context), status_code=status_code
    )
