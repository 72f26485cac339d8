"""Wiring live pushes into an application: the bus, the session hooks, the stream route."""

from __future__ import annotations

import asyncio
import threading
from types import TracebackType

from fastapi import FastAPI
from sqlalchemy.engine import URL

from cad110.kernel.runtime import Runtime
from cad110.live.api import router
from cad110.live.bus import QUEUE_SIZE, Bus, InProcessBus
from cad110.live.capture import ChangeTracker
from cad110.live.guard import StreamGuard
from cad110.live.postgres import PostgresBus

HEARTBEAT_S = 15.0


class Live:
    """Live pushes for one application. Enter it (`async with live:`) in the app's lifespan:
    that starts the bus (on PostgreSQL, its LISTEN connection and NOTIFY thread) and hooks
    the runtime's sessions, and starts the guard that ends streams whose credential ended;
    leaving it undoes all three. Enter it before anything that commits in the background
    (the supervision loop) starts, so their changes are pushed too."""

    def __init__(self, runtime: Runtime, bus: Bus, heartbeat_s: float = HEARTBEAT_S) -> None:
        self.runtime = runtime
        self.bus = bus
        self.tracker = ChangeTracker(bus.publish)
        self.guard = StreamGuard(runtime)
        self.heartbeat_s = heartbeat_s
        # The bus runs on one event loop. An app whose lifespan is entered again while it runs
        # (several TestClients on one app, each with a loop of its own) keeps the first one's;
        # the others run without pushes.
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._depth = 0

    async def __aenter__(self) -> Live:
        loop = asyncio.get_running_loop()
        with self._lock:
            first = self._loop is None
            if first:
                self._loop = loop
            if self._loop is loop:
                self._depth += 1
        if first:
            await self.bus.start()
            self.tracker.attach(self.runtime.sessions)
            self.tracker.attach(self.runtime.readers)
            await self.guard.start()
        return self

    async def __aexit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        with self._lock:
            if self._loop is not asyncio.get_running_loop():
                return
            self._depth -= 1
            if self._depth:
                return
        await self.guard.stop()
        self.tracker.detach()
        await self.bus.stop()
        with self._lock:
            self._loop = None


def libpq_conninfo(url: URL) -> str:
    """The libpq connection string for an SQLAlchemy PostgreSQL URL."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def make_bus(runtime: Runtime, queue_size: int = QUEUE_SIZE) -> Bus:
    """LISTEN/NOTIFY on PostgreSQL (workers share it, revocations included); in-process on
    SQLite (one worker)."""
    if runtime.engine.dialect.name == "postgresql":
        return PostgresBus(
            libpq_conninfo(runtime.engine.url),
            queue_size=queue_size,
            on_revoke=runtime.revocations.revoked,
        )
    return InProcessBus(queue_size)


def install_live(app: FastAPI, runtime: Runtime, *, queue_size: int = QUEUE_SIZE) -> Live:
    """Add GET /api/v1/live to `app`; while the returned `Live` is entered (in the app's
    lifespan), every commit of `runtime`'s sessions is pushed. Installing twice returns the
    first."""
    existing = getattr(app.state, "live", None)
    if isinstance(existing, Live):
        return existing
    live = Live(runtime, make_bus(runtime, queue_size))
    app.state.live = live
    app.include_router(router, prefix="/api/v1")
    return live
