"""The long-lived parts of a running process: settings, clock, catalog, database, and what
the composition root (`cad110/runtime.py`) wired into it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from cad110.auth.cache import PrincipalCache
from cad110.auth.principal import SYSTEM, Principal
from cad110.auth.revocation import Revocations
from cad110.catalog.loader import Catalog
from cad110.clock import Clock
from cad110.events.keys import KeyRing
from cad110.geo.eta import EtaModel
from cad110.kernel.context import Ctx
from cad110.kernel.hooks import Hooks
from cad110.kernel.outbox import Channel
from cad110.settings import Settings

if TYPE_CHECKING:
    from cad110.kernel.ticks import Job


@dataclass
class Runtime:
    settings: Settings
    clock: Clock
    catalog: Catalog
    engine: Engine
    sessions: sessionmaker[Session]
    # Sessions for requests that only read (on SQLite they never take the write lock).
    readers: sessionmaker[Session]
    eta: EtaModel
    principals: PrincipalCache
    # Ends credentials at once in this process when a committed change announces it.
    revocations: Revocations
    # Where the outbox delivers: channels by name (appeal channels, "sms", …).
    outbox_channels: dict[str, Channel]
    # The audit keys every event of this process is signed with (read once, at start).
    audit_keys: KeyRing
    # Who follows what a use case announces, in order (wired by the composition root).
    hooks: Hooks = field(default_factory=Hooks)
    # What the tick runs, in order (wired by the composition root).
    jobs: list[Job] = field(default_factory=list)
    # Each package's own configuration in force, by type (e.g. the missing-person rules).
    parts: Mapping[type, object] = field(default_factory=dict)

    def ctx(self, session: Session, by: Principal, at: datetime | None = None) -> Ctx:
        """A unit of work on `session` as `by`, at `at` (default: now) with this runtime's
        catalog, time zone, ETA model, subscribers and configuration."""
        return Ctx(
            session=session,
            by=by,
            at=at or self.clock.now(),
            catalog=self.catalog,
            tz=self.settings.tz,
            eta=self.eta,
            hooks=self.hooks,
            parts=self.parts,
        )

    def system_ctx(self, session: Session, at: datetime | None = None) -> Ctx:
        """A unit of work done by the system itself (the tick, the simulator's clockwork)."""
        return self.ctx(session, SYSTEM, at)
