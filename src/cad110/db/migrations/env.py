"""Alembic environment: runs migrations on the engine cad110 would use."""

from __future__ import annotations

from alembic import context

import cad110.models  # noqa: F401  (registers every table on the metadata)
from cad110.db.base import Base
from cad110.db.engine import make_engine

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
