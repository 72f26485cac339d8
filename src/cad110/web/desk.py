"""接警台 (call-taker desk) and 处警端 (unit view) pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from cad110.api.routing import Router
from cad110.auth.principal import Principal
from cad110.incidents.outcomes_repository import totals_of
from cad110.incidents.outcomes_schemas import MAX_ARRESTED, MAX_FEN
from cad110.incidents.repository import current_assignment
from cad110.incidents.views import incident_out
from cad110.kernel.runtime import Runtime
from cad110.missing.notices import LookoutOut, lookouts
from cad110.missing.repository import openable as cases_openable
from cad110.models.unit import Unit
from cad110.privacy import record
from cad110.privacy.deps import where_of
from cad110.privacy.policy import MASKED, Action, Subject, shown
from cad110.privacy.record import Access, AccessNotRecorded, Where
from cad110.privacy.subjects import incident_sight
from cad110.web.access_log import pii, unrecorded
from cad110.web.briefing import flag_reads, told
from cad110.web.common import Rt, console_user, page, to_login
from cad110.web.outcomes import recent_for_unit
from cad110.web.unit_fraud import next_due, warning_on_phone

router = Router(include_in_schema=False)
# The officer's page records its caller-phone view at most once in this long (see _unit_view).
RELOADS_WITHIN = timedelta(minutes=5)


@router.get("/desk")
async def desk(request: Request, rt: Rt) -> Response:
    """One keyboard-first screen: caller, place, what happened, category; save = 接警 + 受理."""
    by = await console_user(request, rt)
    if by is None:
        return to_login(request)
    # The category is searched as it is typed (GET /api/v1/catalog/categories?q=): no list here.
    return page(request, "desk.html", by, history_days=rt.settings.history_days)


def _unit_view(rt: Runtime, by: Principal, where: Where) -> dict[str, Any]:
    seen, out = MASKED, None
    with rt.readers() as session:
        unit = session.get(Unit, by.unit_code) if by.unit_code else None
        current = None
        briefing = None
        fraud_reads: list[Access] = []
        found: list[LookoutOut] = []
        openable: set[str] = set()
        recent: list[dict[str, Any]] = []
        now = rt.clock.now()
        if unit is not None:
            on = current_assignment(session, unit.code)
            if on is not None:
                active, incident = on
                seen = incident_sight(session, by, incident)
                out = incident_out(session, incident, rt.catalog, full=seen.full)
                briefing = told(session, incident.number, unit.code, rt.catalog)
                warning, fraud_reads = warning_on_phone(rt.ctx(session, by), by, incident.id)
                so_far = totals_of(session, incident.id)
                current = {
                    "incident": out,
                    # What the officer is going to, said first (案由).
                    "category": rt.catalog.get(incident.category_code)
                    if incident.category_code
                    else None,
                    "state": active.state.value,
                    "briefing": briefing,
                    "due": next_due(session, incident.id, unit.code, now),
                    "warning": warning,
                    # What the feedback's loss and recovery add to (a recovery above the loss
                    # is refused): the phone checks them before it sends anything.
                    "loss_fen": so_far.loss_fen if so_far else 0,
                    "recovered_fen": so_far.recovered_fen if so_far else 0,
                }
            found = lookouts(rt.ctx(session, by), unit.code)
            # A search radius or a dispatch crosses district lines; the case page opens only
            # for some of them, and only those are links.
            openable = cases_openable(session, by, [f.case for f in found])
            recent = recent_for_unit(session, unit.code, now)
    # The page shows the caller's phone (not the name): that is what is recorded. The page
    # reloads itself after each of the officer's steps and on every live change (unit.js: a
    # reload is the simplest way to show the next step's buttons right), so the same phone was
    # logged four times in nine seconds. The view is recorded once per RELOADS_WITHIN for the
    # same officer, incident and page instead: the log still says who saw it and since when.
    fields = shown(out, ["caller_phone"]) if out is not None else []
    # Each hazard flag the briefing shows is a read too, recorded by the same rule.
    accesses = flag_reads(by, briefing)
    # The person at risk of a fraud warning the visit is for, by the same rule.
    accesses.extend(fraud_reads)
    if seen.full and out is not None and fields:
        accesses.append(Access(Action.READ, Subject.INCIDENT, out.number, fields, seen.reason))
    record.write_unless_recent(
        rt.sessions, by, rt.clock.now(), where, accesses, within=RELOADS_WITHIN
    )
    return {
        "unit": unit,
        "current": current,
        "lookouts": found,
        "openable": openable,
        "recent": recent,
        "pii": pii(by, seen),
        # The server's time, from which the phone dates the outcome it records at feedback.
        "now": now,
        # The server's limits on the feedback's outcome, checked on the phone before sending.
        "max_fen": MAX_FEN,
        "max_arrested": MAX_ARRESTED,
    }


@router.get("/unit")
async def unit_view(request: Request, rt: Rt) -> Response:
    """A phone-sized page for an officer: the current assignment, big buttons, and the
    missing people the unit is asked to look out for (查找协查)."""
    by = await console_user(request, rt)
    if by is None:
        return to_login(request)
    try:
        view = await run_in_threadpool(_unit_view, rt, by, where_of(request))
    except AccessNotRecorded:
        return unrecorded(request, by)
    return page(request, "unit.html", by, **view)
