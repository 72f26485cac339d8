"""The history `cad110 bench stats` measures: N incidents over about a year and a half in the
demo city's stations, with their calls, 督办 and outcomes, written straight into the tables.

Bulk rows, not use cases: an incident through the use cases (intake, dispatch, the unit's
steps, feedback, close — each its own transaction with its events) takes tens of milliseconds,
so ten million would take days; the figures read only the rows written here, never the event
log, so rows shaped as the use cases shape them are what the measurement needs. They go in by
COPY on PostgreSQL (about a minute per million) and by executemany on SQLite.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from cad110.catalog.loader import Catalog
from cad110.db.base import Base
from cad110.models.jurisdiction import Jurisdiction

HISTORY_DAYS = 550  # a large city's year and a half
BATCH = 50_000
# The common categories of a city's 110 and their share of incidents; the rest share what is left.
COMMON = {
    "theft": 18,
    "traffic_accident": 14,
    "family_dispute": 8,
    "neighbour_dispute": 8,
    "fraud": 6,
    "move_car": 6,
}
# Seconds from one stage to the next: (from, to, least, most).
STAGES = (
    ("received_at", "accepted_at", 5, 40),
    ("accepted_at", "dispatched_at", 20, 300),
    ("dispatched_at", "acknowledged_at", 5, 150),
    ("acknowledged_at", "departed_at", 5, 120),
    ("departed_at", "arrived_at", 120, 1800),
    ("arrived_at", "reported_at", 300, 5400),
    ("reported_at", "closed_at", 60, 3600),
)
INCIDENT_COLUMNS = (
    "id",
    "number",
    "source",
    "jurisdiction_code",
    "jurisdiction_path",
    "narrative",
    "tags",
    "category_code",
    "grade",
    "status",
    "transferred_to",
    "outcome",
    "created_by",
    "version",
    *(stage for _, stage, _, _ in STAGES),
    "received_at",
)
CALL_COLUMNS = (
    "id",
    "caller_phone",
    "answered_at",
    "calltaker",
    "outcome",
    "incident_id",
    "jurisdiction_path",
    "note",
)
DEADLINE_COLUMNS = ("id", "incident_id", "step", "due_at", "created_at", "fired_at")
SUPERVISION_COLUMNS = (
    "id",
    "deadline_id",
    "incident_id",
    "step",
    "due_at",
    "opened_at",
    "level",
    "owner_code",
    "owner_path",
    "incident_path",
    "comment",
    "version",
    "step_done_at",
    "acknowledged_at",
)
# A 督办's owner acknowledges it this long after the deadline it missed; one due later than
# that before now is still open (as a centre's open supervisions are: the last few).
ACKNOWLEDGED_AFTER = timedelta(minutes=10)
OUTCOME_COLUMNS = (
    "incident_id",
    "arrested",
    "arrested_in_the_act",
    "first_arrest_at",
    "case_opened_at",
    "loss_fen",
    "recovered_fen",
    "entries",
    "updated_at",
)


@dataclass(frozen=True)
class Station:
    code: str
    path: str
    parent_code: str
    parent_path: str


@dataclass
class Rows:
    incidents: list[tuple[Any, ...]]
    calls: list[tuple[Any, ...]]
    deadlines: list[tuple[Any, ...]]
    supervisions: list[tuple[Any, ...]]
    outcomes: list[tuple[Any, ...]]


def stations(session: Session) -> list[Station]:
    """The leaves of the jurisdiction tree (the stations), with their parents."""
    j = Jurisdiction
    rows = list(session.execute(select(j.code, j.path, j.parent_code)))
    parents = {code for _, _, code in rows if code}
    paths = {code: path for code, path, _ in rows}
    return [
        Station(code, path, parent, paths[parent])
        for code, path, parent in rows
        if code not in parents and parent is not None
    ]


def _categories(catalog: Catalog) -> tuple[list[str], list[int], dict[str, int]]:
    codes = sorted(catalog.categories)
    weights = [COMMON.get(code, 1) for code in codes]
    grades = {code: catalog.categories[code].default_grade for code in codes}
    return codes, weights, grades


def _incident(
    n: int,
    at: datetime,
    station: Station,
    category: str,
    grade: int,
    rng: random.Random,
    now: datetime,
) -> tuple[tuple[Any, ...], dict[str, datetime]]:
    """One incident row and its stage times (up to `now`)."""
    roll = rng.random()
    status, transferred = "closed", None
    times: dict[str, datetime] = {"received_at": at}
    if roll < 0.06:
        status = "invalid"
    elif roll < 0.08:
        status = "merged"
    elif roll < 0.10:
        status, transferred = "transferred", rng.choice(("12345", "119", "120"))
    else:
        t = at
        for _, stage, least, most in STAGES:
            t = t + timedelta(seconds=rng.randint(least, most))
            if t > now:  # still under way
                break
            times[stage] = t
        status = _status_of(times)
    row = (
        n,
        f"B{n:011d}",
        "call_110",
        station.code,
        station.path,
        "",
        "[]",
        category,
        grade,
        status,
        transferred,
        "{}",
        "bench",
        1,
        *(times.get(stage) for _, stage, _, _ in STAGES),
        at,
    )
    return row, times


def _status_of(times: dict[str, datetime]) -> str:
    last = [stage for _, stage, _, _ in STAGES if stage in times]
    return {
        "accepted_at": "accepted",
        "dispatched_at": "dispatched",
        "acknowledged_at": "acknowledged",
        "departed_at": "departed",
        "arrived_at": "arrived",
        "reported_at": "reported",
        "closed_at": "closed",
    }.get(last[-1] if last else "", "received")


def generate(
    count: int,
    now: datetime,
    places: Sequence[Station],
    catalog: Catalog,
    seed: int,
    first_id: int,
    days: int = HISTORY_DAYS,
) -> Iterator[Rows]:
    """`count` incidents received over the `days` up to `now`, in batches."""
    rng = random.Random(seed)
    codes, weights, grades = _categories(catalog)
    phones = max(10, count // 3)  # about a third of the numbers call more than once
    start = now - timedelta(days=days)
    span_s = int((now - start).total_seconds())
    call_id = first_id
    for first in range(0, count, BATCH):
        rows = Rows([], [], [], [], [])
        for k in range(first, min(count, first + BATCH)):
            n = first_id + k
            at = start + timedelta(seconds=rng.randrange(span_s))
            station = rng.choice(places)
            category = rng.choices(codes, weights)[0]
            row, times = _incident(n, at, station, category, grades[category], rng, now)
            rows.incidents.append(row)
            phone = f"138{rng.randrange(phones):08d}"
            rows.calls.append(
                (call_id, phone, at, "bench", "incident_created", n, station.path, "")
            )
            call_id += 1
            if rng.random() < 0.12:  # a call that made no incident: misdials, advice
                outcome = rng.choice(("invalid_misdial", "invalid_silent", "advice"))
                rows.calls.append((call_id, phone, at, "bench", outcome, None, station.path, ""))
                call_id += 1
            if "dispatched_at" in times and rng.random() < 0.05:
                _supervise(rows, n, times, station, rng.random() < 0.25, now)
            if "arrived_at" in times and rng.random() < 0.06:
                _outcome(rows, n, times, rng)
        yield rows


def _supervise(
    rows: Rows, n: int, times: dict[str, datetime], station: Station, up: bool, now: datetime
) -> None:
    """A 督办 of a unit's late 签收: its step done when the unit signed for it (if it did), and
    acknowledged by its owner ACKNOWLEDGED_AFTER the deadline, unless that is still ahead."""
    due = times["dispatched_at"] + timedelta(seconds=60)
    rows.deadlines.append((n, n, "acknowledge", due, times["dispatched_at"], due))
    owner = (station.parent_code, station.parent_path) if up else (station.code, station.path)
    level = "district" if up else "station"
    seen = due + ACKNOWLEDGED_AFTER
    rows.supervisions.append(
        (
            *(n, n, n, "acknowledge", due, due, level, owner[0], owner[1], station.path, "", 1),
            times.get("acknowledged_at"),
            seen if seen <= now else None,
        )
    )


def _outcome(rows: Rows, n: int, times: dict[str, datetime], rng: random.Random) -> None:
    caught = rng.randint(0, 3)
    in_act = rng.randint(0, caught)
    arrest = times["dispatched_at"] + timedelta(seconds=rng.randint(300, 86400)) if caught else None
    loss = rng.choice((0, 0, rng.randint(10_000, 5_000_000)))
    recovered = rng.randint(0, loss) if loss and rng.random() < 0.6 else 0
    opened = times["arrived_at"] if rng.random() < 0.5 else None
    rows.outcomes.append(
        (n, caught, in_act, arrest, opened, loss, recovered, 1, times["arrived_at"])
    )


def _typed(table: str, columns: Sequence[str], row: tuple[Any, ...]) -> dict[str, Any]:
    """A row as the column types take it (an incident's JSON columns as values, not text)."""
    values = dict(zip(columns, row, strict=True))
    if table == "incidents":
        values["tags"], values["outcome"] = json.loads(values["tags"]), {}
    return values


def load(engine: Engine, batches: Iterator[Rows]) -> int:
    """Write the batches; COPY on PostgreSQL. The number of incidents written."""
    written = 0
    tables = (
        ("incidents", INCIDENT_COLUMNS, "incidents"),
        ("calls", CALL_COLUMNS, "calls"),
        ("deadlines", DEADLINE_COLUMNS, "deadlines"),
        ("supervisions", SUPERVISION_COLUMNS, "supervisions"),
        ("incident_outcomes", OUTCOME_COLUMNS, "outcomes"),
    )
    for rows in batches:
        with engine.begin() as conn:
            raw = conn.connection.driver_connection
            for table, columns, field in tables:
                data = getattr(rows, field)
                if not data:
                    continue
                names = ", ".join(columns)
                if engine.dialect.name == "postgresql":
                    with raw.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # type: ignore[union-attr]
                        for row in data:
                            copy.write_row(row)
                else:  # through the column types: SQLite keeps times as the types write them
                    target = Base.metadata.tables[table]
                    conn.execute(target.insert(), [_typed(table, columns, row) for row in data])
        written += len(rows.incidents)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            # The ids were given; the sequences must go on after them for what comes next.
            for table in ("incidents", "calls", "deadlines", "supervisions"):
                sql = (
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"  # noqa: S608 (our own table names)
                )
                conn.execute(text(sql))
            conn.execute(text("ANALYZE"))
    return written
