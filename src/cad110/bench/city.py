"""What the page benchmarks share: the demo city in a throwaway SQLite file with one console
account, and timed GETs against the real server."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path
from time import perf_counter

import httpx

from cad110.accounts.service import add_user
from cad110.bench.harness import no_collector_pauses
from cad110.clock import SystemClock
from cad110.db.engine import transaction
from cad110.db.migrate import upgrade
from cad110.kernel.runtime import Runtime
from cad110.models.user import Role
from cad110.runtime import build_runtime
from cad110.seed.demo import seed_demo
from cad110.settings import Settings

_seeded: Path | None = None  # this process's seeded demo city, copied for each bench


def _seeded_city() -> Path:
    """A freshly seeded demo city file, made once per process: seeding (a hundred argon2
    hashes, tens of thousands of addresses) takes longer than most benches it serves."""
    global _seeded
    if _seeded is None or not _seeded.exists():
        folder = Path(tempfile.mkdtemp(prefix="cad110-demo-city-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        path = folder / "demo.db"
        url = f"sqlite:///{path}"
        upgrade(url)
        rt = build_runtime(Settings(database_url=url, supervision_loop=False), clock=SystemClock())
        with transaction(rt.sessions) as session:
            seed_demo(session, now=rt.clock.now())
        rt.engine.dispose()  # checkpoints the WAL: the file alone is the whole database
        _seeded = path
    return _seeded


def demo_city(
    folder: Path, name: str, *, username: str, password: str, role: Role
) -> tuple[str, Runtime]:
    """(database url, runtime) of a fresh demo city with a city-level `role` account."""
    target = folder / f"{name}.db"
    shutil.copyfile(_seeded_city(), target)
    url = f"sqlite:///{target}"
    rt = build_runtime(Settings(database_url=url, supervision_loop=False), clock=SystemClock())
    with transaction(rt.sessions) as session:
        add_user(
            session,
            username=username,
            password=password,
            role=role,
            jurisdiction_code="350100",
            now=rt.clock.now(),
            actor="bench",
        )
    return url, rt


def time_gets(client: httpx.Client, path: str, requests: int) -> tuple[list[float], httpx.Response]:
    """Milliseconds of `requests` GETs of `path`, sorted; and the last response. This
    process's own collector is kept out of them (it holds the whole demo city it filled)."""
    timings = []
    response = None
    with no_collector_pauses():
        for _ in range(requests):
            started = perf_counter()
            response = client.get(path)
            response.raise_for_status()
            timings.append((perf_counter() - started) * 1000)
    assert response is not None
    return sorted(timings), response


def time_first_then(
    client: httpx.Client, path: str, requests: int
) -> tuple[float, list[float], httpx.Response]:
    """Milliseconds of the first GET of `path` on its own (the server's first of it: its
    template compiled, its statements prepared), then of `requests` more, sorted."""
    started = perf_counter()
    client.get(path).raise_for_status()
    first = (perf_counter() - started) * 1000
    timings, response = time_gets(client, path, requests)
    return first, timings, response


def p99(sorted_ms: list[float]) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, int(len(sorted_ms) * 0.99))]
