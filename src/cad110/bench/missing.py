"""`cad110 bench missing`: the missing-person loop at a city's scale — opening cases, the tick
over thousands of open cases, and the ledger and case pages served by the real server."""

from __future__ import annotations

import json
import random
import statistics
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from time import perf_counter

import httpx
from rich.console import Console
from rich.table import Table
from shapely.geometry import shape
from sqlalchemy import select

from cad110.auth.principal import Principal
from cad110.bench.city import demo_city, p99, time_first_then
from cad110.bench.harness import api_server
from cad110.db.engine import transaction
from cad110.incidents.intake import create_incident
from cad110.incidents.schemas import IncidentCreate
from cad110.kernel.runtime import Runtime
from cad110.missing.cases import open_case
from cad110.missing.schemas import CaseOpen, Details, InformantIn, LastSeenIn, PersonIn
from cad110.missing.search import publish_appeals
from cad110.missing.watch import tick as missing_tick
from cad110.models.jurisdiction import Grid
from cad110.models.missing import Sex
from cad110.models.user import Role
from cad110.supervision.service import tick as supervision_tick

PASSWORD = "bench-missing-password"  # noqa: S105
CATEGORIES = ("missing_person", "missing_elderly", "missing_child", "missing_mentally_impaired")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林"
GIVEN = ("建国", "秀英", "桂兰", "志强", "丽华", "明", "芳", "伟", "静", "浩然", "子涵", "欣怡")
SCHOOLS = tuple(f"福州市第{n}中学" for n in range(1, 41))


@dataclass(frozen=True)
class MissingFigures:
    cases: int
    opened_per_s: float
    catch_up_s: float
    tick_p50_ms: float
    ledger_p50_ms: float
    ledger_p99_ms: float
    desk_p50_ms: float
    case_p50_ms: float
    # Each path's first GET, timed apart from the rest (the p50s and p99 are of the later ones).
    ledger_first_ms: float
    desk_first_ms: float
    case_first_ms: float


def _fill(rt: Runtime, count: int, days: int, seed: int) -> tuple[float, str]:
    """`count` open cases opened over the last `days`, through the real use cases."""
    rng = random.Random(seed)
    now = rt.clock.now()
    by = Principal.acting_for("350100/", username="bench", role=Role.DISPATCHER)
    started = perf_counter()
    last = ""
    with transaction(rt.sessions) as session:
        points = [
            (round(p.x, 6), round(p.y, 6))
            for p in (
                shape(json.loads(g.boundary)).representative_point()
                for g in session.scalars(select(Grid))
            )
        ]
        for n in range(count):
            at = now - timedelta(seconds=rng.uniform(0, days * 86400))
            ctx = rt.ctx(session, by, at)
            lon, lat = rng.choice(points)
            code = rng.choice(CATEGORIES)
            age = {"missing_elderly": rng.randint(66, 90), "missing_child": rng.randint(4, 13)}.get(
                code, rng.randint(15, 60)
            )
            incident = create_incident(
                ctx,
                IncidentCreate(
                    caller_phone=f"139{n:08d}",
                    address=f"测试地址 {n}",
                    lon=lon,
                    lat=lat,
                    narrative="寻人压力测试",
                    category=code,
                    accept=True,
                ),
                idempotency_key=None,
            )
            case, _ = open_case(
                ctx,
                CaseOpen(
                    incident=incident.number,
                    person=PersonIn(
                        name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                        sex=rng.choice([Sex.MALE, Sex.FEMALE]),
                        age=age,
                        school_or_work=rng.choice(SCHOOLS) if age < 19 else None,
                        conditions=["dementia"]
                        if code == "missing_elderly" and rng.random() < 0.5
                        else [],
                        details=Details(clothing="深色外套"),
                    ),
                    informant=InformantIn(name="报警人", phone=f"138{n:08d}", relation="家属"),
                    last_seen=LastSeenIn(
                        at=at - timedelta(hours=rng.uniform(0.5, 12)),
                        place=f"测试地点 {n}",
                        lon=lon,
                        lat=lat,
                    ),
                ),
            )
            if n % 10 == 0:
                publish_appeals(
                    ctx, case.number, ["wechat_groups"], "", frozenset({"wechat_groups"})
                )
            last = case.number
            if n % 200 == 199:
                session.flush()
    return count / (perf_counter() - started), last


def _tick(rt: Runtime) -> int:
    """One tick as the server runs it; how many things it did."""
    with transaction(rt.sessions) as session:
        now = rt.clock.now()
        watch = missing_tick(rt.system_ctx(session, now))
        report = supervision_tick(session, now=now, settings=rt.settings)
    return watch.fired + watch.reminded + watch.widened + report.opened + report.escalated


def _ticks(rt: Runtime, repeats: int) -> tuple[float, int, list[float]]:
    """Ticks until nothing is left to catch up on (a history opened all at once: every callback
    due in it), then `repeats` ticks of the steady state."""
    started, catch_up = perf_counter(), 0
    while _tick(rt) and catch_up < 10_000:
        catch_up += 1
    first = perf_counter() - started
    timings = []
    for _ in range(repeats):
        begun = perf_counter()
        _tick(rt)
        timings.append(perf_counter() - begun)
    return first, catch_up + 1, timings


def run_missing_bench(
    console: Console, *, cases: int = 2000, days: int = 120, requests: int = 40, seed: int = 11
) -> MissingFigures:
    with tempfile.TemporaryDirectory(prefix="cad110-missing-") as tmp:
        url, rt = demo_city(
            Path(tmp), "missing", username="bench-leader", password=PASSWORD, role=Role.LEADER
        )
        console.print(f"opening {cases} missing-person cases over {days} days…")
        rate, sample = _fill(rt, cases, days, seed)
        first, catch_up_ticks, steady = _ticks(rt, 20)
        rt.engine.dispose()
        with (
            api_server(url, Path(tmp) / "server.log") as server,
            httpx.Client(base_url=server.base_url, timeout=30) as client,
        ):
            client.post("/login", data={"username": "bench-leader", "password": PASSWORD})
            ledger_first, ledger, _ = time_first_then(client, "/api/v1/missing?limit=100", requests)
            desk_first, desk, _ = time_first_then(client, "/missing", requests)
            page_first, page, _ = time_first_then(client, f"/missing/{sample}", requests)
    figures = MissingFigures(
        cases=cases,
        opened_per_s=rate,
        catch_up_s=first,
        tick_p50_ms=statistics.median(steady) * 1000,
        ledger_p50_ms=statistics.median(ledger),
        ledger_p99_ms=p99(ledger),
        desk_p50_ms=statistics.median(desk),
        case_p50_ms=statistics.median(page),
        ledger_first_ms=ledger_first,
        desk_first_ms=desk_first,
        case_first_ms=page_first,
    )
    table = Table(title=f"Missing persons with {cases} open cases (SQLite)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row(
        "open a case (incident + case + rules + 7 callbacks), in one transaction",
        f"{rate:.0f} cases/s",
    )
    table.add_row(
        "catching up on 120 days opened at once (reminders, 督办, 90-day rules, appeals)",
        f"{first:.1f} s in {catch_up_ticks} ticks",
    )
    table.add_row(
        "steady tick (missing-person + supervision), p50 of 20", f"{figures.tick_p50_ms:.1f} ms"
    )
    table.add_row(
        f"GET /api/v1/missing?limit=100: first; then {requests} requests, p50 / p99",
        f"{figures.ledger_first_ms:.1f}; {figures.ledger_p50_ms:.1f} / "
        f"{figures.ledger_p99_ms:.1f} ms",
    )
    table.add_row(
        "GET /missing (寻人台账 page): first; then p50",
        f"{figures.desk_first_ms:.1f}; {figures.desk_p50_ms:.1f} ms",
    )
    table.add_row(
        "GET /missing/{number} (case page): first; then p50",
        f"{figures.case_first_ms:.1f}; {figures.case_p50_ms:.1f} ms",
    )
    console.print(table)
    return figures
