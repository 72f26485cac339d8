"""Request dependencies: the unit of work, the authenticated caller, the use-case context."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from cad110.auth.principal import Principal
from cad110.auth.tokens import user_for_token
from cad110.errors import Unauthenticated
from cad110.incidents.context import Ctx
from cad110.models.jurisdiction import Jurisdiction
from cad110.runtime import Runtime

_bearer = HTTPBearer(auto_error=False, description="Token from `cad110 token create USERNAME`")


def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


READ_METHODS = frozenset({"GET", "HEAD"})


def db_session(request: Request, rt: Annotated[Runtime, Depends(runtime)]) -> Iterator[Session]:
    """The request's unit of work.

    The endpoint commits it as it returns, in the same worker thread (see api/routing.py), so no
    lock is ever held while a request waits for a thread; this exit only cleans up.
    """
    session = rt.readers() if request.method in READ_METHODS else rt.sessions()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


DbSession = Annotated[Session, Depends(db_session, scope="function")]


def principal(
    rt: Annotated[Runtime, Depends(runtime)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller, looked up in a short read transaction of its own."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("a bearer token is required")
    with rt.readers() as session:
        user = user_for_token(session, credentials.credentials, now=rt.clock.now())
        if user is None:
            raise Unauthenticated("the token is invalid, expired or revoked")
        home = session.get(Jurisdiction, user.jurisdiction_code)
    assert home is not None
    return Principal(
        user_id=user.id,
        username=user.username,
        role=user.role,
        jurisdiction_code=user.jurisdiction_code,
        scope_path=home.path,
        unit_code=user.unit_code,
    )


CurrentUser = Annotated[Principal, Depends(principal)]


def context(rt: Annotated[Runtime, Depends(runtime)], session: DbSession, by: CurrentUser) -> Ctx:
    return Ctx(
        session=session, by=by, at=rt.clock.now(), catalog=rt.catalog, tz=rt.settings.tz, eta=rt.eta
    )


Context = Annotated[Ctx, Depends(context)]
