"""指挥调度台: the live queue, the map, and the selected incident with its recommendations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from cad110.api.routing import Router
from cad110.auth.permissions import Permission, allowed
from cad110.auth.principal import Principal
from cad110.catalog.loader import TransferTarget
from cad110.dispatch.recommend import recommend
from cad110.errors import NotFound
from cad110.geo.distance import haversine_m
from cad110.incidents.actions import STEPS
from cad110.incidents.repository import board_queue, events_of, get_incident
from cad110.incidents.views import incident_out
from cad110.kernel.runtime import Runtime
from cad110.lifecycles.incident import OPEN, STAGE_NAMES_ZH, STAGES, AssignmentState
from cad110.missing.repository import case_number_of
from cad110.models.incident import Incident
from cad110.privacy import record
from cad110.privacy.deps import where_of
from cad110.privacy.policy import INCIDENT_FIELDS, Action, Subject, shown
from cad110.privacy.record import Access, AccessNotRecorded, Where
from cad110.privacy.subjects import incident_sight
from cad110.repeats.detect import earlier_counts
from cad110.transfers.guard import warnings_of
from cad110.web.access_log import pii
from cad110.web.board_words import picker_words, reason_words
from cad110.web.common import Rt, console_user, locale_of, page, to_login
from cad110.web.i18n import translations
from cad110.web.names import unit_names
from cad110.web.outcomes import outcome_view

router = Router(include_in_schema=False)


def board_rows(rt: Runtime, by: Principal) -> list[dict[str, Any]]:
    """Open incidents in scope, most urgent grade first, then oldest, with the earliest unmet
    deadline (overdue ones too).

    Each row carries a signature (version and deadline) by which the page's live merge sees
    whether the row changed, and the incident's version by which it sees whether the open
    panel is stale."""
    now = rt.clock.now()
    with rt.readers() as session:
        rows = board_queue(session, by)
        repeats = earlier_counts(session, [i.id for i, _due in rows])
        return [
            {
                "number": i.number,
                "grade": i.grade,
                "status": i.status.value,
                "stage_zh": STAGE_NAMES_ZH[i.status],
                "category": rt.catalog.get(i.category_code) if i.category_code else None,
                "address": i.address or "",
                "lon": i.lon,
                "lat": i.lat,
                "received_at": i.received_at,
                # 警龄: seconds since the call was received, as the server's clock has it; the
                # page counts on from there (console.js), whatever the browser's clock says.
                "age_s": max(0, int((now - i.received_at).total_seconds())),
                "next_due": due,
                # Seconds past an unmet deadline (the row stands out), else None.
                "late_s": (now - due).total_seconds() if due is not None and due < now else None,
                "version": i.version,
                # 重复警情: the earlier incidents it repeats (a history scan may add some later).
                "repeats": repeats.get(i.id, 0),
                "sig": f"{i.version}/{due.isoformat() if due else ''}/{repeats.get(i.id, 0)}",
            }
            for i, due in rows
        ]


@router.get("/board")
async def board(request: Request, rt: Rt) -> Response:
    by = await console_user(request, rt)
    if by is None:
        return to_login(request)
    words = picker_words(translations(locale_of(request)).gettext)
    return await run_in_threadpool(_board_page, request, rt, by, "board.html", picker_words=words)


@router.get("/board/rows")
async def rows_fragment(request: Request, rt: Rt) -> Response:
    by = await console_user(request, rt)
    if by is None:
        return Response(status_code=401)
    return await run_in_threadpool(_board_page, request, rt, by, "_board_rows.html")


def _board_page(
    request: Request, rt: Runtime, by: Principal, template: str, **context: Any
) -> Response:
    """The board's rows read and rendered in one trip off the event loop: a board of
    thousands of open incidents (a typhoon's) takes long enough to render that on the loop it
    would hold every other request."""
    rows = board_rows(rt, by)
    return page(request, template, by, rows=rows, now=rt.clock.now(), **context)


def incident_panel(
    rt: Runtime, by: Principal, number: str, where: Where, locale: str
) -> dict[str, Any]:
    """The selected incident: its caller as the reader's duty allows (a full view recorded),
    time axis, units, recommendations, guide, and what the panel's dialogs offer."""
    with rt.readers() as session:
        incident = get_incident(session, number, by=by)
        ctx = rt.ctx(session, by)
        seen = incident_sight(session, by, incident)
        out = incident_out(session, incident, rt.catalog, full=seen.full)
        advice = recommend(ctx, incident, eta=rt.eta, k=5) if out.status in OPEN else None
        category = rt.catalog.get(incident.category_code) if incident.category_code else None
        missing_case = case_number_of(session, incident.id)
        events = [(e.kind, e.occurred_at, e.actor) for e in events_of(session, number)]
        nearby = merge_choices(rt, incident, board_queue(session, by)) if out.status in OPEN else []
        codes = {a.unit for a in out.assignments} | (
            {r.unit.code for r in advice.items} if advice else set()
        )
        units = unit_names(session, codes, locale)
        outcome = outcome_view(session, by, incident, out, rt.clock.now())
        # What the transfer dialog warns of before 移交12345 (the server asks the same).
        transfer_warnings = warnings_of(session, rt.catalog, incident)
    active = [a for a in out.assignments if a.state is not AssignmentState.RELEASED]
    needed = advice.min_units if advice else 1
    gettext = translations(locale).gettext
    fields = shown(out, INCIDENT_FIELDS)
    if seen.full and fields:
        access = Access(Action.READ, Subject.INCIDENT, number, fields, seen.reason)
        record.write(rt.sessions, by, rt.clock.now(), where, [access])
    return {
        "incident": out,
        "category": category,
        "missing_case": missing_case,
        "stages": [(s.value, STAGE_NAMES_ZH[s], out.stages.get(s.value)) for s in STAGES],
        "advice": advice,
        # Each recommended unit's reasons in the reader's words (never a code).
        "reason_words": {
            r.unit.code: [reason_words(x, gettext) for x in r.reasons]
            for r in (advice.items if advice else [])
        },
        "events": events,
        "pii": pii(by, seen),
        "units": units,
        "active": active,
        "needed": needed,
        # The recommendation is offered until the units the category needs are out; after
        # that only an explicit "add unit".
        "to_send": max(needed - len(active), 0),
        "never_dispatched": not out.assignments,
        "nearby": nearby,
        "categories": sorted(
            rt.catalog.categories.values(), key=lambda c: c.zh if locale == "zh_CN" else c.en
        ),
        "transfer_targets": [t.value for t in TransferTarget],
        "transfer_warnings": transfer_warnings,
        "open": out.status in OPEN,
        # What the reader's role may do at all, by the permission the server checks for each
        # action (its Step): the panel offers an action only where the incident's state allows
        # it (`allowed_actions`) and the role may take it, never a button that can only be 403.
        "role_actions": [a.value for a, step in STEPS.items() if allowed(by.role, step.permission)],
        # 追加报警人 (another caller) is a call record: 接警's permission.
        "may_receive": allowed(by.role, Permission.RECEIVE),
        **outcome,
    }


def merge_choices(
    rt: Runtime, incident: Incident, rows: list[tuple[Incident, datetime | None]], limit: int = 8
) -> list[dict[str, Any]]:
    """Open incidents this one could be merged into: nearest first (those with no point after,
    newest first), each with its number, category, address and distance."""
    choices = []
    for other, _due in rows:
        if other.id == incident.id:
            continue
        distance = None
        if None not in (incident.lon, incident.lat, other.lon, other.lat):
            distance = haversine_m(incident.lon, incident.lat, other.lon, other.lat)  # type: ignore[arg-type]
        choices.append((other, distance))
    choices.sort(key=lambda c: (c[1] is None, c[1] or 0.0, -c[0].received_at.timestamp()))
    return [
        {
            "number": other.number,
            "category": rt.catalog.get(other.category_code) if other.category_code else None,
            "address": other.address or "",
            "distance_m": distance,
            "received_at": other.received_at,
        }
        for other, distance in choices[:limit]
    ]


@router.get("/board/incident/{number}")
async def panel_fragment(request: Request, rt: Rt, number: str) -> Response:
    by = await console_user(request, rt)
    if by is None:
        return Response(status_code=401)
    try:
        panel = await run_in_threadpool(
            incident_panel, rt, by, number, where_of(request), locale_of(request)
        )
    except NotFound:
        return Response(status_code=404)
    except AccessNotRecorded:
        return Response(status_code=503)
    return page(request, "_incident_panel.html", by, **panel)
