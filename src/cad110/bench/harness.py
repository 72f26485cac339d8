"""The moving parts of `cad110 bench intake`: request bodies, the real server, HTTP load, and
the raw single-transaction floor the API is compared against."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from time import perf_counter
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import Connection, Engine, Table, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from cad110.db.base import Base
from cad110.events.keys import signing_ring
from cad110.events.log import GENESIS, canonical_json, event_hash
from cad110.settings import get_settings, server_options

CITY, DISTRICT = "350100", "350102"
# The API's incidents fall in STATION; the raw baseline writes RAW_STATION's, so that the two
# number sequences (jurisdiction + local day) never collide.
STATION, RAW_STATION = "35010201", "35010202"
GRID, RAW_GRID = "3501020101", "3501020201"
USERNAME = "bench-calltaker"
CREATE_PATH = "/api/v1/incidents"
# A create still unanswered after this long has failed (and counts as such).
REQUEST_TIMEOUT_S = 60.0

_NAMES = ("张三", "李四", "王五", "赵六", "陈静", "林芳", "黄磊", "吴敏")
_NARRATIVES = (
    "电动车在小区楼下被盗，车锁被剪断",
    "手机在公交车上被偷，发现时车已到站",
    "店内收银台现金被盗，监控拍到一名男子",
    "停在路边的自行车不见了，约半小时前还在",
)


def box(west: float, east: float) -> str:
    """A GeoJSON rectangle from `west` to `east`, 26.06°N to 26.10°N."""
    ring = [[west, 26.06], [east, 26.06], [east, 26.10], [west, 26.10], [west, 26.06]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


PATHS = {
    CITY: f"{CITY}/",
    DISTRICT: f"{CITY}/{DISTRICT}/",
    STATION: f"{CITY}/{DISTRICT}/{STATION}/",
    RAW_STATION: f"{CITY}/{DISTRICT}/{RAW_STATION}/",
}
# station code → (name, grid code, west edge); each station is one grid 0.02° wide.
STATIONS = {STATION: ("鼓东派出所", GRID, 119.28), RAW_STATION: ("鼓西派出所", RAW_GRID, 119.30)}


def incident_body(i: int) -> dict[str, Any]:
    """A realistic 接警+受理 request; its point lies inside STATION's grid."""
    return {
        "caller_phone": f"139{(50_000_000 + i) % 100_000_000:08d}",
        "caller_name": _NAMES[i % len(_NAMES)],
        "address": f"鼓楼区东街{i % 300 + 1}号",
        "lon": round(119.2805 + (i % 97) * 0.0002, 6),
        "lat": round(26.0605 + (i % 193) * 0.0002, 6),
        "narrative": _NARRATIVES[i % len(_NARRATIVES)],
        "category": "theft",
        "accept": True,
    }


def encoded_bodies(start: int, count: int) -> list[bytes]:
    """Request bodies encoded up front, so the client spends its CPU on sending them."""
    return [
        json.dumps(incident_body(i), ensure_ascii=False).encode()
        for i in range(start, start + count)
    ]


# --- the server -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass(frozen=True)
class Server:
    base_url: str
    pid: int


def uvicorn_flags(options: dict[str, Any]) -> list[str]:
    """`uvicorn.run`'s keyword options as its command line says them: a bench measures the
    server as `cad110 serve` runs it."""
    flags = []
    for key, value in options.items():
        name = key.replace("_", "-")
        if isinstance(value, bool):
            flags.append(f"--{name}" if value else f"--no-{name}")
        else:
            flags += [f"--{name}", str(value)]
    return flags


@contextmanager
def api_server(
    url: str,
    log_path: Path,
    *,
    start_timeout: float = 60.0,
    extra_env: dict[str, str] | None = None,
    workers: int = 1,
    app: str = "cad110.serve:app",
) -> Iterator[Server]:
    """`uvicorn cad110.serve:app` (or `app`) in a subprocess on a free loopback port, until the
    block ends; `extra_env` adds settings (CAD110_*) for that server only; `workers` processes
    serve."""
    port = _free_port()
    env = {**os.environ, **(extra_env or {}), "CAD110_DATABASE_URL": url}
    command = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1"]
    command += ["--port", str(port), "--log-level", "warning", "--workers", str(workers)]
    command += uvicorn_flags(server_options(get_settings()))
    with log_path.open("wb") as log:
        proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited ({proc.returncode}):\n{_tail(log_path)}")
            try:
                if httpx.get(base_url + "/healthz", timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer /healthz:\n{_tail(log_path)}")
            time.sleep(0.1)
        yield Server(base_url=base_url, pid=proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _tail(path: Path, chars: int = 4000) -> str:
    return path.read_text(errors="replace")[-chars:]


# --- HTTP load ------------------------------------------------------------------------------


@dataclass
class LoadRun:
    """Latencies of the successful creates (seconds), failures, and the run's wall time."""

    latencies_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall_s: float = 0.0

    @property
    def created(self) -> int:
        return len(self.latencies_s)

    def fail(self, what: str) -> None:
        self.errors.append(what)


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


async def _post(client: httpx.AsyncClient, body: bytes, run: LoadRun, started: float) -> None:
    try:
        response = await client.post(CREATE_PATH, content=body)
    except httpx.HTTPError as exc:
        run.fail(f"{exc.__class__.__name__}: {exc}")
        return
    if response.status_code == 201:
        run.latencies_s.append(perf_counter() - started)
    else:
        run.fail(f"HTTP {response.status_code}: {response.text[:300]}")


@contextmanager
def no_collector_pauses() -> Iterator[None]:
    """Keep the load generator's own garbage collector out of the figures: a full collection
    of this process (it holds every body and latency) stalls its event loop for 100-250 ms,
    which would be counted as the server's latency. Collected before, frozen and off during
    a timed run, back on after."""
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()


async def closed_loop(
    base_url: str, token: str, bodies: Sequence[bytes], concurrency: int
) -> LoadRun:
    """`concurrency` clients, each sending its next request as soon as the last one is answered."""
    run = LoadRun()
    pending = iter(bodies)
    clients = [
        httpx.AsyncClient(base_url=base_url, headers=_headers(token), timeout=REQUEST_TIMEOUT_S)
        for _ in range(concurrency)
    ]
    try:
        # Connect every client before the clock starts.
        await asyncio.gather(*(c.get("/healthz") for c in clients))

        async def worker(client: httpx.AsyncClient) -> None:
            for body in pending:  # one shared iterator: each body is sent once
                await _post(client, body, run, perf_counter())

        with no_collector_pauses():
            started = perf_counter()
            await asyncio.gather(*(worker(c) for c in clients))
            run.wall_s = perf_counter() - started
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    return run


async def open_loop(base_url: str, token: str, bodies: Sequence[bytes], rate: float) -> LoadRun:
    """Requests sent on a fixed schedule (`rate` per second) whether or not earlier ones are done.

    Latency counts from the scheduled send time, so a stalled server cannot hide its queue.
    """
    run = LoadRun()
    limits = httpx.Limits(max_connections=1024, max_keepalive_connections=1024)
    async with httpx.AsyncClient(
        base_url=base_url, headers=_headers(token), timeout=REQUEST_TIMEOUT_S, limits=limits
    ) as client:
        await asyncio.gather(*(client.get("/healthz") for _ in range(8)))
        run.wall_s = await on_schedule(
            len(bodies), rate, lambda k, due: _post(client, bodies[k], run, due)
        )
    return run


async def on_schedule(
    count: int, rate: float, send: Callable[[int, float], Coroutine[Any, Any, None]]
) -> float:
    """`send(k, due)` for k in 0…count-1, each started at its due time (`rate` per second)
    whether or not the earlier ones are answered; the seconds until the last is answered.
    The load generator's collector is kept out of the run (no_collector_pauses)."""
    with no_collector_pauses():
        tasks: list[asyncio.Task[None]] = []
        start = perf_counter() + 0.01
        for k in range(count):
            due = start + k / rate
            delay = due - perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(send(k, due)))
        await asyncio.gather(*tasks)
        return perf_counter() - start


# --- the raw floor ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RawIncident:
    """Everything one 接警+受理 writes, computed before the clock starts."""

    incident: dict[str, Any]
    call: dict[str, Any]
    incident_events: tuple[dict[str, Any], dict[str, Any]]
    call_event: tuple[datetime, str]  # its subject_id (and so its hash) needs the call's id


def _event(
    subject_type: str, subject_id: str, seq: int, kind: str, at: datetime, payload: str, prev: str
) -> dict[str, Any]:
    # Signed with the audit key like the API's events, so that both sides do the same work.
    key = signing_ring().current
    return {
        "subject_type": subject_type,
        "subject_id": subject_id,
        "seq": seq,
        "kind": kind,
        "occurred_at": at,
        "actor": USERNAME,
        "payload": payload,
        "prev_hash": prev,
        "hash": event_hash(
            prev_hash=prev,
            subject_type=subject_type,
            subject_id=subject_id,
            seq=seq,
            kind=kind,
            occurred_at=at,
            actor=USERNAME,
            payload=payload,
            key=key,
        ),
        "key_id": key.id,
    }


def _head(event: dict[str, Any]) -> dict[str, Any]:
    return {
        "subject_type": event["subject_type"],
        "subject_id": event["subject_id"],
        "seq": event["seq"],
        "hash": event["hash"],
        "updated_at": event["occurred_at"],
    }


def _tables() -> tuple[Table, Table, Table, Table]:
    t = Base.metadata.tables
    return t["incidents"], t["calls"], t["events"], t["incident_sequences"]


def _heads() -> Table:
    return Base.metadata.tables["event_heads"]


def raw_prefix(at: datetime, tz: ZoneInfo) -> str:
    return f"{RAW_STATION}-{at.astimezone(tz):%Y%m%d}"


def raw_incidents(count: int, *, at: datetime, tz: ZoneInfo) -> list[RawIncident]:
    """The rows the API writes per incident (same values, in RAW_STATION), precomputed."""
    prefix = raw_prefix(at, tz)
    return [raw_incident(incident_body(i), f"{prefix}-{i + 1:04d}", at) for i in range(count)]


def raw_incident(body: dict[str, Any], number: str, at: datetime) -> RawIncident:
    """The rows the API writes for the 接警+受理 `body` as incident `number`, in RAW_STATION."""
    path = PATHS[RAW_STATION]
    lon = round(body["lon"] + 0.02, 6)
    received = canonical_json(
        {
            "source": "call_110",
            "caller_name": body["caller_name"],
            "caller_phone": body["caller_phone"],
            "address": body["address"],
            "lon": lon,
            "lat": body["lat"],
            "jurisdiction": RAW_STATION,
            "grid": RAW_GRID,
            "narrative": body["narrative"],
            "tags": [],
            "category": "theft",
            "grade": 2,
            "received_at": at.isoformat(),
        }
    )
    accepted = canonical_json(
        {"address": None, "category": "theft", "grade": 2, "lat": None, "lon": None, "note": ""}
    )
    first = _event("incident", number, 1, "received", at, received, GENESIS)
    second = _event("incident", number, 2, "accept", at, accepted, first["hash"])
    call_payload = canonical_json(
        {
            "outcome": "incident_created",
            "caller_phone": body["caller_phone"],
            "caller_name": body["caller_name"],
            "answered_at": at.isoformat(),
            "duration_s": None,
            "incident": number,
            "note": "",
        }
    )
    return RawIncident(
        incident={
            "number": number,
            "source": "call_110",
            "caller_name": body["caller_name"],
            "caller_phone": body["caller_phone"],
            "address": body["address"],
            "lon": lon,
            "lat": body["lat"],
            "jurisdiction_code": RAW_STATION,
            "jurisdiction_path": path,
            "grid_code": RAW_GRID,
            "narrative": body["narrative"],
            "tags": [],
            "category_code": "theft",
            "grade": 2,
            "status": "accepted",
            "outcome": {},
            "created_by": USERNAME,
            "received_at": at,
            "accepted_at": at,
            "version": 2,
        },
        call={
            "caller_phone": body["caller_phone"],
            "caller_name": body["caller_name"],
            "answered_at": at,
            "duration_s": None,
            "calltaker": USERNAME,
            "outcome": "incident_created",
            "jurisdiction_path": path,
            "note": "",
        },
        incident_events=(first, second),
        call_event=(at, call_payload),
    )


class RawStatements:
    """The Core statements of one raw 接警+受理 transaction, built once for many.

    Per incident: the sequence bump (one upsert … RETURNING), the incident row in its final
    state, the call row, the three events (received, call.recorded, accept), signed with the
    audit key, and the two chain heads (incident and call)."""

    def __init__(self, dialect: str, prefix: str) -> None:
        incidents, calls, events, sequences = _tables()
        dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        self._bump = (
            dialect_insert(sequences)
            .values(prefix=prefix, last=1)
            .on_conflict_do_update(
                index_elements=[sequences.c.prefix], set_={"last": sequences.c.last + 1}
            )
            .returning(sequences.c.last)
        )
        self._incident = insert(incidents).returning(incidents.c.id)
        self._call = insert(calls).returning(calls.c.id)
        self._events = insert(events)
        self._heads = insert(_heads())

    def bump(self, conn: Connection) -> int:
        """The next number of the prefix's sequence."""
        last: int = conn.execute(self._bump).scalar_one()
        return last

    def write(self, conn: Connection, row: RawIncident) -> None:
        """The incident, its call, their events and chain heads (after `bump`)."""
        incident_id = conn.execute(self._incident, row.incident).scalar_one()
        call_id = str(
            conn.execute(self._call, {**row.call, "incident_id": incident_id}).scalar_one()
        )
        at, payload = row.call_event
        call_event = _event("call", call_id, 1, "call.recorded", at, payload, GENESIS)
        conn.execute(self._events, [*row.incident_events, call_event])
        conn.execute(self._heads, [_head(row.incident_events[1]), _head(call_event)])


def raw_inserts(engine: Engine, rows: Sequence[RawIncident], *, prefix: str) -> float:
    """Write `rows` through SQLAlchemy Core, one transaction each (RawStatements), on one
    connection; wall time."""
    statements = RawStatements(engine.dialect.name, prefix)
    with engine.connect() as conn:
        started = perf_counter()
        for k, row in enumerate(rows, start=1):
            with conn.begin():
                last = statements.bump(conn)
                if last != k:
                    raise RuntimeError(
                        f"raw sequence at {last}, expected {k}: not a fresh database?"
                    )
                statements.write(conn, row)
        return perf_counter() - started


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows an incident create touches: incidents, calls, their events, sequence bumps."""
    incidents, calls, events, sequences = _tables()
    with engine.connect() as conn:
        return {
            "incidents": conn.execute(select(func.count()).select_from(incidents)).scalar_one(),
            "calls": conn.execute(select(func.count()).select_from(calls)).scalar_one(),
            "events": conn.execute(
                select(func.count())
                .select_from(events)
                .where(events.c.subject_type.in_(["incident", "call"]))
            ).scalar_one(),
            "sequence bumps": conn.execute(
                select(func.coalesce(func.sum(sequences.c.last), 0))
            ).scalar_one(),
        }
