"""处警结果 rows against their events: each entry and each incident's totals.

An entry edited in the database (an amount raised, a strike removed) or written without its
event no longer equals what the incident's chain says, and totals that do not add up to the
entries the events describe are found too. Chains with outcome events are compared in batches.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from cad110.events.findings import Problem
from cad110.incidents.outcome_rules import ENTRY_FIELDS, replay_entries, totals
from cad110.models.incident import Incident
from cad110.models.outcome import IncidentOutcome, OutcomeEntry

_KINDS = frozenset({"outcome_recorded", "outcome_struck"})


class _Event(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def at(self) -> Any: ...
    @property
    def actor(self) -> str: ...
    @property
    def payload(self) -> str: ...


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


@dataclass
class OutcomeAudit:
    session: Session
    batch: int = 500
    problems: list[Problem] = field(default_factory=list)
    # Incident number → its outcome entries as the events describe them (None: unreadable).
    _pending: dict[str, dict[int, OutcomeEntry] | None] = field(default_factory=dict)
    _seen: set[str] = field(default_factory=set)

    def chain(self, number: str, events: Sequence[_Event]) -> None:
        """Take an incident's whole chain; only its outcome events are kept."""
        mine = [e for e in events if e.kind in _KINDS]
        if not mine:
            return
        self._seen.add(number)
        try:
            self._pending[number] = replay_entries(
                (e.kind, e.at, e.actor, json.loads(e.payload)) for e in mine
            )
        except (KeyError, TypeError, ValueError) as exc:
            self._pending[number] = None
            self._record(number, f"the outcome events cannot be replayed ({exc!r})")
        if len(self._pending) >= self.batch:
            self.compare()

    def finish(self) -> None:
        """Compare what is left, then find outcome rows of incidents that have no such events."""
        self.compare()
        stmt = (
            select(Incident.number)
            .join(OutcomeEntry, OutcomeEntry.incident_id == Incident.id)
            .distinct()
        )
        for number in self.session.scalars(stmt):
            if number not in self._seen:
                self._record(number, "outcome entries without any outcome event")

    def compare(self) -> None:
        if not self._pending:
            return
        numbers = list(self._pending)
        rows: dict[str, list[OutcomeEntry]] = {n: [] for n in numbers}
        found = self.session.execute(
            select(Incident.number, OutcomeEntry)
            .join(OutcomeEntry, OutcomeEntry.incident_id == Incident.id)
            .where(Incident.number.in_(numbers))
            .order_by(OutcomeEntry.id)
        )
        for number, entry in found:
            rows[number].append(entry)
        kept: dict[str, IncidentOutcome] = {}
        for number, row in self.session.execute(
            select(Incident.number, IncidentOutcome)
            .join(IncidentOutcome, IncidentOutcome.incident_id == Incident.id)
            .where(Incident.number.in_(numbers))
        ):
            kept[number] = row
        for number, replayed in self._pending.items():
            if replayed is not None:
                self._compare(number, replayed, rows[number], kept.get(number))
        self._pending = {}

    def _compare(
        self,
        number: str,
        replayed: dict[int, OutcomeEntry],
        rows: list[OutcomeEntry],
        kept: IncidentOutcome | None,
    ) -> None:
        by_id = {e.id: e for e in rows}
        for entry_id in sorted(set(replayed) | set(by_id)):
            row, expected = by_id.get(entry_id), replayed.get(entry_id)
            if row is None:
                self._record(number, f"outcome entry {entry_id} has events but no row (deleted)")
            elif expected is None:
                self._record(number, f"outcome entry {entry_id} has no event (written without)")
            else:
                for name in ENTRY_FIELDS:
                    actual, wanted = getattr(row, name), getattr(expected, name)
                    if actual != wanted:
                        self._record(
                            number,
                            f"outcome entry {entry_id} {name} differs: row {_shown(actual)}, "
                            f"events {_shown(wanted)}",
                            field=f"outcome.{name}",
                        )
        should = asdict(totals(replayed.values()))
        if kept is None:
            self._record(number, "the outcome's totals row is missing")
            return
        for name, wanted in should.items():
            actual = getattr(kept, name)
            if actual != wanted:
                self._record(
                    number,
                    f"outcome total {name} differs: row {_shown(actual)}, events {_shown(wanted)}",
                    field=f"outcome.{name}",
                )

    def _record(self, number: str, detail: str, **kw: Any) -> None:
        self.problems.append(Problem("record", "incident", number, detail, **kw))
