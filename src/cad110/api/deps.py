"""Request dependencies: the unit of work, the authenticated caller, the use-case context."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from cad110.auth.principal import Principal, principal_of
from cad110.auth.sessions import COOKIE, user_for_cookie
from cad110.auth.tokens import user_for_token
from cad110.errors import Forbidden, Unauthenticated
from cad110.kernel.context import Ctx
from cad110.kernel.runtime import Runtime
from cad110.models.jurisdiction import Jurisdiction

# A report's or a figure's jurisdiction, as a query parameter (scoped by the reader's own).
JurisdictionCode = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=16,
        pattern=r"^[0-9A-Za-z_.-]+$",
        description="Jurisdiction code (default: the caller's own)",
    ),
]

_bearer = HTTPBearer(auto_error=False, description="Token from `cad110 token create USERNAME`")


async def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


READ_METHODS = frozenset({"GET", "HEAD"})


async def db_session(
    request: Request, rt: Annotated[Runtime, Depends(runtime)]
) -> AsyncIterator[Session]:
    """The request's unit of work.

    The endpoint commits it as it returns, in its own worker thread (see api/routing.py), so no
    lock is ever held while a request waits for a thread. Here only a failed request's
    rollback needs a thread; a committed session closes without touching the database.
    """
    session = rt.readers() if request.method in READ_METHODS else rt.sessions()
    try:
        yield session
    except BaseException:
        await run_in_threadpool(session.rollback)
        raise
    finally:
        if session.in_transaction():
            await run_in_threadpool(session.close)
        else:
            session.close()


DbSession = Annotated[Session, Depends(db_session, scope="function")]


def _lookup(rt: Runtime, credential: str, *, cookie: bool) -> tuple[Principal, datetime] | None:
    now = rt.clock.now()
    with rt.readers() as session:
        if cookie:
            by_cookie = user_for_cookie(session, credential, now=now)
            if by_cookie is None:
                return None
            user, web = by_cookie
            csrf, expires_at = web.csrf_token, web.expires_at
        else:
            by_token = user_for_token(session, credential, now=now)
            if by_token is None:
                return None
            (user, expires_at), csrf = by_token, None
        home = session.get(Jurisdiction, user.jurisdiction_code)
        assert home is not None
        return principal_of(user, home, csrf_token=csrf), expires_at


async def authenticate(request: Request, rt: Runtime, bearer: str | None) -> Principal | None:
    """The caller from a bearer token or the console's session cookie; None if neither is valid."""
    cookie = None if bearer else request.cookies.get(COOKIE)
    credential = bearer or cookie
    if not credential:
        return None
    key = ("c:" if cookie else "b:") + credential
    now = rt.clock.now()
    cached = rt.principals.get(key, now)
    if cached is not None:
        return cached
    # A revocation committed while the lookup reads must not be undone by remembering it.
    ticket = rt.principals.ticket()
    found = await run_in_threadpool(_lookup, rt, credential, cookie=cookie is not None)
    if found is None:
        return None
    rt.principals.put(key, found[0], now=now, token_expires_at=found[1], ticket=ticket)
    return found[0]


async def principal(
    request: Request,
    rt: Annotated[Runtime, Depends(runtime)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller (bearer token, or session cookie with CSRF on unsafe methods)."""
    bearer = None
    if credentials is not None:
        if credentials.scheme.lower() != "bearer":
            raise Unauthenticated("a bearer token is required")
        bearer = credentials.credentials
    by = await authenticate(request, rt, bearer)
    if by is None:
        raise Unauthenticated("a valid bearer token or console session is required")
    if by.csrf_token is not None and request.method not in READ_METHODS:
        sent = request.headers.get("X-CSRF-Token", "")
        if not secrets.compare_digest(sent, by.csrf_token):
            raise Forbidden("missing or wrong CSRF token")
    return by


CurrentUser = Annotated[Principal, Depends(principal)]


async def context(
    rt: Annotated[Runtime, Depends(runtime)], session: DbSession, by: CurrentUser
) -> Ctx:
    return rt.ctx(session, by)


Context = Annotated[Ctx, Depends(context)]
