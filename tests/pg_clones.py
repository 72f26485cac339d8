"""PostgreSQL test databases made ahead, in the background.

`CREATE DATABASE … TEMPLATE` costs the server about half a second; made while the previous test
runs, the copy is ready when the next test asks for it, and the used ones are dropped in the same
background thread. Every copy is made from the template and used by one test only.
"""

from __future__ import annotations

import queue
import threading
import uuid
from collections.abc import Callable

# Copies kept ready: one for the next test, one being made.
AHEAD = 2
TAKE_TIMEOUT_S = 120.0


class CloneMaker:
    def __init__(self, template: str, admin: Callable[[str], None], ahead: int = AHEAD) -> None:
        self._template = template
        self._admin = admin
        self._ready: queue.Queue[str] = queue.Queue(maxsize=ahead)
        self._used: queue.Queue[str] = queue.Queue()
        self._stop = threading.Event()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="pg-clones", daemon=True)
        self._thread.start()

    def take(self) -> str:
        """A fresh copy of the template, for one test."""
        try:
            return self._ready.get(timeout=TAKE_TIMEOUT_S)
        except queue.Empty:
            raise RuntimeError(f"no PostgreSQL copy was made: {self._failure!r}") from None

    def give_back(self, name: str) -> None:
        """The test is done with it: it is dropped in the background."""
        self._used.put(name)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=TAKE_TIMEOUT_S)
        for box in (self._ready, self._used):
            while not box.empty():
                self._drop(box.get_nowait())

    def _drop(self, name: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _work(self) -> None:
        made: str | None = None
        while not self._stop.is_set():
            try:
                while not self._used.empty():
                    self._drop(self._used.get_nowait())
                if made is None:
                    made = f"cad110_t_{uuid.uuid4().hex[:12]}"
                    self._admin(f'CREATE DATABASE "{made}" TEMPLATE "{self._template}"')
                self._ready.put(made, timeout=0.2)
                made = None
            except queue.Full:
                continue
            except BaseException as exc:  # reported to the test that waits for a copy
                self._failure = exc
                self._stop.wait(1.0)
        if made is not None:
            self._drop(made)
