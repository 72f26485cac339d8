"""Request body limits: 413 before a body larger than the limit is parsed, or held in memory.

A declared Content-Length over the limit is answered at once, before any routing or parsing.
A body without one (chunked) is counted as it streams in, and refused as soon as it passes
the limit, without being read to its end. Photo uploads have their own, larger limit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Routes that take a file as their body (missing-person photos).
UPLOAD_PATHS = (re.compile(r"^/api/v1/missing/[^/]+/photos$"),)


class BodyTooLarge(HTTPException):
    """A request body over its limit.

    An HTTPException, so that FastAPI lets it through while it reads a body instead of turning
    it into a 400, and it reaches the handler that renders it (api/errors.py).
    """

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=f"the request body exceeds {limit} bytes")
        self.limit = limit


def too_large_response(limit: int) -> JSONResponse:
    return JSONResponse(
        {
            "detail": f"the request body exceeds {limit} bytes",
            "code": "body_too_large",
            "limit_bytes": limit,
        },
        status_code=413,
        # What is left of the body is never read; the connection cannot be reused for another.
        headers={"Connection": "close"},
    )


def declared_length(scope: Scope) -> int | None:
    """The Content-Length a request declares; None when absent or not a number."""
    value = Headers(scope=scope).get("content-length")
    if value is None or not value.isdigit():
        return None
    return int(value)


class BodyLimit:
    """ASGI middleware: refuse request bodies over `max_body` (`max_upload` on upload paths)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body: int,
        max_upload: int,
        upload_paths: Sequence[re.Pattern[str]] = UPLOAD_PATHS,
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload
        self.upload_paths = tuple(upload_paths)

    def limit_for(self, path: str) -> int:
        if any(p.match(path) for p in self.upload_paths):
            return self.max_upload
        return self.max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        length = declared_length(scope)
        if length is not None and length > limit:
            await too_large_response(limit)(scope, receive, send)
            return

        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            # Read outside FastAPI's handlers (a plain Starlette route, a mount): answer here.
            if started:
                raise
            await too_large_response(limit)(scope, receive, send)
