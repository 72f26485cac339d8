"""Current-state rows against their events: incidents (by replay) and calls.

A row edited in the database without an event that explains it — a caller's phone, a grade, a
narrative — no longer equals what its chain says. Chains arrive here one at a time from the
audit's single pass over the log and are compared with their rows in batches, so neither the
log nor the table is ever held in memory whole.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, exists, select
from sqlalchemy.orm import Session, aliased

from cad110.audit.outcomes import OutcomeAudit
from cad110.events.findings import Problem
from cad110.incidents.replay import FIELDS, RecordedEvent, Replayed, differences, replay
from cad110.models.call import Call
from cad110.models.event import Event
from cad110.models.incident import Incident
from cad110.models.jurisdiction import Jurisdiction
from cad110.models.subjects import SubjectType

CALL_RECORDED = "call.recorded"
# Fields of a call row and what its one event says of them.
CALL_FIELDS = (
    "caller_phone",
    "caller_name",
    "outcome",
    "answered_at",
    "duration_s",
    "note",
    "incident",
    "calltaker",
)


@dataclass(frozen=True)
class ChainEvent:
    """The parts of an event the row checks need."""

    seq: int
    kind: str
    at: datetime
    actor: str
    payload: str


def shown(value: Any) -> str:
    """A value as a report line shows it (long text cut short)."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


@dataclass
class RecordAudit:
    session: Session
    batch: int = 500
    problems: list[Problem] = field(default_factory=list)
    incidents: int = 0
    calls: int = 0
    _incidents: dict[str, Replayed] = field(default_factory=dict)
    _calls: dict[str, ChainEvent | None] = field(default_factory=dict)
    _outcomes: OutcomeAudit | None = None

    def chain(self, subject_type: str, subject_id: str, events: Sequence[ChainEvent]) -> None:
        """Take one whole chain (in sequence order) of any subject."""
        if subject_type == "incident":
            self._outcome_audit().chain(subject_id, events)
            self._incidents[subject_id] = self._replay(subject_id, events)
            if len(self._incidents) >= self.batch:
                self._compare_incidents()
        elif subject_type == "call":
            first = events[0] if events and events[0].kind == CALL_RECORDED else None
            self._calls[subject_id] = first
            if len(self._calls) >= self.batch:
                self._compare_calls()

    def finish(self) -> None:
        """Compare what is left, then look for rows that have no chain at all."""
        self._compare_incidents()
        self._compare_calls()
        chainless = select(Incident.number).where(
            ~exists().where(
                Event.subject_type == SubjectType.INCIDENT, Event.subject_id == Incident.number
            )
        )
        for number in self.session.scalars(chainless):
            self._record("incident", number, "the row has no events (written without any)")
        calls = select(Call.id).where(
            ~exists().where(
                Event.subject_type == SubjectType.CALL, Event.subject_id == cast(Call.id, String)
            )
        )
        for call_id in self.session.scalars(calls):
            self._record("call", str(call_id), "the row has no events (written without any)")
        outcomes = self._outcome_audit()
        outcomes.finish()
        self.problems.extend(outcomes.problems)

    def _outcome_audit(self) -> OutcomeAudit:
        """The outcome entries' own comparison (audit/outcomes.py), made on first use."""
        if self._outcomes is None:
            self._outcomes = OutcomeAudit(self.session, self.batch)
        return self._outcomes

    def _record(self, subject_type: str, subject_id: str, detail: str, **kw: Any) -> None:
        self.problems.append(Problem("record", subject_type, subject_id, detail, **kw))

    def _replay(self, number: str, events: Sequence[ChainEvent]) -> Replayed:
        try:
            recorded = [
                RecordedEvent(e.seq, e.kind, e.at, e.actor, json.loads(e.payload)) for e in events
            ]
        except ValueError:
            return Replayed(None, ((events[0].seq, "an event's payload is not JSON"),))
        return replay(number, recorded)

    def _compare_incidents(self) -> None:
        if not self._incidents:
            return
        merged = aliased(Incident)
        columns = [getattr(Incident, name) for name in FIELDS if name != "merged_into"]
        stmt = (
            select(
                *columns,
                merged.number.label("merged_into"),
                Incident.jurisdiction_path,
                Jurisdiction.path.label("place_path"),
            )
            .outerjoin(merged, Incident.merged_into_id == merged.id)
            .outerjoin(Jurisdiction, Jurisdiction.code == Incident.jurisdiction_code)
            .where(Incident.number.in_(list(self._incidents)))
        )
        rows = {row.number: row._asdict() for row in self.session.execute(stmt)}
        for number, replayed in self._incidents.items():
            self.incidents += 1
            for seq, reason in replayed.problems:
                self._record(
                    "incident", number, f"the events cannot be replayed: {reason}", seq=seq
                )
            row = rows.get(number)
            if row is None:
                self._record("incident", number, "the events have no incident row (deleted)")
                continue
            if replayed.state is None:
                continue
            for name, actual, expected in differences(replayed.state, row):
                self._record(
                    "incident",
                    number,
                    f"{name} differs: row {shown(actual)}, events {shown(expected)}",
                    field=name,
                )
            if row["jurisdiction_path"] != row["place_path"]:
                self._record(
                    "incident",
                    number,
                    f"jurisdiction_path differs: row {shown(row['jurisdiction_path'])}, "
                    f"jurisdiction {row['jurisdiction_code']} {shown(row['place_path'])}",
                    field="jurisdiction_path",
                )
        self._incidents = {}

    def _compare_calls(self) -> None:
        if not self._calls:
            return
        ids = [int(i) for i in self._calls if i.isdigit()]
        stmt = (
            select(
                Call.id,
                Call.caller_phone,
                Call.caller_name,
                Call.outcome,
                Call.answered_at,
                Call.duration_s,
                Call.note,
                Call.calltaker,
                Incident.number.label("incident"),
            )
            .outerjoin(Incident, Incident.id == Call.incident_id)
            .where(Call.id.in_(ids))
        )
        rows = {str(row.id): row._asdict() for row in self.session.execute(stmt)}
        for call_id, recorded in self._calls.items():
            self.calls += 1
            row = rows.get(call_id)
            if row is None:
                self._record("call", call_id, "the events have no call row (deleted)")
                continue
            if recorded is None:
                self._record("call", call_id, f"the chain does not start with {CALL_RECORDED}")
                continue
            try:
                expected = _call_fields(recorded)
            except (ValueError, KeyError, TypeError):
                self._record("call", call_id, f"the {CALL_RECORDED} event lacks its fields")
                continue
            for name in CALL_FIELDS:
                if row[name] != expected[name]:
                    self._record(
                        "call",
                        call_id,
                        f"{name} differs: row {shown(row[name])}, events {shown(expected[name])}",
                        field=name,
                    )
        self._calls = {}


def _call_fields(recorded: ChainEvent) -> dict[str, Any]:
    """What a call's one event says its row holds."""
    p = json.loads(recorded.payload)
    return {
        "caller_phone": p.get("caller_phone"),
        "caller_name": p.get("caller_name"),
        "outcome": p.get("outcome"),
        "answered_at": datetime.fromisoformat(p["answered_at"]),
        "duration_s": p.get("duration_s"),
        "note": p.get("note", ""),
        "incident": p.get("incident"),
        "calltaker": recorded.actor,
    }
