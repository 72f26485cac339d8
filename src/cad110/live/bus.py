"""The bus that carries change notices to the screens open on this worker.

`publish` may be called from any thread (the request's worker thread right after its
commit); subscribers live on the event loop. Each subscriber has a bounded queue: one that
cannot keep up gets a single `Resync` instead of an ever-growing backlog.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import TypeVar

from cad110.live.notice import Notice, Resync

log = logging.getLogger(__name__)

QUEUE_SIZE = 256

_T = TypeVar("_T")

Message = Notice | Resync


class Subscription:
    """One open screen: the notices it may see, in order, until it closes or the bus stops.

    Iterate it (`async for message in subscription`), or `await get()`; `None` from `get()`
    means the bus stopped. Use it as a context manager so that it always unsubscribes.
    """

    def __init__(self, hub: Hub, scope_path: str, maxsize: int) -> None:
        self.scope_path = scope_path
        self._hub = hub
        self._queue: asyncio.Queue[Message | None] = asyncio.Queue(maxsize)
        self._ended = False
        # Why it was ended for its viewer alone ("revoked", "expired"); None: the bus stopped.
        self.reason: str | None = None

    # --- the loop side of the hub ---------------------------------------------------------

    def offer(self, message: Message) -> None:
        if self._ended:
            return
        try:
            self._queue.put_nowait(message)
        except asyncio.QueueFull:
            # Too slow: drop the backlog, tell the screen to reload, carry on from here.
            self._drain()
            self._queue.put_nowait(Resync("overflow"))
            if not isinstance(message, Resync):
                self._queue.put_nowait(message)

    def end(self, reason: str | None = None) -> None:
        """No more messages: whatever waits is dropped, `get()` answers None from now on."""
        if not self._ended:
            self.reason = reason
            self._drain()
            self._queue.put_nowait(None)
            self._ended = True

    def _drain(self) -> None:
        while not self._queue.empty():
            self._queue.get_nowait()

    # --- the reader's side ----------------------------------------------------------------

    async def get(self) -> Message | None:
        return await self._queue.get()

    def get_nowait(self) -> Message | None:
        """The next waiting message; raises asyncio.QueueEmpty if there is none."""
        return self._queue.get_nowait()

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Message:
        message = await self._queue.get()
        if message is None:
            raise StopAsyncIteration
        return message

    def close(self) -> None:
        self._hub.discard(self)
        self._ended = True

    def __enter__(self) -> Subscription:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self.close()


class Hub:
    """The subscribers of one worker. Used from the event loop's thread only."""

    def __init__(self, queue_size: int = QUEUE_SIZE) -> None:
        # Room for a resync and the notice that overflowed, at least.
        self.queue_size = max(queue_size, 2)
        self._subscriptions: set[Subscription] = set()

    def __len__(self) -> int:
        return len(self._subscriptions)

    def subscribe(self, scope_path: str) -> Subscription:
        subscription = Subscription(self, scope_path, self.queue_size)
        self._subscriptions.add(subscription)
        return subscription

    def discard(self, subscription: Subscription) -> None:
        self._subscriptions.discard(subscription)

    def deliver(self, notices: Sequence[Notice]) -> None:
        for subscription in tuple(self._subscriptions):
            scope = subscription.scope_path
            for notice in notices:
                if notice.visible_to(scope):
                    subscription.offer(notice)

    def resync(self, reason: str) -> None:
        for subscription in tuple(self._subscriptions):
            subscription.offer(Resync(reason))

    def close(self) -> None:
        for subscription in tuple(self._subscriptions):
            subscription.end()
        self._subscriptions.clear()


class Bus(ABC):
    """Carries notices from committed transactions to the subscribers of every worker."""

    def __init__(self, queue_size: int = QUEUE_SIZE) -> None:
        self.hub = Hub(queue_size)
        self._loop: asyncio.AbstractEventLoop | None = None

    @abstractmethod
    def publish(self, notices: Sequence[Notice]) -> None:
        """Send the notices of one committed transaction (any thread; never blocks)."""

    def subscribe(self, scope_path: str) -> Subscription:
        """A new subscription for a viewer whose subtree is `scope_path` (on the loop)."""
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        return self.hub.subscribe(scope_path)

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()

    async def stop(self) -> None:
        self.hub.close()
        self._loop = None

    def deliver_threadsafe(self, notices: Sequence[Notice]) -> None:
        """Hand notices to this worker's subscribers, from any thread."""
        self._call_soon(self.hub.deliver, tuple(notices))

    def resync_threadsafe(self, reason: str) -> None:
        """Tell this worker's subscribers to reload, from any thread."""
        self._call_soon(self.hub.resync, reason)

    def _call_soon(self, callback: Callable[[_T], None], argument: _T) -> None:
        loop = self._loop
        if loop is None:
            return
        # A closed loop (RuntimeError) has nobody listening any more.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(callback, argument)


class InProcessBus(Bus):
    """One worker (SQLite, or a single PostgreSQL worker): notices go straight to the loop."""

    def publish(self, notices: Sequence[Notice]) -> None:
        if notices:
            self.deliver_threadsafe(notices)
