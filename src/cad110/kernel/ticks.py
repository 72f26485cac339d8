"""The background tick of a serving process: each package contributes jobs through `Job`;
the composition root lists them in order and `TickLoop` runs them.

Several workers (`cad110 serve --workers N`) each run a loop, and each tick is run by one of
them (`take_turn`): the first worker to find it due claims it in one conditional UPDATE, and
on PostgreSQL it also holds an advisory lock while it runs, so a tick that outlasts its
interval is not run beside itself. Every job must still be safe to repeat (conditional
UPDATEs, unique rows): a restart or a missed tick loses nothing, it is caught up next time.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import or_, text, update
from sqlalchemy.exc import SQLAlchemyError

from cad110.db.engine import transaction
from cad110.events.checkpoint import CheckpointTimer
from cad110.kernel.runtime import Runtime
from cad110.models.tick import TickTurn

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


TICK = "tick"
# The advisory lock a worker holds while it runs the tick (PostgreSQL; any fixed key not used
# elsewhere: "110" and "tick" in ASCII).
TICK_LOCK = 0x313130_7469636B
# A turn lasts a little less than the interval, so that a worker whose timer fires a moment
# early does not skip the tick.
TURN_SHARE = 0.9


def take_turn(rt: Runtime, now: datetime) -> bool:
    """Claim the tick due at `now` for this worker: False when another worker has run it
    within the last interval. A turn due further ahead than one interval was claimed by a
    clock that has since been set back, and is claimed again."""
    lasts = timedelta(seconds=rt.settings.supervision_tick_s * TURN_SHARE)
    with transaction(rt.sessions) as session:
        claimed = session.execute(
            update(TickTurn)
            .where(
                TickTurn.name == TICK,
                or_(TickTurn.due_at <= now, TickTurn.due_at > now + lasts),
            )
            .values(due_at=now + lasts)
        )
        return bool(claimed.rowcount)  # type: ignore[attr-defined]


@contextmanager
def running_alone(rt: Runtime) -> Iterator[bool]:
    """Whether this worker may run the tick now: on PostgreSQL, True only while it holds the
    tick's advisory lock (a transaction-scoped lock: it ends with the connection's
    transaction even if the worker dies mid-tick). SQLite is served by one worker."""
    if rt.engine.dialect.name != "postgresql":
        yield True
        return
    with rt.engine.connect() as connection, connection.begin():
        got = connection.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": TICK_LOCK})
        yield bool(got)


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

    def run_once(self) -> bool:
        """Run the tick if it is this worker's turn; whether it ran."""
        rt = self._runtime
        try:
            with running_alone(rt) as alone:
                now = rt.clock.now()
                if not alone or not take_turn(rt, now):
                    return False
                run_jobs(rt, now)
                return True
        except SQLAlchemyError:
            log.warning("tick not run: the database is unavailable", exc_info=True)
            return False

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
