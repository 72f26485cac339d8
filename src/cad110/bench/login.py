"""`cad110 bench login-flood`: 110 intake at a fixed rate while logins are flooded.

On SQLite in a temporary directory, against the real server (`uvicorn cad110.serve:app`):

1. intake alone: `rate` creates/s offered open-loop for `seconds` (p50/p99/max from the
   scheduled send time);
2. the same, while `flooders` clients post wrong passwords to /login as fast as they are
   answered, against real and unknown names, all from one address (what the per-address
   throttle meets first);
3. the same again, each login from a new address (X-Forwarded-For, which uvicorn believes from
   the loopback by default), as from many machines: the throttle sees each address once, so
   what holds intake is that passwords are hashed in their own small pool with a bounded queue.

The flooders run in their own process, so that their client work does not slow the intake
client. Every 401 is exactly one password hashed; a 429 hashed nothing.
Target (issue 9): intake p99 under a flood close to intake alone.
"""

from __future__ import annotations

import asyncio
import math
import multiprocessing
import secrets
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.queues import Queue
from pathlib import Path
from time import sleep
from typing import cast

from rich.console import Console
from rich.table import Table

from cad110.accounts.service import add_user
from cad110.bench import harness
from cad110.bench.flooders import READY, flood_process
from cad110.bench.intake import Latency, build_world
from cad110.clock import SystemClock
from cad110.db.engine import make_engine, make_sessionmaker, transaction
from cad110.db.migrate import upgrade
from cad110.models.user import Role
from cad110.settings import Settings

# Real accounts the flooders guess at, beside as many names that have none.
REAL_NAMES = tuple(f"bench-officer-{n}" for n in range(1, 5))
UNKNOWN_NAMES = tuple(f"ghost-{n}" for n in range(400))
# Flooders start this long before intake is timed, and stop this long after.
RAMP_S = 1.0
# Creates sent before any phase, so that no phase pays for a cold server.
WARM_UP = 8


@dataclass(frozen=True)
class Phase:
    name: str
    intake: Latency
    sent: int
    created: int
    # Login answers by kind: "401", "429 wait", "429 locked", or another status.
    logins: dict[str, int] = field(default_factory=dict)
    login_seconds: float = 0.0


@dataclass
class LoginFloodResult:
    rate: float
    seconds: float
    flooders: int
    hash_workers: int
    phases: list[Phase] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


PHASES = (
    ("intake alone", None),
    ("flood, one address", False),
    ("flood, a new address per login", True),
)


def run_login_flood_bench(
    console: Console, *, rate: float = 10.0, seconds: float = 20.0, flooders: int = 8
) -> LoginFloodResult:
    """Run the three phases on one server, print the table, and return the figures."""
    if rate <= 0 or seconds <= 0 or flooders < 1:
        raise ValueError("rate, seconds and flooders must be positive")
    result = LoginFloodResult(rate, seconds, flooders, Settings().login_hash_workers)
    count = max(1, round(rate * seconds))
    bodies = harness.encoded_bodies(0, WARM_UP + len(PHASES) * count)
    with tempfile.TemporaryDirectory(prefix="cad110-bench-login-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'login.db'}"
        console.print("login-flood: migrating and building the world…")
        upgrade(url)
        token = world_with_accounts(url)
        console.print("login-flood: starting uvicorn cad110.serve:app…")
        with harness.api_server(url, Path(tmp) / "server.log") as server:
            asyncio.run(harness.closed_loop(server.base_url, token, bodies[:WARM_UP], 2))
            for k, (name, spread) in enumerate(PHASES):
                batch = bodies[WARM_UP + k * count : WARM_UP + (k + 1) * count]
                console.print(f"login-flood: {name}, intake {rate:g}/s for {seconds:g} s…")
                result.phases.append(_phase(name, server.base_url, token, batch, spread, result))
    print_login_flood(console, result)
    return result


def world_with_accounts(url: str) -> str:
    """The intake bench's world, and a few real accounts for the flooders to guess at."""
    token = build_world(url, now=SystemClock().now())
    engine = make_engine(url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            for username in REAL_NAMES:
                add_user(
                    session,
                    username=username,
                    password=secrets.token_urlsafe(16),
                    role=Role.DISPATCHER,
                    jurisdiction_code=harness.CITY,
                    now=SystemClock().now(),
                    actor="bench",
                )
    finally:
        engine.dispose()
    return token


def _phase(
    name: str,
    base_url: str,
    token: str,
    bodies: list[bytes],
    spread: bool | None,
    result: LoginFloodResult,
) -> Phase:
    rate = result.rate
    if spread is None:
        run = asyncio.run(harness.open_loop(base_url, token, bodies, rate))
        return Phase(name, Latency.of(run.latencies_s, len(run.errors)), len(bodies), run.created)
    names = [n for pair in zip(REAL_NAMES * 100, UNKNOWN_NAMES, strict=False) for n in pair]
    duration = RAMP_S + len(bodies) / rate + RAMP_S
    context = multiprocessing.get_context("spawn")
    out: Queue[object] = context.Queue()
    flood = context.Process(
        target=flood_process,
        args=(base_url, names, result.flooders, duration, spread, out),
        daemon=True,
    )
    flood.start()
    try:
        if out.get(timeout=120) != READY:
            raise RuntimeError("the login flooders did not start")
        sleep(RAMP_S)  # the flood at full speed before intake is timed
        run = asyncio.run(harness.open_loop(base_url, token, bodies, rate))
        answered = out.get(timeout=duration + 120)
    finally:
        flood.join(timeout=30)
        if flood.is_alive():
            flood.kill()
    logins, login_seconds = cast(tuple[dict[str, int], float], answered)
    if run.errors:
        kinds = Counter(e[:120] for e in run.errors).most_common(2)
        result.notes.append(f"{name}: {len(run.errors)} creates failed: {kinds}")
    return Phase(
        name,
        Latency.of(run.latencies_s, len(run.errors)),
        len(bodies),
        run.created,
        logins,
        login_seconds,
    )


def print_login_flood(console: Console, result: LoginFloodResult) -> None:
    table = Table(
        title=(
            f"Login flood bench — sqlite: intake at {result.rate:g}/s for {result.seconds:g} s, "
            f"{result.flooders} flooders, {result.hash_workers} hash worker(s)"
        ),
        title_justify="left",
    )
    table.add_column("measure")
    for p in result.phases:
        table.add_column(p.name, justify="right")

    def logins(p: Phase, kind: str) -> str:
        if not p.login_seconds:
            return "—"
        if kind == "other":
            known = ("401", "429 wait", "429 locked")
            return str(sum(n for k, n in p.logins.items() if k not in known))
        if kind == "per s":
            return f"{sum(p.logins.values()) / p.login_seconds:,.0f}"
        return str(p.logins.get(kind, 0))

    rows = {
        "intake p50 / p99 / max, ms": [
            f"{p.intake.p50_ms:.1f} / {p.intake.p99_ms:.1f} / {p.intake.max_ms:.1f}"
            for p in result.phases
        ],
        "incidents created / sent": [f"{p.created} / {p.sent}" for p in result.phases],
        "logins answered 401 (= hashes)": [logins(p, "401") for p in result.phases],
        "logins answered 429, wait": [logins(p, "429 wait") for p in result.phases],
        "logins answered 429, locked": [logins(p, "429 locked") for p in result.phases],
        "logins answered otherwise": [logins(p, "other") for p in result.phases],
        "logins per second": [logins(p, "per s") for p in result.phases],
    }
    for measure, values in rows.items():
        table.add_row(measure, *values)
    console.print(table)
    for note in result.notes:
        console.print(f"  note: {note}")
    alone = result.phases[0].intake.p99_ms if result.phases else math.nan
    for p in result.phases[1:]:
        console.print(
            f"  intake p99 {p.name}: {p.intake.p99_ms:.1f} ms against {alone:.1f} ms alone "
            f"(×{p.intake.p99_ms / alone:.2f})"
        )
