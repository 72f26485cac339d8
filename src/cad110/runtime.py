"""The long-lived parts of a running process: settings, clock, catalog, database."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from cad110.catalog.loader import Catalog, default_catalog
from cad110.clock import Clock, SystemClock
from cad110.db.engine import make_engine, make_sessionmaker
from cad110.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    clock: Clock
    catalog: Catalog
    engine: Engine
    sessions: sessionmaker[Session]

    @classmethod
    def build(
        cls, settings: Settings, *, clock: Clock | None = None, catalog: Catalog | None = None
    ) -> Runtime:
        engine = make_engine(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
        return cls(
            settings=settings,
            clock=clock or SystemClock(),
            catalog=catalog or default_catalog(),
            engine=engine,
            sessions=make_sessionmaker(engine),
        )
