"""`cad110 bench intake-profile`: what one create costs in process, and where the time goes.

`cad110 bench intake` measures the API over real HTTP, where the client, uvicorn and the
machine's other work all share the figure. This one takes them out: the application runs in
this process (its lifespan entered, requests through httpx's ASGI transport, sync endpoints
in the thread pool as uvicorn runs them), and `count` creates with `accept: true` — the
bench's bodies, the bench's world — are posted one at a time after `warmup` of them. It
reports the wall time per create (p50, mean, p90), the process's CPU time per create, the
SQL statements each create sends, and, with `--profile`, a pyinstrument profile of as many
more creates: HTML with its text tree beside it (`.txt`), or pyinstrument's own session
(`.pyisession`). The profiled creates are a run of their own: no timing is taken under the
profiler.
"""

from __future__ import annotations

import asyncio
import gc
import re
import statistics
import sys
import tempfile
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter, process_time
from typing import TYPE_CHECKING, Any, TypeVar

import anyio.to_thread
import httpx
from fastapi import FastAPI
from rich.console import Console
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from cad110.bench import harness
from cad110.bench.intake import _pg_database, _pg_server_url, _pg_unreachable, build_world
from cad110.clock import SystemClock
from cad110.db.migrate import upgrade
from cad110.settings import Settings

if TYPE_CHECKING:
    from pyinstrument.session import Session as ProfileSession

T = TypeVar("T")
_LINE = re.compile(r"\x01l\d+")


@dataclass(frozen=True)
class CreateCost:
    backend: str
    count: int
    p50_ms: float
    mean_ms: float
    p90_ms: float
    # This process's CPU time (every thread: client, server, driver) over the creates, per
    # create: on a machine shared with other work it moves far less than the wall time does.
    cpu_ms: float
    statements_per_create: float
    flushes_per_create: float

    def line(self) -> str:
        return (
            f"{self.backend}: {self.count} creates, wall p50 {self.p50_ms:.2f} ms, "
            f"mean {self.mean_ms:.2f} ms, p90 {self.p90_ms:.2f} ms; CPU {self.cpu_ms:.2f} ms "
            f"per create; {self.statements_per_create:g} SQL statements and "
            f"{self.flushes_per_create:g} flushes per create"
        )


class _StatementCounter:
    """Counts the statements the engine sends (the round trips of a create) and the flushes
    of the sessions `sessions` makes (each a pass of the ORM's unit of work, autoflushes that
    found something to write included)."""

    def __init__(self, engine: Engine, sessions: sessionmaker[Session]) -> None:
        self.count = 0
        self.flushes = 0
        event.listen(engine, "before_cursor_execute", self._seen)
        event.listen(sessions, "before_flush", self._flushed)

    def _seen(self, *_args: Any) -> None:
        self.count += 1

    def _flushed(self, *_args: Any) -> None:
        self.flushes += 1


def run_intake_profile(
    console: Console,
    *,
    backend: str = "sqlite",
    count: int = 300,
    warmup: int = 50,
    profile: Path | None = None,
    pg_url: str | None = None,
) -> CreateCost:
    """Time `count` creates in process on `backend` (after `warmup`); with `profile`, profile
    another `count` and write the profile there."""
    if count < 1 or warmup < 0:
        raise ValueError("count must be positive and warmup not negative")
    with tempfile.TemporaryDirectory(prefix="cad110-intake-profile-") as tmp:
        root = Path(tmp)
        with _database(backend, root, pg_url) as url:
            cost = _measure(console, backend, url, root, count, warmup, profile)
    console.print(cost.line())
    return cost


@contextmanager
def _database(backend: str, root: Path, pg_url: str | None) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{root / 'intake.db'}"
    elif backend == "postgresql":
        server = _pg_server_url(pg_url)
        reason = _pg_unreachable(server)
        if reason is not None:
            raise RuntimeError(f"PostgreSQL at {server.render_as_string()}: {reason}")
        with _pg_database(server) as url:
            yield url
    else:
        raise ValueError(f"unknown backend {backend!r}")


def _measure(
    console: Console,
    backend: str,
    url: str,
    root: Path,
    count: int,
    warmup: int,
    profile: Path | None,
) -> CreateCost:
    # Imported here: the application is only built when this bench runs.
    from cad110.app import create_app
    from cad110.runtime import build_runtime

    upgrade(url)
    token = build_world(url, now=SystemClock().now())
    settings = Settings(
        database_url=url,
        # The tick would run beside the creates and be counted in them.
        supervision_loop=False,
        audit_key_file=str(root / "audit.keys"),
        audit_checkpoint_path=str(root / "checkpoints.jsonl"),
    )
    runtime = build_runtime(settings)
    app = create_app(runtime)
    runs = 2 if profile is not None else 1
    bodies = harness.encoded_bodies(0, warmup + runs * count)
    counter = _StatementCounter(runtime.engine, runtime.sessions)
    try:
        return asyncio.run(
            _session(console, backend, app, token, bodies, count, warmup, profile, counter)
        )
    finally:
        runtime.engine.dispose()


async def _session(
    console: Console,
    backend: str,
    app: FastAPI,
    token: str,
    bodies: Sequence[bytes],
    count: int,
    warmup: int,
    profile: Path | None,
    counter: _StatementCounter,
) -> CreateCost:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://bench") as client,
    ):

        async def create(body: bytes) -> None:
            response = await client.post(harness.CREATE_PATH, content=body, headers=headers)
            if response.status_code != 201:
                raise RuntimeError(f"create answered {response.status_code}: {response.text}")

        console.print(f"{backend}: {warmup} creates to warm up, then {count} timed…")
        for body in bodies[:warmup]:
            await create(body)
        sent_before, flushed_before = counter.count, counter.flushes
        samples: list[float] = []
        # The collector stays on: here its pauses are the server's own.
        gc.collect()
        cpu_started = process_time()
        for body in bodies[warmup : warmup + count]:
            started = perf_counter()
            await create(body)
            samples.append(perf_counter() - started)
        cpu = process_time() - cpu_started
        statements = (counter.count - sent_before) / count
        flushes = (counter.flushes - flushed_before) / count
        if profile is not None:
            console.print(f"{backend}: {count} more creates under pyinstrument…")
            await _profiled(create, bodies[warmup + count :], profile)
            console.print(f"{backend}: profile written to {profile}")
    ordered = sorted(samples)
    return CreateCost(
        backend=backend,
        count=count,
        p50_ms=statistics.median(ordered) * 1000,
        mean_ms=statistics.fmean(ordered) * 1000,
        p90_ms=ordered[max(0, int(0.9 * len(ordered)) - 1)] * 1000,
        cpu_ms=cpu / count * 1000,
        statements_per_create=statements,
        flushes_per_create=flushes,
    )


@contextmanager
def _inline_threads() -> Iterator[None]:
    """Run what Starlette and FastAPI hand to worker threads in the calling thread instead.

    pyinstrument samples the thread that started it only; with the endpoint (and the sync
    dependencies) run inline its profile holds the whole create. What is lost is the hand-off
    to the thread pool itself, which the timed run (real threads) does include."""

    async def inline(func: Callable[..., T], *args: Any, **_options: Any) -> T:
        return func(*args)

    real = anyio.to_thread.run_sync
    anyio.to_thread.run_sync = inline  # type: ignore[assignment]
    try:
        yield
    finally:
        anyio.to_thread.run_sync = real


async def _profiled(
    create: Callable[[bytes], Awaitable[None]], bodies: Sequence[bytes], target: Path
) -> None:
    # pyinstrument is a test extra (`pip install -e ".[test]"`), not a dependency of the server.
    from pyinstrument import Profiler
    from pyinstrument.renderers import ConsoleRenderer, HTMLRenderer

    gc.collect()
    profiler = Profiler(interval=0.001, async_mode="disabled")
    with _inline_threads():
        profiler.start()
        for body in bodies:
            await create(body)
        profiler.stop()
    session = profiler.last_session
    assert session is not None
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.suffix == ".pyisession":  # pyinstrument --load FILE renders it any way later
        session.save(str(target))
        return
    folded = _folded(session)
    # The text tree always, beside an HTML profile: it reads in a review and a diff.
    text = ConsoleRenderer(unicode=True).render(folded)
    target.with_suffix(".txt").write_text(text, encoding="utf-8")
    if target.suffix != ".txt":
        target.write_text(HTMLRenderer().render(folded), encoding="utf-8")


def _folded(session: ProfileSession) -> ProfileSession:
    """The profile as the docs keep it: file paths relative to where they were imported from,
    and the frames inside a library folded into the library call cad110 made (their time
    stays with it: `Session.flush` holds all of the flush), identical stacks summed. A
    profile of a hundred creates then fits in a few hundred kilobytes instead of ten
    megabytes, and reads the same in its call tree; its timeline is lost."""
    roots = sorted((p.rstrip("/") + "/" for p in sys.path if p), key=len, reverse=True)

    def relative(frame: str) -> str:
        name, _, rest = frame.partition("\x00")
        for root in roots:
            if rest.startswith(root):
                rest = rest[len(root) :]
                break
        # The line being run, an attribute per sample, would split one call into many.
        return _LINE.sub("", f"{name}\x00{rest}" if rest else name)

    summed: dict[tuple[str, ...], float] = {}
    for stack, seconds in session.frame_records:
        kept: list[str] = []
        after_ours = True
        for frame in map(relative, stack):
            ours = "\x00cad110/" in frame
            if ours or after_ours:
                kept.append(frame)
            after_ours = ours
        key = tuple(kept)
        summed[key] = summed.get(key, 0.0) + seconds
    session.frame_records = [(list(stack), seconds) for stack, seconds in summed.items()]
    session.start_call_stack = [relative(frame) for frame in session.start_call_stack]
    # Nor where this machine keeps its files: the paths are relative already.
    session.target_description = "cad110 bench intake-profile"
    session.sys_path, session.sys_prefixes = [], []
    return session
