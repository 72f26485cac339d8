"""Routes whose endpoint commits the request's unit of work before it returns, and answers a
retried request (same `Idempotency-Key`) with the answer of the first.

FastAPI runs a sync dependency's setup, the endpoint and the dependency's exit as separate
thread-pool calls. Committing at the dependency's exit would keep a transaction (and its locks)
open while the request waits for a free thread — under load every thread can end up waiting
on a lock whose holder waits for a thread. Committing at the end of the endpoint, in its own
thread, closes that gap: no lock outlives the thread that took it.

The idempotency record is written there too, in the transaction of the work it answers for
(models/idempotency.py): a 2xx means both are durable, a failure leaves neither.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
from collections.abc import Callable, Mapping
from datetime import date
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Header, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import ResponseValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.utils import is_body_allowed_for_status_code
from pydantic import BaseModel
from sqlalchemy.orm import Session

from cad110.kernel.context import Ctx
from cad110.models.idempotency import MAX_KEY_LENGTH, claim, fingerprint, finish
from cad110.models.idempotency import IdempotencyRecord as Record

KEY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The keyword the key header arrives under; endpoints never see it.
_KEY_PARAM = "idempotency_key"
_ORIGINAL = "__unit_of_work_endpoint__"
_REPEATABLE = "__repeatable__"

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=KEY_HEADER,
        min_length=1,
        max_length=MAX_KEY_LENGTH,
        pattern=r"^[\x21-\x7e]+$",
        description=(
            "Makes a retry safe: a request sent again with the same key (and the same body) "
            "within 24 hours gets the first answer, with `Idempotent-Replayed: true`, and "
            "nothing is done twice. The same key with another request is 409. Printable "
            "ASCII, at most 128 characters; a UUID per action is a good key."
        ),
    ),
]


def _session_of(values: Mapping[str, Any]) -> Session | None:
    for value in values.values():
        if isinstance(value, Ctx):
            return value.session
        if isinstance(value, Session):
            return value
    return None


def _ctx_of(values: Mapping[str, Any]) -> Ctx | None:
    return next((v for v in values.values() if isinstance(v, Ctx)), None)


def request_of(values: Mapping[str, Any]) -> dict[str, Any]:
    """What the endpoint was asked (path, query and body values), in JSON types: the request's
    fingerprint. The unit of work, the caller and the runtime are not part of it."""
    asked: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, BaseModel):
            asked[name] = value.model_dump(mode="json")
        elif isinstance(value, bytes):
            asked[name] = hashlib.sha256(value).hexdigest()
        elif value is None or isinstance(
            value, str | int | float | bool | list | tuple | dict | date | Enum
        ):
            asked[name] = jsonable_encoder(value)
    return asked


def _rendered(route: APIRoute, result: Any, values: Mapping[str, Any]) -> Response:
    """The endpoint's answer as FastAPI would send it, rendered here so it can be kept."""
    if isinstance(result, Response):
        return result
    sub = next((v for v in values.values() if isinstance(v, Response)), None)
    status = (sub.status_code if sub is not None else None) or route.status_code or 200
    if not is_body_allowed_for_status_code(status):
        response = Response(status_code=status)
    elif route.response_field is not None:
        value, errors = route.response_field.validate(result, {}, loc=("response",))
        if errors:
            raise ResponseValidationError(errors=errors, body=result)
        body = route.response_field.serialize_json(
            value,
            include=route.response_model_include,
            exclude=route.response_model_exclude,
            by_alias=route.response_model_by_alias,
            exclude_unset=route.response_model_exclude_unset,
            exclude_defaults=route.response_model_exclude_defaults,
            exclude_none=route.response_model_exclude_none,
        )
        response = Response(body, status_code=status, media_type="application/json")
    else:
        response = JSONResponse(jsonable_encoder(result), status_code=status)
    if sub is not None:
        for name, value in sub.headers.items():
            if name != "content-length":
                response.headers[name] = value
    return response


def _replay(record: Record) -> Response:
    return Response(
        record.response or b"",
        status_code=record.status or 200,
        media_type=record.media_type,
        headers={REPLAYED_HEADER: "true"},
    )


def _once(
    route: APIRoute, endpoint: Callable[..., Any], ctx: Ctx, key: str, values: dict[str, Any]
) -> Any:
    method = ",".join(sorted(route.methods or ()))
    record, fresh = claim(
        ctx.session,
        user_id=ctx.by.user_id,
        key=key,
        endpoint=f"{method} {route.path}",
        request_hash=fingerprint(request_of(values)),
        now=ctx.at,
    )
    if not fresh:
        ctx.session.commit()
        return _replay(record)
    response = _rendered(route, endpoint(**values), values)
    # An answer marked no-store carries a secret shown once (a new token, a password): it is
    # not kept, nor is a streamed one; a retry is told the work is done instead.
    body: bytes | memoryview | None = getattr(response, "body", None)
    kept = body is not None and "no-store" not in response.headers.get("cache-control", "")
    finish(
        ctx.session,
        record,
        status=response.status_code,
        media_type=response.media_type if kept else None,
        response=bytes(body) if body is not None and kept else None,
    )
    ctx.session.commit()
    return response


def committing(endpoint: Callable[..., Any], route: APIRoute | None = None) -> Callable[..., Any]:
    """Wrap a sync endpoint so it commits its session (from a Ctx or Session argument); with
    `route` (an unsafe method), it also honours an Idempotency-Key."""
    endpoint = getattr(endpoint, _ORIGINAL, endpoint)
    if inspect.iscoroutinefunction(endpoint):
        return endpoint
    signature = inspect.signature(endpoint, eval_str=True)

    @functools.wraps(endpoint)
    def wrapper(**values: Any) -> Any:
        key = values.pop(_KEY_PARAM, None)
        ctx = _ctx_of(values)
        if route is not None and key is not None and ctx is not None:
            return _once(route, endpoint, ctx, key, values)
        result = endpoint(**values)
        session = _session_of(values)
        if session is not None:
            session.commit()
        return result

    parameters = list(signature.parameters.values())
    if route is not None:
        assert _KEY_PARAM not in signature.parameters, f"{endpoint.__name__}: {_KEY_PARAM}"
        parameters.append(
            inspect.Parameter(
                _KEY_PARAM, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=IdempotencyKey
            )
        )
    # Resolved annotations, so FastAPI reads the endpoint's real parameter types.
    wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    setattr(wrapper, _ORIGINAL, endpoint)
    return wrapper


def repeatable(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Mark an unsafe endpoint that is done again on a retry instead of replayed: its answer
    must never be stored (personal data shown for a reason) and doing it twice only records
    it twice. It ignores `Idempotency-Key`."""
    setattr(endpoint, _REPEATABLE, True)
    return endpoint


class UnitOfWorkRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        unsafe = bool(set(kwargs.get("methods") or ()) - SAFE_METHODS)
        unsafe = unsafe and not getattr(endpoint, _REPEATABLE, False)
        super().__init__(path, committing(endpoint, self if unsafe else None), **kwargs)


class Router(APIRouter):
    """The router every cad110 module builds: its routes are always `UnitOfWorkRoute`, so no
    router can forget to commit. Another route class is refused, and so is a plain APIRouter to
    include (tests/api/test_routing.py checks every route of the app)."""

    def __init__(
        self,
        *,
        prefix: str = "",
        tags: list[str | Enum] | None = None,
        include_in_schema: bool = True,
        route_class: type[APIRoute] = UnitOfWorkRoute,
        **kwargs: Any,
    ) -> None:
        _refuse_other(route_class)
        super().__init__(
            prefix=prefix,
            tags=tags,
            include_in_schema=include_in_schema,
            route_class=UnitOfWorkRoute,
            **kwargs,
        )

    def add_api_route(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        route_class_override: type[APIRoute] | None = None,
        **kwargs: Any,
    ) -> None:
        if route_class_override is not None:
            _refuse_other(route_class_override)
        super().add_api_route(path, endpoint, route_class_override=route_class_override, **kwargs)

    def include_router(self, router: APIRouter, **kwargs: Any) -> None:
        # A plain APIRouter's routes would be served under this one, uncommitted.
        if not isinstance(router, Router):
            raise TypeError(f"a Router includes only Routers, not {type(router).__name__}")
        super().include_router(router, **kwargs)


def _refuse_other(route_class: type[APIRoute]) -> None:
    if route_class is not UnitOfWorkRoute:
        raise TypeError(
            f"a Router's routes are UnitOfWorkRoute (they commit), not {route_class.__name__}"
        )
