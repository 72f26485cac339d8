"""Routes whose endpoint commits the request's unit of work before it returns.

FastAPI runs a sync dependency's setup, the endpoint and the dependency's exit as separate
thread-pool calls. Committing at the dependency's exit would keep a transaction (and its locks)
open while the request waits for a free thread — under load every thread can end up waiting
on a lock whose holder waits for a thread. Committing at the end of the endpoint, in its own
thread, closes that gap: no lock outlives the thread that took it.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from cad110.incidents.context import Ctx


def _session_of(values: dict[str, Any]) -> Session | None:
    for value in values.values():
        if isinstance(value, Ctx):
            return value.session
        if isinstance(value, Session):
            return value
    return None


def committing(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a sync endpoint so it commits its session (from a Ctx or Session argument)."""
    if inspect.iscoroutinefunction(endpoint):
        return endpoint

    @functools.wraps(endpoint)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = endpoint(*args, **kwargs)
        session = _session_of(kwargs)
        if session is not None:
            session.commit()
        return result

    # Resolved annotations, so FastAPI reads the endpoint's real parameter types.
    wrapper.__signature__ = inspect.signature(endpoint, eval_str=True)  # type: ignore[attr-defined]
    return wrapper


class UnitOfWorkRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, committing(endpoint), **kwargs)
