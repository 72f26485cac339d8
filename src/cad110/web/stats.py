"""统计: the figures page of analysts, leaders and dispatchers — cards, charts, exports.

The page keeps its filters in the URL (a view can be bookmarked and shared) and renders only
the form; its script asks the statistics API for the figures with those filters and draws them.
Filters are passed to the API as they came, so a bad one is refused there, field by field, and
the page says the refusal beside the field; nothing the URL holds breaks the page.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from cad110.api.routing import Router
from cad110.auth.permissions import Permission, allowed
from cad110.auth.principal import Principal
from cad110.fraud.rules import FraudRules
from cad110.fraud.rules import load_rules as load_fraud_rules
from cad110.jurisdictions.repository import subtree
from cad110.kernel.runtime import Runtime
from cad110.models.jurisdiction import Level
from cad110.repeats.cases_rules import CaseRules
from cad110.repeats.cases_rules import load_rules as load_case_rules
from cad110.stats.periods import week_start
from cad110.stats.registry import FIGURES
from cad110.web.common import Rt, console_user, locale_of, page, to_login

router = Router(include_in_schema=False)

PRESETS = (
    "today",
    "yesterday",
    "this_week",
    "last_week",
    "this_month",
    "last_month",
    "last_30",
    "custom",
)
GROUPS = (
    "jurisdiction",
    "category",
    "grade",
    "day",
    "week",
    "month",
    "hour",
    "day_type",
    "case_type",
    "case_tier",
    "fraud_level",
    "fraud_type",
    "officer",
)
DEFAULT_FIGURE = "calls_total"
# A filter longer than this is cut before it goes to the API (which refuses it by its own
# limits anyway): the page's own URLs stay short whatever was pasted into the address bar.
_LONGEST = 40

# The cards, grouped as a 通报 groups its paragraphs. A figure missing here (added to the
# registry later) is shown under "other", never left out.
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "calls",
        (
            "calls_total",
            "phone_calls",
            "abandoned_calls",
            "abandoned_rate",
            "repeat_caller_share",
            "non_police_share",
            "transfers_12345",
            "transfers_119",
            "transfers_120",
            "transfers_agency",
            "tickets_12345",
            "transfers_in_12345",
            "ticket_accepted_time",
            "ticket_done_time",
            "ticket_in_time_rate",
            "ticket_rang_again_rate",
        ),
    ),
    (
        "incidents",
        (
            "incidents_total",
            "valid_incidents",
            "valid_rate",
            "daily_average",
            "repeat_incident_share",
        ),
    ),
    (
        "efficiency",
        (
            "dispatch_time",
            "sign_for_time",
            "turnout_time",
            "travel_time",
            "arrival_time",
            "response_time",
            "feedback_time",
            "close_time",
            "dispatch_within_limit",
            "sign_for_within_limit",
            "arrival_within_limit",
            "feedback_within_limit",
            "close_within_limit",
        ),
    ),
    ("supervision", ("overdue_rate", "supervisions_opened", "supervisions_escalated")),
    (
        "results",
        (
            "arrests",
            "in_the_act_arrest_rate",
            "dispatch_to_arrest",
            "loss_recovery_rate_amount",
            "loss_recovery_rate_cases",
            "cases_opened",
            "callback_coverage",
            "satisfaction_rate",
            "follow_up_in_time",
        ),
    ),
    ("missing", ("missing_found_rate",)),
    (
        "governance",
        (
            "repeat_cases_opened",
            "repeat_cases_open",
            "repeat_cases_solved",
            "repeat_cases_reopened",
            "repeat_solves_observed",
            "repeat_calls_before_solved",
            "repeat_calls_after_solved",
        ),
    ),
    (
        "fraud",
        (
            "fraud_warnings",
            "fraud_reached_in_time",
            "fraud_dissuaded",
            "fraud_dissuasion_rate",
            "fraud_amount_protected",
            "fraud_amount_lost",
            "fraud_amount_frozen",
        ),
    ),
)


def sections() -> list[tuple[str, list[str]]]:
    """SECTIONS with every registry figure not named there under "other"."""
    named = {key for _, keys in SECTIONS for key in keys}
    rest = [f.key for f in FIGURES if f.key not in named]
    return [(name, list(keys)) for name, keys in SECTIONS] + ([("other", rest)] if rest else [])


def preset_days(preset: str, today: date) -> tuple[date, date]:
    """The local days [since, until) a period preset names on `today` (weeks from Monday)."""
    if preset == "yesterday":
        return today - timedelta(days=1), today
    if preset == "this_week":
        return week_start(today), today + timedelta(days=1)
    if preset == "last_week":
        return week_start(today) - timedelta(days=7), week_start(today)
    if preset == "this_month":
        return today.replace(day=1), today + timedelta(days=1)
    if preset == "last_month":
        first = today.replace(day=1)
        return (first - timedelta(days=1)).replace(day=1), first
    if preset == "last_30":
        return today - timedelta(days=29), today + timedelta(days=1)
    return today, today + timedelta(days=1)


def _day_after(value: str) -> str:
    """The exclusive end the API takes for the last day a person picks; a value that is no day
    goes as it came, for the API to refuse by name."""
    try:
        return (date.fromisoformat(value) + timedelta(days=1)).isoformat()
    except (ValueError, OverflowError):
        return value


def api_filters(params: dict[str, str], today: date) -> tuple[dict[str, str], dict[str, str]]:
    """(the filters as the form shows them again, the query the statistics API is asked)."""
    raw = {k: params.get(k, "").strip()[:_LONGEST] for k in _FIELDS}
    preset = raw["period"] if raw["period"] in PRESETS else "today"
    shown = {**raw, "period": preset}
    if preset == "custom":
        since, until = raw["since"], _day_after(raw["until"]) if raw["until"] else ""
    else:
        first, end = preset_days(preset, today)
        since, until = first.isoformat(), end.isoformat()
        shown.update(since=since, until=(end - timedelta(days=1)).isoformat())
    query = {"since": since, "until": until}
    query.update({k: raw[k] for k in ("jurisdiction", "category", "grade")})
    return shown, {k: v for k, v in query.items() if v}


_FIELDS = ("period", "since", "until", "jurisdiction", "category", "grade", "group_by", "figure")


def _view(rt: Runtime, by: Principal, params: dict[str, str], zh: bool) -> dict[str, Any]:
    today = rt.clock.now().astimezone(rt.settings.tz).date()
    shown, query = api_filters(params, today)
    group_by = shown["group_by"] or "jurisdiction"
    shown["group_by"] = group_by
    with rt.readers() as session:
        places = [
            (j.code, j.name_zh if zh else j.name_en, j.level is Level.STATION)
            for j in subtree(session, by)
        ]
    catalog = rt.catalog
    cases = rt.parts.get(CaseRules) or load_case_rules(catalog=catalog)
    assert isinstance(cases, CaseRules)
    fraud = rt.parts.get(FraudRules) or load_fraud_rules()
    assert isinstance(fraud, FraudRules)
    # In the order a reader looks for a name: by its pinyin in Chinese (as a dictionary), by
    # the alphabet in English.
    categories = [
        (c.code, c.zh if zh else c.en)
        for c in sorted(
            catalog.categories.values(), key=lambda c: c.keys.pinyin if zh else c.en.lower()
        )
    ]
    grades = [(g, (catalog.grades[g].zh if zh else catalog.grades[g].en)) for g in catalog.grades]
    summary = urlencode({**query, "group_by": group_by})
    config = {
        "summary": "/api/v1/stats/summary?" + summary,
        "hourly": "/api/v1/stats/summary?" + urlencode({**query, "group_by": "hour"}),
        "series": "/api/v1/stats/series?" + urlencode(query),
        "figures": "/api/v1/stats/figures",
        "group_by": group_by,
        "figure": shown["figure"] or DEFAULT_FIGURE,
        "sections": sections(),
        "places": {code: name for code, name, _ in places},
        "categories": dict(categories),
        "grades": {str(g): name for g, name in grades},
        # A repeat case's type and tier in the reader's words (the API names them by code).
        "case_types": {t.code: t.zh if zh else t.en for t in cases.types.values()},
        "case_tiers": {t.code: t.zh if zh else t.en for t in cases.tiers.values()},
        # A fraud warning's type in the reader's words (fraud/rules.toml).
        "fraud_types": {code: t.zh if zh else t.en for code, t in fraud.types.items()},
    }
    exports = {
        fmt: "/api/v1/stats/export?" + urlencode({**query, "group_by": group_by, "format": fmt})
        for fmt in ("txt", "xlsx", "pdf")
    }
    return {
        "filters": shown,
        "presets": PRESETS,
        "groups": GROUPS,
        "places": places,
        "categories": categories,
        "grades": grades,
        "config": config,
        "exports": exports,
    }


@router.get("/stats")
async def stats_page(request: Request, rt: Rt) -> Response:
    """统计: every figure of the chosen period against the one before, charts and exports."""
    by = await console_user(request, rt)
    if by is None:
        return to_login(request)
    if not allowed(by.role, Permission.STATS):
        return page(request, "stats.html", by, status_code=403, forbidden=True)
    params = {k: v for k, v in request.query_params.items() if isinstance(v, str)}
    zh = locale_of(request) == "zh_CN"
    data = await run_in_threadpool(_view, rt, by, params, zh)
    return page(request, "stats.html", by, forbidden=False, **data)
