"""`cad110 backup` and `cad110 restore`: a restored database is whole and holds every incident
the API acknowledged."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from cad110.app import create_app
from cad110.cli import app as cli
from cad110.db import backup as backups
from cad110.db.backup import BackupError
from cad110.db.engine import make_engine
from cad110.events.log import append
from cad110.kernel.runtime import Runtime
from cad110.models.event import Event
from cad110.runtime import build_runtime
from cad110.settings import Settings, get_settings
from tests.api.helpers import new_incident, walk_to_arrival
from tests.conftest import PG_URL, Api, _admin
from tests.world import World


@pytest.fixture
def empty_database(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it, not even the schema."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"cad110_r_{uuid.uuid4().hex[:12]}"
    _admin(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _cli(monkeypatch: pytest.MonkeyPatch, url: str, *args: str) -> tuple[int, str]:
    monkeypatch.setenv("CAD110_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, list(args))
    finally:
        get_settings.cache_clear()
    return result.exit_code, result.output


def test_a_backup_restored_into_an_empty_database_is_whole_with_every_acknowledged_incident(
    api: Api,
    runtime: Runtime,
    world: World,
    empty_database: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    acknowledged = [new_incident(api)["number"] for _ in range(4)]
    walk_to_arrival(api, acknowledged[0])
    source = runtime.engine.url.render_as_string(hide_password=False)
    file = tmp_path / "cad110.backup"

    code, output = _cli(monkeypatch, source, "backup", str(file))
    assert code == 0, output
    assert "checkpoint #1" in output
    code, output = _cli(monkeypatch, empty_database, "restore", str(file))
    assert code == 0, output
    code, output = _cli(monkeypatch, empty_database, "audit", "verify")
    assert code == 0, output
    assert "4 incidents and 4 calls replayed; 1 checkpoint line(s) checked" in output

    restored = build_runtime(Settings(database_url=empty_database, supervision_loop=False))
    try:
        with TestClient(create_app(restored)) as client:
            token = {"Authorization": f"Bearer {world.tokens['dispatcher']}"}
            for number in acknowledged:
                response = client.get(f"/api/v1/incidents/{number}", headers=token)
                assert response.status_code == 200, response.text
            assert (
                client.get(f"/api/v1/incidents/{acknowledged[0]}", headers=token).json()["status"]
                == "arrived"
            )
    finally:
        restored.engine.dispose()


def test_restore_refuses_a_database_that_holds_data_unless_forced(
    api: Api,
    runtime: Runtime,
    empty_database: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kept = new_incident(api)["number"]
    source = runtime.engine.url.render_as_string(hide_password=False)
    file = tmp_path / "cad110.backup"
    assert _cli(monkeypatch, source, "backup", str(file))[0] == 0
    assert _cli(monkeypatch, empty_database, "restore", str(file))[0] == 0
    new_incident(api)

    code, output = _cli(monkeypatch, source, "restore", str(file))
    assert code == 1
    assert "already holds data" in output
    code, output = _cli(monkeypatch, source, "restore", str(file), "--force")
    assert code == 0, output
    with runtime.sessions() as session:
        numbers = set(
            session.scalars(select(Event.subject_id).where(Event.subject_type == "incident"))
        )
    assert numbers == {kept}


def test_a_backup_holds_only_what_was_committed_when_it_was_taken(
    api: Api, runtime: Runtime, empty_database: str, tmp_path: Path
) -> None:
    new_incident(api)
    file = tmp_path / "cad110.backup"
    url = runtime.engine.url.render_as_string(hide_password=False)
    with runtime.sessions() as session, session.begin():
        append(
            session,
            subject_type="test",
            subject_id="open",
            kind="written",
            at=runtime.clock.now(),
            actor="t",
        )
        session.flush()
        backups.backup(url, file)
    backups.restore(empty_database, file)
    assert "incidents" in backups.tables_with_rows(empty_database)
    engine = make_engine(empty_database)
    try:
        with engine.connect() as conn:
            assert conn.scalar(select(Event.id).where(Event.subject_type == "test")) is None
    finally:
        engine.dispose()


def test_a_backup_of_postgresql_needs_its_client_tools(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(backups.shutil, "which", lambda _name: None)
    with pytest.raises(BackupError, match=r"pg_dump is not installed.*postgresql-client"):
        backups.backup("postgresql+psycopg://cad110@db.example/cad110", tmp_path / "b.dump")


def test_a_backup_is_only_restored_into_its_own_kind_of_database(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'source.db'}"
    engine = make_engine(database)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    engine.dispose()
    file = tmp_path / "source.backup"
    backups.backup(database, file)
    with pytest.raises(BackupError, match="is a sqlite backup; the database is postgresql"):
        backups.restore("postgresql+psycopg://cad110@db.example/cad110", file)
    with pytest.raises(BackupError, match="already exists"):
        backups.backup(database, file)
    (tmp_path / "junk").write_bytes(b"not a backup")
    with pytest.raises(BackupError, match="neither an SQLite database nor a pg_dump archive"):
        backups.restore(database, tmp_path / "junk")
