"""警情查询: the analyst's room — incident search across fields, a spreadsheet of the results,
and the printable record of one incident (PDF). Personal values masked unless the reader's
duty covers the record; every full view, lookup by phone and export is in the access log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from cad110.api.routing import Router
from cad110.auth.permissions import Permission, allowed
from cad110.auth.principal import Principal
from cad110.errors import DomainError, NotFound
from cad110.incidents import search as finder
from cad110.incidents.printout import to_pdf
from cad110.incidents.repository import get_incident
from cad110.incidents.sheet import to_xlsx
from cad110.incidents.views import event_fields, incident_out, incidents_out, timeline_out
from cad110.jurisdictions.repository import names_of, subtree
from cad110.kernel.inputs import EARLIEST_YEAR, LATEST_YEAR
from cad110.kernel.runtime import Runtime
from cad110.lifecycles.incident import Status
from cad110.models.jurisdiction import Level
from cad110.privacy import record
from cad110.privacy.deps import where_of
from cad110.privacy.policy import INCIDENT_FIELDS, Action, Subject, role_reason, shown, sight
from cad110.privacy.record import Access, AccessNotRecorded, Where, searched
from cad110.privacy.subjects import incident_sight
from cad110.web.access_log import unrecorded
from cad110.web.common import Rt, console_user, locale_of, page, to_login
from cad110.web.i18n import translations
from cad110.web.names import names_of_events, unit_names
from cad110.web.sentences import actor_name, sentence

router = Router(include_in_schema=False)

# Each text filter's longest accepted value (longer is cut, as the access-log screen does).
_LENGTHS = {"number": 40, "phone": 32, "text": 64, "category": 32, "unit": 32, "jurisdiction": 16}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _day(value: str) -> date | None:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if EARLIEST_YEAR <= day.year <= LATEST_YEAR else None


def _query(
    rt: Runtime, params: dict[str, str], multi: dict[str, list[str]]
) -> tuple[finder.Query, dict[str, Any]]:
    """The search from the page's query string (unreadable values are dropped, never an
    error), and the filters as the form shows them again."""
    text = {k: params.get(k, "").strip()[:n] for k, n in _LENGTHS.items()}
    tz = rt.settings.tz
    since_day, until_day = _day(params.get("since", "")), _day(params.get("until", ""))
    grades = sorted({int(g) for g in multi.get("grade", []) if g in {"1", "2", "3", "4"}})
    statuses = [s for s in Status if s.value in multi.get("status", [])]
    q = finder.Query(
        number=text["number"] or None,
        caller_phone=text["phone"] or None,
        text=text["text"] or None,
        category=text["category"] or None,
        grade=grades,
        status=statuses,
        unit=text["unit"] or None,
        jurisdiction=text["jurisdiction"] or None,
        since=datetime.combine(since_day, time(), tz) if since_day else None,
        # "until" names the last day searched: everything before the next midnight.
        until=datetime.combine(until_day + timedelta(days=1), time(), tz) if until_day else None,
    )
    shown_filters: dict[str, Any] = {
        **text,
        "since": since_day.isoformat() if since_day else "",
        "until": until_day.isoformat() if until_day else "",
        "grade": grades,
        "status": [s.value for s in statuses],
    }
    return q, shown_filters


def _params(request: Request) -> tuple[dict[str, str], dict[str, list[str]]]:
    single = {k: v for k, v in request.query_params.items() if isinstance(v, str)}
    multi = {k: request.query_params.getlist(k)[:20] for k in ("grade", "status")}
    return single, multi


def _query_string(filters: dict[str, Any]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for key, value in filters.items():
        if isinstance(value, list):
            pairs += [(key, str(v)) for v in value]
        elif value:
            pairs.append((key, str(value)))
    return pairs


def _lookups(q: finder.Query, found: list[str]) -> list[Access]:
    """A lookup by a personal value is recorded with what it found, as the API does."""
    return [
        a
        for phone in finder.phone_lookups(q)
        for a in searched(Subject.INCIDENT, found, "caller_phone", phone)
    ]


def refusal(exc: DomainError, gettext: Callable[[str], str], category: str) -> str:
    """Why a search was not run, in the reader's words (never the English detail)."""
    if isinstance(exc, NotFound):
        return gettext("No such jurisdiction, or it lies outside yours.")
    reason = getattr(exc, "reason", "")
    if reason == "unknown_category":
        return gettext(
            "No category matches “%(q)s”: type its Chinese name, pinyin, initials or a word "
            "the caller used."
        ) % {"q": category}
    if reason == "window_reversed":
        return gettext("The first day must come before the last.")
    if reason == "window_too_wide":
        return gettext("Search at most %(days)s days at a time.") % {"days": finder.MAX_DAYS}
    if reason == "export_too_large":
        return gettext(
            "Too many incidents for one spreadsheet (at most %(rows)s): narrow the search."
        ) % {"rows": finder.EXPORT_ROWS}
    return gettext("The search was refused.")


def _results(
    rt: Runtime,
    by: Principal,
    params: dict[str, str],
    multi: dict[str, list[str]],
    where: Where,
    locale: str,
) -> dict[str, Any]:
    q, filters = _query(rt, params, multi)
    raw = params.get("page_no", "1")
    number = (
        int(raw) if raw.isdigit() and 0 < int(raw) <= finder.MAX_OFFSET // finder.PAGE_SIZE else 1
    )
    now = rt.clock.now()
    data: dict[str, Any] = {
        "filters": filters,
        "page_no": number,
        "error": None,
        "rows": [],
        "total": 0,
    }
    with rt.readers() as session:
        data["places"] = [
            (j.code, j.name_zh, j.name_en)
            for j in subtree(session, by)
            if j.level is not Level.CITY
        ]
        try:
            f = finder.to_filter(session, rt.catalog, by, q, now)
        except DomainError as exc:
            data["error"] = refusal(exc, translations(locale).gettext, q.category or "")
            return data
        items, total = finder.search(
            session, f, by=by, limit=finder.PAGE_SIZE, offset=(number - 1) * finder.PAGE_SIZE
        )
        rows = incidents_out(session, items, rt.catalog)
        names = names_of(session, {i.jurisdiction for i in rows})
        units = unit_names(session, {a.unit for i in rows for a in i.assignments}, locale)
    record.write(rt.sessions, by, now, where, _lookups(q, [i.number for i in items]))
    since, until = finder.window(q, now)
    query = _query_string(filters)
    data.update(
        rows=rows,
        total=total,
        names=names,
        units=units,
        window=(since, until - timedelta(seconds=1)),
        pages=max(1, min(-(-total // finder.PAGE_SIZE), finder.MAX_OFFSET // finder.PAGE_SIZE)),
        page_url="/search?" + urlencode([*query, ("page_no", "")]),
        export_url="/search/export.xlsx" + ("?" + urlencode(query) if query else ""),
        categories=rt.catalog.categories,
    )
    return data


@router.get("/search")
async def search_page(request: Request, rt: Rt) -> Response:
    """Incidents of the reader's jurisdiction by number, phone, words, category, grade, time,
    unit, status and place; 50 a page."""
    by = await console_user(request, rt)
    if by is None:
        return to_login(request)
    single, multi = _params(request)
    try:
        data = await run_in_threadpool(
            _results, rt, by, single, multi, where_of(request), locale_of(request)
        )
    except AccessNotRecorded:
        return unrecorded(request, by)
    data["can_export"] = allowed(by.role, Permission.EXPORT)
    data["statuses"] = [s.value for s in Status]
    return page(request, "search.html", by, **data)


def _export(
    rt: Runtime,
    by: Principal,
    params: dict[str, str],
    multi: dict[str, list[str]],
    where: Where,
    locale: str,
) -> bytes:
    q, filters = _query(rt, params, multi)
    now = rt.clock.now()
    with rt.readers() as session:
        f = finder.to_filter(session, rt.catalog, by, q, now)
        items = finder.for_export(session, f, by=by)
        seen = {i.id: sight(by, path=i.jurisdiction_path) for i in items}
        full = incidents_out(session, [i for i in items if seen[i.id].full], rt.catalog, full=True)
        masked = incidents_out(session, [i for i in items if not seen[i.id].full], rt.catalog)
        by_number = {o.number: o for o in [*full, *masked]}
        ordered = [by_number[i.number] for i in items]
        names = names_of(session, {o.jurisdiction for o in ordered})
        units = unit_names(session, {a.unit for o in ordered for a in o.assignments}, locale)
    zh = locale == "zh_CN"
    body = to_xlsx(
        ordered,
        catalog=rt.catalog,
        places={k: (v[0] if zh else v[1]) for k, v in names.items()},
        units=units,
        tz=rt.settings.tz,
        gettext=translations(locale).gettext,
        zh=zh,
    )
    wanted = " ".join(f"{k}={v}" for k, v in _query_string({**filters, "phone": ""}))
    accesses = [
        Access(
            Action.EXPORT,
            Subject.INCIDENT,
            "",
            [],
            f"{role_reason(by)}; {len(items)} incidents" + (f"; {wanted}" if wanted else ""),
        ),
        # Each record that left in full is named, with the duty that allowed it.
        *(
            Access(
                Action.EXPORT,
                Subject.INCIDENT,
                i.number,
                shown(by_number[i.number], INCIDENT_FIELDS),
                seen[i.id].reason,
            )
            for i in items
            if seen[i.id].full and shown(by_number[i.number], INCIDENT_FIELDS)
        ),
        *_lookups(q, [i.number for i in items]),
    ]
    record.write(rt.sessions, by, now, where, accesses)
    return body


@router.get("/search/export.xlsx")
async def export_xlsx(request: Request, rt: Rt) -> Response:
    """The search's matches as a spreadsheet (at most EXPORT_ROWS), recorded in the access log."""
    by = await console_user(request, rt)
    if by is None:
        return to_login(request)
    if not allowed(by.role, Permission.EXPORT):
        return Response(status_code=403, content="forbidden")
    single, multi = _params(request)
    try:
        body = await run_in_threadpool(
            _export, rt, by, single, multi, where_of(request), locale_of(request)
        )
    except AccessNotRecorded:
        return Response(status_code=503, content="the export could not be recorded")
    except DomainError as exc:
        text = refusal(exc, translations(locale_of(request)).gettext, single.get("category", ""))
        return Response(
            status_code=exc.status_code, content=text, media_type="text/plain; charset=utf-8"
        )
    stamp = rt.clock.now().astimezone(rt.settings.tz).strftime("%Y%m%d-%H%M%S")
    return Response(
        content=body,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="incidents-{stamp}.xlsx"'},
    )


def _printout(rt: Runtime, by: Principal, number: str, where: Where, locale: str) -> bytes:
    now = rt.clock.now()
    with rt.readers() as session:
        incident = get_incident(session, number, by=by)
        seen = incident_sight(session, by, incident)
        out = incident_out(session, incident, rt.catalog, full=seen.full)
        timeline = timeline_out(session, incident, full=seen.full)
        names = names_of(session, {incident.jurisdiction_code})
        said = names_of_events(
            session, ((e.actor, e.payload) for e in timeline.events), rt.catalog, locale
        )
        units = unit_names(session, {a.unit for a in timeline.assignments}, locale)
    zh = locale == "zh_CN"
    gettext = translations(locale).gettext
    # The log as the record page says it: names, not account names; sentences, not payloads.
    log = [
        (e.at, actor_name(e.actor, said, gettext), sentence(e.kind, e.payload, said, gettext))
        for e in timeline.events
    ]
    fields = (
        sorted({*shown(out, INCIDENT_FIELDS), *event_fields(timeline.events)}) if seen.full else []
    )
    # Printed is exported: the record left the system, in full or masked, and says so.
    reason = seen.reason if seen.full else role_reason(by)
    record.write(
        rt.sessions,
        by,
        now,
        where,
        [Access(Action.EXPORT, Subject.INCIDENT, number, fields, reason)],
    )
    name = names.get(incident.jurisdiction_code)
    return to_pdf(
        out,
        timeline,
        catalog=rt.catalog,
        place=(name[0] if zh else name[1]) if name else incident.jurisdiction_code,
        printed_at=now,
        printed_by=by.display_name or by.username,
        tz=rt.settings.tz,
        gettext=gettext,
        zh=zh,
        log=log,
        units=units,
    )


@router.get("/incidents/{number}/record.pdf")
async def record_pdf(request: Request, rt: Rt, number: str) -> Response:
    """The printable record of one incident."""
    by = await console_user(request, rt)
    if by is None:
        return to_login(request)
    try:
        body = await run_in_threadpool(
            _printout, rt, by, number[:40], where_of(request), locale_of(request)
        )
    except NotFound:
        return page(request, "not_found.html", by, status_code=404, number=number[:40])
    except AccessNotRecorded:
        return unrecorded(request, by)
    return Response(
        content=body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{number[:40]}.pdf"'},
    )
