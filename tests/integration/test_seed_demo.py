"""`cad110 seed demo` on a fresh database: Fuzhou, with people and units, once."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cad110.cli import app as cli
from cad110.db.engine import make_engine, make_sessionmaker, transaction
from cad110.db.migrate import upgrade
from cad110.jurisdictions.lookup import geo_index
from cad110.models.jurisdiction import Jurisdiction, Level
from cad110.models.target import KeyTarget
from cad110.models.unit import Unit
from cad110.models.user import User
from cad110.settings import get_settings


@pytest.fixture
def empty_sqlite(tmp_path):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    upgrade(url)
    return url


def test_seed_demo_builds_fuzhou_once_and_tokens_work(
    empty_sqlite: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAD110_DATABASE_URL", empty_sqlite)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        first = runner.invoke(cli, ["seed", "demo"])
        assert first.exit_code == 0, first.output
        assert "dispatcher" in first.output
        again = runner.invoke(cli, ["seed", "demo"])
        assert again.exit_code == 0
        assert "already seeded" in again.output
        token = runner.invoke(cli, ["token", "create", "dispatcher"])
        assert token.exit_code == 0
        assert token.output.strip().startswith("cad110_")
        missing = runner.invoke(cli, ["token", "create", "nobody"])
        assert missing.exit_code == 1
    finally:
        get_settings.cache_clear()

    engine = make_engine(empty_sqlite)
    with transaction(make_sessionmaker(engine)) as session:
        levels = Counter(j.level for j in session.scalars(select(Jurisdiction)))
        assert levels[Level.CITY] == 1
        assert levels[Level.DISTRICT] == 13
        stations_per_district = Counter(
            j.parent_code
            for j in session.scalars(
                select(Jurisdiction).where(Jurisdiction.level == Level.STATION)
            )
        )
        assert all(2 <= n <= 4 for n in stations_per_district.values())
        units = session.scalars(select(Unit)).all()
        assert 90 <= len(units) <= 130
        officers = session.scalars(select(User).where(User.role == "officer")).all()
        assert {o.unit_code for o in officers} == {u.code for u in units}
        assert {
            u.username for u in session.scalars(select(User).where(User.role != "officer"))
        } == {"admin", "calltaker", "dispatcher", "leader", "analyst"}
        targets = session.scalars(select(KeyTarget)).all()
        assert len(targets) >= 5
        assert all(t.guard_unit_code is not None for t in targets)
        # A point in Gulou's Dongjiekou lands in a Gulou station and one of its grids.
        place = geo_index(session).locate(119.296, 26.08)
        assert place is not None
        assert place.jurisdiction_path.startswith("350100/350102/")
        assert place.grid_code is not None
        assert place.grid_code.startswith(place.jurisdiction_code)
    engine.dispose()
