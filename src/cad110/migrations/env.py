"""Alembic environment: runs migrations on the engine cad110 would use."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

import cad110.models  # noqa: F401  (registers every table on the metadata)
from cad110.db.base import Base
from cad110.db.engine import make_engine

config = context.config
target_metadata = Base.metadata


def _sqlite_engine(url: str) -> Any:
    # Batch migrations rebuild tables (copy, drop, rename); with foreign keys enforced the drop
    # of a referenced table would fail or cascade, so they are off while migrating and checked
    # afterwards.
    engine = create_engine(url, poolclass=NullPool)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        dbapi_connection.execute("PRAGMA journal_mode=WAL")

    return engine


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None
    sqlite = make_url(url).get_backend_name() == "sqlite"
    engine = _sqlite_engine(url) if sqlite else make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            broken = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
            if broken:
                raise RuntimeError(f"foreign keys broken by the migration: {broken[:5]}")
    engine.dispose()


run_migrations_online()
