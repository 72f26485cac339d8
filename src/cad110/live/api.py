"""GET /api/v1/live: server-sent events for the caller's jurisdiction.

The stream opens with `event: ready` (the caller is subscribed from then on), then sends
`event: change` with `{"kind", "id", "event", "at", "seq"?}` for each committed change the
caller may see, `event: resync` when the screen should reload what it shows (it fell behind,
or its worker lost the database for a while), and a `: ping` comment every 15 s so that
proxies keep the connection open. A browser's EventSource reconnects by itself; each
(re)connection starts with `ready`, after which the screen reloads and follows the stream.

Not in the OpenAPI schema: a stream that never ends does not fit it (and would hang the
schema fuzzer).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from cad110.api.deps import CurrentUser
from cad110.auth.permissions import Permission
from cad110.live.bus import Message, Subscription
from cad110.live.notice import Resync

if TYPE_CHECKING:
    from cad110.live.install import Live

router = APIRouter(tags=["live"])

# How long a browser waits before reconnecting a dropped stream.
RETRY_MS = 3000


def _event(name: str, data: object) -> str:
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'), ensure_ascii=False)}\n\n"


def _render(message: Message) -> str:
    if isinstance(message, Resync):
        return _event("resync", {"reason": message.reason})
    return _event("change", message.for_client())


async def _stream(live: Live, scope_path: str) -> AsyncIterator[str]:
    # Subscribing here, as the response starts, means nothing is left behind if it never does.
    with live.bus.subscribe(scope_path) as subscription:
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
                return  # the server is stopping


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


@router.get("/live", include_in_schema=False)
async def live_stream(request: Request, by: CurrentUser) -> StreamingResponse:
    """Server-sent events: every committed change in the caller's jurisdiction."""
    by.require(Permission.READ)
    live: Live = request.app.state.live
    return StreamingResponse(
        _stream(live, by.scope_path),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
