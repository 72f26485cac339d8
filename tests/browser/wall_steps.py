"""Steps shared by the wall's browser tests: a morning's history, the wall opened as the leader,
and its layout and charts checked."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from playwright.sync_api import Browser, Page, Route, expect

from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.kernel.signing import signed_headers
from cad110.supervision.service import tick
from tests.api.fraud_steps import ELDERLY
from tests.api.fraud_steps import SECRET as FRAUD_SECRET
from tests.api.fraud_steps import warning as fraud_warning
from tests.api.helpers import ok
from tests.browser.board_steps import dispatch, incident
from tests.browser.steps import login
from tests.conftest import Api
from tests.integration.missing_steps import open_case, person
from tests.world import MINHOU

CSP_WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + e.sourceFile + ":" + e.lineNumber);
});
"""

# Every panel's box, the header and the four counters included.
BOXES = """
Array.from(document.querySelectorAll("body > header, .kpi, body > section.panel")).map(el => {
  const r = el.getBoundingClientRect();
  return {id: el.id, left: r.left, top: r.top, right: r.right, bottom: r.bottom};
})
"""

# For each chart: whether ECharts drew it, and how many data items its series hold.
CHARTS = """
Array.from(document.querySelectorAll(".chart")).map(el => {
  const chart = echarts.getInstanceByDom(el);
  const canvas = el.querySelector("canvas");
  const series = chart ? chart.getOption().series || [] : [];
  return {
    id: el.id,
    drawn: !!chart && !!canvas && canvas.width > 0 && canvas.height > 0,
    items: series.reduce((n, s) => n + (s.data || []).length, 0),
  };
})
"""


def day(api: Api, runtime: Runtime, clock: VirtualClock) -> list[str]:
    """A morning's incidents of several kinds in both districts, two dispatched and not
    signed for in time, some not dispatched in time (督办), and a missing person sought: nine
    open incidents, most of them repeats of one caller's. The noise complaint made a repeat
    case (tier B) and two calls went to 12345; the tickets' references."""
    kinds = ["theft", "theft", "fraud", "affray", "theft", "noise_nuisance", "fraud"]
    numbers = [incident(api, n, category=kind) for n, kind in enumerate(kinds)]
    incident(api, 9, category="robbery", lon=MINHOU[0], lat=MINHOU[1], address="闽侯县甘蔗街道")
    open_case(api, clock, category="missing_elderly", who=person("王秀英", "female", 78))
    dispatch(api, numbers[0], "35010201-1")
    dispatch(api, numbers[2], "35010202-1")
    case = {"incident": numbers[5], "type": "noise", "tier": "B", "owner": "dispatcher"}
    assert api.post("/repeat-cases", "dispatcher", json=case).status_code == 201
    refs = []
    for n in (10, 11):
        number = incident(api, n, category="move_car", accept=False)
        ok(api.post(f"/incidents/{number}/transfer", "calltaker", json={"to": "12345"}))
        refs.append(ok(api.get(f"/incidents/{number}/transfers", "leader"))["items"][0]["ref"])
    _fraud_warnings(api, runtime, clock)
    clock.advance(timedelta(minutes=4))
    with transaction(runtime.sessions) as session:
        tick(session, now=clock.now(), settings=runtime.settings)
    return refs


def _fraud_warnings(api: Api, runtime: Runtime, clock: VirtualClock) -> None:
    """Three anti-fraud warnings from the platform, signed: a medium one dissuaded (¥12,000
    protected), a high one (an elderly person) and a low one (an app) still open. None is
    urgent: an urgent one would send an officer, an incident of its own."""
    runtime.settings.fraud_secret = FRAUD_SECRET
    bodies = [
        fraud_warning("m", phone="13900000001"),
        fraud_warning("h", phone="13900000002", id_number=ELDERLY),
        fraud_warning("l", phone="13900000003", kind="fraud_app"),
    ]
    numbers = []
    for body in bodies:
        raw = json.dumps(body, ensure_ascii=False).encode()
        headers = signed_headers(FRAUD_SECRET, int(clock.now().timestamp()), raw)
        answer = api.client.post("/api/v1/fraud/warnings", content=raw, headers=headers)
        assert answer.status_code == 201, answer.text
        numbers.append(answer.json()["warning"])
    ok(
        api.post(
            f"/fraud/warnings/{numbers[0]}/outcome", "calltaker", json={"outcome": "dissuaded"}
        )
    )


def open_wall(
    browser: Browser,
    base: str,
    width: int,
    height: int,
    locale: str,
    query: str = "",
    answer: Callable[[Route], None] | None = None,
) -> Page:
    """The wall, the leader logged in; `answer`, where given, hands the page each answer of
    GET /api/v1/stats/wall."""
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale=locale, timezone_id="Asia/Shanghai"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.add_init_script(CSP_WATCH)
    if answer is not None:
        page.route("**/api/v1/stats/wall", answer)
    if locale == "en-US":
        page.goto(f"{base}/lang/en")
    login(page, base, "leader")
    page.goto(f"{base}/wall{query}")
    expect(page.locator("body[data-updated]")).to_have_count(1)
    return page


def overlaps(boxes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    found = []
    for n, a in enumerate(boxes):
        for b in boxes[n + 1 :]:
            width = min(a["right"], b["right"]) - max(a["left"], b["left"])
            height = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
            if width > 0.5 and height > 0.5:
                found.append((a["id"], b["id"]))
    return found


def check_layout(page: Page, width: int, height: int) -> None:
    size = page.evaluate(
        "({w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight,"
        " bw: document.body.scrollWidth, bh: document.body.scrollHeight})"
    )
    assert max(size["w"], size["bw"]) <= width, size
    assert max(size["h"], size["bh"]) <= height, size
    boxes = page.evaluate(BOXES)
    assert len(boxes) == 14, [b["id"] for b in boxes]
    assert overlaps(boxes) == []
    for box in boxes:
        assert min(box["left"], box["top"]) >= 0, box
        assert box["right"] <= width, box
        assert box["bottom"] <= height, box
    # The counters' numbers, and those of the smaller blocks, are whole inside their panels
    # (not cut by the panel's edge).
    cut = page.evaluate(
        "Array.from(document.querySelectorAll("
        "'.kpi output, .missing output, .source output, .fraud output'))"
        ".filter(o => { const r = o.getBoundingClientRect();"
        " const p = o.closest('.panel').getBoundingClientRect();"
        " return r.bottom > p.bottom + 0.5 || r.right > p.right + 0.5; })"
        ".map(o => o.id || o.closest('[id]').id)"
    )
    assert cut == []
    # The 源头治理 and 反诈预警 blocks' names and labels are whole, none cut short.
    short = page.evaluate(
        "Array.from(document.querySelectorAll("
        "'#panel-source h3, #panel-source small, #panel-fraud h2, #panel-fraud small'))"
        ".filter(e => e.scrollWidth > e.clientWidth + 0.5).map(e => e.textContent)"
    )
    assert short == []


def check_charts(page: Page, categories: int = 7) -> None:
    # The map is drawn once the outlines have come: wait for its series, not for a time.
    page.wait_for_function(
        "(() => { const c = echarts.getInstanceByDom(document.getElementById('chart-map'));"
        " return c && (c.getOption().series || []).length === 3; })()"
    )
    charts = {c["id"]: c for c in page.evaluate(CHARTS)}
    assert set(charts) == {
        "gauge-dispatch",
        "gauge-sign_for",
        "gauge-arrival",
        "chart-map",
        "chart-hours",
        "chart-categories",
        "chart-units",
    }
    assert all(c["drawn"] for c in charts.values()), charts
    # Two districts shaded and the open incidents' points; 24 hours twice; the categories.
    assert charts["chart-map"]["items"] >= 2 + 9
    assert charts["chart-hours"]["items"] == 48
    assert charts["chart-categories"]["items"] == categories
    # The units' seven states each in a column of its own, named below it: as rows, in a panel
    # this low, their names overlapped at 1366×768.
    units = page.evaluate(
        "(() => { const x = echarts.getInstanceByDom(document.getElementById('chart-units'))"
        ".getOption().xAxis[0]; return { type: x.type, names: x.data.length,"
        " size: x.axisLabel.fontSize }; })()"
    )
    assert units["type"] == "category"
    assert units["names"] == 7
    assert units["size"] >= 12 * 0.6, units
