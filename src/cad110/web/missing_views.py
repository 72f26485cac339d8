"""What the 寻人 screens show: the case desk, one case, the opening form, cluster alerts.

Reads only, through the repositories and views the JSON API uses (scope lives in their queries).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from cad110.accounts.repository import staff_around
from cad110.auth.permissions import Permission, allowed
from cad110.auth.principal import Principal
from cad110.incidents.repository import get_incident
from cad110.incidents.schemas import EventOut
from cad110.incidents.views import event_fields
from cad110.jurisdictions.repository import names_of
from cad110.kernel.context import Ctx
from cad110.kernel.people import display_names
from cad110.kernel.runtime import Runtime
from cad110.missing import repository
from cad110.missing.repository import CaseFilter, get_case
from cad110.missing.rules import CONDITION_ZH, CONDITIONS, SIGN_ZH, SIGNS
from cad110.missing.schemas import CaseOut, CaseSummary, ClusterOut
from cad110.missing.views import case_out, clusters_out, journal_out, summaries
from cad110.models.incident import Incident
from cad110.models.missing import CaseStatus
from cad110.models.user import Role
from cad110.privacy import record
from cad110.privacy.policy import CASE_FIELDS, INCIDENT_FIELDS, Action, Subject, shown
from cad110.privacy.record import Access, Where
from cad110.privacy.subjects import case_sight, incident_sight
from cad110.web.access_log import pii
from cad110.web.i18n import translations
from cad110.web.names import unit_names
from cad110.web.sentences import machine_names

# The desk's filters (寻人台账): every open case, the ledger, callbacks due now, closed cases.
VIEWS = ("open", "ledger", "due", "closed")
# Rows a page of the ledger shows; more are a page further.
PAGE_SIZE = 100
# Who may lead or work a case (the opening form and the case page offer them).
CASE_STAFF = (Role.LEADER, Role.OFFICER, Role.DISPATCHER)


@contextmanager
def reading(rt: Runtime, by: Principal) -> Iterator[Ctx]:
    """A read-only unit of work as `by`, at the runtime's now."""
    with rt.readers() as session:
        yield rt.ctx(session, by)


def permissions(by: Principal) -> dict[str, bool]:
    """What the screens offer this role (the API checks again)."""
    return {
        "work": allowed(by.role, Permission.MISSING),
        "appeal": allowed(by.role, Permission.APPEAL),
        "approve": allowed(by.role, Permission.APPROVE),
        "close": allowed(by.role, Permission.CLOSE),
    }


def _filter(ctx: Ctx, view: str) -> CaseFilter:
    """What each of the desk's views holds (the closed view only differs in its order)."""
    if view == "closed":
        return CaseFilter(status=CaseStatus.CLOSED)
    return CaseFilter.as_of(
        ctx,
        status=CaseStatus.OPEN if view == "open" else None,
        ledger=view == "ledger",
        due=view == "due",
    )


def _page(ctx: Ctx, view: str, limit: int, offset: int = 0) -> tuple[list[CaseSummary], int]:
    f = _filter(ctx, view)
    if view == "closed":
        total = repository.count_cases(ctx.session, f, by=ctx.by)
        rows = repository.closed_cases(ctx.session, by=ctx.by, limit=limit, offset=offset)
        return summaries(ctx, rows), total
    rows, total = repository.list_cases(ctx.session, f, by=ctx.by, limit=limit, offset=offset)
    return summaries(ctx, rows), total


def desk(
    rt: Runtime, by: Principal, view: str, page_no: int = 1, locale: str = "zh_CN"
) -> dict[str, Any]:
    with reading(rt, by) as ctx:
        cases, total = _page(ctx, view, PAGE_SIZE, (page_no - 1) * PAGE_SIZE)
        people = display_names(ctx.session, [u for c in cases for u in (c.case_officer, c.leader)])
        counts = {
            v: total if v == view else repository.count_cases(ctx.session, _filter(ctx, v), by=by)
            for v in VIEWS
        }
        unacknowledged = repository.open_cluster_count(ctx.session, by=by)
        can = permissions(by)
        missing_person = [c.code for c in rt.catalog.categories.values() if c.missing_person]
        waiting = (
            repository.waiting_incidents(ctx.session, by=by, categories=missing_person)
            if can["work"]
            else []
        )
        return {
            "view": view,
            "page_no": page_no,
            "pages": max(1, -(-total // PAGE_SIZE)),
            "first_row": (page_no - 1) * PAGE_SIZE + 1 if cases else 0,
            "last_row": (page_no - 1) * PAGE_SIZE + len(cases),
            "total": total,
            "cases": cases,
            "counts": counts,
            "clusters_open": unacknowledged,
            "waiting": [
                {
                    "number": i.number,
                    "category": rt.catalog.get(i.category_code) if i.category_code else None,
                    "address": i.address or "",
                    "received_at": i.received_at,
                }
                for i in waiting
            ],
            "can": can,
            "now": ctx.at,
            "names": Shown(people=people),
        }


def _people(ctx: Ctx, path: str) -> dict[str, list[tuple[str, str]]]:
    """Accounts that may lead or work a case here: the chain above it and the units below."""
    near = staff_around(ctx.session, path, CASE_STAFF)
    return {
        "leaders": [(r.username, r.display_name) for r in near if r.role is Role.LEADER],
        "officers": [(r.username, r.display_name) for r in near],
    }


_ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")
# Journal keys whose values are accounts, units or places: shown by name (the API keeps codes).
PERSON_KEYS = frozenset(
    {"leader", "case_officer", "first_officer", "commander", "assignee", "by", "decided_by"}
)
UNIT_KEYS = frozenset({"unit", "units"})
PLACE_KEYS = frozenset({"first_station", "station", "jurisdiction"})


@dataclass(frozen=True)
class Shown:
    """Names for the codes a 寻人 screen shows: accounts by display name, units and places by
    name in the reader's language; a code with no name is shown as it is."""

    people: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    places: dict[str, str] = field(default_factory=dict)

    def person(self, username: str | None) -> str:
        return self.people.get(username, username) if username else ""

    def unit(self, code: str | None) -> str:
        return self.units.get(code, code) if code else ""

    def place(self, code: str | None) -> str:
        return self.places.get(code, code) if code else ""

    def value(self, path: tuple[str, ...], value: Any) -> Any:
        """A journal value with the accounts, units and places in it named."""
        last = path[-1] if path else ""
        pick = (
            self.person
            if last in PERSON_KEYS
            else self.unit
            if last in UNIT_KEYS
            else self.place
            if last in PLACE_KEYS
            else None
        )
        if pick is None:
            return value
        if isinstance(value, str):
            return pick(value)
        if isinstance(value, list):
            return [pick(v) if isinstance(v, str) else v for v in value]
        return value


Fields = list[tuple[tuple[str, ...], Any]]


def _codes(fields: Fields, keys: frozenset[str]) -> set[str]:
    found: set[str] = set()
    for path, value in fields:
        if not path or path[-1] not in keys:
            continue
        if isinstance(value, str):
            found.add(value)
        elif isinstance(value, list):
            found |= {v for v in value if isinstance(v, str)}
    return found


def _shown(ctx: Ctx, out: CaseOut, journal: list[tuple[EventOut, Fields]], locale: str) -> Shown:
    """Every account, unit and place the case page names, in one query each."""
    fields = [f for _, flat in journal for f in flat]
    people: set[str | None] = {out.first_officer, out.leader, out.case_officer, out.commander}
    people |= {t.assignee for t in out.tasks}
    people |= {r.requested_by for r in out.requests} | {r.decided_by for r in out.requests}
    people |= {entry.actor for entry, _ in journal} | _codes(fields, PERSON_KEYS)
    units = {n.unit for n in out.notices} | _codes(fields, UNIT_KEYS)
    places = {out.first_station, out.jurisdiction} | _codes(fields, PLACE_KEYS)
    named = names_of(ctx.session, {p for p in places if p})
    # The tick's steps (system) and the outside systems' are named for what they are.
    machines = machine_names(translations(locale).gettext)
    return Shown(
        people=display_names(ctx.session, people) | machines,
        units=unit_names(ctx.session, units, locale),
        places={code: zh if locale == "zh_CN" else en for code, (zh, en) in named.items()},
    )


def _flatten(
    value: object, tz: ZoneInfo, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], Any]]:
    """A journal payload as (key path, value) pairs; times in the centre's local time."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _flatten(inner, tz, (*prefix, str(key)))
    elif isinstance(value, str) and _ISO_TIME.match(value):
        try:
            yield prefix, datetime.fromisoformat(value).astimezone(tz).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            yield prefix, value
    elif value not in (None, "", [], {}):
        yield prefix, value


@dataclass(frozen=True)
class RuleText:
    """A reason a rule's firing gave: the page words it from the rule's parameters in the
    reader's language (`stored`, the Chinese of the record, where none were kept)."""

    rule: str
    params: dict[str, Any] | None
    stored: str


def _journal_fields(
    payload: dict[str, Any], tz: ZoneInfo, params: dict[str, dict[str, Any] | None]
) -> list[tuple[tuple[str, ...], Any]]:
    """A journal entry's fields; a reason given by a rule becomes a `RuleText`, and the
    parameters kept beside it are left out (the reason says them)."""
    rule = payload.get("rule")
    fields = []
    for path, value in _flatten(payload, tz):
        if path[0] == "params":
            continue
        if path == ("reason",) and isinstance(rule, str) and isinstance(value, str):
            value = RuleText(rule, params.get(rule), value)
        fields.append((path, value))
    return fields


def case_page(
    rt: Runtime, by: Principal, number: str, where: Where, locale: str = "zh_CN"
) -> dict[str, Any]:
    """One case with everything that hangs off it; NotFound outside the caller's scope.

    Personal data as the reader's duty allows; a full view is recorded before it is shown.
    """
    with reading(rt, by) as ctx:
        case = get_case(ctx, number)
        seen = case_sight(ctx.session, by, case)
        out = case_out(ctx, case, full=seen.full)
        incident = ctx.session.get(Incident, case.incident_id)
        assert incident is not None
        alerts = clusters_out(ctx, out.clusters)
        entries = journal_out(ctx, case, full=seen.full)
        rule_params = {f.rule: f.params for f in out.firings}
        flat = [(e, _journal_fields(e.payload, ctx.tz, rule_params)) for e in entries]
        names = _shown(ctx, out, flat, locale)
        journal = [
            {"entry": e, "fields": [(path, names.value(path, v)) for path, v in fields]}
            for e, fields in flat
        ]
        due_callback = next(
            (c for c in out.callbacks if c.done_at is None and not c.cancelled and c.overdue),
            None,
        )
        active = {a.channel for a in out.appeals if a.state.value == "active"}
        channels = [
            c.strip()
            for c in rt.settings.appeal_channels.split(",")
            if c.strip() and c.strip() not in active
        ]
        fields = [*shown(out, CASE_FIELDS), *event_fields(entries)]
        if seen.full and fields:
            access = Access(Action.READ, Subject.MISSING_CASE, number, fields, seen.reason)
            record.write(rt.sessions, by, ctx.at, where, [access])
        return {
            "pii": pii(by, seen),
            "case": out,
            "incident": incident,
            "category": rt.catalog.get(incident.category_code) if incident.category_code else None,
            "alerts": alerts,
            "journal": journal,
            "rule_params": rule_params,
            "due_callback": due_callback,
            "channels": channels,
            "people": _people(ctx, case.jurisdiction_path),
            "names": names,
            "teams": ("command", "intelligence", "criminal", "cyber", "patrol"),
            "condition_zh": CONDITION_ZH,
            "sign_zh": SIGN_ZH,
            "can": permissions(by),
            "now": ctx.at,
        }


def new_case(rt: Runtime, by: Principal, incident_number: str, where: Where) -> dict[str, Any]:
    """The opening form's defaults from the incident; `existing` when it has a case already.

    The caller is offered as the informant only to a reader whose duty covers them (and that
    view is recorded); others type the informant in.
    """
    with reading(rt, by) as ctx:
        incident = get_incident(ctx.session, incident_number, by=by)
        existing = repository.case_number_of(ctx.session, incident.id)
        category = rt.catalog.get(incident.category_code) if incident.category_code else None
        seen = incident_sight(ctx.session, by, incident)
        prefill = seen.full and existing is None and allowed(by.role, Permission.MISSING)
        fields = shown(incident, INCIDENT_FIELDS) if prefill else []
        if fields:
            access = Access(Action.READ, Subject.INCIDENT, incident.number, fields, seen.reason)
            record.write(rt.sessions, by, ctx.at, where, [access])
        return {
            "prefill": prefill,
            "incident": incident,
            "category": category,
            "missing_category": bool(category is not None and category.missing_person),
            "existing": existing,
            "conditions": [(c, CONDITION_ZH[c]) for c in CONDITIONS],
            "signs": [(s, SIGN_ZH[s]) for s in SIGNS],
            "people": _people(ctx, incident.jurisdiction_path),
            "seen_at": incident.received_at,
            "can": permissions(by),
        }


def clusters(rt: Runtime, by: Principal) -> dict[str, Any]:
    with reading(rt, by) as ctx:
        alerts: list[ClusterOut] = clusters_out(ctx)
        codes = {a.district for a in alerts}
        names = names_of(ctx.session, codes)
        return {
            "alerts": sorted(alerts, key=lambda a: (a.acknowledged_at is not None, -_ts(a))),
            "names": names,
            "can": permissions(by),
        }


def _ts(alert: ClusterOut) -> float:
    updated: datetime = alert.updated_at
    return updated.timestamp()
