"""What the 寻人 screens show: the case desk, one case, the opening form, cluster alerts.

Reads only, through the same use cases and views as the JSON API (scope is checked there).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select

from cad110.auth.permissions import Permission, allowed
from cad110.auth.principal import Principal
from cad110.incidents.repository import get_incident
from cad110.incidents.views import event_fields
from cad110.kernel.context import Ctx
from cad110.kernel.runtime import Runtime
from cad110.lifecycles.incident import OPEN
from cad110.missing.api import list_cases
from cad110.missing.journal import get_case
from cad110.missing.rules import CONDITION_ZH, CONDITIONS, SIGN_ZH, SIGNS
from cad110.missing.schemas import CaseSummary, ClusterOut
from cad110.missing.views import (
    case_out,
    clusters_out,
    journal_out,
    open_cluster_count,
    summaries,
)
from cad110.models.incident import Incident
from cad110.models.jurisdiction import Jurisdiction
from cad110.models.missing import CaseStatus, MissingCase
from cad110.models.user import Role, User
from cad110.privacy import record
from cad110.privacy.policy import CASE_FIELDS, INCIDENT_FIELDS, Action, Subject, shown
from cad110.privacy.record import Access, Where
from cad110.privacy.subjects import case_sight, incident_sight
from cad110.web.access_log import pii

# The desk's filters (寻人台账): every open case, the ledger, callbacks due now, closed cases.
VIEWS = ("open", "ledger", "due", "closed")
# Rows a page of the ledger shows; more are a page further.
PAGE_SIZE = 100


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


def _page(ctx: Ctx, view: str, limit: int, offset: int = 0) -> tuple[list[CaseSummary], int]:
    if view == "closed":
        total = list_cases(ctx, state=CaseStatus.CLOSED, limit=1).total
        rows = ctx.session.scalars(
            select(MissingCase)
            .where(
                MissingCase.jurisdiction_path.startswith(ctx.by.scope_path, autoescape=True),
                MissingCase.status == CaseStatus.CLOSED,
            )
            .order_by(MissingCase.closed_at.desc(), MissingCase.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
        return summaries(ctx, rows), total
    page = list_cases(
        ctx,
        state=CaseStatus.OPEN if view == "open" else None,
        ledger_only=view == "ledger",
        due=view == "due",
        limit=limit,
        offset=offset,
    )
    return page.items, page.total


def _waiting_incidents(rt: Runtime, ctx: Ctx) -> list[Incident]:
    """Open missing-person incidents in scope that have no case yet (待建档)."""
    codes = [c.code for c in rt.catalog.categories.values() if c.missing_person]
    return list(
        ctx.session.scalars(
            select(Incident)
            .where(
                Incident.category_code.in_(codes),
                Incident.status.in_(OPEN),
                Incident.jurisdiction_path.startswith(ctx.by.scope_path, autoescape=True),
                ~exists().where(MissingCase.incident_id == Incident.id),
            )
            .order_by(Incident.received_at)
            .limit(50)
        )
    )


def desk(rt: Runtime, by: Principal, view: str, page_no: int = 1) -> dict[str, Any]:
    with reading(rt, by) as ctx:
        cases, total = _page(ctx, view, PAGE_SIZE, (page_no - 1) * PAGE_SIZE)
        counts = {v: total if v == view else _page(ctx, v, 1)[1] for v in VIEWS}
        unacknowledged = open_cluster_count(ctx)
        can = permissions(by)
        waiting = _waiting_incidents(rt, ctx) if can["work"] else []
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
        }


def _people(ctx: Ctx, path: str) -> dict[str, list[tuple[str, str]]]:
    """Accounts that may lead or work a case here: the chain above it and the units below."""
    rows = ctx.session.execute(
        select(User.username, User.display_name, User.role, Jurisdiction.path)
        .join(Jurisdiction, Jurisdiction.code == User.jurisdiction_code)
        .where(User.active.is_(True), User.role.in_([Role.LEADER, Role.OFFICER, Role.DISPATCHER]))
        .order_by(User.username)
    ).all()
    near = [r for r in rows if path.startswith(r.path) or r.path.startswith(path)]
    return {
        "leaders": [(r.username, r.display_name) for r in near if r.role is Role.LEADER],
        "officers": [(r.username, r.display_name) for r in near],
    }


_ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")


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


def case_page(rt: Runtime, by: Principal, number: str, where: Where) -> dict[str, Any]:
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
        journal = [{"entry": e, "fields": list(_flatten(e.payload, ctx.tz))} for e in entries]
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
            "due_callback": due_callback,
            "channels": channels,
            "people": _people(ctx, case.jurisdiction_path),
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
        existing = ctx.session.scalar(
            select(MissingCase.number).where(MissingCase.incident_id == incident.id)
        )
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
        names = {
            j.code: (j.name_zh, j.name_en)
            for j in ctx.session.scalars(select(Jurisdiction).where(Jurisdiction.code.in_(codes)))
        }
        return {
            "alerts": sorted(alerts, key=lambda a: (a.acknowledged_at is not None, -_ts(a))),
            "names": names,
            "can": permissions(by),
        }


def _ts(alert: ClusterOut) -> float:
    updated: datetime = alert.updated_at
    return updated.timestamp()
