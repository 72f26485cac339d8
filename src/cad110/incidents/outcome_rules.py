"""The outcome's rules, pure (no I/O): when an entry may stand, and the totals of those that do.

Who may record and at which stage is decided in `outcomes.py`; here only what the entry itself
says is checked against the incident's time and what is already recorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cad110.errors import InvalidInput
from cad110.incidents.outcomes_schemas import OutcomeIn, RecoveryIn
from cad110.lifecycles.incident import Status
from cad110.models.outcome import OutcomeEntry, OutcomeKind

# A phone's clock runs a little ahead of the server's now and then; "now" typed on it is not a
# time in the future.
CLOCK_SLACK = timedelta(minutes=2)

# From the unit's feedback on, and after close (a late arrest, a recovery weeks later, is
# common). Before feedback the unit is still on scene; an incident that ended early (invalid,
# cancelled, merged, transferred) has no outcome of its own.
RECORDABLE = frozenset({Status.REPORTED, Status.CLOSED, Status.CALLED_BACK, Status.ARCHIVED})


@dataclass(frozen=True)
class Totals:
    """An incident's outcome over the entries that stand."""

    arrested: int = 0
    arrested_in_the_act: int = 0
    first_arrest_at: datetime | None = None
    case_opened_at: datetime | None = None
    case_number: str | None = None
    loss_fen: int = 0
    recovered_fen: int = 0
    last_recovered_at: datetime | None = None
    property_returned_at: datetime | None = None
    entries: int = 0


def totals(entries: Iterable[OutcomeEntry]) -> Totals:
    """The totals of the entries not struck."""
    standing = [e for e in entries if e.struck_at is None]

    def of(kind: OutcomeKind) -> list[OutcomeEntry]:
        return [e for e in standing if e.kind is kind]

    arrests, cases = of(OutcomeKind.ARREST), of(OutcomeKind.CASE_OPENED)
    recoveries, returns = of(OutcomeKind.RECOVERY), of(OutcomeKind.PROPERTY_RETURNED)
    cases_by_time = sorted(cases, key=lambda e: (_at(e), e.id or 0))
    numbered = [e.case_number for e in cases_by_time if e.case_number]
    return Totals(
        arrested=sum(e.arrested or 0 for e in arrests),
        arrested_in_the_act=sum(e.arrested or 0 for e in arrests if e.in_the_act),
        first_arrest_at=min((_at(e) for e in arrests), default=None),
        case_opened_at=_at(cases_by_time[0]) if cases_by_time else None,
        case_number=numbered[0] if numbered else None,
        loss_fen=sum(e.amount_fen or 0 for e in of(OutcomeKind.LOSS)),
        recovered_fen=sum(e.amount_fen or 0 for e in recoveries),
        last_recovered_at=max((_at(e) for e in recoveries), default=None),
        property_returned_at=max((_at(e) for e in returns), default=None),
        entries=len(standing),
    )


def _at(entry: OutcomeEntry) -> datetime:
    return entry.occurred_at or entry.recorded_at


def check_entry(body: OutcomeIn, *, now: datetime, received_at: datetime, so_far: Totals) -> None:
    """Refuse (422 naming the field) an entry whose time or amount cannot be right."""
    at: datetime | None = getattr(body, "at", None)
    if at is not None:
        if at > now + CLOCK_SLACK:
            raise InvalidInput("at", "this time is still to come", code="in_the_future")
        if at < received_at:
            raise InvalidInput(
                "at", "this time is before the incident was received", code="before_incident"
            )
    if not isinstance(body, RecoveryIn) or body.above_loss:
        return
    recovered = so_far.recovered_fen + body.amount_fen
    if recovered > so_far.loss_fen:
        raise InvalidInput(
            "amount_fen",
            f"recovered in all ({recovered} fen) would be more than the loss recorded "
            f"({so_far.loss_fen} fen); record the loss first, or confirm with above_loss",
            code="recovered_above_loss",
        )


# --- the entries rebuilt from their events alone (what `cad110 audit verify` compares) --------

# The columns of an entry row that its events determine.
ENTRY_FIELDS = (
    "kind",
    "occurred_at",
    "arrested",
    "in_the_act",
    "amount_fen",
    "case_number",
    "description",
    "above_loss_confirmed",
    "recorded_at",
    "recorded_by",
    "unit_code",
    "struck_at",
    "struck_by",
    "strike_reason",
)


def replay_entries(
    events: Iterable[tuple[str, datetime, str, Mapping[str, Any]]],
) -> dict[int, OutcomeEntry]:
    """The outcome entries an incident's events (kind, time, actor, payload) describe, by id;
    other kinds of event are passed over. A malformed outcome event raises KeyError,
    TypeError or ValueError."""
    entries: dict[int, OutcomeEntry] = {}
    for kind, at, actor, p in events:
        if kind == "outcome_recorded":
            when = p.get("at")
            entries[int(p["entry"])] = OutcomeEntry(
                id=int(p["entry"]),
                kind=OutcomeKind(p["kind"]),
                occurred_at=datetime.fromisoformat(when) if isinstance(when, str) else None,
                arrested=p.get("arrested"),
                in_the_act=p.get("in_the_act"),
                amount_fen=p.get("amount_fen"),
                case_number=p.get("case_number") or None,
                description=p.get("description", p.get("note", "")),
                above_loss_confirmed=bool(p.get("above_loss", False)),
                recorded_at=at,
                recorded_by=actor,
                unit_code=p.get("unit"),
                struck_at=None,
                struck_by=None,
                strike_reason=None,
            )
        elif kind == "outcome_struck":
            entry = entries[int(p["entry"])]
            entry.struck_at, entry.struck_by, entry.strike_reason = at, actor, p["reason"]
    return entries
