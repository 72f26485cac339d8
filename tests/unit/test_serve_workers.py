"""How many processes `cad110 serve` starts: one per core on PostgreSQL, one on SQLite."""

from __future__ import annotations

import os

import pytest
import typer

from cad110.cli.serve import _workers
from cad110.settings import Settings

PG = Settings(database_url="postgresql+psycopg://postgres@127.0.0.1:5432/cad110")
SQLITE = Settings(database_url="sqlite:///./var/cad110.db")


def test_postgresql_is_served_by_one_worker_per_core_unless_told() -> None:
    assert _workers(PG, None, sim_speed=0) == (os.cpu_count() or 1)
    assert _workers(PG, 3, sim_speed=0) == 3
    # The demo traffic runs inside the one server process.
    assert _workers(PG, None, sim_speed=4) == 1


def test_sqlite_is_served_by_one_worker_and_refuses_more() -> None:
    assert _workers(SQLITE, None, sim_speed=0) == 1
    assert _workers(SQLITE, 1, sim_speed=0) == 1
    with pytest.raises(typer.Exit) as refused:
        _workers(SQLITE, 2, sim_speed=0)
    assert refused.value.exit_code == 2
