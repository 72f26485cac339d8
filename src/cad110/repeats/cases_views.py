"""Repeat cases → output schemas, batched (stations in one query).

The case's free texts (the journal's notes, mediations, the reason it was opened, the closing
report) name the parties of a dispute, and a name cannot be found in free text (a two-character
name is also part of ordinary words — privacy/masking.py). So a reader whose duty covers the
case (`privacy.subjects.repeat_case_sight`) gets them as written, the read recorded by the
caller; anyone else gets them withheld (null, named in `withheld`), to be revealed with a
reason, and the personal values under the payloads' keys masked."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from cad110.catalog.loader import Catalog
from cad110.incidents.views import events_out
from cad110.models.jurisdiction import Jurisdiction
from cad110.models.repeat_cases import RepeatCase, RepeatCaseStatus
from cad110.privacy.masking import Kind
from cad110.privacy.policy import REPEAT_CASE_TEXTS
from cad110.repeats import cases_repository as repo
from cad110.repeats.cases_rules import CaseRules, quiet_from
from cad110.repeats.cases_schemas import (
    CaseOut,
    CaseSummary,
    Count,
    Figures,
    JournalEntry,
    LinkedOut,
    RulesOut,
    TierOut,
    TypeOut,
)

STATUS_NAMES = {
    RepeatCaseStatus.OPEN: ("在办", "Open"),
    RepeatCaseStatus.REPORTED: ("待审批", "Awaiting approval"),
    RepeatCaseStatus.SOLVED: ("已化解", "Solved"),
}


def summary(
    case: RepeatCase, station: Jurisdiction, incidents: int, rules: CaseRules, now: datetime
) -> CaseSummary:
    found = rules.types.get(case.type)
    return CaseSummary(
        number=case.number,
        type=case.type,
        type_zh=found.zh if found else case.type,
        type_en=found.en if found else case.type,
        tier=case.tier,
        status=case.status.value,
        station=station.code,
        station_name=station.name_zh,
        station_name_en=station.name_en,
        owner=case.owner,
        extreme=case.extreme_at is not None,
        incidents=incidents,
        last_incident_at=case.last_incident_at,
        step_kind=case.step_kind,
        step_due_at=case.step_due_at,
        step_overdue=case.step_due_at is not None and case.step_due_at < now,
        opened_at=case.opened_at,
        solved_at=case.solved_at,
    )


def _withheld(entry: JournalEntry) -> JournalEntry:
    hidden = [k for k in REPEAT_CASE_TEXTS if isinstance(entry.payload.get(k), str)]
    hidden = [k for k in hidden if entry.payload[k]]
    payload = {k: (None if k in hidden else v) for k, v in entry.payload.items()}
    return entry.model_copy(update={"payload": payload, "withheld": hidden})


def texts(out: CaseOut) -> dict[str, str | None]:
    """The case's free texts by the field a screen names them with ("journal.<seq>.<key>",
    "reason", "closing_report"): what a read in full shows and a reveal gives."""
    found: dict[str, str | None] = {"reason": out.reason or None}
    found["closing_report"] = out.closing_report or None
    for entry in out.journal:
        for key in REPEAT_CASE_TEXTS:
            value = entry.payload.get(key)
            if isinstance(value, str) and value:
                found[f"journal.{entry.seq}.{key}"] = value
    return found


def text_fields(found: dict[str, str | None]) -> list[str]:
    """The fields a read or reveal of `texts` is recorded with: "journal" for the entries."""
    return sorted({name.split(".")[0] for name, value in found.items() if value})


def case_out(
    session: Session,
    case: RepeatCase,
    catalog: Catalog,
    rules: CaseRules,
    now: datetime,
    *,
    full: bool = False,
) -> CaseOut:
    """One case; its free texts as written when `full` (the caller records the read), else
    withheld."""
    station = session.get(Jurisdiction, case.jurisdiction_code)
    assert station is not None
    rows = repo.linked(session, case)
    linked = []
    for link, incident in rows:
        category = catalog.get(incident.category_code) if incident.category_code else None
        linked.append(
            LinkedOut(
                number=incident.number,
                received_at=incident.received_at,
                category=incident.category_code,
                category_zh=category.zh if category else None,
                category_en=category.en if category else None,
                status=incident.status.value,
                address=incident.address,
                linked_at=link.linked_at,
                linked_by=link.linked_by,
                reason=link.reason if full else "",
            )
        )
    # Callers' phones of the linked incidents count as known secrets: typed into a note they
    # are masked as well, even written without the key that would mark them as a phone.
    known: list[tuple[Kind, str | None]] = [("phone", i.caller_phone) for _, i in rows]
    journal = [
        JournalEntry(**e.model_dump())
        for e in events_out(repo.journal_of(session, case), full=full, known=known)
    ]
    withheld = [] if full else [k for k in ("reason", "closing_report") if getattr(case, k)]
    if not full:
        journal = [_withheld(e) for e in journal]
    return CaseOut(
        **summary(case, station, len(rows), rules, now).model_dump(),
        opened_how=case.opened_how.value,
        opened_by=case.opened_by,
        reason="" if "reason" in withheld else case.reason,
        extreme_at=case.extreme_at,
        reopened=case.reopened,
        closing_report=None if "closing_report" in withheld else case.closing_report,
        reported_at=case.reported_at,
        reported_by=case.reported_by,
        solved_by=case.solved_by,
        quiet_from=quiet_from(rules, case.last_incident_at),
        linked=linked,
        journal=journal,
        version=case.version,
        withheld=withheld,
    )


def summaries(
    rows: Sequence[tuple[RepeatCase, Jurisdiction, int]], rules: CaseRules, now: datetime
) -> list[CaseSummary]:
    return [summary(c, j, n, rules, now) for c, j, n in rows]


def figures(
    session: Session, counted: dict[str, Sequence[tuple[str, int]]], rules: CaseRules
) -> Figures:
    """Counts with their names in both languages (a type or station no longer known: its code)."""
    stations = repo.stations(session, [k for k, _ in counted["station"]])

    def named(column: str, key: str) -> tuple[str, str]:
        if column == "type" and key in rules.types:
            return rules.types[key].zh, rules.types[key].en
        if column == "tier" and key in rules.tiers:
            return rules.tiers[key].zh, rules.tiers[key].en
        if column == "status" and key in {s.value for s in RepeatCaseStatus}:
            return STATUS_NAMES[RepeatCaseStatus(key)]
        if column == "station" and key in stations:
            return stations[key].name_zh, stations[key].name_en
        return key, key

    def counts(column: str) -> list[Count]:
        return [
            Count(key=k, zh=named(column, k)[0], en=named(column, k)[1], count=n)
            for k, n in counted[column]
        ]

    return Figures(
        total=sum(n for _, n in counted["status"]),
        by_type=counts("type"),
        by_tier=counts("tier"),
        by_station=counts("station"),
        by_status=counts("status"),
    )


def rules_out(rules: CaseRules) -> RulesOut:
    return RulesOut(
        types=[TypeOut(code=t.code, zh=t.zh, en=t.en, tier=t.tier) for t in rules.types.values()],
        tiers=[
            TierOut(
                code=t.code,
                zh=t.zh,
                en=t.en,
                step=t.step,
                due_hours=t.due_hours,
                every_days=t.every_days,
            )
            for t in rules.tiers.values()
        ],
        quiet_days=rules.quiet_days,
    )
