"""Admission (api/admission.py): past its slots a worker answers 503 + Retry-After at once,
before any of the request's work; reads and writes have slots of their own."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
from starlette.types import Receive, Scope, Send

from cad110.api.admission import Admission, Capacity, Slots
from cad110.api.security import SecurityHeaders


class Held:
    """An application whose requests to /hold run until released; it counts what it started."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.release = asyncio.Event()
        self.holding = 0
        self.bodies: list[bytes] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.started.append(f"{scope['method']} {scope['path']}")
        body = b""
        while True:  # the whole body, as an endpoint reads it
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        self.bodies.append(body)
        if scope["path"].endswith("/hold"):
            self.holding += 1
            await self.release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def client(
    app: Held, *, reads: int = 1, writes: int = 1, wait_s: float = 0.05
) -> httpx.AsyncClient:
    gate = Admission(app, capacity=Capacity(reads=reads, writes=writes, wait_s=wait_s))
    served = SecurityHeaders(gate, csp="default-src 'self'")
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=served), base_url="http://t")


async def held(app: Held, pending: asyncio.Task[httpx.Response], holders: int = 1) -> None:
    """Wait until `holders` requests are inside the application."""
    for _ in range(200):
        if app.holding >= holders:
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"{app.holding} requests held, {holders} expected; {pending}")


def test_a_write_past_its_slots_is_refused_at_once_and_never_started() -> None:
    async def scenario() -> None:
        app = Held()
        async with client(app) as c:
            first = asyncio.create_task(c.post("/api/v1/hold"))
            await held(app, first)
            refused = await c.post("/api/v1/incidents", json={})
            assert refused.status_code == 503
            assert refused.headers["retry-after"] == "1"
            assert refused.json() == {"detail": "the server is busy; retry shortly", "code": "busy"}
            assert refused.headers["x-content-type-options"] == "nosniff"
            assert "POST /api/v1/incidents" not in app.started  # nothing of it was done
            app.release.set()
            assert (await first).status_code == 200
            # The slot is free again.
            assert (await c.post("/api/v1/incidents", json={})).status_code == 200

    asyncio.run(scenario())


def test_a_request_waits_for_a_slot_freed_within_the_wait() -> None:
    async def scenario() -> None:
        app = Held()
        async with client(app, wait_s=5.0) as c:
            first = asyncio.create_task(c.post("/api/v1/hold"))
            await held(app, first)
            second = asyncio.create_task(c.post("/api/v1/incidents", json={}))
            await asyncio.sleep(0.05)
            assert "POST /api/v1/incidents" not in app.started  # waiting, not running
            app.release.set()
            assert (await first).status_code == 200
            assert (await second).status_code == 200
            assert app.started[-1] == "POST /api/v1/incidents"

    asyncio.run(scenario())


def test_reads_and_writes_do_not_take_each_others_slots() -> None:
    async def scenario() -> None:
        app = Held()
        async with client(app, reads=1, writes=1) as c:
            write = asyncio.create_task(c.post("/api/v1/hold"))
            read = asyncio.create_task(c.get("/board/hold"))
            await held(app, write, holders=2)
            # Both kinds are full: each refuses its own kind.
            assert (await c.get("/api/v1/incidents")).status_code == 503
            assert (await c.patch("/api/v1/incidents/x", json={})).status_code == 503
            app.release.set()
            assert (await write).status_code == 200
            assert (await read).status_code == 200

    asyncio.run(scenario())


def test_live_streams_logins_static_files_and_health_are_never_refused() -> None:
    async def scenario() -> None:
        app = Held()
        async with client(app) as c:
            write = asyncio.create_task(c.post("/api/v1/hold"))
            read = asyncio.create_task(c.get("/api/v1/hold"))
            await held(app, write, holders=2)
            for method, path in [
                ("GET", "/api/v1/live"),
                ("POST", "/login"),
                ("GET", "/login"),
                ("GET", "/static/js/board.js"),
                ("GET", "/healthz"),
            ]:
                answer = await c.request(method, path)
                assert answer.status_code == 200, (method, path)
            app.release.set()
            await asyncio.gather(write, read)

    asyncio.run(scenario())


def test_a_page_refused_says_so_in_chinese_first_under_the_pages_policy() -> None:
    async def scenario() -> None:
        app = Held()
        async with client(app) as c:
            read = asyncio.create_task(c.get("/board/hold"))
            await held(app, read)
            page = await c.get("/board")
            assert page.status_code == 503
            assert page.headers["content-type"].startswith("text/html")
            assert page.headers["content-security-policy"] == "default-src 'self'"
            assert "系统繁忙，请稍后重试" in page.text
            app.release.set()
            await read

    asyncio.run(scenario())


def test_a_waiter_that_gave_up_loses_no_slot_and_the_line_is_kept_in_order() -> None:
    async def scenario() -> None:
        slots = Slots(1, wait_s=0.05)
        assert await slots.take()
        assert not await slots.take()  # gave up waiting
        slots.wait_s = 5.0
        order: list[str] = []

        async def wait(name: str) -> None:
            assert await slots.take()
            order.append(name)
            await asyncio.sleep(0.01)
            slots.give_back()

        line = [asyncio.create_task(wait(n)) for n in ("first", "second", "third")]
        await asyncio.sleep(0.02)
        slots.give_back()
        await asyncio.gather(*line)
        assert order == ["first", "second", "third"]
        assert slots.held == 0
        assert await slots.take()  # the one slot is there, once

    asyncio.run(scenario())


def test_a_body_sent_slowly_holds_no_slot_while_it_arrives_and_reaches_the_app_whole() -> None:
    async def scenario() -> None:
        app = Held()
        sending = asyncio.Event()

        async def slowly() -> AsyncIterator[bytes]:
            yield b'{"narrative": "'
            sending.set()
            await asyncio.sleep(0.3)  # six times the wait for a slot
            yield b'slow"}'

        async with client(app, writes=1, wait_s=0.05) as c:
            slow = asyncio.create_task(c.post("/api/v1/incidents", content=slowly()))
            await sending.wait()
            quick = await c.post("/api/v1/incidents", json={"narrative": "quick"})
            assert quick.status_code == 200  # the one slot was free: the slow body is not in
            assert (await slow).status_code == 200
            assert app.bodies == [b'{"narrative":"quick"}', b'{"narrative": "slow"}']

    asyncio.run(scenario())
