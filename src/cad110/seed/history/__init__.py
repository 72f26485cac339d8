"""`cad110 seed history`: a past year written through the real use cases from a profile, and
its figures read back through the statistics (stats.service.summary) against the profile."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.engine import make_url

from cad110.auth.principal import Principal
from cad110.jurisdictions.repository import get_jurisdiction
from cad110.kernel.runtime import Runtime
from cad110.kernel.scope import in_scope
from cad110.models.incident import Incident
from cad110.models.user import Role
from cad110.runtime import build_runtime
from cad110.seed.history.parallel import write_shards
from cad110.seed.history.plan import Plan, bounds, build
from cad110.seed.history.profile import Profile
from cad110.seed.history.run import AlreadySeeded, HistoryClock, Writer, existing
from cad110.seed.history.shards import MAX_WORKERS, split
from cad110.settings import Settings
from cad110.stats import service as stats
from cad110.stats.measure import Value

__all__ = ["AlreadySeeded", "Line", "Seeded", "check", "seed_history"]


@dataclass(frozen=True)
class Seeded:
    plan: Plan
    seconds: float
    shards: int = 1  # processes that wrote it


def seed_history(
    settings: Settings,
    profile: Profile,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
) -> Seeded:
    """Write `profile`'s period into the database of `settings`; refuses (AlreadySeeded) where
    the jurisdiction already holds incidents or calls in that period. `workers` > 1 writes
    shards of the plan in as many processes (PostgreSQL only), where the plan can be sharded."""
    if not 1 <= workers <= MAX_WORKERS:
        raise ValueError(f"workers: 1 to {MAX_WORKERS}")
    if workers > 1 and make_url(settings.database_url).get_backend_name() != "postgresql":
        raise ValueError("workers: more than one needs PostgreSQL (SQLite has one writer)")
    start, end = bounds(profile, settings.tz)
    rt = build_runtime(settings, clock=HistoryClock(start))
    try:
        with rt.readers() as session:
            county = get_jurisdiction(session, profile.jurisdiction)
            incidents, calls = existing(session, county.path, start, end)
        if incidents or calls:
            raise AlreadySeeded(incidents, calls)
        writer = Writer(rt, profile, county)
        plan = build(profile, rt.catalog, len(writer.stations), settings.tz)
        stations = [s.code for s in writer.stations]
        shards = (
            None
            if workers == 1
            else split(plan.items, stations, writer.units, workers, settings.tz)
        )
        began = time.perf_counter()
        if shards is None or len(shards) < 2:
            writer.write(plan, progress)
            return Seeded(plan, time.perf_counter() - began)
        write_shards(settings, profile, plan, shards, progress)
        return Seeded(plan, time.perf_counter() - began, len(shards))
    finally:
        rt.engine.dispose()


@dataclass(frozen=True)
class Line:
    key: str
    wanted: float
    found: Decimal | None
    exact: str  # the figure as the record gives it (count, or part/whole = value)

    @property
    def printed(self) -> Decimal | None:
        """The record's figure rounded (half up) as the source prints its own: "48起" is whole,
        so 48.34 a day reads 48."""
        if self.found is None:
            return None
        exponent = Decimal(str(self.wanted)).normalize().as_tuple().exponent
        places = max(0, -exponent) if isinstance(exponent, int) else 0
        return self.found.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)

    @property
    def ok(self) -> bool:
        return self.printed is not None and self.printed == Decimal(str(self.wanted))


def _number(value: Value) -> tuple[Decimal | None, str]:
    if value.count is not None:
        return Decimal(value.count), str(value.count)
    if value.average is not None:
        return value.average, f"{value.numerator}/{value.denominator} = {value.average}"
    if value.percent is not None:
        return value.percent, f"{value.numerator}/{value.denominator} = {value.percent}%"
    return None, "none"


def answers(rt: Runtime, profile: Profile) -> Counter[str]:
    """The callbacks' answers (回访) recorded on the jurisdiction's incidents of the period."""
    start, end = bounds(profile, rt.settings.tz)
    found: Counter[str] = Counter()
    with rt.readers() as session:
        county = get_jurisdiction(session, profile.jurisdiction)
        rows = session.scalars(
            select(Incident.outcome).where(
                in_scope(Incident.jurisdiction_path, county.path),
                Incident.received_at >= start,
                Incident.received_at < end,
            )
        )
        for outcome in rows:
            callback = (outcome or {}).get("callback")
            if callback:
                found[str(callback.get("satisfaction"))] += 1
    return found


def check(rt: Runtime, profile: Profile) -> list[Line]:
    """Each published figure of `profile` against the statistics of the record."""
    analyst = Principal.acting_for("", username="history-check", role=Role.ANALYST)
    filters = stats.Filters(
        since=profile.since, until=profile.until, jurisdiction=profile.jurisdiction
    )
    with rt.readers() as session:
        summary = stats.summary(rt.ctx(session, analyst), filters)
    figures = {f.key: f.value for f in summary.figures}
    lines = []
    for key, wanted in profile.published.items():
        value = figures.get(key)
        if value is not None:
            found, exact = _number(value)
        else:
            found, exact = None, "no such figure"
        lines.append(Line(key, wanted, found, exact))
    return lines
