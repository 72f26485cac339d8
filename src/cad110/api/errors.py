"""Rendering errors: domain errors with their status, database races as 409, never a bare 500."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from cad110.api.limits import BodyTooLarge, too_large_response
from cad110.api.security import common_headers
from cad110.errors import DomainError

log = logging.getLogger(__name__)

# An echoed input is there to help a client find its mistake, not to send a large body back.
ECHO_CHARS = 200
_MAX_INT_BITS = 128
_MAX_DEPTH = 8


def plain(value: Any, depth: int = 0) -> Any:
    """`value` as something JSON can carry: non-finite numbers, bytes, huge integers and
    objects become short strings, long strings are cut, deep nesting is cut."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if value.bit_length() <= _MAX_INT_BITS else "(a very large integer)"
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return value if len(value) <= ECHO_CHARS else value[:ECHO_CHARS] + "…"
    if isinstance(value, bytes):
        return plain(value.decode("utf-8", "replace"))
    if depth >= _MAX_DEPTH:
        return "…"
    if isinstance(value, Mapping):
        return {str(k): plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, Sequence | set | frozenset):
        return [plain(v, depth + 1) for v in value]
    if isinstance(value, BaseException):
        return plain(str(value))
    try:
        # Dates, enums, models: to JSON types, which the branches above then check.
        return plain(jsonable_encoder(value), depth + 1)
    except Exception:
        return plain(repr(value))


def validation_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """FastAPI's validation errors, every one naming its field (`loc`), safe to render."""
    out = []
    for error in errors:
        item: dict[str, Any] = {
            "type": str(error.get("type", "value_error")),
            "loc": [p if isinstance(p, int) else str(p) for p in error.get("loc", ())],
            "msg": str(error.get("msg", "")),
        }
        if "input" in error:
            item["input"] = plain(error["input"])
        if error.get("ctx"):
            item["ctx"] = {str(k): plain(v) for k, v in error["ctx"].items()}
        out.append(item)
    return out


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's own handler echoes each input as it came; NaN or Infinity in a body made
        # that echo unrenderable and the answer a 500.
        return JSONResponse({"detail": validation_errors(exc.errors())}, status_code=422)

    @app.exception_handler(BodyTooLarge)
    async def _too_large(_request: Request, exc: BodyTooLarge) -> JSONResponse:
        return too_large_response(exc.limit)

    @app.exception_handler(DomainError)
    async def _domain(_request: Request, exc: DomainError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return JSONResponse(exc.body(), status_code=exc.status_code, headers=headers)

    @app.exception_handler(StaleDataError)
    @app.exception_handler(IntegrityError)
    async def _race_lost(_request: Request, exc: Exception) -> JSONResponse:
        # Input is validated before writing, so a version check or a constraint firing here
        # means a concurrent change won.
        log.info("concurrent change conflicted: %s", exc)
        return JSONResponse(
            {
                "detail": "a concurrent change conflicted with this one; reload and retry",
                "code": "concurrent_update",
            },
            status_code=409,
        )

    @app.exception_handler(DataError)
    async def _data(_request: Request, exc: DataError) -> JSONResponse:
        # The database refused a value the schemas let through (e.g. a NUL byte in text).
        log.info("data refused by the database: %s", exc.orig)
        return JSONResponse(
            {
                "detail": "a value was refused by the database (invalid characters or out of range)",
                "code": "invalid_value",
            },
            status_code=422,
        )

    @app.exception_handler(OperationalError)
    async def _operational(_request: Request, exc: OperationalError) -> JSONResponse:
        log.warning("database unavailable: %s", exc.orig)
        return JSONResponse(
            {"detail": "the database is busy or unavailable; retry shortly", "code": "unavailable"},
            status_code=503,
            headers={"Retry-After": "1"},
        )

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        # Answered by the outermost layer, past every middleware: the security headers are
        # added here, and nothing of the error reaches the client.
        log.error("unexpected error", exc_info=exc)
        return JSONResponse(
            {"detail": "internal error; it has been logged", "code": "internal"},
            status_code=500,
            headers={**common_headers(), "Cache-Control": "no-store"},
        )
