"""督办 page for leaders, and the full record of one incident."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from cad110.api.routing import Router
from cad110.auth.permissions import Permission, allowed
from cad110.auth.principal import Principal
from cad110.callbacks.repository import follow_up_of, follow_ups
from cad110.callbacks.views import follow_up_out
from cad110.errors import NotFound
from cad110.incidents.repository import get_incident
from cad110.incidents.views import event_fields, incident_out, timeline_out
from cad110.kernel.runtime import Runtime
from cad110.lifecycles.incident import STAGE_NAMES_ZH, STAGES
from cad110.missing.repository import case_number_of
from cad110.models.jurisdiction import Grid, Jurisdiction
from cad110.privacy import record
from cad110.privacy.deps import where_of
from cad110.privacy.policy import INCIDENT_FIELDS, Action, Subject, shown
from cad110.privacy.record import Access, AccessNotRecorded, Where
from cad110.privacy.subjects import incident_sight
from cad110.supervision.repository import supervisions_seen_by
from cad110.transfers.repository import tickets_of_incident
from cad110.transfers.rules import in_force as transfer_rules
from cad110.transfers.views import tickets_out
from cad110.web.access_log import pii, unrecorded
from cad110.web.common import Rt, console_user, locale_of, page, to_login
from cad110.web.i18n import translations
from cad110.web.names import names_of_events, unit_names
from cad110.web.outcomes import outcome_view
from cad110.web.sentences import VALUE_WORDS, actor_name, sentence

router = Router(include_in_schema=False)


def _open_supervisions(rt: Runtime, by: Principal, locale: str) -> list[dict[str, Any]]:
    with rt.readers() as session:
        rows = supervisions_seen_by(session, by, "open", limit=300)
        # Units by name (one query for the page), the code kept for a unit that has gone.
        names = unit_names(session, {s.unit_code for s, _ in rows if s.unit_code}, locale)
        return [
            {
                "id": s.id,
                "number": i.number,
                "grade": i.grade,
                "address": i.address or "",
                "step": s.step.value,
                "unit": s.unit_code,
                "unit_name": names.get(s.unit_code) if s.unit_code else None,
                "due_at": s.due_at,
                "level": s.level.value,
                "done_at": s.step_done_at,
            }
            for s, i in rows
        ]


@router.get("/supervise")
async def supervise(request: Request, rt: Rt) -> Response:
    """What is overdue in my jurisdiction, worst first; acknowledge each with a comment."""
    by = await console_user(request, rt)
    if by is None:
        return to_login(request)
    rows = await run_in_threadpool(_open_supervisions, rt, by, locale_of(request))
    ups = await run_in_threadpool(_open_follow_ups, rt, by)
    return page(request, "supervise.html", by, rows=rows, follow_ups=ups)


def _open_follow_ups(rt: Runtime, by: Principal) -> list[Any]:
    """不满意整改 still to answer in my jurisdiction, by due time (overdue ones are 督办 above)."""
    now = rt.clock.now()
    with rt.readers() as session:
        rows = follow_ups(session, by, open_only=True, limit=100)
        return [follow_up_out(f, i, j, now, rt.settings.tz) for f, i, j in rows]


@router.get("/supervise/rows")
async def supervise_rows(request: Request, rt: Rt) -> Response:
    """The rows alone, for the live refresh to merge into the page (supervise.js): a leader's
    half-typed comment stays where it is."""
    by = await console_user(request, rt)
    if by is None:
        return Response(status_code=401)
    rows = await run_in_threadpool(_open_supervisions, rt, by, locale_of(request))
    return page(request, "_supervise_rows.html", by, rows=rows)


def _record(rt: Runtime, by: Principal, number: str, where: Where, locale: str) -> dict[str, Any]:
    gettext = translations(locale).gettext
    with rt.readers() as session:
        incident = get_incident(session, number, by=by)
        seen = incident_sight(session, by, incident)
        out = incident_out(session, incident, rt.catalog, full=seen.full)
        timeline = timeline_out(session, incident, full=seen.full)
        category = rt.catalog.get(incident.category_code) if incident.category_code else None
        missing_case = case_number_of(session, incident.id)
        names = names_of_events(
            session, ((e.actor, e.payload) for e in timeline.events), rt.catalog, locale
        )
        units = unit_names(session, {a.unit for a in out.assignments}, locale)
        place = session.get(Jurisdiction, incident.jurisdiction_code)
        grid = session.get(Grid, incident.grid_code) if incident.grid_code else None
        outcome = outcome_view(session, by, incident, out, rt.clock.now())
        found = follow_up_of(session, incident.id)
        now = rt.clock.now()
        follow_up = (
            follow_up_out(found[0], incident, found[1], now, rt.settings.tz) if found else None
        )
        rules = transfer_rules(rt.ctx(session, by, now))
        transfers = tickets_out(session, tickets_of_incident(session, incident.id), rules, now)
    log = [
        {
            "seq": e.seq,
            "at": e.at,
            "actor": actor_name(e.actor, names, gettext),
            "sentence": sentence(e.kind, e.payload, names, gettext),
        }
        for e in timeline.events
    ]
    fields = [*shown(out, INCIDENT_FIELDS), *event_fields(timeline.events)]
    if seen.full and fields:
        access = Access(Action.READ, Subject.INCIDENT, number, fields, seen.reason)
        record.write(rt.sessions, by, rt.clock.now(), where, [access])
    return {
        "incident": out,
        "missing_case": missing_case,
        "timeline": timeline,
        "log": log,
        "place": (place.name_zh if locale == "zh_CN" else place.name_en) if place else None,
        # The grid by its name, its code beside it (a grid's code is how the field knows it).
        "grid": (grid.name_zh if locale == "zh_CN" else grid.name_en) if grid else None,
        "transferred": _word(gettext, "to", out.transferred_to),
        "invalid": _word(gettext, "reason", out.invalid_reason),
        "units": units,
        "category": category,
        "stages": [(s.value, STAGE_NAMES_ZH[s], out.stages.get(s.value)) for s in STAGES],
        "pii": pii(by, seen),
        "follow_up": follow_up,
        "transfers": transfers,
        # 不满意整改 is answered by the station's leaders, within their jurisdiction.
        "can_reply": follow_up is not None
        and follow_up.replied_at is None
        and allowed(by.role, Permission.SUPERVISE),
        **outcome,
    }


def _word(gettext: Callable[[str], str], key: str, code: str | None) -> str:
    """A code of the record (a transfer target, an invalid reason) in the reader's words."""
    return gettext(VALUE_WORDS[key].get(code, code)) if code else ""


@router.get("/incidents/{number}")
async def incident_page(request: Request, rt: Rt, number: str) -> Response:
    """Every field, the time axis and the full event log with its actors."""
    by = await console_user(request, rt)
    if by is None:
        return to_login(request)
    try:
        data = await run_in_threadpool(
            _record, rt, by, number, where_of(request), locale_of(request)
        )
    except NotFound:
        return page(request, "not_found.html", by, status_code=404, number=number)
    except AccessNotRecorded:
        return unrecorded(request, by)
    return page(request, "incident.html", by, **data)
