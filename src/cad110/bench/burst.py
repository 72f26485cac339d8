"""`cad110 bench burst`: 110 intake at a fixed rate while dispatch boards reload and logins are
flooded, then at several times that rate.

On PostgreSQL (a fresh database on the server) against the real server (`uvicorn
cad110.serve:app`, `workers` processes), two phases of `seconds` each:

1. intake offered open-loop at `rate` creates/s (latency from the scheduled send time), while
   `readers` dispatchers each reload the board's rows (`GET /board/rows`, what a board fetches
   on a change) once a second, and `flooders` clients post wrong passwords to /login, each
   from a new address;
2. the same at `factor` × `rate`: past what the server can take, it must answer 503 with
   Retry-After at once (api/admission.py) rather than let every answer run late.

Then the record is checked against what the client was told: each create answered 201 wrote
one incident with its call, each refused (503) or failed wrote none, and no incident is there
twice. Targets (issue 16): at `rate`, intake p99 < 50 ms and board p99 < 300 ms with nothing
refused or failed; at `factor` × `rate`, refusals with Retry-After and no half-written or
duplicate incident.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import secrets
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.queues import Queue
from pathlib import Path
from time import perf_counter, sleep
from typing import cast

import httpx
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from cad110.accounts.service import add_user
from cad110.auth.sessions import COOKIE
from cad110.bench import harness
from cad110.bench.flooders import READY, flood_process
from cad110.bench.intake import Latency, _pg_database, _pg_server_url, _pg_unreachable
from cad110.bench.login import REAL_NAMES, UNKNOWN_NAMES, WARM_UP, world_with_accounts
from cad110.clock import SystemClock
from cad110.db.engine import make_engine, make_sessionmaker, transaction
from cad110.db.migrate import upgrade
from cad110.kernel.inputs import normalize_phone
from cad110.models.call import Call
from cad110.models.incident import Incident
from cad110.models.jurisdiction import AreaType, Grid, Jurisdiction, Level
from cad110.models.user import Role

INTAKE_P99_MS = 50.0
BOARD_P99_MS = 300.0
READER = "bench-dispatcher"
READER_PASSWORD = secrets.token_urlsafe(16)
# Each board reloads its rows this often.
READ_EVERY_S = 1.0
RAMP_S = 1.0
# Stations the burst's calls are spread over, each STATION_WIDTH degrees wide.
STATIONS = 16
STATION_WIDTH = 0.01
# The intake bench's district starts here; its two stations take the first 0.04°.
DISTRICT_WEST = 119.28
# Connection pools the intake client spreads its requests over (32 connections each).
POOLS = 64


@dataclass
class Sent:
    """What the intake client was told, by body index."""

    created: list[int] = field(default_factory=list)
    refused: list[int] = field(default_factory=list)  # 503 with Retry-After
    failed: dict[int, str] = field(default_factory=dict)  # anything else
    latencies_s: list[float] = field(default_factory=list)  # of the 201s


@dataclass(frozen=True)
class BurstPhase:
    name: str
    rate: float
    sent: int
    created: int
    refused: int
    failed: int
    intake: Latency
    board: Latency
    board_refused: int
    logins: dict[str, int]
    duplicates: int
    half_written: int
    refused_written: int


@dataclass
class BurstResult:
    workers: int
    phases: list[BurstPhase] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: str | None = None


def run_burst_bench(
    console: Console,
    *,
    rate: float = 60.0,
    seconds: float = 60.0,
    factor: float = 5.0,
    readers: int = 10,
    flooders: int = 8,
    workers: int = 1,
    pg_url: str | None = None,
    server_env: dict[str, str] | None = None,
) -> BurstResult:
    """Both phases on one server (`server_env`: settings for it, e.g. CAD110_ADMIT_WRITES);
    print the table and return the figures."""
    if rate <= 0 or seconds <= 0 or factor <= 1 or readers < 0 or flooders < 0 or workers < 1:
        raise ValueError("rate, seconds, workers must be positive; factor above 1")
    result = BurstResult(workers)
    server_url = _pg_server_url(pg_url)
    reason = _pg_unreachable(server_url)
    if reason is not None:
        result.skipped = f"PostgreSQL not reachable ({reason})"
        console.print(f"[yellow]{result.skipped}[/yellow]")
        return result
    phases = [("at the rate", rate), (f"at {factor:g}×", rate * factor)]
    counts = [max(1, round(r * seconds)) for _n, r in phases]
    bodies = _bodies(WARM_UP + sum(counts))
    with (
        tempfile.TemporaryDirectory(prefix="cad110-burst-") as tmp,
        _pg_database(server_url) as url,
    ):
        console.print("burst: migrating and building the world…")
        upgrade(url)
        token = _world(url)
        log = Path(tmp) / "server.log"
        with harness.api_server(url, log, workers=workers, extra_env=server_env) as server:
            asyncio.run(harness.closed_loop(server.base_url, token, bodies[:WARM_UP], 2))
            # Logged in before any flood: under one, logins wait or are refused (as they should).
            sessions = [_login(server.base_url) for _ in range(readers)]
            first = WARM_UP
            for (name, phase_rate), count in zip(phases, counts, strict=True):
                console.print(f"burst: {name}, {phase_rate:g} creates/s for {seconds:g} s…")
                batch = range(first, first + count)
                result.phases.append(
                    _phase(
                        name,
                        phase_rate,
                        server.base_url,
                        token,
                        bodies,
                        batch,
                        result,
                        sessions,
                        flooders,
                        url,
                    )
                )
                first += count
    print_burst(console, result)
    return result


def _west(k: int) -> float:
    """The west edge of the burst's k-th station (east of the intake bench's two)."""
    return round(DISTRICT_WEST + 0.04 + k * STATION_WIDTH, 4)


def _bodies(count: int) -> list[bytes]:
    """The intake bench's bodies, their points spread over the burst's stations in turn."""
    found = []
    for i in range(count):
        body = harness.incident_body(i)
        body["lon"] = round(_west(i % STATIONS) + STATION_WIDTH / 2 + (i % 7) * 0.0003, 6)
        found.append(json.dumps(body, ensure_ascii=False).encode())
    return found


def _login(base_url: str) -> dict[str, str]:
    """A dispatcher's console session: its cookies."""
    with httpx.Client(base_url=base_url, timeout=harness.REQUEST_TIMEOUT_S) as client:
        answer = client.post("/login", data={"username": READER, "password": READER_PASSWORD})
        if answer.status_code >= 400 or COOKIE not in client.cookies:
            raise RuntimeError(f"the board reader could not log in ({answer.status_code})")
        return dict(client.cookies)


def _world(url: str) -> str:
    """The login bench's world (the intake bench's, and accounts for the flood to guess at)
    grown to a district of STATIONS stations side by side (calls spread over them, as a
    city's are: each station numbers its own incidents, one at a time), and a dispatcher
    whose boards reload."""
    token = world_with_accounts(url)
    engine = make_engine(url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            district = session.get(Jurisdiction, harness.DISTRICT)
            assert district is not None
            district.boundary = harness.box(DISTRICT_WEST, _west(STATIONS))
            for k in range(STATIONS):
                code = f"{harness.DISTRICT}{k + 10:02d}"
                box = harness.box(_west(k), _west(k + 1))
                session.add(
                    Jurisdiction(
                        code=code,
                        parent_code=harness.DISTRICT,
                        level=Level.STATION,
                        name_zh=f"测试{k + 1}所",
                        name_en=code,
                        path=f"{harness.PATHS[harness.DISTRICT]}{code}/",
                        area_type=AreaType.URBAN,
                        boundary=box,
                    )
                )
                session.flush()
                grid = f"{code}01"
                session.add(
                    Grid(code=grid, station_code=code, name_zh=grid, name_en=grid, boundary=box)
                )
            add_user(
                session,
                username=READER,
                password=READER_PASSWORD,
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
    rate: float,
    base_url: str,
    token: str,
    bodies: list[bytes],
    batch: range,
    result: BurstResult,
    sessions: list[dict[str, str]],
    flooders: int,
    url: str,
) -> BurstPhase:
    names = [n for pair in zip(REAL_NAMES * 100, UNKNOWN_NAMES, strict=False) for n in pair]
    duration = RAMP_S + len(batch) / rate + RAMP_S
    context = multiprocessing.get_context("spawn")
    out: Queue[object] = context.Queue()
    flood = context.Process(
        target=flood_process, args=(base_url, names, flooders, duration, True, out), daemon=True
    )
    if flooders:
        flood.start()
    try:
        if flooders and out.get(timeout=120) != READY:
            raise RuntimeError("the login flooders did not start")
        sleep(RAMP_S if flooders else 0)
        sent, board, board_refused, board_failed = asyncio.run(
            _load(base_url, token, bodies, batch, rate, sessions)
        )
        logins: dict[str, int] = {}
        if flooders:
            logins, _seconds = cast(tuple[dict[str, int], float], out.get(timeout=duration + 120))
    finally:
        if flooders:
            flood.join(timeout=30)
            if flood.is_alive():
                flood.kill()
    if sent.failed:
        kinds = Counter(e[:120] for e in sent.failed.values()).most_common(2)
        result.notes.append(f"{name}: {len(sent.failed)} creates failed: {kinds}")
    if board_failed:
        kinds = Counter(e[:120] for e in board_failed).most_common(2)
        result.notes.append(f"{name}: {len(board_failed)} board reads failed: {kinds}")
    duplicates, half, refused_written = _check(url, bodies, sent)
    return BurstPhase(
        name=name,
        rate=rate,
        sent=len(batch),
        created=len(sent.created),
        refused=len(sent.refused),
        failed=len(sent.failed),
        intake=Latency.of(sent.latencies_s, len(sent.failed)),
        board=Latency.of(board, len(board_failed)),
        board_refused=board_refused,
        logins=logins,
        duplicates=duplicates,
        half_written=half,
        refused_written=refused_written,
    )


async def _load(
    base_url: str,
    token: str,
    bodies: list[bytes],
    batch: range,
    rate: float,
    sessions: list[dict[str, str]],
) -> tuple[Sent, list[float], int, list[str]]:
    """Intake open-loop at `rate` while a board per session in `sessions` reloads; returns
    what intake was told, the board reads' latencies, and how many board reads were refused."""
    readers = len(sessions)
    sent = Sent()
    board: list[float] = []
    board_failed: list[str] = []
    refused = 0
    stop = asyncio.Event()
    # Many small connection pools, not one large one: httpcore matches each request against
    # every connection of its pool, which at hundreds outstanding costs the client more CPU
    # than the server spends (the client then times itself, not the server).
    limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    async def create(client: httpx.AsyncClient, i: int, due: float) -> None:
        try:
            response = await client.post(harness.CREATE_PATH, content=bodies[i])
        except httpx.HTTPError as exc:
            sent.failed[i] = f"{exc.__class__.__name__}: {exc}"
            return
        if response.status_code == 201:
            sent.created.append(i)
            sent.latencies_s.append(perf_counter() - due)
        elif response.status_code == 503 and response.headers.get("retry-after"):
            sent.refused.append(i)
        else:
            sent.failed[i] = f"HTTP {response.status_code}: {response.text[:200]}"

    async def reader(client: httpx.AsyncClient, offset: float) -> None:
        nonlocal refused
        await asyncio.sleep(offset)
        while not stop.is_set():
            started = perf_counter()
            try:
                response = await client.get("/board/rows")
            except httpx.HTTPError as exc:
                board_failed.append(f"{exc.__class__.__name__}: {exc}")
                continue
            if response.status_code == 200:
                board.append(perf_counter() - started)
            elif response.status_code == 503:
                refused += 1
            else:
                board_failed.append(f"HTTP {response.status_code}")
            await asyncio.sleep(max(0.0, READ_EVERY_S - (perf_counter() - started)))

    boards = [
        httpx.AsyncClient(base_url=base_url, timeout=harness.REQUEST_TIMEOUT_S, cookies=c)
        for c in sessions
    ]
    clients = [
        httpx.AsyncClient(
            base_url=base_url, headers=headers, timeout=harness.REQUEST_TIMEOUT_S, limits=limits
        )
        for _ in range(POOLS)
    ]
    try:
        reading = [
            asyncio.create_task(reader(b, k * READ_EVERY_S / max(1, readers)))
            for k, b in enumerate(boards)
        ]
        await harness.on_schedule(
            len(batch), rate, lambda k, due: create(clients[k % POOLS], batch[k], due)
        )
        stop.set()
        await asyncio.gather(*reading)
    finally:
        await asyncio.gather(*(c.aclose() for c in [*clients, *boards]))
    return sent, board, refused, board_failed


def _check(url: str, bodies: list[bytes], sent: Sent) -> tuple[int, int, int]:
    """(incidents written twice, created incidents without their call, refused bodies that
    were written anyway), matched by the caller's number each body carries once."""

    def phone(i: int) -> str:
        number = normalize_phone(json.loads(bodies[i])["caller_phone"])
        assert number is not None
        return number

    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            per_phone = Counter(
                {
                    p: n
                    for p, n in session.execute(
                        select(Incident.caller_phone, func.count()).group_by(Incident.caller_phone)
                    )
                    if p is not None
                }
            )
            without_call = session.scalar(
                select(func.count())
                .select_from(Incident)
                .where(~select(Call.id).where(Call.incident_id == Incident.id).exists())
            )
    finally:
        engine.dispose()
    duplicates = sum(1 for n in per_phone.values() if n > 1)
    refused_written = sum(1 for i in sent.refused if per_phone.get(phone(i), 0))
    return duplicates, int(without_call or 0), refused_written


def print_burst(console: Console, result: BurstResult) -> None:
    table = Table(title=f"Intake under a burst, PostgreSQL, {result.workers} worker(s)")
    table.add_column("measure")
    for p in result.phases:
        table.add_column(f"{p.name} ({p.rate:g}/s)", justify="right")

    def row(label: str, cell: object) -> None:
        table.add_row(
            label, *(str(cell(p)) if callable(cell) else str(cell) for p in result.phases)
        )

    row(
        "creates sent / 201 / 503 refused / failed",
        lambda p: f"{p.sent} / {p.created} / {p.refused} / {p.failed}",
    )
    row(
        "intake p50 / p99 / max (201s)",
        lambda p: f"{p.intake.p50_ms:.1f} / {p.intake.p99_ms:.1f} / {p.intake.max_ms:.1f} ms",
    )
    row(
        "board rows p50 / p99 (reads), refused",
        lambda p: (
            f"{p.board.p50_ms:.1f} / {p.board.p99_ms:.1f} ms ({p.board.n}), {p.board_refused}"
        ),
    )
    row("logins answered", lambda p: ", ".join(f"{k}: {v}" for k, v in sorted(p.logins.items())))
    row(
        "duplicates / half-written / refused yet written",
        lambda p: f"{p.duplicates} / {p.half_written} / {p.refused_written}",
    )
    console.print(table)
    for note in result.notes:
        console.print(f"  note: {note}")
    if result.phases:
        first = result.phases[0]
        met = (
            first.failed == 0
            and first.refused == 0
            and first.intake.p99_ms < INTAKE_P99_MS
            and first.board.p99_ms < BOARD_P99_MS
        )
        console.print(
            f"  target at the rate (intake p99 < {INTAKE_P99_MS:g} ms, board p99 < "
            f"{BOARD_P99_MS:g} ms, none refused or failed): {'MET' if met else 'NOT MET'}"
        )
        whole = all(
            p.duplicates == 0 and p.half_written == 0 and p.refused_written == 0
            for p in result.phases
        )
        console.print(
            f"  record whole (no duplicate, half-written or refused-yet-written): "
            f"{'MET' if whole else 'NOT MET'}"
        )
