"""Revocation bites at once: a revoked token, a disabled user, a reset password, a logout or an
expiry refuses the next request and ends the open live streams of that credential — on the
worker that made the change, on every other worker (PostgreSQL NOTIFY), and when the command
line made it (NOTIFY, or the server's look at new user events on SQLite).

Every wait is bounded by the HTTP client's read timeout: a stream that does not end fails the
test instead of hanging it."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from typer.testing import CliRunner

from cad110.app import create_app
from cad110.auth.revocation import announce
from cad110.auth.sessions import COOKIE
from cad110.auth.tokens import digest
from cad110.cli import app as cli
from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.models.user import User
from cad110.models.web_session import WebSession
from cad110.runtime import build_runtime
from cad110.settings import Settings
from tests.integration.live_stream import TIMEOUT, Stream, new_incident, serving, stream
from tests.world import World

# --- steps -----------------------------------------------------------------------------------


def admin(world: World) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens['admin']}"}


def issue(client: httpx.Client, world: World, user: str, label: str = "") -> tuple[int, str]:
    """A new token for `user` through the admin API: (its id, the token)."""
    response = client.post(
        "/api/v1/admin/tokens", json={"user": user, "label": label}, headers=admin(world)
    )
    assert response.status_code == 201, response.text
    return response.json()["id"], response.json()["token"]


def administer(client: httpx.Client, world: World, path: str, body: object = None) -> Any:
    response = client.post("/api/v1/admin" + path, json=body, headers=admin(world))
    assert response.status_code == 200, response.text
    return response.json()


def reads(client: httpx.Client, token: str) -> int:
    """The status of an ordinary read with `token`."""
    return client.get("/api/v1/units", headers={"Authorization": f"Bearer {token}"}).status_code


def ends(screen: Stream, reason: str) -> None:
    """The stream says why it ends, then closes."""
    while True:
        name, data = screen.next()
        if name != "comment":
            break
    assert (name, data) == ("end", {"reason": reason})
    with pytest.raises(AssertionError, match="the stream ended"):
        screen.next()


def still_open(client: httpx.Client, world: World, *screens: Stream) -> None:
    """The screens still receive changes."""
    number = new_incident(client, world)
    for screen in screens:
        assert screen.change()["id"] == number


@contextmanager
def console(runtime: Runtime, url: str, username: str) -> Iterator[httpx.Client]:
    """A browser with an open console session of `username` (its own cookie jar). The session
    is opened as a login opens it, without the password hashing that logins are made to cost."""
    cookie = secrets.token_urlsafe(32)
    now = runtime.clock.now()
    with transaction(runtime.sessions) as session:
        user_id = session.scalar(select(User.id).where(User.username == username))
        assert user_id is not None
        session.add(
            WebSession(
                id=digest(cookie),
                user_id=user_id,
                csrf_token=secrets.token_urlsafe(24),
                created_at=now,
                expires_at=now + timedelta(hours=runtime.settings.session_hours),
            )
        )
    with httpx.Client(base_url=url, timeout=TIMEOUT, cookies={COOKIE: cookie}) as client:
        yield client


@contextmanager
def app_and_client(runtime: Runtime) -> Iterator[tuple[FastAPI, str, httpx.Client]]:
    app = create_app(runtime)
    with serving(app) as url, httpx.Client(base_url=url, timeout=TIMEOUT) as client:
        yield app, url, client


# --- on one worker ---------------------------------------------------------------------------


def test_a_revoked_token_is_refused_at_once_and_its_stream_ends(
    runtime: Runtime, world: World
) -> None:
    with app_and_client(runtime) as (_app, _url, client):
        token_id, token = issue(client, world, "dispatcher", "大屏")
        assert reads(client, token) == 200  # now remembered by the worker
        with (
            stream(client, token) as revoked,
            stream(client, world.tokens["dispatcher"]) as other,
        ):
            administer(client, world, f"/tokens/{token_id}/revoke")
            assert reads(client, token) == 401
            ends(revoked, "revoked")
            # The user's other token and its stream are untouched.
            assert reads(client, world.tokens["dispatcher"]) == 200
            still_open(client, world, other)


def test_disabling_a_user_ends_every_stream_of_theirs(runtime: Runtime, world: World) -> None:
    with (
        app_and_client(runtime) as (_app, url, client),
        console(runtime, url, "dispatcher") as browser,
        stream(browser) as on_console,
        stream(client, world.tokens["dispatcher"]) as on_token,
        stream(client, world.tokens["leader"]) as someone_else,
    ):
        administer(client, world, "/users/dispatcher/disable", {"reason": "离职"})
        assert reads(client, world.tokens["dispatcher"]) == 401
        assert browser.get("/api/v1/units").status_code == 401
        ends(on_console, "revoked")
        ends(on_token, "revoked")
        still_open(client, world, someone_else)


def test_logging_out_ends_the_streams_of_that_console_session_only(
    runtime: Runtime, world: World
) -> None:
    with (
        app_and_client(runtime) as (_app, url, client),
        console(runtime, url, "dispatcher") as desk,
        console(runtime, url, "dispatcher") as wall,
        stream(desk) as on_desk,
        stream(wall) as on_wall,
    ):
        cookie = desk.cookies[COOKIE]
        assert desk.post("/logout").status_code == 303
        with httpx.Client(base_url=url, timeout=TIMEOUT, cookies={COOKIE: cookie}) as replay:
            assert replay.get("/api/v1/units").status_code == 401
        ends(on_desk, "revoked")
        # The same user's other console session stays logged in.
        still_open(client, world, on_wall)


def test_a_password_reset_ends_console_streams_and_leaves_token_streams(
    runtime: Runtime, world: World
) -> None:
    with (
        app_and_client(runtime) as (_app, url, client),
        console(runtime, url, "dispatcher") as browser,
        stream(browser) as on_console,
        stream(client, world.tokens["dispatcher"]) as on_token,
    ):
        administer(client, world, "/users/dispatcher/reset-password")
        ends(on_console, "revoked")
        assert browser.get("/api/v1/units").status_code == 401
        still_open(client, world, on_token)


def test_an_expired_console_session_ends_its_stream(
    runtime: Runtime, world: World, clock: VirtualClock
) -> None:
    with (
        app_and_client(runtime) as (_app, url, client),
        console(runtime, url, "dispatcher") as browser,
        stream(browser) as on_console,
        stream(client, world.tokens["dispatcher"]) as on_token,
    ):
        clock.advance(timedelta(hours=runtime.settings.session_hours, seconds=1))
        ends(on_console, "expired")
        assert browser.get("/api/v1/units").status_code == 401
        still_open(client, world, on_token)


def test_a_user_may_hold_only_so_many_streams(runtime: Runtime, world: World) -> None:
    runtime.settings.live_streams_per_user = 2
    with app_and_client(runtime) as (app, _url, client):
        guard = app.state.live.guard
        token = world.tokens["dispatcher"]
        with stream(client, token), stream(client, token):
            refused = client.get("/api/v1/live", headers={"Authorization": f"Bearer {token}"})
            assert refused.status_code == 429
            assert refused.json()["code"] == "too_many_streams"
            assert "at most 2 live streams" in refused.json()["detail"]
            # Another user is not held back by this one.
            with stream(client, world.tokens["leader"]):
                pass
        # Both places are given back once the server sees the streams closed.
        deadline = time.monotonic() + 5.0
        while guard.open_streams() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert guard.open_streams() == 0
        with stream(client, token), stream(client, token):
            pass


# --- from another process, and across workers --------------------------------------------------


def test_a_revocation_by_the_command_line_reaches_a_running_server(
    runtime: Runtime, world: World, command_line: CliRunner
) -> None:
    with app_and_client(runtime) as (_app, _url, client):
        token_id, token = issue(client, world, "calltaker", "接警席")
        assert reads(client, token) == 200
        listed = command_line.invoke(
            cli, ["token", "list", "--user", "calltaker"], env={"COLUMNS": "200"}
        )
        assert listed.exit_code == 0, listed.output
        assert "接警席" in listed.output
        assert token not in listed.output
        with stream(client, token) as screen:
            revoked = command_line.invoke(cli, ["token", "revoke", str(token_id)])
            assert revoked.exit_code == 0, revoked.output
            ends(screen, "revoked")
            assert reads(client, token) == 401

        with stream(client, world.tokens["calltaker"]) as screen:
            disabled = command_line.invoke(cli, ["user", "disable", "calltaker"])
            assert disabled.exit_code == 0, disabled.output
            ends(screen, "revoked")
            assert reads(client, world.tokens["calltaker"]) == 401


# LISTEN/NOTIFY is PostgreSQL's: two workers on one SQLite file are not supported.
pg_only = pytest.mark.parametrize(
    "backend", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)


@pg_only
def test_a_revocation_on_one_worker_reaches_every_other_worker(
    runtime: Runtime, database: tuple[str, World], clock: VirtualClock
) -> None:
    url, world = database
    other = build_runtime(Settings(database_url=url, supervision_loop=False), clock=clock)
    try:
        with ExitStack() as stack:
            _app_a, _url_a, a = stack.enter_context(app_and_client(runtime))
            _app_b, _url_b, b = stack.enter_context(app_and_client(other))
            token_id, token = issue(a, world, "dispatcher")
            assert reads(b, token) == 200  # remembered by worker b
            on_b = stack.enter_context(stream(b, token))
            on_b_console = stack.enter_context(
                stream(stack.enter_context(console(other, _url_b, "leader")))
            )

            administer(a, world, f"/tokens/{token_id}/revoke")
            ends(on_b, "revoked")
            assert reads(b, token) == 401

            administer(a, world, "/users/leader/disable")
            ends(on_b_console, "revoked")
            assert reads(b, world.tokens["leader"]) == 401
    finally:
        other.engine.dispose()


def test_a_revocation_acts_only_once_its_transaction_commits(runtime: Runtime) -> None:
    heard: list[frozenset[int] | None] = []
    runtime.revocations.listen(heard.append)
    with runtime.sessions() as session:
        announce(session, 1)
        session.rollback()
    assert heard == []
    with runtime.sessions() as session, session.begin():
        with session.begin_nested():
            announce(session, 2)
        assert heard == []  # a released savepoint is not a commit
        announce(session, 3)
    assert heard == [frozenset({2, 3})]
