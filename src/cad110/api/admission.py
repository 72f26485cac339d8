"""Admission: a worker takes on only as many requests as it can answer in time, and says
"busy, retry in a second" (503 + Retry-After) to the rest before doing any of their work.

Past its capacity a server that admits everything answers everything late: every request
waits behind all the others, and a burst of five times the load makes intake, the board and
the phones all wait seconds. Here each worker runs at most `writes` requests that change
something and `reads` that only read at once; a request that finds its kind full waits for a
slot at most `wait_s`, and is then refused. A refused request was never started, so nothing
of it is written: the client sends it again (with its Idempotency-Key, which makes the retry
safe whichever answer it missed). Reads and writes have separate slots, so that screens
reloading cannot crowd out 110 intake, nor the other way round.

Not gated: the live streams (held open for hours: they do no work while open), logins (their
own hashing pool with its bounded queue, auth/passwords.py), static files and /healthz.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from contextlib import suppress
from dataclasses import dataclass

from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Methods that change nothing (what else is a write).
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Paths never gated: (exact paths, prefixes).
OPEN_PATHS = frozenset({"/healthz", "/login", "/favicon.ico", "/api/v1/live"})
OPEN_PREFIXES = ("/static/",)
RETRY_AFTER_S = 1


@dataclass(frozen=True)
class Capacity:
    """Requests one worker runs at once, by kind, and how long one may wait for a slot."""

    reads: int
    writes: int
    wait_s: float


class Slots:
    """At most `size` holders at once; a newcomer waits at most `wait_s` for a slot, in turn
    (first come, first served). Thread-safe, and a slot given back is handed straight to the
    next waiter on that waiter's own event loop (one per worker; tests run several)."""

    def __init__(self, size: int, wait_s: float) -> None:
        self.size = size
        self.wait_s = wait_s
        self.held = 0
        self._lock = threading.Lock()
        self._waiters: deque[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = deque()

    async def take(self) -> bool:
        """Hold a slot (True), or False once `wait_s` passed without one."""
        with self._lock:
            if self.held < self.size and not self._waiters:
                self.held += 1
                return True
            loop = asyncio.get_running_loop()
            waiter = (loop, loop.create_future())
            self._waiters.append(waiter)
        try:
            await asyncio.wait_for(waiter[1], timeout=self.wait_s)
        except TimeoutError:
            with self._lock, suppress(ValueError):
                # Still in line: it leaves. Already handed a slot: that hand-over finds it
                # gone and passes the slot on (_hand).
                self._waiters.remove(waiter)
            return False
        return True

    def give_back(self) -> None:
        with self._lock:
            while self._waiters:
                loop, future = self._waiters.popleft()
                try:
                    loop.call_soon_threadsafe(self._hand, future)
                except RuntimeError:  # its loop has closed: the next in line
                    continue
                return  # the slot goes to the waiter: still held
            self.held -= 1

    def _hand(self, future: asyncio.Future[None]) -> None:
        if future.done():  # it stopped waiting meanwhile
            self.give_back()
        else:
            future.set_result(None)


BUSY = {"detail": "the server is busy; retry shortly", "code": "busy"}
BUSY_PAGE = (
    "<!doctype html><html lang=zh-CN><meta charset=utf-8><title>系统繁忙</title>"
    "<p>系统繁忙，请稍后重试。/ The system is busy; retry shortly.</p>"
)


class Admission:
    """ASGI middleware: each request runs only in a free slot of its kind (read or write)."""

    def __init__(self, app: ASGIApp, *, capacity: Capacity) -> None:
        self.app = app
        self.reads = Slots(capacity.reads, capacity.wait_s)
        self.writes = Slots(capacity.writes, capacity.wait_s)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path in OPEN_PATHS or path.startswith(OPEN_PREFIXES):
            await self.app(scope, receive, send)
            return
        slots = self.reads if scope["method"] in READ_METHODS else self.writes
        # The body is in before a slot is taken: a client sending slowly holds no slot while
        # it sends (its size is bounded by BodyLimit, outside this one).
        arrived = await _body(receive)
        if not await slots.take():
            await _busy(path)(scope, receive, send)
            return

        async def replayed() -> Message:
            return arrived.pop(0) if arrived else await receive()

        try:
            await self.app(scope, replayed, send)
        finally:
            slots.give_back()


async def _body(receive: Receive) -> list[Message]:
    """The request's body messages, to the last one (or the client's disconnect)."""
    arrived = []
    while True:
        message = await receive()
        arrived.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            return arrived


def _busy(path: str) -> Response:
    """The refusal: JSON for the API, a page for the console (its security headers, CSP
    included, are added by SecurityHeaders, outside this middleware)."""
    headers = {"Retry-After": str(RETRY_AFTER_S), "Cache-Control": "no-store"}
    if path.startswith("/api/"):
        return JSONResponse(BUSY, status_code=503, headers=headers)
    return HTMLResponse(BUSY_PAGE, status_code=503, headers=headers)
