"""The migrations build exactly the schema the models describe, and go down and up again."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

import cad110.models  # noqa: F401  (registers every model)
from cad110.db.base import Base
from cad110.db.engine import make_engine
from cad110.db.migrate import alembic_config, upgrade
from tests.conftest import PG_URL, _admin


@pytest.fixture
def empty_database(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"cad110_m_{uuid.uuid4().hex[:12]}"
    _admin(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _differences(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_migrations_build_the_schema_of_the_models(empty_database: str) -> None:
    upgrade(empty_database)
    assert _differences(empty_database) == []


def test_migrations_go_down_to_nothing_and_up_again(empty_database: str) -> None:
    upgrade(empty_database)
    config = alembic_config(empty_database)
    command.downgrade(config, "base")
    assert _tables(empty_database) <= {"alembic_version"}
    upgrade(empty_database)
    assert _differences(empty_database) == []
    assert {"events", "event_heads", "access_log", "login_throttle"} <= _tables(empty_database)
