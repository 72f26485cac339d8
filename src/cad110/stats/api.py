"""JSON routes of the statistics (统计): figure definitions, a summary, a time series.

Needs the `stats` permission; a jurisdiction outside the caller's subtree does not exist (404).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request, Response

from cad110.api.deps import Context, JurisdictionCode
from cad110.api.routing import Router
from cad110.kernel.inputs import Day
from cad110.stats import service
from cad110.stats import wall as wall_use_case
from cad110.stats.periods import GroupBy, Interval
from cad110.stats.report import export
from cad110.stats.schemas import Definitions, Series, Summary
from cad110.stats.wall_schemas import Wall

router = Router(prefix="/stats", tags=["statistics"])

Since = Annotated[Day | None, Query(description="First local day (default: today)")]
Until = Annotated[Day | None, Query(description="Day after the period, exclusive")]
Category = Annotated[
    str | None,
    Query(min_length=1, max_length=48, pattern=r"^[0-9a-z_]+$", description="Category code"),
]
Grade = Annotated[int | None, Query(ge=1, le=4, description="Grade 1–4")]
FigureKey = Annotated[
    str, Query(min_length=1, max_length=48, pattern=r"^[0-9a-z_]+$", description="Figure key")
]


@router.get("/figures", response_model=Definitions)
def figures(ctx: Context) -> Definitions:
    """Every figure: names, unit, formula, stages and the NENA/NFPA interval it matches."""
    return service.definitions(ctx)


@router.get("/summary", response_model=Summary)
def summary(
    ctx: Context,
    since: Since = None,
    until: Until = None,
    jurisdiction: JurisdictionCode = None,
    category: Category = None,
    grade: Grade = None,
    group_by: GroupBy | None = None,
) -> Summary:
    """Every figure over [since, until) against the same number of days before, and per group
    (day, week, month, hour, jurisdiction one level down, category, grade, day type; and for
    the repeat case figures alone, the case's type and risk tier)."""
    filters = service.Filters(since, until, jurisdiction, category, grade)
    return service.summary(ctx, filters, group_by)


@router.get("/series", response_model=Series)
def series(
    ctx: Context,
    figure: FigureKey,
    since: Since = None,
    until: Until = None,
    interval: Interval = "day",
    jurisdiction: JurisdictionCode = None,
    category: Category = None,
    grade: Grade = None,
) -> Series:
    """One figure per hour, day, week or month of [since, until), empty buckets included."""
    filters = service.Filters(since, until, jurisdiction, category, grade)
    return service.series(ctx, filters, figure, interval)


@router.get(
    "/export",
    response_class=Response,
    responses={
        200: {
            "content": {media: {} for media in export.MEDIA_TYPES.values()},
            "description": "The report as the 通报 text, a workbook or a PDF",
        }
    },
)
def export_report(
    ctx: Context,
    request: Request,
    format: export.Format,
    since: Since = None,
    until: Until = None,
    jurisdiction: JurisdictionCode = None,
    category: Category = None,
    grade: Grade = None,
    kind: export.ReportKind | None = None,
    day: Annotated[Day | None, Query(description="With kind: a day of the report")] = None,
    lang: export.Lang | None = None,
) -> Response:
    """The report (通报) over [since, until) — or the daily, weekly or monthly one holding
    `day` — as text, XLSX or PDF; headings in `lang` (default: the Accept-Language)."""
    filters = service.Filters(since, until, jurisdiction, category, grade)
    wanted = lang or export.lang_of(request.headers.get("accept-language"))
    body, name = export.export(ctx, filters, kind, day, format, wanted)
    return Response(
        body,
        media_type=export.MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/wall", response_model=Wall)
def wall(ctx: Context, jurisdiction: JurisdictionCode = None) -> Wall:
    """The big screen's data (大屏): today so far — calls, valid incidents, incidents in
    progress, overdue steps, response-time gauges, load per district with open incidents'
    points, the hourly curve against the same weekday's average, top categories, units by
    status, open supervisions, missing persons in their first 72 hours. No personal data."""
    return wall_use_case.wall(ctx, jurisdiction)
