"""Rendering errors: domain errors with their status, database races as 409, never a bare 500."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from cad110.errors import DomainError

log = logging.getLogger(__name__)


def install_error_handlers(app: FastAPI) -> None:
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
