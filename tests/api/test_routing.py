"""Every route of the application commits its unit of work: it is a UnitOfWorkRoute, which
only a `Router` (api/routing.py) makes and which a plain APIRouter would silently not."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

from cad110.api.routing import Router, UnitOfWorkRoute
from cad110.app import create_app
from cad110.clock import VirtualClock
from cad110.runtime import build_runtime
from cad110.settings import Settings
from tests.world import START


def _routes(app: FastAPI) -> list[tuple[str, APIRoute]]:
    """Every path operation `app` serves, with its full path: (path, route)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # a FastAPI that copies included routes: app.routes are the routes
        return [(r.path, r) for r in app.routes if isinstance(r, APIRoute)]
    # A FastAPI that includes routers lazily serves each router's own route objects.
    return [
        (str(c.path), c.original_route)
        for c in iter_route_contexts(app.routes)
        if isinstance(c.original_route, APIRoute)
    ]


def _not_committing(app: FastAPI) -> list[str]:
    """The routes of `app` that would not commit: 'METHODS path' each."""
    return sorted(
        f"{','.join(sorted(r.methods))} {path}"
        for path, r in _routes(app)
        if not isinstance(r, UnitOfWorkRoute)
    )


def _forgot() -> dict[str, str]:
    return {}


def test_every_route_of_the_app_commits_its_unit_of_work(tmp_path: Path) -> None:
    # The routes, not the database, are under test: the runtime's database is never opened.
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'unused.db'}", docs_enabled=True)
    runtime = build_runtime(settings, clock=VirtualClock(START))
    try:
        app = create_app(runtime)
    finally:
        runtime.engine.dispose()
    paths = {path for path, _ in _routes(app)}
    # The JSON API, the console's pages, the live stream, /docs and /healthz are all there.
    assert {
        "/api/v1/incidents",
        "/api/v1/missing/{number}/appeals",
        "/api/v1/live",
        "/board",
        "/login",
        "/docs",
        "/healthz",
    } <= paths
    assert _not_committing(app) == []


def test_the_check_finds_a_plain_router_that_would_never_commit() -> None:
    plain = APIRouter()
    plain.add_api_route("/forgot", _forgot, methods=["POST"])
    committing = Router()
    committing.add_api_route("/kept", _forgot, methods=["POST"])
    app = FastAPI()
    app.include_router(committing)
    app.include_router(plain)
    assert _not_committing(app) == ["POST /forgot"]


def test_a_router_refuses_any_other_route_class() -> None:
    with pytest.raises(TypeError, match="UnitOfWorkRoute"):
        Router(route_class=APIRoute)
    with pytest.raises(TypeError, match="not APIRoute"):
        Router().add_api_route("/forgot", _forgot, route_class_override=APIRoute)
    plain = APIRouter()
    plain.add_api_route("/forgot", _forgot)
    with pytest.raises(TypeError, match="not APIRouter"):
        Router().include_router(plain)
    router = Router(prefix="/x", tags=["x"], include_in_schema=False)
    router.add_api_route("/kept", _forgot)
    assert [type(r) for r in router.routes] == [UnitOfWorkRoute]
