"""重复警情档案 on screen: the list of repeat cases with filters by type, tier, status and
station (and 建档 from an incident), and one case with its incidents, its step, the journal and
its actions. The case's free texts (which name the parties) are shown as written to a reader
whose duty covers the case, the view recorded, and withheld from anyone else, who may reveal
them with a reason; the persons a threat flags are on the hazard flags (警示标记) screens."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from cad110.api.routing import Router
from cad110.auth.permissions import Permission, allowed
from cad110.auth.principal import Principal
from cad110.errors import NotFound
from cad110.kernel.people import display_names
from cad110.kernel.runtime import Runtime
from cad110.kernel.scope import in_scope
from cad110.models.incident import Incident
from cad110.models.jurisdiction import Jurisdiction, Level
from cad110.models.repeat_cases import RepeatCaseStatus
from cad110.privacy import record
from cad110.privacy.deps import where_of
from cad110.privacy.policy import Action, Subject
from cad110.privacy.record import Access, AccessNotRecorded, Where
from cad110.privacy.subjects import repeat_case_sight
from cad110.repeats import cases_repository as repo
from cad110.repeats import cases_views as views
from cad110.repeats.cases_rules import CaseRules, in_force, type_of
from cad110.web.access_log import pii, unrecorded
from cad110.web.common import Rt, console_user, page, to_login

router = Router(include_in_schema=False)
PAGE = 50


def _choice(value: str, allowed_values: set[str]) -> str | None:
    return value if value in allowed_values else None


def _list(rt: Runtime, by: Principal, query: dict[str, str]) -> dict[str, Any]:
    now = rt.clock.now()
    with rt.readers() as session:
        ctx = rt.ctx(session, by, now)
        rules = in_force(ctx)
        stations = list(
            session.scalars(
                select(Jurisdiction)
                .where(in_scope(Jurisdiction.path, by), Jurisdiction.level == Level.STATION)
                .order_by(Jurisdiction.code)
            )
        )
        chosen = {
            "type": _choice(query.get("type", ""), set(rules.types)),
            "tier": _choice(query.get("tier", ""), set(rules.tiers)),
            "status": _choice(query.get("status", ""), {s.value for s in RepeatCaseStatus}),
            "station": _choice(query.get("station", ""), {s.code for s in stations}),
        }
        raw_page = query.get("page", "1")
        number = int(raw_page) if raw_page.isdigit() and 0 < int(raw_page) <= 10_000 else 1
        filters = repo.Filters(
            type=chosen["type"],
            tier=chosen["tier"],
            status=RepeatCaseStatus(chosen["status"]) if chosen["status"] else None,
            station=chosen["station"],
        )
        rows, total = repo.cases(session, by, filters, limit=PAGE, offset=(number - 1) * PAGE)
        counted = {
            c: repo.counts_by(session, by, repo.Filters(), c)
            for c in ("type", "tier", "station", "status")
        }
        figures = views.figures(session, counted, rules)
        cases = views.summaries(rows, rules, now)
        people = display_names(session, [c.owner for c in cases])
        incident = query.get("incident", "")[:40]
        suggested = _suggested_type(session, by, rules, incident)
    return {
        "cases": cases,
        "people": people,
        "total": total,
        "page_no": number,
        "pages": max(1, -(-total // PAGE)),
        "chosen": chosen,
        "types": list(rules.types.values()),
        "tiers": list(rules.tiers.values()),
        "stations": stations,
        "figures": figures,
        "incident": incident,
        "suggested_type": suggested,
        "can_work": allowed(by.role, Permission.REPEAT_CASE),
    }


def _suggested_type(session: Session, by: Principal, rules: CaseRules, number: str) -> str | None:
    """The case type the incident's category suggests, for 建档 from that incident (the board's
    panel and the record link here with its number); None when the reader does not see it or
    its category suggests none: then the user chooses, nothing is chosen for them."""
    if not number:
        return None
    category = session.scalar(
        select(Incident.category_code).where(
            Incident.number == number, in_scope(Incident.jurisdiction_path, by)
        )
    )
    return type_of(rules, [category])


def _case(rt: Runtime, by: Principal, number: str, where: Where) -> dict[str, Any]:
    now = rt.clock.now()
    with rt.readers() as session:
        ctx = rt.ctx(session, by, now)
        rules = in_force(ctx)
        case = repo.get_case(session, number, by=by)
        seen = repeat_case_sight(session, by, case)
        out = views.case_out(session, case, rt.catalog, rules, now, full=seen.full)
        changed = [e.payload for e in out.journal if e.kind == "owner_changed"]
        people = display_names(
            session,
            [out.owner, out.opened_by, out.reported_by, out.solved_by]
            + [e.actor for e in out.journal]
            + [str(p.get(k) or "") for p in changed for k in ("from", "to")],
        )
    fields = views.text_fields(views.texts(out))
    if seen.full and fields:
        access = Access(Action.READ, Subject.REPEAT_CASE, out.number, fields, seen.reason)
        record.write(rt.sessions, by, now, where, [access])
    return {
        "pii": pii(by, seen),
        "case": out,
        "people": people,
        "types": rules.types,
        "tiers": list(rules.tiers.values()),
        "tier_names": rules.tiers,
        "quiet_days": rules.quiet_days,
        "quiet": now >= out.quiet_from,
        "can_work": allowed(by.role, Permission.REPEAT_CASE),
        "can_approve": allowed(by.role, Permission.APPROVE),
        "is_owner": by.username == out.owner,
    }


@router.get("/repeats")
async def repeat_cases_page(request: Request, rt: Rt) -> Response:
    """重复警情档案: cases still worked first, riskiest tier first; filters and 建档."""
    by = await console_user(request, rt)
    if by is None:
        return to_login(request)
    data = await run_in_threadpool(_list, rt, by, dict(request.query_params))
    return page(request, "repeat_cases.html", by, **data)


@router.get("/repeats/{number}")
async def repeat_case_page(request: Request, rt: Rt, number: str) -> Response:
    """One case: its incidents, its step, the journal and the actions the reader may take."""
    by = await console_user(request, rt)
    if by is None:
        return to_login(request)
    try:
        data = await run_in_threadpool(_case, rt, by, number[:48], where_of(request))
    except NotFound:
        return page(request, "repeat_case.html", by, status_code=404, case=None, number=number)
    except AccessNotRecorded:
        return unrecorded(request, by)
    return page(request, "repeat_case.html", by, **data)
