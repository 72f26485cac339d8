"""Test databases: every test gets a fresh copy of a migrated, seeded template, on SQLite and
on PostgreSQL. The schema is always built by the migrations, never by create_all."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from cad110.app import bind_runtime, create_app
from cad110.cli import common
from cad110.clock import VirtualClock
from cad110.db.engine import make_engine, make_sessionmaker, transaction
from cad110.db.migrate import upgrade
from cad110.events.keys import load_ring, use_ring
from cad110.kernel.runtime import Runtime
from cad110.runtime import build_runtime
from cad110.settings import Settings, get_settings
from tests.pg_clones import CloneMaker
from tests.world import START, World, build_world

PG_URL = os.environ.get(
    "CAD110_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() == "true"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _pg_conninfo(database: str | None = None) -> str:
    url = make_url(PG_URL)
    if database is not None:
        url = url.set(database=database)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_reason() -> str | None:
    try:
        with psycopg.connect(_pg_conninfo(), connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return f"{exc.__class__.__name__}: {str(exc).strip().splitlines()[0]}"


_PG_DOWN = _pg_reason()


def pytest_report_header() -> list[str]:
    if _PG_DOWN is None:
        return [f"PostgreSQL: {make_url(PG_URL).render_as_string()}"]
    return [
        "!" * 78,
        f"!!! PostgreSQL NOT REACHABLE at {make_url(PG_URL).render_as_string()} ({_PG_DOWN})",
        "!!! every PostgreSQL test is SKIPPED" + (" — and FAILS, because CI=true" if IN_CI else ""),
        "!" * 78,
    ]


def _require_pg() -> None:
    if _PG_DOWN is not None:
        message = f"PostgreSQL not reachable: {_PG_DOWN}"
        if IN_CI:
            pytest.fail(message + " (CI=true: PostgreSQL tests must run)")
        pytest.skip(message)


def _admin(sql: str) -> None:
    with psycopg.connect(_pg_conninfo(), autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """Migrated and seeded template databases, built once per test session."""
    made: dict[str, object] = {}
    pg_template: str | None = None
    try:
        yield made
    finally:
        clones = made.get("postgresql_clones")
        if isinstance(clones, CloneMaker):
            clones.close()
        pg_template = made.get("postgresql_name")  # type: ignore[assignment]
        if pg_template:
            _admin(f'DROP DATABASE IF EXISTS "{pg_template}" WITH (FORCE)')


def _seed(url: str) -> World:
    upgrade(url)
    engine = make_engine(url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            return build_world(session)
    finally:
        engine.dispose()


def _template(
    kind: str, templates: dict[str, object], tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, World]:
    if kind not in templates:
        if kind == "sqlite":
            path = tmp_path_factory.mktemp("template") / "template.db"
            world = _seed(f"sqlite:///{path}")
            templates[kind] = (str(path), world)
        else:
            name = f"cad110_tpl_{uuid.uuid4().hex[:10]}"
            _admin(f'CREATE DATABASE "{name}"')
            templates["postgresql_name"] = name
            world = _seed(make_url(PG_URL).set(database=name).render_as_string(hide_password=False))
            templates[kind] = (name, world)
            templates["postgresql_clones"] = CloneMaker(name, _admin)
    return templates[kind]  # type: ignore[return-value]


@pytest.fixture(scope="session", autouse=True)
def audit_key_source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One audit key for the session, signing the template databases and everything built
    before a test starts; its checkpoints go beside it, never to the repository's ./var."""
    folder = tmp_path_factory.mktemp("audit")
    path = folder / "audit.keys"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CAD110_AUDIT_KEY_FILE", str(path))
        patch.setenv("CAD110_AUDIT_CHECKPOINT_PATH", str(folder / "audit-checkpoints.jsonl"))
        use_ring(load_ring(path))
        yield path


@pytest.fixture(autouse=True)
def audit_files(
    audit_key_source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Each test signs with its own copy of that key and keeps its own checkpoint file, both
    in its temporary folder."""
    keys = tmp_path / "audit.keys"
    shutil.copyfile(audit_key_source, keys)
    keys.chmod(0o600)
    monkeypatch.setenv("CAD110_AUDIT_KEY_FILE", str(keys))
    monkeypatch.setenv("CAD110_AUDIT_CHECKPOINT_PATH", str(tmp_path / "audit-checkpoints.jsonl"))
    use_ring(load_ring(keys))
    yield tmp_path
    use_ring(load_ring(audit_key_source))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql":
        _require_pg()
    return str(request.param)


@pytest.fixture
def database(
    backend: str,
    templates: dict[str, object],
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, World]]:
    """A fresh database cloned from the template: (url, world)."""
    source, world = _template(backend, templates, tmp_path_factory)
    if backend == "sqlite":
        target = tmp_path / "cad110.db"
        shutil.copyfile(source, target)
        yield f"sqlite:///{target}", world
        return
    clones = templates["postgresql_clones"]
    assert isinstance(clones, CloneMaker)
    name = clones.take()
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False), world
    finally:
        clones.give_back(name)


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(START)


@pytest.fixture
def runtime(database: tuple[str, World], clock: VirtualClock) -> Iterator[Runtime]:
    url, _world = database
    rt = build_runtime(Settings(database_url=url, supervision_loop=False), clock=clock)
    try:
        yield rt
    finally:
        rt.engine.dispose()


@pytest.fixture
def world(database: tuple[str, World]) -> World:
    return database[1]


class Api:
    """A test client that speaks as one of the world's users."""

    def __init__(self, client: TestClient, world: World) -> None:
        self.client = client
        self.world = world

    def as_(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.world.tokens[username]}"}

    def post(self, path: str, user: str, json: object | None = None, **kw: object):  # type: ignore[no-untyped-def]
        return self.client.post(
            "/api/v1" + path, json=json, headers={**self.as_(user), **kw.pop("headers", {})}, **kw
        )  # type: ignore[arg-type]

    def get(self, path: str, user: str, **kw: object):  # type: ignore[no-untyped-def]
        return self.client.get("/api/v1" + path, headers=self.as_(user), **kw)  # type: ignore[arg-type]


# One application per middleware configuration, served with each test's runtime in turn:
# building an application's routes costs more than most tests (see app.bind_runtime).
_APPS: dict[tuple[object, ...], FastAPI] = {}


def app_for(runtime: Runtime) -> FastAPI:
    """An application serving `runtime`: built once, then bound to each test's runtime."""
    s = runtime.settings
    key = (
        s.max_body_bytes,
        s.max_upload_bytes,
        s.map_tile_url,
        s.docs_enabled,
        s.admit_reads,
        s.admit_writes,
        s.admit_wait_s,
    )
    app = _APPS.get(key)
    if app is None:
        app = _APPS[key] = create_app(runtime)
    else:
        bind_runtime(app, runtime)
    return app


@pytest.fixture
def api(runtime: Runtime, world: World) -> Iterator[Api]:
    with TestClient(
        app_for(runtime), raise_server_exceptions=os.environ.get("CAD110_TEST_RAISE") == "1"
    ) as client:
        yield Api(client, world)


@pytest.fixture
def command_line(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """`cad110 …` against the test's database, as another process would run it."""
    monkeypatch.setenv(
        "CAD110_DATABASE_URL", runtime.engine.url.render_as_string(hide_password=False)
    )
    # Rich sizes its tables to the terminal it finds at import; a test worker has none, so the
    # width is set here as a wide terminal would give it, and names stay on one line.
    for console in (common.console, common.err):
        monkeypatch.setattr(console, "_width", 200)
    get_settings.cache_clear()
    try:
        yield CliRunner()
    finally:
        get_settings.cache_clear()
