"""The background tick of a serving process: each package contributes jobs through `Job`;
the composition root lists them in order and `TickLoop` runs them.

Every job must be safe to repeat and to run in several workers at once (conditional
UPDATEs, unique rows): a restart or a missed tick loses nothing, it is caught up next time.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.exc import SQLAlchemyError

from cad110.events.checkpoint import CheckpointTimer
from cad110.kernel.runtime import Runtime

log = logging.getLogger(__name__)


class Job(Protocol):
    """One package's share of the tick."""

    name: str

    def run(self, rt: Runtime, now: datetime) -> str | None:
        """Do what is due at `now` (its own transactions); a line for the log if it did
        something worth saying."""


def run_jobs(rt: Runtime, now: datetime | None = None) -> None:
    """One tick: every job in order; one failing does not keep the others from running."""
    at = now or rt.clock.now()
    for job in rt.jobs:
        try:
            said = job.run(rt, at)
        except SQLAlchemyError:
            # A lost race or a busy database: the next tick picks up the same rows.
            log.warning("tick job %s failed; retrying next tick", job.name, exc_info=True)
            continue
        if said:
            log.info("%s: %s", job.name, said)


class TickLoop:
    """Runs the tick every `supervision_tick_s` in a background thread."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tick", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def run_once(self) -> None:
        run_jobs(self._runtime)

    def _run(self) -> None:
        while not self._stop.wait(self._runtime.settings.supervision_tick_s):
            self.run_once()


class CheckpointJob:
    """Writes the audit checkpoint file every `audit_checkpoint_s`, across all workers."""

    name = "audit checkpoint"

    def __init__(self, rt: Runtime) -> None:
        settings = rt.settings
        self._timer = CheckpointTimer(
            rt.readers,
            settings.audit_checkpoint_path,
            timedelta(seconds=settings.audit_checkpoint_s),
        )

    def run(self, rt: Runtime, now: datetime) -> str | None:
        self._timer.tick(now)
        return None
