"""Request dependencies: the unit of work, the authenticated caller, the use-case context."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from cad110.auth.principal import Principal
from cad110.auth.tokens import user_for_token
from cad110.errors import Unauthenticated
from cad110.incidents.context import Ctx
from cad110.models.jurisdiction import Jurisdiction
from cad110.runtime import Runtime

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


def _lookup(rt: Runtime, token: str) -> tuple[Principal, datetime] | None:
    with rt.readers() as session:
        found = user_for_token(session, token, now=rt.clock.now())
        if found is None:
            return None
        user, expires_at = found
        home = session.get(Jurisdiction, user.jurisdiction_code)
        assert home is not None
        principal = Principal(
            user_id=user.id,
            username=user.username,
            role=user.role,
            jurisdiction_code=user.jurisdiction_code,
            scope_path=home.path,
            unit_code=user.unit_code,
        )
    return principal, expires_at


async def principal(
    rt: Annotated[Runtime, Depends(runtime)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller. Looked up in a short read of its own, then remembered for a few seconds."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("a bearer token is required")
    token = credentials.credentials
    now = rt.clock.now()
    cached = rt.principals.get(token, now)
    if cached is not None:
        return cached
    found = await run_in_threadpool(_lookup, rt, token)
    if found is None:
        raise Unauthenticated("the token is invalid, expired or revoked")
    rt.principals.put(token, found[0], now=now, token_expires_at=found[1])
    return found[0]


CurrentUser = Annotated[Principal, Depends(principal)]


async def context(
    rt: Annotated[Runtime, Depends(runtime)], session: DbSession, by: CurrentUser
) -> Ctx:
    return Ctx(
        session=session, by=by, at=rt.clock.now(), catalog=rt.catalog, tz=rt.settings.tz, eta=rt.eta
    )


Context = Annotated[Ctx, Depends(context)]
