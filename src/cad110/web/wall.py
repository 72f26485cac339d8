"""大屏: the wall screen, today's figures on one dark page without the console's chrome.

The page is a frame; static/js/wall.js draws it from GET /api/v1/stats/wall (with the page's
?jurisdiction=, a district leader's wall, checked by the API) and redraws it after each live
change. The words its script needs come in a JSON block, in the reader's
language."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from cad110.api.routing import Router
from cad110.auth.permissions import Permission, allowed
from cad110.lifecycles.incident import OPEN
from cad110.lifecycles.unit import UnitStatus
from cad110.models.supervision import Step, SupervisionLevel
from cad110.stats.registry import BY_KEY
from cad110.stats.wall import GAUGES
from cad110.web.common import Rt, console_user, locale_of, page, to_login
from cad110.web.i18n import translations
from cad110.web.sentences import STEP_NAMES

router = Router(include_in_schema=False)


def wall_words(gettext: Callable[[str], str], locale: str) -> dict[str, object]:
    """What the script writes: codes (stages, unit statuses, levels) and supervised steps in
    the reader's words, the gauges' figure names as the registry names them, and the sentence patterns."""
    english = locale == "en"
    figures = {
        key: BY_KEY[figure].en if english else BY_KEY[figure].zh for key, figure, *_ in GAUGES
    }
    codes = [s.value for s in OPEN] + [s.value for s in UnitStatus]
    codes += [s.value for s in Step] + [s.value for s in SupervisionLevel]
    return {
        "english": english,
        "codes": {code: gettext(code) for code in codes},
        "steps": {step: gettext(name) for step, name in STEP_NAMES.items()},
        "figures": figures,
        "today": gettext("Today"),
        "average": gettext("Same weekday, average of %(weeks)s weeks"),
        "seconds": gettext("%(s)s s"),
        "within": gettext("within limit %(percent)s%%"),
        "no_data": gettext("no data yet"),
        "limits": gettext("grade 1–3 limits %(list)s s"),
        "none_open": gettext("None open"),
        "incidents": gettext("incidents"),
        "left_off": gettext("%(n)s more open incidents not on the map"),
        "missing_title": gettext("Missing persons, first %(hours)s hours"),
        "found_in_window": gettext("Found within %(hours)s h today"),
        "escalated_of": gettext("%(n)s escalated"),
        "done_late": gettext("done late"),
        "share_of_today": gettext("%(percent)s%% of today's incidents"),
        # On the wall a tier is its letter alone in English: the row has no room for more.
        "tier": gettext("Risk tier %(t)s"),
        # A fraud warning's level, short: four of them share one line of a small block.
        "fraud_levels": {
            "low": gettext("Low"),
            "medium": gettext("Medium"),
            "high": gettext("High"),
            "urgent": gettext("Urgent"),
        },
        "wan_yuan": gettext("%(n)s ten-thousand yuan"),
        "lost": gettext("Live connection lost, reconnecting…"),
        "failed": gettext("The figures could not be read; trying again."),
    }


@router.get("/wall")
async def wall(request: Request, rt: Rt) -> Response:
    by = await console_user(request, rt)
    if by is None:
        # Back to this wall after the login, the district's included (?jurisdiction=).
        if request.url.query:
            here = quote(f"{request.url.path}?{request.url.query}")
            return RedirectResponse(f"/login?next={here}", status_code=303)
        return to_login(request)
    locale = locale_of(request)
    gettext = translations(locale).gettext
    if not allowed(by.role, Permission.STATS):
        text = gettext("The wall is for leaders, dispatchers and analysts.")
        return Response(status_code=403, content=text, media_type="text/plain; charset=utf-8")
    return page(request, "wall.html", by, words=wall_words(gettext, locale))
