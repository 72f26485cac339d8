"""Live pushes: every committed change reaches the open screens of its jurisdiction, over
server-sent events from a real uvicorn server; across workers through LISTEN/NOTIFY."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from cad110.app import create_app
from cad110.clock import VirtualClock
from cad110.events.log import append
from cad110.kernel.runtime import Runtime
from cad110.live import Notice, Resync
from cad110.live.bus import Hub
from cad110.live.capture import ChangeTracker
from cad110.live.notice import decode, encode
from cad110.models.supervision import Notification
from cad110.runtime import build_runtime
from cad110.settings import Settings
from tests.integration.live_stream import TIMEOUT, bearer, new_incident, serving, stream
from tests.world import GULOU_WEST, MINHOU, PASSWORD, START, World

GUDONG = "350100/350102/35010201/"
MINHOU_STATION = "350100/350121/35012101/"


# --- the application, and requests to it (its server and SSE reader: live_stream.py) ----------


def live_app(runtime: Runtime) -> FastAPI:
    """The application; create_app wires live pushes itself."""
    return create_app(runtime)


def post(client: httpx.Client, world: World, path: str, user: str, body: object) -> int:
    return client.post("/api/v1" + path, json=body, headers=bearer(world, user)).status_code


def brief(change: dict[str, Any]) -> tuple[str, str]:
    return change["kind"], change["event"]


# --- the parts without a server ----------------------------------------------------------------


def _notice(i: int, path: str = GUDONG) -> Notice:
    return Notice("incident", f"35010220261123{i:05d}", (path,), "received", START, seq=1)


def test_notify_payloads_stay_under_postgresqls_limit_and_keep_the_order() -> None:
    notices = [_notice(i) for i in range(300)]
    payloads = encode(notices)
    assert len(payloads) > 1
    assert all(len(p.encode()) < 8000 for p in payloads)
    received = [n for p in payloads for n in decode(p)]  # type: ignore[union-attr]
    assert received == notices
    huge = Notice("incident", "x", ("1/" * 5000,), "received", START)
    assert decode(encode([huge])[0]) == Resync("oversize")


def test_a_screen_that_falls_behind_gets_a_resync_instead_of_a_growing_backlog() -> None:
    async def scoped() -> None:
        hub = Hub(queue_size=4)
        with hub.subscribe(GUDONG) as slow, hub.subscribe(MINHOU_STATION) as other:
            hub.deliver([_notice(i) for i in range(10)])
            with pytest.raises(asyncio.QueueEmpty):
                other.get_nowait()  # nothing of Gulou for a Minhou screen
            # One resync, then what came after the last overflow; never more than 4 waiting.
            got = [await slow.get() for _ in range(4)]
            assert got == [Resync("overflow"), _notice(7), _notice(8), _notice(9)]
            with pytest.raises(asyncio.QueueEmpty):
                slow.get_nowait()
        assert len(hub) == 0

    # In a thread of its own: the browser tests' Playwright keeps a loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, scoped()).result()


def test_notices_leave_only_after_commit_and_never_from_a_rollback(runtime: Runtime) -> None:
    published: list[list[Notice]] = []
    tracker = ChangeTracker(lambda notices: published.append(list(notices)))
    tracker.attach(runtime.sessions)

    def note(session: Any, unit: str, kind: str) -> None:
        append(session, subject_type="unit", subject_id=unit, kind=kind, at=START, actor="test")

    def failed_savepoint(session: Any) -> None:
        with session.begin_nested():
            note(session, "35010201-1", "note.in_failed_savepoint")
            session.flush()
            raise RuntimeError

    try:
        with runtime.sessions() as session:
            note(session, "35010201-1", "note.rolled_back")
            session.flush()
            assert published == []  # flushed is not committed
            session.rollback()
        assert published == []

        with runtime.sessions() as session:
            with pytest.raises(RuntimeError):
                failed_savepoint(session)
            with session.begin_nested():
                note(session, "35012101-1", "note.in_savepoint")
            assert published == []  # a released savepoint is not a commit
            session.add(
                Notification(
                    target_code="35012101",
                    target_path=MINHOU_STATION,
                    kind="supervision",
                    message="督办",
                    created_at=START + timedelta(seconds=1),
                )
            )
            note(session, "35010201-2", "note.committed")
            session.commit()
        assert len(published) == 1
        assert [(n.kind, n.id, n.paths, n.event) for n in published[0]] == [
            ("unit", "35012101-1", (MINHOU_STATION,), "note.in_savepoint"),
            # Flushed first, by the query for the next event's chain head.
            ("notification", published[0][1].id, (MINHOU_STATION,), "supervision"),
            ("unit", "35010201-2", (GUDONG,), "note.committed"),
        ]
    finally:
        tracker.detach()


# --- through a live server -------------------------------------------------------------------


def test_a_new_incident_reaches_an_open_screen_within_a_second(
    runtime: Runtime, world: World
) -> None:
    with (
        serving(live_app(runtime)) as url,
        httpx.Client(base_url=url, timeout=TIMEOUT) as client,
        stream(client, world.tokens["dispatcher"]) as screen,
    ):
        started = time.monotonic()
        number = new_incident(client, world)
        first = screen.change()
        assert time.monotonic() - started < 1.0
        assert first == {
            "kind": "incident",
            "id": number,
            "event": "received",
            "at": first["at"],
            "seq": 1,
        }
        assert brief(screen.change()) == ("call", "call.recorded")

        assert post(client, world, f"/incidents/{number}/accept", "calltaker", {}) == 200
        # One notice per change: the accept comes next, nothing repeated before it.
        accepted = screen.change()
        assert (accepted["id"], brief(accepted)) == (number, ("incident", "accept"))


def test_a_screen_sees_only_changes_in_its_own_jurisdiction(runtime: Runtime, world: World) -> None:
    with (
        serving(live_app(runtime)) as url,
        httpx.Client(base_url=url, timeout=TIMEOUT) as client,
        stream(client, world.tokens["minhou_dispatcher"]) as minhou,
        stream(client, world.tokens["dispatcher"]) as city,
    ):
        in_gulou = new_incident(client, world, GULOU_WEST)
        in_minhou = new_incident(client, world, MINHOU)
        # Notices arrive in commit order: had Minhou's screen been sent Gulou's incident, it
        # would have come first.
        assert minhou.change()["id"] == in_minhou
        assert city.change()["id"] == in_gulou


def test_a_refused_request_publishes_nothing(runtime: Runtime, world: World) -> None:
    with (
        serving(live_app(runtime)) as url,
        httpx.Client(base_url=url, timeout=TIMEOUT) as client,
        stream(client, world.tokens["dispatcher"]) as screen,
    ):
        busy, refused, marker = (new_incident(client, world, accept=True) for _ in range(3))
        dispatch = f"/incidents/{busy}/dispatch"
        assert post(client, world, dispatch, "dispatcher", {"units": ["35010201-2"]}) == 200
        assert post(client, world, f"/incidents/{refused}/assess", "dispatcher", {}) == 200
        while (change := screen.change())["id"] != refused or change["event"] != "assess":
            pass

        # 35010201-1 is claimed and its event flushed before 35010201-2 turns out to be busy;
        # the whole request rolls back, and so do its notices.
        units = {"units": ["35010201-1", "35010201-2"]}
        assert post(client, world, f"/incidents/{refused}/dispatch", "dispatcher", units) == 409
        assert post(client, world, f"/incidents/{marker}/assess", "dispatcher", {}) == 200
        after = screen.change()
        assert (after["id"], brief(after)) == (marker, ("incident", "assess"))


def test_the_stream_needs_a_login_and_accepts_the_console_session(
    runtime: Runtime, world: World
) -> None:
    with (
        serving(live_app(runtime)) as url,
        httpx.Client(base_url=url, timeout=TIMEOUT) as client,
    ):
        assert client.get("/api/v1/live").status_code == 401
        wrong = {"Authorization": "Bearer not-a-token"}
        assert client.get("/api/v1/live", headers=wrong).status_code == 401
        login = {"username": "minhou_dispatcher", "password": PASSWORD}
        assert client.post("/login", data=login).status_code == 303
        with stream(client) as console:
            number = new_incident(client, world, MINHOU)
            assert console.change()["id"] == number


def test_an_idle_stream_gets_heartbeats(runtime: Runtime, world: World) -> None:
    app = live_app(runtime)
    app.state.live.heartbeat_s = 0.1
    with (
        serving(app) as url,
        httpx.Client(base_url=url, timeout=TIMEOUT) as client,
        stream(client, world.tokens["dispatcher"]) as screen,
    ):
        assert screen.next() == ("comment", "ping")
        number = new_incident(client, world)
        assert screen.change()["id"] == number


# --- several workers on PostgreSQL -----------------------------------------------------------


# LISTEN/NOTIFY is PostgreSQL's: these tests run on it only.
pg_only = pytest.mark.parametrize(
    "backend", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)


@pg_only
def test_a_change_through_one_worker_reaches_screens_on_every_worker(
    runtime: Runtime, database: tuple[str, World], clock: VirtualClock
) -> None:
    url, world = database
    other = build_runtime(Settings(database_url=url, supervision_loop=False), clock=clock)
    try:
        with ExitStack() as stack:
            a = stack.enter_context(
                httpx.Client(
                    base_url=stack.enter_context(serving(live_app(runtime))), timeout=TIMEOUT
                )
            )
            b = stack.enter_context(
                httpx.Client(
                    base_url=stack.enter_context(serving(live_app(other))), timeout=TIMEOUT
                )
            )
            on_a = stack.enter_context(stream(a, world.tokens["dispatcher"]))
            on_b = stack.enter_context(stream(b, world.tokens["dispatcher"]))

            started = time.monotonic()
            number = new_incident(a, world)
            first = on_b.change()
            assert time.monotonic() - started < 1.0
            assert (first["id"], brief(first)) == (number, ("incident", "received"))

            assert post(b, world, f"/incidents/{number}/accept", "calltaker", {}) == 200
            expected = [("incident", "received"), ("call", "call.recorded"), ("incident", "accept")]
            # Each worker delivers each notice once, whichever worker published it.
            assert [brief(first), *(brief(on_b.change()) for _ in range(2))] == expected
            assert [brief(on_a.change()) for _ in range(3)] == expected
    finally:
        other.engine.dispose()


@pg_only
def test_a_worker_that_loses_its_listen_connection_reconnects_and_screens_resync(
    runtime: Runtime, world: World
) -> None:
    with (
        serving(live_app(runtime)) as url,
        httpx.Client(base_url=url, timeout=TIMEOUT) as client,
        stream(client, world.tokens["dispatcher"]) as screen,
    ):
        with runtime.engine.connect() as conn:
            killed = conn.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND query LIKE 'LISTEN %'"
                )
            ).scalar_one()
            conn.commit()
        assert killed == 1
        assert screen.next() == ("resync", {"reason": "reconnect"})
        number = new_incident(client, world)
        assert screen.change()["id"] == number
