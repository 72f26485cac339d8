"""`cad110 bench fraud`: a burst of anti-fraud warnings, each graded and put on its ladder.

In a fresh database built by the migrations (a throwaway SQLite file, or the empty database
given), with the bench's small city: `warnings` warnings are offered at `per_minute` a minute,
each as the feed takes it — the raw body's signature checked, validated, kept once, graded by
the rules in force, its first steps pushed (the SMS and call task into the outbox, an urgent
one's visit opened as an incident) and committed — one after another, timing each. The mix: a
quarter of the warnings repeat a person warned a little earlier (they join the open warning
and climb it), one in ten has ¥300,000 at risk; age, type, score and repeats climb others.
An urgent warning opens its visit's incident in the same transaction: its latency is shown
apart.

Target (issue 15): 1,000 warnings a minute, p99 under 50 ms a warning. The load average is
printed beside the figures: the machine's other work shows in the tail.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from cad110.bench.intake import Latency, build_world
from cad110.clock import SystemClock
from cad110.db.engine import transaction
from cad110.db.migrate import upgrade
from cad110.fraud import intake
from cad110.fraud.schemas import WarningIn
from cad110.kernel import signing
from cad110.kernel.received import receive_once
from cad110.kernel.runtime import Runtime
from cad110.models.fraud import FraudStep, FraudWarning
from cad110.models.incident import Incident
from cad110.models.outbox import OutboxMessage
from cad110.runtime import build_runtime
from cad110.settings import Settings

P99_TARGET_MS = 50.0
# The throwaway shared secret of the bench's own platform and feed.
SECRET = secrets.token_hex(16)
KINDS = ("fraud_call", "fraud_call", "suspicious_transfer", "fraud_app", "victim_report")
TYPES = (
    "brushing_rebate",
    "fake_investment",
    "fake_loan",
    "fake_customer_service",
    "impersonate_police",
    "romance",
    "other",
)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True)
class FraudBench:
    warnings: int
    per_minute: float
    seconds: float
    latency: Latency
    # The warnings that came out urgent (the visit's incident opened, or joined) and the rest:
    # opening an incident is most of an urgent warning's cost.
    urgent: Latency
    others: Latency
    load: tuple[float, float, float]
    rows: dict[str, int]

    @property
    def met(self) -> bool:
        return self.per_minute >= 1000 and self.latency.p99_ms < P99_TARGET_MS


def _id_number(draw: random.Random) -> str:
    born = f"{draw.randrange(1940, 2008)}{draw.randrange(1, 13):02d}{draw.randrange(1, 29):02d}"
    first = f"350102{born}{draw.randrange(1000):03d}"
    total = sum(int(d) * w for d, w in zip(first, _WEIGHTS, strict=True))
    return first + "10X98765432"[total % 11]


def bodies(count: int, now: datetime) -> list[bytes]:
    """The warnings of the burst, as the platforms would send them."""
    draw = random.Random(15)
    out = []
    for i in range(count):
        repeat = i > 10 and draw.random() < 0.25
        person = draw.randrange(max(1, i - 10), i) if repeat else i
        urgent = not repeat and draw.random() < 0.10
        body = {
            "source": "gjfzpt",
            "warning_id": f"bench-{i}",
            "kind": draw.choice(KINDS),
            "at": now.isoformat(),
            "phone": f"139{person:08d}",
            "name": "黄某某",
            "id_number": _id_number(draw),
            "lon": 119.281 + draw.random() * 0.038,
            "lat": 26.061 + draw.random() * 0.038,
            "address": "鼓楼区东街口",
            "fraud_type": draw.choice(TYPES),
            "amount_at_risk": f"{300000 if urgent else draw.randrange(100, 40000)}.00",
            "score": draw.randrange(101),
        }
        out.append(json.dumps(body, ensure_ascii=False).encode())
    return out


def run_fraud_bench(
    console: Console, *, warnings: int, per_minute: float, database: str | None = None
) -> FraudBench:
    with tempfile.TemporaryDirectory(prefix="cad110-bench-fraud-") as tmp:
        url = database or f"sqlite:///{Path(tmp) / 'fraud.db'}"
        console.print(f"[bold]fraud bench[/] {warnings} warnings at {per_minute:g}/min on {url}")
        upgrade(url)
        now = datetime.now(UTC)
        build_world(url, now=now)
        rt = build_runtime(
            Settings(
                database_url=url,
                supervision_loop=False,
                fraud_secret=SECRET,
                audit_key_file=str(Path(tmp) / "audit.keys"),
            ),
            clock=SystemClock(),
        )
        try:
            result = _burst(rt, bodies(warnings, now), per_minute)
        finally:
            rt.engine.dispose()
    print_bench(console, result)
    return result


def _burst(rt: Runtime, raw: list[bytes], per_minute: float) -> FraudBench:
    gap = 60.0 / per_minute
    samples: list[float] = []
    urgent: list[float] = []
    others: list[float] = []
    failed = 0
    start = time.perf_counter()
    for i, body in enumerate(raw):
        due = start + i * gap
        wait = due - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        stamp = int(time.time())
        headers = signing.signed_headers(SECRET, stamp, body)
        began = time.perf_counter()
        try:
            signing.verify(
                SECRET,
                headers[signing.TIMESTAMP_HEADER],
                headers[signing.SIGNATURE_HEADER],
                body,
                now=rt.clock.now(),
                window_s=300,
            )
            answer = receive_once(
                rt, intake.PLATFORM, intake.receive_warning, WarningIn.model_validate_json(body)
            )
        except Exception:  # a failure is a figure of the bench (counted as infinite), not its end
            failed += 1
            continue
        took = time.perf_counter() - began
        samples.append(took)
        (urgent if answer.level == "urgent" else others).append(took)
    seconds = time.perf_counter() - start
    load = os.getloadavg()
    with transaction(rt.sessions) as session:
        rows = {
            "warnings": session.scalar(select(func.count()).select_from(FraudWarning)) or 0,
            "steps": session.scalar(select(func.count()).select_from(FraudStep)) or 0,
            "outbox": session.scalar(select(func.count()).select_from(OutboxMessage)) or 0,
            "incidents": session.scalar(select(func.count()).select_from(Incident)) or 0,
        }
    return FraudBench(
        warnings=len(raw),
        per_minute=per_minute,
        seconds=seconds,
        latency=Latency.of(samples, failed),
        urgent=Latency.of(urgent),
        others=Latency.of(others),
        load=load,
        rows=rows,
    )


def print_bench(console: Console, b: FraudBench) -> None:
    console.print(
        f"offered {b.per_minute:g}/min, achieved {b.warnings / b.seconds * 60:.0f}/min "
        f"over {b.seconds:.1f} s"
    )
    table = Table(title="Anti-fraud warnings: graded and queued, one at a time")
    for column in ("warnings", "n", "p50 ms", "p99 ms", "max ms"):
        table.add_column(column, justify="right")
    for name, lat in (("all", b.latency), ("urgent", b.urgent), ("others", b.others)):
        table.add_row(
            name, str(lat.n), f"{lat.p50_ms:.1f}", f"{lat.p99_ms:.1f}", f"{lat.max_ms:.1f}"
        )
    console.print(table)
    console.print(f"rows: {b.rows} · load average {b.load[0]:.2f} {b.load[1]:.2f} {b.load[2]:.2f}")
    verdict = "[green]met[/]" if b.met else "[red]not met[/]"
    console.print(f"target p99 < {P99_TARGET_MS:g} ms at 1000/min: {verdict}")
