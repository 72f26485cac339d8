"""`cad110 seed history`: the small profile written through the use cases, and the statistics
read back from the record exactly as the profile says."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cad110.audit.verify import verify
from cad110.auth.principal import Principal
from cad110.cli import app as cli
from cad110.kernel.numbers import percent
from cad110.kernel.runtime import Runtime
from cad110.kernel.scope import in_scope
from cad110.models.incident import Incident
from cad110.models.user import Role
from cad110.seed.history import AlreadySeeded, answers, check, seed_history
from cad110.seed.history.parallel import write_shards
from cad110.seed.history.plan import build
from cad110.seed.history.profile import load
from cad110.seed.history.run import existing
from cad110.seed.history.shards import Shard
from cad110.settings import Settings
from cad110.stats import service as stats
from cad110.stats.measure import Value


def _figures(runtime: Runtime, since: date, until: date, jurisdiction: str) -> dict[str, Value]:
    analyst = Principal.acting_for("", username="test-analyst", role=Role.ANALYST)
    filters = stats.Filters(since=since, until=until, jurisdiction=jurisdiction)
    with runtime.readers() as session:
        summary = stats.summary(runtime.ctx(session, analyst), filters)
    return {f.key: f.value for f in summary.figures if f.value is not None}


def _shipped(name: str) -> str:
    return resources.files("cad110.seed").joinpath("profiles", f"{name}.toml").read_text("utf-8")


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_small_profile_reads_back_exactly_from_the_record(
    runtime: Runtime, database: tuple[str, object], tmp_path: Path
) -> None:
    url = database[0]
    runner = CliRunner()
    seeded = runner.invoke(
        cli, ["seed", "history", "--profile", "small", "--database", url, "--check"]
    )
    assert seeded.exit_code == 0, seeded.output
    assert "300 call records, 84 valid incidents" in seeded.output
    assert "differs" not in seeded.output

    # What the seed wrote, planned again: the same profile and seed give the same plan (the
    # tests' 闽侯县 has one station).
    profile = load("small", runtime.catalog)
    plan = build(profile, runtime.catalog, stations=1, tz=runtime.settings.tz)
    got = _figures(runtime, profile.since, profile.until, profile.jurisdiction)
    assert got["calls_total"].count == plan.calls == 300
    assert got["valid_incidents"].count == 84
    assert got["daily_average"].average == Decimal("4.00")  # 84 valid incidents in 21 days
    assert got["valid_rate"].percent == percent(84, 300)
    for target in ("12345", "119", "120"):
        assert got[f"transfers_{target}"].count == plan.count(f"transferred_{target}")
    # Hoaxes found on scene and duplicates are incidents, but not valid ones; merged twins too.
    merged = sum(len(i.merged) for i in plan.items)
    invalid = plan.count("hoax_found") + plan.count("duplicate")
    assert got["incidents_total"].count == 84 + invalid + merged
    # Each step planned late was found overdue by the tick: one 督办 each, at least.
    late = sum(i.late is not None for i in plan.items)
    assert late > 0
    assert got["supervisions_opened"].count >= got["overdue_rate"].numerator >= late
    # The callbacks' answers, as recorded through the callback use case: all satisfied or
    # basically satisfied, as many of each as planned.
    assert answers(runtime, profile) == plan.answers()
    assert set(plan.answers()) == {"satisfied", "basically_satisfied"}
    assert all(line.ok for line in check(runtime, profile))

    # The same period again: refused, saying what is there.
    settings = Settings(database_url=url, supervision_loop=False)
    with pytest.raises(AlreadySeeded) as refused:
        seed_history(settings, profile)
    assert refused.value.incidents == got["incidents_total"].count
    assert refused.value.calls == 300
    # A profile whose published figure the record does not give fails the check.
    wrong = tmp_path / "wrong.toml"
    wrong.write_text(_shipped("small").replace("calls_total = 300", "calls_total = 301"), "utf-8")
    again = runner.invoke(
        cli, ["seed", "history", "--profile", str(wrong), "--database", url, "--check"]
    )
    assert again.exit_code == 1, again.output
    assert "not seeded again" in again.output
    assert again.output.count("differs") == 1


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_shards_written_at_once_keep_the_record_whole(
    runtime: Runtime, database: tuple[str, object], tmp_path: Path
) -> None:
    # 鼓楼区 of the tests' city: two stations, one with two units; four workers make three
    # shards (a station's days split once per unit it has).
    text = _shipped("small").replace('jurisdiction = "350121"', 'jurisdiction = "350102"')
    gulou = tmp_path / "gulou.toml"
    gulou.write_text(text, "utf-8")
    url = database[0]
    seeded = CliRunner().invoke(
        cli,
        ["seed", "history", "--profile", str(gulou), "--database", url, "--workers", "4"],
        catch_exceptions=False,
    )
    assert seeded.exit_code == 0, seeded.output
    assert "3 processes" in seeded.output
    profile = load(str(gulou), runtime.catalog)
    assert all(line.ok for line in check(runtime, profile))
    plan = build(profile, runtime.catalog, stations=2, tz=runtime.settings.tz)
    assert answers(runtime, profile) == plan.answers()
    with runtime.readers() as session:
        # Every chain intact (no two writers appended to one subject), every row replayed.
        assert verify(session).ok
        # A station's numbers of a day follow the order its calls came.
        rows = session.execute(
            select(Incident.number, Incident.received_at).where(
                in_scope(Incident.jurisdiction_path, "350100/350102/")
            )
        ).all()
    days: dict[str, list[tuple[datetime, int]]] = {}
    for number, received in rows:
        prefix, _, n = number.rpartition("-")
        days.setdefault(prefix, []).append((received, int(n)))
    assert len(days) > 21  # both stations, most days
    for seen in days.values():
        assert [n for _, n in sorted(seen)] == sorted(n for _, n in seen)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_more_than_one_worker_needs_postgresql(database: tuple[str, object]) -> None:
    url = database[0]
    refused = CliRunner().invoke(
        cli, ["seed", "history", "--profile", "small", "--database", url, "--workers", "2"]
    )
    assert refused.exit_code == 2
    assert "workers" in refused.output


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_shard_that_fails_stops_the_others_and_is_raised(
    runtime: Runtime, database: tuple[str, object]
) -> None:
    profile = load("small", runtime.catalog)
    plan = build(profile, runtime.catalog, stations=1, tz=runtime.settings.tz)
    # The whole plan in one shard, and a second whose unit does not exist: it fails at once.
    good = Shard("35012101", ("35012101-1",), plan.items)
    broken = Shard("35012101", ("no-such-unit",), plan.items[:1])
    settings = Settings(database_url=database[0], supervision_loop=False)
    with pytest.raises(ValueError, match="no stations or no units"):
        write_shards(settings, profile, plan, [good, broken])
    with runtime.readers() as session:
        _incidents, calls = existing(session, "350100/350121/", plan.start, plan.end)
    assert 0 < calls < plan.calls  # stopped after a batch or so, what it did committed whole
