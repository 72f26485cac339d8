"""`cad110 bench repeats`: the repeat check of a new call against millions of past incidents.

On PostgreSQL, in a fresh database built by the migrations: `incidents` past incidents of a year
are written in bulk by the server itself (INSERT … SELECT FROM generate_series, for the bench
only: through the use cases it would take days), with their repeat keys as the intake stores
them — callers drawn with a heavy head (a few numbers call very often), points over a city of
55 × 55 km, a standard address for three calls in ten, a party's phone for one in twenty. Then
`queries` new calls are checked one by one exactly as the intake and the desk check them
(`detect.warning_for`, what `POST /api/v1/repeats/check` answers from), and the latency of each is taken.

Target (issue 14): p99 under 20 ms against 10 million past incidents.
"""

from __future__ import annotations

import math
import os
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg
from pypinyin import lazy_pinyin
from rich.console import Console
from rich.table import Table

from cad110.auth.principal import Principal
from cad110.bench import harness
from cad110.bench.intake import (
    Latency,
    _conninfo,
    _pg_database,
    _pg_server_url,
    _pg_unreachable,
    build_world,
)
from cad110.db.engine import make_engine, make_sessionmaker
from cad110.db.migrate import upgrade
from cad110.models.user import Role
from cad110.repeats.detect import warning_for
from cad110.repeats.rules import METRES_PER_DEGREE, NOT_RECORDED, load_rules, record_of

P99_TARGET_MS = 20.0
WEST, EAST, SOUTH, NORTH = 119.0, 119.6, 25.8, 26.3
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
]
CATEGORIES = [
    "theft", "family_dispute", "neighbour_dispute", "noise_nuisance", "traffic_accident",
    "assault", "fraud", "economic_dispute", "move_car", "consultation", "drunk_or_mentally_ill_person",
    "domestic_violence", "labour_dispute", "other_urgent_help",
]  # fmt: skip


@dataclass(frozen=True)
class RepeatsBench:
    incidents: int
    keys: int
    load_s: float
    latency: Latency
    # The bench process's own CPU per check: what the wall time is on an idle machine, less
    # the database's share; read beside `load`, the machine's load average while checking.
    cpu: Latency
    load: tuple[float, float]
    linked_share: float

    @property
    def met(self) -> bool:
        return self.incidents >= 10_000_000 and self.latency.p99_ms < P99_TARGET_MS


def _names() -> list[tuple[str, str]]:
    names = [s + g for s in SURNAMES for g in GIVEN]
    return [(n, "".join(lazy_pinyin(n))) for n in names]


def _phone(index: int) -> str:
    return f"139{index:08d}"


def _load(conninfo: str, *, incidents: int, now: datetime, phones: int, radius_m: int) -> int:
    """Past incidents and their keys, written by the server; the number of keys."""
    station = next(iter(harness.STATIONS))
    path = harness.PATHS[station]
    step = radius_m / METRES_PER_DEGREE
    names = _names()
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("SELECT setseed(0.14)")
        conn.execute("CREATE TEMP TABLE bench_names (i int PRIMARY KEY, name text, key text)")
        with conn.cursor().copy("COPY bench_names (i, name, key) FROM STDIN") as copy:
            for i, (name, key) in enumerate(names):
                copy.write_row((i, name, key))
        conn.execute(
            "CREATE TEMP TABLE bench_categories (i int PRIMARY KEY, code text)",
        )
        with conn.cursor().copy("COPY bench_categories (i, code) FROM STDIN") as copy:
            for i, code in enumerate(CATEGORIES):
                copy.write_row((i, code))
        # The keys' indexes are built once, after the rows (as a restore would).
        conn.execute("ALTER TABLE repeat_keys DROP CONSTRAINT pk_repeat_keys")
        conn.execute("DROP INDEX ix_repeat_keys_lookup")
        conn.execute(
            """
            INSERT INTO incidents (id, number, source, caller_phone, caller_name, address, lon,
                lat, jurisdiction_code, jurisdiction_path, narrative, tags, category_code, grade,
                status, outcome, created_by, received_at, version)
            SELECT g, 'B' || g, 'call_110',
                '139' || lpad(floor(%(phones)s * power(random(), 3))::bigint::text, 8, '0'),
                n.name, '测试路' || (g %% 997) || '号',
                %(west)s + random() * %(width)s, %(south)s + random() * %(height)s,
                %(station)s, %(path)s, '', '[]', c.code, 3, 'archived', '{}', 'bench',
                %(now)s - random() * interval '365 days', 1
            FROM generate_series(1::bigint, %(n)s::bigint) AS g
            JOIN bench_names n ON n.i = (g * 7919) %% %(names)s
            JOIN bench_categories c ON c.i = (g * 104729) %% %(categories)s
            """,
            {
                "phones": phones,
                "west": WEST,
                "width": EAST - WEST,
                "south": SOUTH,
                "height": NORTH - SOUTH,
                "station": station,
                "path": path,
                "now": now,
                "n": incidents,
                "names": len(names),
                "categories": len(CATEGORIES),
            },
        )
        conn.execute(
            """
            INSERT INTO repeat_keys (incident_id, kind, value, received_at)
            SELECT i.id, 'caller', i.caller_phone, i.received_at FROM incidents i
            UNION ALL
            SELECT i.id, 'cell', floor(i.lon / %(step)s)::bigint || ':' ||
                floor(i.lat / %(step)s)::bigint, i.received_at FROM incidents i
            UNION ALL
            SELECT i.id, 'place', 'P' || ((i.id::bigint * 2654435761) %% 200000), i.received_at
                FROM incidents i WHERE i.id %% 10 < 3
            UNION ALL
            SELECT i.id, 'phone', '138' || lpad(((i.id::bigint * 40503) %% 99999999)::text, 8, '0'),
                i.received_at FROM incidents i WHERE i.id %% 20 = 0
            """,
            {"step": step},
        )
        conn.execute(
            "ALTER TABLE repeat_keys ADD CONSTRAINT pk_repeat_keys "
            "PRIMARY KEY (incident_id, kind, value)"
        )
        conn.execute("CREATE INDEX ix_repeat_keys_lookup ON repeat_keys (kind, value, received_at)")
        conn.execute("SELECT setval(pg_get_serial_sequence('incidents', 'id'), %s)", (incidents,))
        conn.execute("VACUUM ANALYZE incidents")
        conn.execute("VACUUM ANALYZE repeat_keys")
        row = conn.execute("SELECT count(*) FROM repeat_keys").fetchone()
        return int(row[0]) if row else 0


def _new_calls(count: int, *, now: datetime, phones: int) -> list[dict[str, object]]:
    """A mix of new calls: a third from numbers that call often, a third from any number, a
    third at a standard address; each at a point in the city, with a category."""
    draw = random.Random(110)
    names = _names()
    calls: list[dict[str, object]] = []
    for i in range(count):
        kind = i % 3
        index = int(phones * draw.random() ** 3) if kind == 0 else draw.randrange(phones)
        calls.append(
            {
                "caller_phone": _phone(index),
                "caller_name": names[draw.randrange(len(names))][0],
                "place": f"P{draw.randrange(200_000)}" if kind == 2 else None,
                "lon": WEST + draw.random() * (EAST - WEST),
                "lat": SOUTH + draw.random() * (NORTH - SOUTH),
                "category": CATEGORIES[draw.randrange(len(CATEGORIES))],
                "narrative": f"对方电话138{draw.randrange(99_999_999):08d}" if i % 20 == 0 else "",
            }
        )
    return calls


def run_repeats_bench(
    console: Console, *, incidents: int, queries: int, pg_url: str | None = None
) -> RepeatsBench | None:
    server = _pg_server_url(pg_url)
    unreachable = _pg_unreachable(server)
    if unreachable:
        console.print(f"[red]PostgreSQL unreachable ({unreachable}): nothing measured[/red]")
        return None
    now = datetime.now(UTC).replace(microsecond=0)
    rules = load_rules()
    # About one distinct number per three incidents, as a year of a city's calls has.
    phones = max(1000, incidents // 3)
    with _pg_database(server) as url:
        upgrade(url)
        build_world(url, now=now)
        console.print(f"writing {incidents:,} past incidents and their keys…")
        started = time.perf_counter()
        keys = _load(
            _conninfo(server.set(database=url.rsplit("/", 1)[1])),
            incidents=incidents,
            now=now,
            phones=phones,
            radius_m=rules.radius_m,
        )
        load_s = time.perf_counter() - started
        engine = make_engine(url)
        sessions = make_sessionmaker(engine)
        by = Principal.acting_for(
            harness.PATHS[harness.CITY], username="bench", role=Role.CALLTAKER
        )
        samples: list[float] = []
        cpu: list[float] = []
        linked = 0
        load_before = os.getloadavg()[0]
        try:
            calls = _new_calls(queries + 50, now=now, phones=phones)
            with sessions() as session:
                for n, call in enumerate(calls):
                    at = now + timedelta(seconds=n)
                    began, began_cpu = time.perf_counter(), time.thread_time()
                    record = record_of(incident_id=NOT_RECORDED, received_at=at, **call)  # type: ignore[arg-type]
                    found = warning_for(session, record, rules, by).links
                    took = time.perf_counter() - began
                    if n >= 50:  # the first ones warm the connection and the caches
                        samples.append(took)
                        cpu.append(time.thread_time() - began_cpu)
                        linked += bool(found)
                    session.rollback()
        finally:
            engine.dispose()
    figures = RepeatsBench(
        incidents=incidents,
        keys=keys,
        load_s=load_s,
        latency=Latency.of(samples),
        cpu=Latency.of(cpu),
        load=(load_before, os.getloadavg()[0]),
        linked_share=linked / max(1, len(samples)),
    )
    print_figures(console, figures)
    return figures


def print_figures(console: Console, f: RepeatsBench) -> None:
    table = Table(title="重复警情: the check of a new call (PostgreSQL)", show_edge=False)
    for column in ("past incidents", "keys", "load s", "checks", "p50 ms", "p99 ms", "max ms"):
        table.add_column(column, justify="right")
    table.add_row(
        f"{f.incidents:,}",
        f"{f.keys:,}",
        f"{f.load_s:.0f}",
        str(f.latency.n),
        f"{f.latency.p50_ms:.2f}",
        f"{f.latency.p99_ms:.2f}",
        f"{f.latency.max_ms:.2f}",
    )
    console.print(table)
    console.print(
        f"bench process CPU per check: p50 {f.cpu.p50_ms:.2f} ms, p99 {f.cpu.p99_ms:.2f} ms; "
        f"load average {f.load[0]:.1f} → {f.load[1]:.1f} on {os.cpu_count()} cores"
    )
    console.print(f"calls linked to an earlier one: {f.linked_share:.0%}")
    verdict = "met" if f.met else "NOT met" if f.incidents >= 10_000_000 else "not shown"
    size = "" if f.incidents >= 10_000_000 else f" (at {f.incidents:,} past incidents, not 10M)"
    shown = math.isfinite(f.latency.p99_ms)
    console.print(
        f"target p99 < {P99_TARGET_MS:.0f} ms at 10M: {verdict}{size}"
        + ("" if shown else " — no sample")
    )
