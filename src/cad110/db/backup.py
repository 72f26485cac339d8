"""Backups of the whole database, and restoring one into an empty database.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies a consistent snapshot page
by page while the server keeps writing. PostgreSQL: `pg_dump --format=custom` (one consistent
snapshot) and `pg_restore` in one transaction, with the client tools of the server's version.
The audit keys and the checkpoint file live outside the database and are not in a backup: keep
them on their own volume.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect, select, table
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

from cad110.db.engine import make_engine

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
# Tables that a migrated but otherwise empty database already fills.
_SCHEMA_ONLY = frozenset({"alembic_version"})


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    kind: str  # sqlite, postgresql
    size: int


def _kind(url: URL) -> str:
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"cannot back up a {backend} database")
    return backend


def _sqlite_file(url: URL) -> Path:
    database = url.database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up or restore into")
    return Path(database)


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy every page of `source` into `target` through SQLite's online backup."""
    with (
        closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as src,
        closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed: install the PostgreSQL client tools of the server's "
            "version (Debian: apt install postgresql-client)"
        )
    return found


def _pg_target(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and the environment that carries it."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    conninfo = url.set(drivername="postgresql", password=None)
    return conninfo.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(
            f"{what} failed: " + (" / ".join(detail[-5:]) or f"exit {done.returncode}")
        )


def backup(database_url: str, target: Path, *, overwrite: bool = False) -> BackupInfo:
    """Write a consistent copy of the database to `target` (first to a temporary file beside
    it, so a failed backup never leaves a half-written file under the name)."""
    url = make_url(database_url)
    kind = _kind(url)
    if target.exists() and not overwrite:
        raise BackupError(f"{target} already exists; choose another name or pass --force")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if kind == "sqlite":
            source = _sqlite_file(url)
            if not source.exists():
                raise BackupError(f"there is no database at {source}")
            _sqlite_copy(source, partial)
        else:
            conninfo, env = _pg_target(url)
            _run(
                [_pg_dump(), "--format=custom", f"--file={partial}", f"--dbname={conninfo}"],
                env,
                "pg_dump",
            )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return BackupInfo(path=target, kind=kind, size=target.stat().st_size)


def _pg_dump() -> str:
    return _pg_tool("pg_dump")


def backup_kind(path: Path) -> str:
    """What a backup file holds (sqlite or postgresql), read from its first bytes."""
    if not path.is_file():
        raise BackupError(f"there is no backup file at {path}")
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is neither an SQLite database nor a pg_dump archive")


def tables_with_rows(database_url: str) -> list[str]:
    """The tables of the database that hold rows (an SQLite file not there yet holds none)."""
    url = make_url(database_url)
    if _kind(url) == "sqlite" and not _sqlite_file(url).exists():
        return []
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            names = [n for n in inspect(conn).get_table_names() if n not in _SCHEMA_ONLY]
            return [
                name
                for name in names
                if conn.execute(select(1).select_from(table(name)).limit(1)).first() is not None
            ]
    except SQLAlchemyError as exc:
        raise BackupError(f"cannot read the database to restore into: {exc.args[0]}") from exc
    finally:
        engine.dispose()


def restore(database_url: str, source: Path, *, force: bool = False) -> None:
    """Load the backup `source` into the database; one that holds data only with `force`
    (which replaces everything in it). Stop the servers first."""
    url = make_url(database_url)
    kind = _kind(url)
    found = backup_kind(source)
    if found != kind:
        raise BackupError(f"{source} is a {found} backup; the database is {kind}")
    occupied = tables_with_rows(database_url)
    if occupied and not force:
        raise BackupError(
            f"the database already holds data ({len(occupied)} tables with rows, e.g. "
            f"{', '.join(sorted(occupied)[:3])}); restore into an empty database, or pass "
            "--force to replace everything in it"
        )
    if kind == "sqlite":
        target = _sqlite_file(url)
        if target.exists() and target.resolve() == source.resolve():
            raise BackupError("the backup file is the database itself")
        target.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(source, target)
        return
    conninfo, env = _pg_target(url)
    command = [_pg_tool("pg_restore"), "--exit-on-error", "--single-transaction", "--no-owner"]
    if occupied:
        command += ["--clean", "--if-exists"]
    _run([*command, f"--dbname={conninfo}", str(source)], env, "pg_restore")
