"""Open live streams end when their credential does.

Each stream is registered with the credential it was opened with (a token or a console
session, by digest) and when that expires. A stream ends with `event: end`:

- "revoked" when its credential no longer holds: the guard listens to the runtime's
  revocations (this process's commits, PostgreSQL NOTIFY from every other process) and looks
  the credentials of the users concerned up again; on SQLite, where there is no NOTIFY, it
  also looks every `POLL_S` seconds for user events appended by other processes (the command
  line) since its last look;
- "expired" when its credential's time is up, checked every `POLL_S` seconds on the
  runtime's clock.

A user has at most `settings.live_streams_per_user` open streams on one worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from cad110.auth.revocation import POLL_S, Credential, still_valid
from cad110.errors import DomainError
from cad110.kernel.runtime import Runtime
from cad110.live.bus import Subscription
from cad110.models.event import Event
from cad110.models.subjects import SubjectType
from cad110.models.user import User

log = logging.getLogger(__name__)


class TooManyStreams(DomainError):
    status_code = 429
    code = "too_many_streams"


@dataclass(eq=False)
class OpenStream:
    """One open stream of one user, and why it ended (None while it runs)."""

    user_id: int
    credential: Credential
    loop: asyncio.AbstractEventLoop
    expires_at: datetime | None = None
    ended: str | None = None
    subscription: Subscription | None = field(default=None, repr=False)

    def attach(self, subscription: Subscription) -> None:
        """The stream's subscription, once its response starts (on its loop)."""
        self.subscription = subscription
        # An end that came before the subscription could not reach it.
        if self.ended is not None:
            subscription.end(self.ended)

    def end(self, reason: str) -> None:
        """From any thread. Set first, then read the subscription: one of `attach` and this
        sees the other's write, so an end is never lost."""
        if self.ended is not None:
            return
        self.ended = reason
        subscription = self.subscription
        if subscription is not None:
            with contextlib.suppress(RuntimeError):  # a closed loop has no reader any more
                self.loop.call_soon_threadsafe(subscription.end, reason)


class StreamGuard:
    """The open streams of one worker, ended when their credentials end."""

    def __init__(self, runtime: Runtime, poll_s: float = POLL_S) -> None:
        self.runtime = runtime
        self.poll_s = poll_s
        self._lock = threading.Lock()
        self._streams: dict[int, set[OpenStream]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._watch: asyncio.Task[None] | None = None
        # On SQLite: the last event this worker has looked at for revocations.
        self._seen_event_id: int | None = None

    @property
    def limit(self) -> int:
        return self.runtime.settings.live_streams_per_user

    def open_streams(self, user_id: int | None = None) -> int:
        with self._lock:
            if user_id is not None:
                return len(self._streams.get(user_id, ()))
            return sum(len(s) for s in self._streams.values())

    # --- streams ----------------------------------------------------------------------------

    def admit(self, user_id: int, credential: Credential) -> OpenStream:
        """Register a stream about to open; refused (429) past the user's limit. Register
        before `validate`, so a revocation committed meanwhile finds it or the lookup sees it."""
        stream = OpenStream(user_id, credential, asyncio.get_running_loop())
        with self._lock:
            mine = self._streams.setdefault(user_id, set())
            if len(mine) >= self.limit:
                if not mine:
                    del self._streams[user_id]
                raise TooManyStreams(
                    f"at most {self.limit} live streams per user may be open at once; "
                    "close a console tab or window first"
                )
            mine.add(stream)
        return stream

    async def validate(self, stream: OpenStream) -> bool:
        """Whether the stream's credential holds now; learns when it expires."""
        valid = await asyncio.to_thread(self._still_valid, [stream.credential])
        stream.expires_at = valid.get(stream.credential)
        return stream.expires_at is not None

    def release(self, stream: OpenStream) -> None:
        with self._lock:
            mine = self._streams.get(stream.user_id)
            if mine is not None:
                mine.discard(stream)
                if not mine:
                    del self._streams[stream.user_id]

    def _of(self, users: Collection[int] | None) -> list[OpenStream]:
        with self._lock:
            if users is None:
                return [s for mine in self._streams.values() for s in mine]
            return [s for user in users for s in self._streams.get(user, ())]

    # --- revocations ------------------------------------------------------------------------

    def revoked(self, users: frozenset[int] | None) -> None:
        """A revocation listener (any thread): look these users' streams over again."""
        loop = self._loop
        if loop is None or not self._of(users):
            return
        with contextlib.suppress(RuntimeError):  # the loop is closing: its streams end anyway
            loop.call_soon_threadsafe(self._spawn_recheck, users)

    def _spawn_recheck(self, users: frozenset[int] | None) -> None:
        task = asyncio.get_running_loop().create_task(self.recheck(users))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def recheck(self, users: Collection[int] | None) -> None:
        """End the streams of `users` (None: all) whose credential no longer holds."""
        streams = [s for s in self._of(users) if s.ended is None]
        if not streams:
            return
        try:
            valid = await asyncio.to_thread(self._still_valid, [s.credential for s in streams])
        except Exception:
            log.exception("live: could not look credentials up; will look again")
            return
        for stream in streams:
            until = valid.get(stream.credential)
            if until is None:
                stream.end("revoked")
            else:
                stream.expires_at = until

    def _still_valid(self, credentials: list[Credential]) -> dict[Credential, datetime]:
        rt = self.runtime
        with rt.readers() as session:
            return still_valid(session, credentials, now=rt.clock.now())

    def expire(self) -> None:
        """End the streams whose credential's time is up."""
        now = self.runtime.clock.now()
        for stream in self._of(None):
            if stream.expires_at is not None and stream.expires_at <= now:
                stream.end("expired")

    # --- the watch --------------------------------------------------------------------------

    @property
    def polls_events(self) -> bool:
        """Only SQLite needs to look for revocations by others: PostgreSQL sends NOTIFY. On
        SQLite one writer at a time commits, so event ids grow in commit order."""
        return self.runtime.engine.dialect.name == "sqlite"

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        if self.polls_events:
            self._seen_event_id = await asyncio.to_thread(self._last_event_id)
        self.runtime.revocations.listen(self.revoked)
        self._watch = self._loop.create_task(self._run(), name="live-guard")

    async def stop(self) -> None:
        self.runtime.revocations.unlisten(self.revoked)
        for task in (self._watch, *self._tasks):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._watch = None
        self._loop = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.poll_s)
            try:
                self.expire()
                if self.polls_events:
                    users = await asyncio.to_thread(self._users_with_new_events)
                    if users:
                        self.runtime.revocations.revoked(users)
            except Exception:
                log.exception("live: revocation watch failed; will look again")

    def _last_event_id(self) -> int:
        with self.runtime.readers() as session:
            return session.scalar(select(func.max(Event.id))) or 0

    def _users_with_new_events(self) -> set[int]:
        """Users with an event on their chain since the last look (their credentials may
        have ended by another process's hand)."""
        seen = self._seen_event_id or 0
        with self.runtime.readers() as session:
            # One snapshot: the newest id and the user events up to it.
            newest = session.scalar(select(func.max(Event.id))) or 0
            if newest <= seen:
                return set()
            users = set(
                session.scalars(
                    select(User.id)
                    .join(Event, Event.subject_id == User.username)
                    .where(
                        Event.id > seen, Event.id <= newest, Event.subject_type == SubjectType.USER
                    )
                )
            )
        self._seen_event_id = newest
        return users
