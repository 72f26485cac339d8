"""GET /api/v1/live: server-sent events for the caller's jurisdiction.

The stream opens with `event: ready` (the caller is subscribed from then on), then sends
`event: change` with `{"kind", "id", "event", "at", "seq"?}` for each committed change the
caller may see, `event: resync` when the screen should reload what it shows (it fell behind,
or its worker lost the database for a while), and a `: ping` comment every 15 s so that
proxies keep the connection open. A browser's EventSource reconnects by itself; each
(re)connection starts with `ready`, after which the screen reloads and follows the stream.

The stream ends with `event: end` and `{"reason": "revoked" | "expired"}` when the token or
console session it was opened with is revoked, logged out, its user disabled or its password
reset (within a second, on every worker), or when it expires (live/guard.py). A user may hold
`settings.live_streams_per_user` streams on one worker; the next is refused with 429.

Not in the OpenAPI schema: a stream that never ends does not fit it (and would hang the
schema fuzzer).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from fastapi import Request
from fastapi.responses import StreamingResponse
from fastapi.security.utils import get_authorization_scheme_param
from starlette.types import Receive, Scope, Send

from cad110.api.deps import CurrentUser
from cad110.api.routing import Router
from cad110.auth.permissions import Permission
from cad110.auth.revocation import Credential
from cad110.auth.sessions import COOKIE
from cad110.errors import Unauthenticated
from cad110.live.bus import Message, Subscription
from cad110.live.guard import OpenStream
from cad110.live.notice import Resync

if TYPE_CHECKING:
    from cad110.live.install import Live

router = Router(tags=["live"])

# How long a browser waits before reconnecting a dropped stream.
RETRY_MS = 3000


def _event(name: str, data: object) -> str:
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'), ensure_ascii=False)}\n\n"


def _render(message: Message) -> str:
    if isinstance(message, Resync):
        return _event("resync", {"reason": message.reason})
    return _event("change", message.for_client())


async def _stream(live: Live, scope_path: str, stream: OpenStream) -> AsyncIterator[str]:
    # Subscribing here, as the response starts, means nothing is left behind if it never does.
    with live.bus.subscribe(scope_path) as subscription:
        stream.attach(subscription)
        if stream.ended is not None:  # its credential ended while the response was starting
            yield _event("end", {"reason": stream.ended})
            return
        yield f"retry: {RETRY_MS}\n" + _event("ready", {"scope": scope_path})
        while True:
            try:
                async with asyncio.timeout(live.heartbeat_s):
                    first = await subscription.get()
            except TimeoutError:
                yield ": ping\n\n"
                continue
            batch, ended = _batch(first, subscription)
            if batch:
                yield batch
            if ended:
                if subscription.reason is not None:
                    yield _event("end", {"reason": subscription.reason})
                return  # the credential ended, or the server is stopping


def _batch(first: Message | None, subscription: Subscription) -> tuple[str, bool]:
    """`first` and whatever else is already queued, as one write; and whether the bus ended."""
    parts: list[str] = []
    message = first
    while message is not None:
        parts.append(_render(message))
        try:
            message = subscription.get_nowait()
        except asyncio.QueueEmpty:
            return "".join(parts), False
    return "".join(parts), True


def _credential(request: Request) -> Credential | None:
    """What the request authenticated with, as api/deps.py reads it: a bearer token first."""
    scheme, token = get_authorization_scheme_param(request.headers.get("Authorization"))
    if scheme.lower() == "bearer" and token:
        return Credential.of_token(token)
    cookie = request.cookies.get(COOKIE)
    return Credential.of_cookie(cookie) if cookie else None


class _GuardedStream(StreamingResponse):
    """Gives the stream's place back however the response ends, even if it never starts."""

    def __init__(self, live: Live, scope_path: str, stream: OpenStream) -> None:
        super().__init__(
            _stream(live, scope_path, stream),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
        self._guard = live.guard
        self._stream = stream

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._guard.release(self._stream)


@router.get("/live", include_in_schema=False)
async def live_stream(request: Request, by: CurrentUser) -> StreamingResponse:
    """Server-sent events: every committed change in the caller's jurisdiction."""
    by.require(Permission.READ)
    live: Live = request.app.state.live
    credential = _credential(request)
    if credential is None:
        raise Unauthenticated("a valid bearer token or console session is required")
    stream = live.guard.admit(by.user_id, credential)
    try:
        valid = await live.guard.validate(stream)
    except BaseException:
        live.guard.release(stream)
        raise
    if not valid:
        live.guard.release(stream)
        raise Unauthenticated("a valid bearer token or console session is required")
    return _GuardedStream(live, by.scope_path, stream)
