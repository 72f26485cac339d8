"""Notices across workers through PostgreSQL LISTEN/NOTIFY.

Publishing hands the notices to a sender thread, which NOTIFYs them on its own autocommit
connection (batched, each payload under PostgreSQL's 8000-byte limit). Every worker — the
publishing one included — receives them on a LISTEN connection and hands them to its own
subscribers, so a notice reaches each screen once, by one path. If the LISTEN connection
drops, the listener reconnects and tells its subscribers to resync: they may have missed
notices while it was away.

The same connection listens for revocations (auth/revocation.py: user ids, NOTIFYed by the
transaction that ended their credentials, whichever process ran it) and hands them to
`on_revoke`; after a reconnect it hands over None: every user's credentials are looked at
again, as some revocation may have been missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections.abc import Callable, Sequence

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo
from psycopg.rows import TupleRow

from cad110.auth.revocation import CHANNEL as REVOKE_CHANNEL
from cad110.live.bus import QUEUE_SIZE, Bus
from cad110.live.notice import Notice, Resync, decode, encode

log = logging.getLogger(__name__)

CHANNEL = "cad110_live"
# A dead peer is noticed within about keepalives_idle + interval × count seconds.
CONNECT_OPTIONS: dict[str, int] = {
    "connect_timeout": 5,
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
}
RECONNECT_FIRST_S = 0.1
RECONNECT_MAX_S = 5.0
START_TIMEOUT_S = 10.0


class _Sender:
    """A thread that NOTIFYs what the request threads publish, batching what piles up."""

    def __init__(self, conninfo: str, channel: str, bus: Bus) -> None:
        self._conninfo = conninfo
        self._channel = channel
        self._bus = bus
        self._queue: queue.SimpleQueue[tuple[Notice, ...] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="live-notify", daemon=True)
        self._conn: psycopg.Connection[TupleRow] | None = None

    def start(self) -> None:
        self._thread.start()

    def put(self, notices: Sequence[Notice]) -> None:
        self._queue.put(tuple(notices))

    def stop(self, timeout: float = 5.0) -> None:
        self._queue.put(None)
        self._thread.join(timeout)

    def _run(self) -> None:
        stopping = False
        while not stopping:
            item = self._queue.get()
            batch: list[Notice] = []
            while True:
                if item is None:
                    stopping = True
                    break
                batch.extend(item)
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            if batch:
                self._send(encode(batch))
        if self._conn is not None:
            self._conn.close()

    def _send(self, payloads: list[str]) -> None:
        statement = "SELECT pg_notify(%s, p) FROM unnest(%s::text[]) AS p"
        for attempt in (1, 2):
            try:
                if self._conn is None or self._conn.closed:
                    self._conn = psycopg.connect(self._conninfo, autocommit=True)
                self._conn.execute(statement, (self._channel, payloads))
                return
            except psycopg.Error as exc:
                log.warning("live: NOTIFY failed (attempt %d): %s", attempt, exc)
                if self._conn is not None:
                    self._conn.close()
                self._conn = None
        log.error("live: %d notice payload(s) lost; this worker's screens resync", len(payloads))
        self._bus.resync_threadsafe("lost")


class PostgresBus(Bus):
    """Several workers on one PostgreSQL database."""

    def __init__(
        self,
        conninfo: str,
        *,
        channel: str = CHANNEL,
        queue_size: int = QUEUE_SIZE,
        on_revoke: Callable[[frozenset[int] | None], None] | None = None,
    ) -> None:
        super().__init__(queue_size)
        self._conninfo = make_conninfo(conninfo, **CONNECT_OPTIONS)
        self._channel = channel
        self._on_revoke = on_revoke
        self._sender: _Sender | None = None
        self._listener: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()

    @property
    def listening(self) -> bool:
        return self._listening.is_set()

    def publish(self, notices: Sequence[Notice]) -> None:
        sender = self._sender
        if sender is not None and notices:
            sender.put(notices)

    async def start(self) -> None:
        await super().start()
        self._listening = asyncio.Event()
        self._sender = _Sender(self._conninfo, self._channel, self)
        self._sender.start()
        self._listener = asyncio.create_task(self._listen(), name="live-listen")
        try:
            async with asyncio.timeout(START_TIMEOUT_S):
                await self._listening.wait()
        except TimeoutError:
            log.error("live: not listening on PostgreSQL yet; will keep trying")

    async def stop(self) -> None:
        sender, self._sender = self._sender, None
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None
        if sender is not None:
            await asyncio.to_thread(sender.stop)
        await super().stop()

    async def _listen(self) -> None:
        delay = RECONNECT_FIRST_S
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self._conninfo, autocommit=True
                ) as conn:
                    for channel in (self._channel, REVOKE_CHANNEL):
                        await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
                    self._listening.set()
                    delay = RECONNECT_FIRST_S
                    # Whatever was sent while this worker was not listening is lost.
                    self.hub.resync("reconnect")
                    self._revoked(None)
                    async for notify in conn.notifies():
                        if notify.channel == REVOKE_CHANNEL:
                            self._revoked(_user_ids(notify.payload))
                        else:
                            self._receive(notify.payload)
            except psycopg.Error as exc:
                log.warning("live: LISTEN connection lost (%s); reconnecting", exc)
            except Exception:
                log.exception("live: listener failed; reconnecting")
            self._listening.clear()
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX_S)

    def _receive(self, payload: str) -> None:
        try:
            received = decode(payload)
        except ValueError:
            log.warning("live: ignored a malformed notice on %s", self._channel)
            return
        if isinstance(received, Resync):
            self.hub.resync(received.reason)
        else:
            self.hub.deliver(received)

    def _revoked(self, users: frozenset[int] | None) -> None:
        if self._on_revoke is not None:
            self._on_revoke(users)


def _user_ids(payload: str) -> frozenset[int] | None:
    """The user ids of a revocation payload; None (everyone) if it cannot be read."""
    try:
        return frozenset(int(part) for part in payload.split(","))
    except ValueError:
        log.warning("live: unreadable revocation %r; looking at every user again", payload[:80])
        return None
