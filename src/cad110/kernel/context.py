"""What every use case needs besides its own input."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from cad110.auth.principal import Principal
from cad110.catalog.loader import Catalog
from cad110.events.log import ChainHead, append
from cad110.geo.eta import EtaModel, StraightLineEta
from cad110.kernel.hooks import Hooks
from cad110.models.event import Event
from cad110.models.subjects import SubjectType

T = TypeVar("T")


@dataclass(frozen=True)
class Ctx:
    """The unit of work (session), who acts, when, and the catalog in force."""

    session: Session
    by: Principal
    at: datetime
    catalog: Catalog
    tz: ZoneInfo
    # How travel times are estimated for recommendations (road graph or straight line).
    eta: EtaModel = field(default_factory=StraightLineEta)
    # Who follows what a use case announces (see kernel/hooks.py).
    hooks: Hooks = field(default_factory=Hooks)
    # A package's own configuration in force, by type (e.g. the missing-person rules).
    parts: Mapping[type, object] = field(default_factory=dict)

    def emit(self, fact: object) -> None:
        """Announce `fact` to its subscribers, in this unit of work."""
        self.hooks.emit(self, fact)

    def part(self, kind: type[T], default: Callable[[], T]) -> T:
        """The configured `kind`, or `default()` where none was configured."""
        found = self.parts.get(kind)
        return default() if found is None else cast(T, found)

    def record(
        self,
        subject: SubjectType,
        subject_id: str,
        kind: str,
        payload: dict[str, Any] | None = None,
        *,
        head: ChainHead | None = None,
    ) -> Event:
        """Append the next event of `subject`'s chain, done by this unit of work's actor at its
        time (flushed with the rest of the work). `head=NEW_SUBJECT` for a new subject."""
        return append(
            self.session,
            subject_type=subject,
            subject_id=subject_id,
            kind=kind,
            at=self.at,
            actor=self.by.username,
            payload=payload,
            head=head,
        )
