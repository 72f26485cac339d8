"""The HTTP floor of `cad110 bench intake`: the raw rows behind the thinnest HTTP server.

The raw side of the bench writes each incident's rows through SQLAlchemy Core with nothing in
front of them; the API puts a whole create in front (authentication, validation, the place,
the grade, repeats, 受理, the events and the answer). Between the two lies what any Python HTTP
service pays on the machine before it does any work: uvicorn, the request and its JSON body,
a worker thread, the answer, and the load generator's own share of the same cores. This app
pays only that: `POST /api/v1/incidents` parses the body, numbers the incident, builds and
signs its rows as the raw side does (`harness.raw_incident`) and writes them in one
transaction (`harness.RawStatements`), then answers 201 with the number. The same load drives
it as drives the API, so "API / HTTP floor" says how much of what the machine allows an HTTP
create the real one spends on its work.

Not a product endpoint: no authentication, no checks. Only the bench serves it
(`uvicorn cad110.bench.floor:app`, CAD110_DATABASE_URL naming the bench's database).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anyio.to_thread
from sqlalchemy import Engine

from cad110.bench.harness import CREATE_PATH, RawStatements, raw_incident, raw_prefix
from cad110.clock import SystemClock
from cad110.db.engine import make_engine
from cad110.settings import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class Floor:
    """A bare ASGI app: `/healthz` and the raw create."""

    def __init__(self) -> None:
        self._engine: Engine | None = None
        self._settings: Settings | None = None
        # Built once per prefix (a new one each local day), as the raw side builds them once.
        self._statements: dict[str, RawStatements] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if scope["path"] == "/healthz":
            await _answer(send, 200, b'{"status":"ok"}')
            return
        if scope["path"] != CREATE_PATH or scope["method"] != "POST":
            await _answer(send, 404, b'{"error":"not_found"}')
            return
        try:
            body = json.loads(await _body(receive))
        except ValueError:
            await _answer(send, 400, b'{"error":"invalid_json"}')
            return
        number = await anyio.to_thread.run_sync(self._write, body)
        await _answer(send, 201, json.dumps({"number": number}).encode())

    def _write(self, body: dict[str, Any]) -> str:
        assert self._engine is not None
        assert self._settings is not None
        at = SystemClock().now()
        prefix = raw_prefix(at, self._settings.tz)
        statements = self._statements.get(prefix)
        if statements is None:
            statements = self._statements[prefix] = RawStatements(self._engine.dialect.name, prefix)
        with self._engine.begin() as conn:
            number = f"{prefix}-{statements.bump(conn):04d}"
            statements.write(conn, raw_incident(body, number, at))
        return number

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._settings = Settings()
                self._engine = make_engine(
                    self._settings.database_url,
                    sqlite_synchronous=self._settings.sqlite_synchronous,
                )
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._engine is not None:
                    self._engine.dispose()
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _answer(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(body)),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


app = Floor()
