"""`cad110 seed history`: the small profile written through the use cases, and the statistics
read back from the record exactly as the profile says."""

from __future__ import annotations

from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cad110.auth.principal import Principal
from cad110.catalog.loader import default_catalog
from cad110.cli import app as cli
from cad110.kernel.numbers import percent
from cad110.kernel.runtime import Runtime
from cad110.models.user import Role
from cad110.seed.history import AlreadySeeded, answers, check, seed_history
from cad110.seed.history.profile import load
from cad110.settings import Settings
from cad110.stats import service as stats
from cad110.stats.measure import Value


def _figures(runtime: Runtime, since, until, jurisdiction) -> dict[str, Value]:  # type: ignore[no-untyped-def]
    analyst = Principal.acting_for("", username="test-analyst", role=Role.ANALYST)
    filters = stats.Filters(since=since, until=until, jurisdiction=jurisdiction)
    with runtime.readers() as session:
        summary = stats.summary(runtime.ctx(session, analyst), filters)
    return {f.key: f.value for f in summary.figures if f.value is not None}


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_small_profile_reads_back_exactly_from_the_record(
    runtime: Runtime, database: tuple[str, object]
) -> None:
    profile = load("small", default_catalog())
    settings = Settings(database_url=database[0], supervision_loop=False)
    seeded = seed_history(settings, profile)
    plan = seeded.plan
    assert plan.calls == profile.calls == 300

    got = _figures(runtime, profile.since, profile.until, profile.jurisdiction)
    assert got["calls_total"].count == 300
    assert got["valid_incidents"].count == 84
    assert got["daily_average"].average == Decimal("4.00")  # 84 valid incidents in 21 days
    assert got["valid_rate"].percent == percent(84, 300)
    for target in ("12345", "119", "120"):
        assert got[f"transfers_{target}"].count == plan.count(f"transferred_{target}")
    # Hoaxes found on scene and duplicates are incidents, but not valid ones; merged twins too.
    merged = sum(len(i.merged) for i in plan.items)
    invalid = plan.count("hoax_found") + plan.count("duplicate")
    assert got["incidents_total"].count == 84 + invalid + merged
    # Each step done late was found overdue by the tick: one 督办 each.
    late = sum(i.late is not None for i in plan.items)
    assert late > 0
    assert got["supervisions_opened"].count == late
    assert got["overdue_rate"].numerator == late
    # The callbacks' answers, as recorded through the callback use case.
    assert answers(runtime, profile) == plan.answers()
    assert set(plan.answers()) == {"satisfied", "basically_satisfied"}
    assert all(line.ok for line in check(runtime, profile))

    with pytest.raises(AlreadySeeded) as refused:
        seed_history(settings, profile)
    assert refused.value.incidents == got["incidents_total"].count
    assert refused.value.calls == 300


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_command_checks_the_figures_and_refuses_a_second_year(
    runtime: Runtime, database: tuple[str, object], tmp_path: Path
) -> None:
    url = database[0]
    # A profile whose published calls the record will not give: 300 calls are made, 301 said.
    wrong = tmp_path / "wrong.toml"
    wrong.write_text(_shipped("small").replace("calls_total = 300", "calls_total = 301"), "utf-8")
    runner = CliRunner()
    first = runner.invoke(
        cli, ["seed", "history", "--profile", str(wrong), "--database", url, "--check"]
    )
    assert first.exit_code == 1, first.output
    assert "300 call records" in first.output
    assert first.output.count("differs") == 1
    # The same period again, with the shipped profile: refused, and its figures all agree.
    again = runner.invoke(
        cli, ["seed", "history", "--profile", "small", "--database", url, "--check"]
    )
    assert again.exit_code == 0, again.output
    assert "not seeded again" in again.output
    assert "differs" not in again.output


def _shipped(name: str) -> str:
    return resources.files("cad110.seed").joinpath("profiles", f"{name}.toml").read_text("utf-8")
