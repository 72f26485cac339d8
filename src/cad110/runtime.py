"""The long-lived parts of a running process: settings, clock, catalog, database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from cad110.auth.cache import PrincipalCache
from cad110.auth.principal import Principal
from cad110.auth.revocation import Revocations
from cad110.catalog.loader import Catalog, default_catalog
from cad110.clock import Clock, SystemClock
from cad110.db.engine import make_engine, make_sessionmaker
from cad110.events.keys import KeyRing, load_ring, use_ring
from cad110.geo.eta import EtaModel, RoadEta, StraightLineEta
from cad110.geo.graph import RoadGraph
from cad110.incidents.context import Ctx
from cad110.missing.outbox import Channel, channels_from_settings
from cad110.missing.rules import Rules, load_rules
from cad110.settings import Settings


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
    missing_rules: Rules
    # Where the outbox delivers: appeal channels by name, and "sms" for the informant.
    outbox_channels: dict[str, Channel]
    # The audit keys every event of this process is signed with (read once, at start).
    audit_keys: KeyRing

    @classmethod
    def build(
        cls, settings: Settings, *, clock: Clock | None = None, catalog: Catalog | None = None
    ) -> Runtime:
        engine = make_engine(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
        sessions = make_sessionmaker(engine)
        principals = PrincipalCache(settings.auth_cache_s)
        revocations = Revocations(principals)
        revocations.follow(sessions)
        return cls(
            settings=settings,
            clock=clock or SystemClock(),
            catalog=catalog or default_catalog(),
            engine=engine,
            sessions=sessions,
            readers=make_sessionmaker(engine, read_only=True),
            eta=eta_model(settings),
            principals=principals,
            revocations=revocations,
            missing_rules=load_rules(settings.missing_rules_path),
            outbox_channels=channels_from_settings(
                settings.appeal_webhooks, settings.sms_gateway_url
            ),
            audit_keys=use_ring(load_ring(settings.audit_key_file)),
        )

    def ctx(self, session: Session, by: Principal, at: datetime | None = None) -> Ctx:
        """A unit of work on `session` as `by`, at `at` (default: now) with this runtime's
        catalog, time zone, ETA model and missing-person rules."""
        return Ctx(
            session=session,
            by=by,
            at=at or self.clock.now(),
            catalog=self.catalog,
            tz=self.settings.tz,
            eta=self.eta,
            missing_rules=self.missing_rules,
        )


def eta_model(settings: Settings) -> EtaModel:
    """Road ETA when a road network was imported (`cad110 roads import`), else straight line."""
    roads = Path(settings.roads_path)
    if roads.is_file():
        return RoadEta(RoadGraph.load(roads))
    return StraightLineEta(speed_kmh=settings.eta_speed_kmh, circuity=settings.eta_circuity)
