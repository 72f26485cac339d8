"""A real uvicorn server in a background thread and a reader of its live pushes (server-sent
events), and an incident made through it."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from tests.world import GULOU_WEST, World

# Every wait is bounded: a push that never comes fails the test instead of hanging it.
TIMEOUT = httpx.Timeout(5.0)
SERVER_START_S = 20.0


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """`app` on uvicorn in a background thread; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    host, port = sock.getsockname()[:2]
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", lifespan="on", timeout_graceful_shutdown=2
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + SERVER_START_S
        while not server.started:
            assert thread.is_alive(), "the server exited during startup"
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.01)
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        assert not thread.is_alive(), "the server did not stop"


class Stream:
    """The events of one open /api/v1/live response."""

    def __init__(self, response: httpx.Response) -> None:
        self._lines = response.iter_lines()

    def next(self) -> tuple[str, Any]:
        """The next event as (name, data); a comment block as ("comment", its text)."""
        name, comment = "message", None
        data: list[str] = []
        for line in self._lines:
            if line == "":
                if data:
                    return name, json.loads("\n".join(data))
                if comment is not None:
                    return "comment", comment
                name = "message"
            elif line.startswith(":"):
                comment = line[1:].strip()
            else:
                field, _, value = line.partition(":")
                value = value.removeprefix(" ")
                if field == "event":
                    name = value
                elif field == "data":
                    data.append(value)
        raise AssertionError("the stream ended")

    def change(self) -> dict[str, Any]:
        """The next change (heartbeats skipped); fails on any other event."""
        while True:
            name, data = self.next()
            if name != "comment":
                assert name == "change", (name, data)
                return data  # type: ignore[no-any-return]


@contextmanager
def stream(client: httpx.Client, token: str | None = None) -> Iterator[Stream]:
    """A subscribed stream: it has received `ready`."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with client.stream("GET", "/api/v1/live", headers=headers) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        events = Stream(response)
        name, _ready = events.next()
        assert name == "ready"
        yield events


def bearer(world: World, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[user]}"}


def new_incident(
    client: httpx.Client, world: World, at: tuple[float, float] = GULOU_WEST, **extra: object
) -> str:
    body = {"lon": at[0], "lat": at[1], "narrative": "电动车被盗", "category": "theft", **extra}
    response = client.post("/api/v1/incidents", json=body, headers=bearer(world, "calltaker"))
    assert response.status_code == 201, response.text
    return str(response.json()["number"])
