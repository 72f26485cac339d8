"""The background loop that runs the supervision tick in a serving process."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from sqlalchemy.exc import SQLAlchemyError

from cad110.db.engine import transaction
from cad110.events.checkpoint import CheckpointTimer
from cad110.missing.outbox import deliver
from cad110.missing.watch import system_ctx
from cad110.missing.watch import tick as missing_tick
from cad110.runtime import Runtime
from cad110.supervision.service import tick

log = logging.getLogger(__name__)


class SupervisionLoop:
    """Ticks every `supervision_tick_s`; each tick is one transaction and safe to repeat.

    Several workers may run it at once: every state change in a tick is a conditional
    UPDATE, so each overdue step is opened and escalated exactly once.
    """

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="supervision", daemon=True)
        settings = runtime.settings
        self._checkpoints = CheckpointTimer(
            runtime.readers,
            settings.audit_checkpoint_path,
            timedelta(seconds=settings.audit_checkpoint_s),
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def run_once(self) -> None:
        rt = self._runtime
        now = rt.clock.now()
        with transaction(rt.sessions) as session:
            watch = missing_tick(system_ctx(rt, session, now))
            report = tick(session, now=now, settings=rt.settings)
        if report.opened or report.escalated:
            log.info("supervision: %d opened, %d escalated", report.opened, report.escalated)
        if watch.fired or watch.reminded or watch.widened:
            log.info("missing persons: %s", watch)
        deliver(rt.sessions, rt.outbox_channels, now)
        self._checkpoints.tick(now)

    def _run(self) -> None:
        while not self._stop.wait(self._runtime.settings.supervision_tick_s):
            try:
                self.run_once()
            except SQLAlchemyError:
                # A lost race or a busy database: the next tick picks up the same rows.
                log.warning("supervision tick failed; retrying next tick", exc_info=True)
