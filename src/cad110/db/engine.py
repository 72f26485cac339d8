"""Engines and sessions for SQLite (embedded) and PostgreSQL (production)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, *, sqlite_synchronous: str = "FULL", **kwargs: Any) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys and write-lock-first transactions."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        on_disk = bool(database) and database != ":memory:"
        if on_disk:
            assert database is not None
            Path(database).parent.mkdir(parents=True, exist_ok=True)
            kwargs.setdefault("pool_size", 8)
            kwargs.setdefault("max_overflow", 8)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        _configure_sqlite(engine, sqlite_synchronous)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    return create_engine(parsed, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine, synchronous: str) -> None:
    if synchronous.upper() not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
        raise ValueError(f"unknown SQLite synchronous mode {synchronous!r}")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Python's sqlite3 would open transactions lazily and deferred; we issue BEGIN ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA synchronous={synchronous.upper()}")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    # SQLite has one writer at a time. Writers of this process queue on a Python lock, in
    # order, instead of polling SQLite's lock with the busy handler's growing sleeps (which
    # gave multi-second tails under load); other processes still meet the busy timeout.
    write_lock = threading.Lock()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A writer takes the write lock at BEGIN: a deferred transaction that later upgrades
        # fails with SQLITE_BUSY at once instead of waiting its turn. Readers (an engine with
        # the READ_ONLY option) begin deferred and never block writers under WAL.
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")
            return
        info = connection.connection.info
        if not info.get(_HOLDS_WRITE_LOCK):
            if not write_lock.acquire(timeout=30):
                raise OperationalError("BEGIN IMMEDIATE", {}, TimeoutError("database is busy"))
            info[_HOLDS_WRITE_LOCK] = True
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    def _release(record_info: dict[Any, Any]) -> None:
        if record_info.pop(_HOLDS_WRITE_LOCK, False):
            write_lock.release()

    # The transaction is over once the connection goes back to the pool (after commit or
    # rollback) or is thrown away.
    @event.listens_for(engine.pool, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        _release(record.info)

    @event.listens_for(engine.pool, "invalidate")
    def _on_invalidate(_dbapi_connection: Any, record: Any, _exc: Any) -> None:
        _release(record.info)


_HOLDS_WRITE_LOCK = "cad110_holds_write_lock"

# Execution option marking an engine whose transactions only read.
READ_ONLY = "cad110_read_only"


def make_sessionmaker(engine: Engine, *, read_only: bool = False) -> sessionmaker[Session]:
    bind = engine.execution_options(**{READ_ONLY: True}) if read_only else engine
    return sessionmaker(bind, expire_on_commit=False, autoflush=True)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session
