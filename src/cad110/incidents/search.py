"""Incident search (警情查询) for analysts, leaders and dispatchers: every filter bounded, every
read scoped to the reader's jurisdiction (repository.list_incidents).

A free-text match cannot use an index, so every search is held to a time window of at most
MAX_DAYS (default: the last DEFAULT_DAYS); the received_at index and the scope prefix keep
the rows it scans bounded."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from cad110.auth.principal import Principal
from cad110.catalog.loader import Catalog
from cad110.catalog.search import search as find_categories
from cad110.errors import InvalidInput
from cad110.incidents.repository import IncidentFilter, list_incidents
from cad110.jurisdictions.repository import get_jurisdiction
from cad110.lifecycles.incident import Status
from cad110.models.incident import Incident

DEFAULT_DAYS = 30
MAX_DAYS = 366
PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
MAX_OFFSET = 10_000
# An export holds at most this many rows; a wider search is refused, not cut silently.
EXPORT_ROWS = 10_000
# A run of digits this long in free text may be a phone number: the lookup is recorded.
_PHONE_LIKE = re.compile(r"\d{7,}")


@dataclass(frozen=True)
class Query:
    """What the reader asked for, as typed (each string already length-checked)."""

    number: str | None = None
    caller_phone: str | None = None
    text: str | None = None
    # A category code or (part of) its Chinese or English name.
    category: str | None = None
    grade: Sequence[int] = ()
    status: Sequence[Status] = ()
    unit: str | None = None
    jurisdiction: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def categories_named(catalog: Catalog, name: str) -> list[str]:
    """The codes of the categories `name` means, found as the desk finds them
    (catalog/search.py): a code, a Chinese or English name or part of one, pinyin, initials or
    a synonym (盗窃, daoqie, dq, 被偷 all mean the thefts)."""
    name = name.strip()
    if name in catalog.categories:
        return [name]
    everything = list(catalog.categories.values())
    return sorted(c.code for c in find_categories(name, everything, limit=len(everything)))


def window(q: Query, now: datetime) -> tuple[datetime, datetime]:
    """The time window searched: as asked, or the last DEFAULT_DAYS; never over MAX_DAYS."""
    # Open-ended: up to now, with a minute's grace for a clock a little behind the writer's.
    until = q.until or now + timedelta(minutes=1)
    since = q.since or until - timedelta(days=DEFAULT_DAYS)
    if since >= until:
        raise InvalidInput("since", "since must be before until", code="window_reversed")
    if until - since > timedelta(days=MAX_DAYS):
        raise InvalidInput(
            "since", f"search at most {MAX_DAYS} days at a time", code="window_too_wide"
        )
    return since, until


def to_filter(
    session: Session, catalog: Catalog, by: Principal, q: Query, now: datetime
) -> IncidentFilter:
    """The repository filter for `q`; an unknown category or jurisdiction is a 422/404."""
    since, until = window(q, now)
    codes: list[str] = []
    if q.category:
        codes = categories_named(catalog, q.category)
        if not codes:
            raise InvalidInput(
                "category", f"no category is called {q.category}", code="unknown_category"
            )
    path = None
    if q.jurisdiction:
        j = get_jurisdiction(session, q.jurisdiction)
        by.require_in_scope(j.path, f"jurisdiction {q.jurisdiction}")
        path = j.path
    return IncidentFilter(
        status=q.status,
        grade=q.grade,
        category=codes,
        jurisdiction_path=path,
        since=since,
        until=until,
        caller_phone=q.caller_phone,
        number=q.number,
        text=q.text,
        unit=q.unit,
    )


def phone_lookups(q: Query) -> list[str]:
    """The personal values the query looks up by: the caller's phone, and digits typed as text."""
    found = [q.caller_phone] if q.caller_phone else []
    return found + _PHONE_LIKE.findall(q.text or "")


def search(
    session: Session, f: IncidentFilter, *, by: Principal, limit: int, offset: int
) -> tuple[Sequence[Incident], int]:
    return list_incidents(session, f, by=by, limit=limit, offset=offset)


def for_export(session: Session, f: IncidentFilter, *, by: Principal) -> Sequence[Incident]:
    """Every match for a spreadsheet; more than EXPORT_ROWS is refused (narrow the search)."""
    rows, total = list_incidents(session, f, by=by, limit=EXPORT_ROWS, offset=0)
    if total > EXPORT_ROWS:
        raise InvalidInput(
            "since",
            f"{total} incidents match; an export holds at most {EXPORT_ROWS}",
            code="export_too_large",
        )
    return rows
