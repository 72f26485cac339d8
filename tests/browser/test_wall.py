"""The wall (大屏) on a 1920×1080 and a 3840×2160 screen and a dispatcher's 1366×768: no
scrollbars, no two panels overlapping, every chart drawn, nothing the Content-Security-Policy
refuses, and a new incident in the counters as soon as it is made (waited for on the page, never
a fixed sleep), and a 12345 ticket handled in the 源头治理 block as soon as the platform says so;
the 反诈预警 block's counts by level, in words, with no person in them. A district's wall
(?jurisdiction=) on a phone: one column, no sideways scroll, and a district not the reader's
refused in words (names and headings whole: test_wall_names.py). One test here writes the
README's screenshot (docs/screenshots/wall.png)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.kernel.signing import signed_headers
from cad110.supervision.service import tick
from tests.api.helpers import ok
from tests.api.test_fraud import ELDERLY
from tests.api.test_fraud import SECRET as FRAUD_SECRET
from tests.api.test_fraud import _warning as fraud_warning
from tests.browser.board_steps import api_of, dispatch, incident
from tests.browser.steps import PASSWORD, login, shot
from tests.conftest import Api
from tests.hotline_fake import SECRET
from tests.integration.missing_steps import open_case, person
from tests.world import MINHOU, World

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


def _day(api: Api, runtime: Runtime, clock: VirtualClock) -> list[str]:
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


def _check_fraud(page: Page, block: dict[str, Any]) -> None:
    """反诈预警: today's warnings by level, the urgent still open, dissuaded, money protected."""
    assert [(x["level"], x["warnings"]) for x in block["levels"]] == [
        ("low", 1),
        ("medium", 1),
        ("high", 1),
        ("urgent", 0),
    ]
    expect(page.locator("#fraud-today")).to_have_text("3")
    expect(page.locator("#fraud-levels .item")).to_have_text(["低1", "中1", "高1", "紧急0"])
    expect(page.locator("#fraud-levels .item.urgent")).to_have_count(1)
    expect(page.locator("#fraud-urgent")).to_have_text("0")
    expect(page.locator("#fraud-dissuaded")).to_have_text("1")
    expect(page.locator("#fraud-protected")).to_have_text("1.2万元")
    # Counts only: neither the people's numbers nor their names reach the wall.
    text = page.locator("#panel-fraud").inner_text()
    assert "1390000" not in text
    assert "黄某某" not in text


def _handled(api: Api, runtime: Runtime, clock: VirtualClock, ref: str) -> None:
    """The 12345 platform posts, signed, that it handled the ticket `ref`."""
    runtime.settings.hotline_secret = SECRET
    event = {"event_id": f"done-{ref}", "type": "done", "ticket_id": ref, "result": "已挪车"}
    body = json.dumps(event | {"at": clock.now().isoformat()}, ensure_ascii=False).encode()
    headers = signed_headers(SECRET, int(clock.now().timestamp()), body)
    answer = api.client.post("/api/v1/transfers/events", content=body, headers=headers)
    assert answer.status_code == 200, answer.text


def _open_wall(
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


def _overlaps(boxes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    found = []
    for n, a in enumerate(boxes):
        for b in boxes[n + 1 :]:
            width = min(a["right"], b["right"]) - max(a["left"], b["left"])
            height = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
            if width > 0.5 and height > 0.5:
                found.append((a["id"], b["id"]))
    return found


def _check_layout(page: Page, width: int, height: int) -> None:
    size = page.evaluate(
        "({w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight,"
        " bw: document.body.scrollWidth, bh: document.body.scrollHeight})"
    )
    assert max(size["w"], size["bw"]) <= width, size
    assert max(size["h"], size["bh"]) <= height, size
    boxes = page.evaluate(BOXES)
    assert len(boxes) == 14, [b["id"] for b in boxes]
    assert _overlaps(boxes) == []
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


def _check_charts(page: Page, categories: int = 7) -> None:
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


def _check_source(page: Page, source: dict[str, Any]) -> None:
    """The 源头治理 block says what the API says: today's repeats (and their share), the open
    cases by tier with A and B marked, and the day's 12345 tickets."""
    repeats = source["repeats"]
    assert repeats["numerator"] >= 1  # the caller's incidents repeat one another
    expect(page.locator("#source-repeats")).to_have_text(str(repeats["numerator"]))
    expect(page.locator("#source-share")).to_have_text(f"占今日警情{repeats['percent']}%")
    tiers = page.locator("#source-tiers .item")
    expect(tiers).to_have_text([f"{t['tier']}级{t['cases']}" for t in source["tiers"]])
    expect(page.locator("#source-tiers .item.high")).to_have_count(2)
    expect(page.locator("#source-tiers .item[data-tier=B] output")).to_have_text("1")
    expect(page.locator("#source-extreme")).to_have_text(str(source["extreme"]))
    assert (source["tickets_out"], source["tickets_done"]) == (2, 0)
    expect(page.locator("#source-out")).to_have_text("2")
    expect(page.locator("#source-done")).to_have_text("0")
    expect(page.locator("#source-overdue")).to_have_text(str(source["tickets_overdue"]))


# The map's district names: short (鼓楼分局 → 鼓楼, Minhou County PSB → Minhou), and hidden
# where two would overlap.
ZH_DISTRICTS = ["闽侯", "鼓楼"]
EN_DISTRICTS = ["Gulou", "Minhou"]
MAP_LABELS = """
(() => {
  const labels = echarts.getInstanceByDom(document.getElementById('chart-map')).getOption().series[2];
  return {hide: labels.labelLayout.hideOverlap, names: labels.data.map(d => d.short).sort()};
})()
"""


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (3840, 2160), (1366, 768)])
def test_the_wall_fills_the_screen_without_scrolling_or_overlap(
    live_server: str,
    chromium_browser: Browser,
    world: World,
    runtime: Runtime,
    clock: VirtualClock,
    backend: str,
    width: int,
    height: int,
) -> None:
    with api_of(live_server, world) as api:
        refs = _day(api, runtime, clock)
        page = _open_wall(chromium_browser, live_server, width, height, "zh-CN")
        try:
            # Eleven calls: nine open incidents and the two handed to 12345.
            expect(page.locator("[data-counter=calls]")).to_have_text("11")
            expect(page.locator("[data-counter=in_progress]")).to_have_text("9")
            expect(page.locator("#wall-place")).to_have_text("测试市公安局")
            # The overdue steps as the API counts them, the oldest five listed.
            supervisions = ok(api.get("/stats/wall", "leader"))["supervisions"]
            assert supervisions["open"] >= 2
            expect(page.locator("#sup-open")).to_have_text(str(supervisions["open"]))
            expect(page.locator("#sup-oldest li time.overdue")).to_have_count(
                len(supervisions["oldest"])
            )
            expect(page.locator("#missing-open")).to_have_text("1")
            expect(page.locator("#sup-oldest")).to_contain_text("签收")
            _check_source(page, ok(api.get("/stats/wall", "leader"))["source"])
            _check_fraud(page, ok(api.get("/stats/wall", "leader"))["fraud"])
            _check_charts(page)
            assert page.evaluate(MAP_LABELS) == {"hide": True, "names": ZH_DISTRICTS}
            _check_layout(page, width, height)
            assert page.evaluate("window.__csp") == []
            if width == 1920:
                shot(page, backend, "wall")
            # Live: a new incident made through the API shows in the counters by itself, and
            # a ticket 12345 reports handled in the 源头治理 block.
            incident(api, 20, category="fraud")
            expect(page.locator("[data-counter=calls]")).to_have_text("12")
            expect(page.locator("[data-counter=in_progress]")).to_have_text("10")
            _handled(api, runtime, clock, refs[0])
            expect(page.locator("#source-done")).to_have_text("1")
            _check_layout(page, width, height)
        finally:
            page.context.close()


def test_the_wall_in_english_and_refused_to_a_call_taker(
    live_server: str,
    chromium_browser: Browser,
    world: World,
    runtime: Runtime,
    clock: VirtualClock,
    page: Page,
) -> None:
    with api_of(live_server, world) as api:
        _day(api, runtime, clock)
        ok(api.get("/stats/wall", "leader"))
        wall = _open_wall(chromium_browser, live_server, 1920, 1080, "en-US")
        try:
            expect(wall.locator("#kpi-calls h2")).to_have_text("Calls today")
            expect(wall.locator("#wall-place")).to_have_text("Test City PSB")
            expect(wall.locator("#missing-title")).to_have_text("Missing persons, first 72 hours")
            expect(wall.locator("#panel-source h2")).to_have_text("Source governance")
            expect(wall.locator("#source-tiers .item small")).to_have_text(["A", "B", "C", "D"])
            expect(wall.locator("#panel-source .extreme small")).to_have_text("Threats")
            expect(wall.locator("#panel-fraud h2")).to_have_text("Anti-fraud warnings today 3")
            expect(wall.locator("#fraud-levels .item small")).to_have_text(
                ["Low", "Medium", "High", "Urgent"]
            )
            expect(wall.locator("#fraud-protected")).to_have_text("¥12,000")
            # The overdue steps by their English names, never the step's code, in columns that
            # line up row under row whatever the category's name.
            steps = wall.locator("#sup-oldest li:not(.none) > span:nth-child(3)")
            expect(steps.first).to_be_visible()
            names = steps.all_text_contents()
            assert "Acknowledgement" in names, names
            assert set(names) <= {"Dispatch", "Acknowledgement", "Arrival"}, names
            lefts = wall.evaluate(
                "Array.from(document.querySelectorAll('#sup-oldest li:not(.none)'), li =>"
                " Array.from(li.children, c => Math.round(c.getBoundingClientRect().left)).join())"
            )
            assert len(set(lefts)) == 1, lefts
            _check_charts(wall)
            assert wall.evaluate(MAP_LABELS) == {"hide": True, "names": EN_DISTRICTS}
            _check_layout(wall, 1920, 1080)
            # No console chrome on the wall; the console links to it.
            assert wall.locator("header.topbar").count() == 0
            wall.goto(f"{live_server}/board")
            expect(wall.locator("header.topbar a[href='/wall']")).to_have_text("Wall")
        finally:
            wall.context.close()
    login(page, live_server, "calltaker")
    expect(page.locator("header.topbar a[href='/wall']")).to_have_count(0)
    response = page.goto(f"{live_server}/wall")
    assert response is not None
    assert response.status == 403


def _check_phone_layout(page: Page, width: int) -> None:
    """One column that scrolls down: nothing wider than the phone, no two panels overlapping,
    each panel as wide as the column and every chart given room."""
    wide = page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
    )
    assert wide <= width
    boxes = page.evaluate(BOXES)
    assert len(boxes) == 14
    assert _overlaps(boxes) == []
    for box in boxes:
        assert box["left"] >= 0, box
        assert box["right"] <= width, box
    heights = page.evaluate(
        "Array.from(document.querySelectorAll('.chart'), c => c.getBoundingClientRect().height)"
    )
    assert min(heights) >= 80, heights
    # The supervisions' rows keep inside the panel (two lines each, nothing cut at the edge).
    cut = page.evaluate(
        "Array.from(document.querySelectorAll('#sup-oldest li > *')).filter(c =>"
        " c.getBoundingClientRect().right > document.getElementById('sup-oldest')"
        ".getBoundingClientRect().right + 0.5).length"
    )
    assert cut == 0


def test_a_district_wall_on_a_phone_and_a_district_not_the_readers(
    live_server: str,
    chromium_browser: Browser,
    world: World,
    runtime: Runtime,
    clock: VirtualClock,
    backend: str,
) -> None:
    with api_of(live_server, world) as api:
        _day(api, runtime, clock)
        city = ok(api.get("/stats/wall", "leader"))["counters"]
        gulou = ok(api.get("/stats/wall", "leader", params={"jurisdiction": "350102"}))
        # Gulou's own figures, not the city's: the robbery in Minhou is not among them.
        assert gulou["counters"]["calls"] < city["calls"]
        page = _open_wall(chromium_browser, live_server, 390, 844, "zh-CN", "?jurisdiction=350102")
        try:
            expect(page.locator("#wall-place")).to_have_text("鼓楼分局")
            counters = gulou["counters"]
            expect(page.locator("[data-counter=calls]")).to_have_text(str(counters["calls"]))
            expect(page.locator("[data-counter=in_progress]")).to_have_text(
                str(counters["in_progress"])
            )
            expect(page.locator("#wall-refused")).to_be_hidden()
            # The map shades Gulou's two stations, not the city's districts.
            page.wait_for_function(
                "(() => { const c = echarts.getInstanceByDom(document.getElementById('chart-map'));"
                " return c && (c.getOption().series || []).length === 3; })()"
            )
            names = page.evaluate(MAP_LABELS)["names"]
            assert sorted(names) == ["鼓东派出所", "鼓楼区第二派出所"], names
            _check_phone_layout(page, 390)
            assert page.evaluate("window.__csp") == []
            shot(page, backend, "wall-phone")
            # Live on the district's wall too.
            incident(api, 21, category="fraud")
            expect(page.locator("[data-counter=calls]")).to_have_text(str(counters["calls"] + 1))
        finally:
            page.context.close()

    # Gulou's leader asks for Minhou's wall: refused in words, no figures drawn.
    context = chromium_browser.new_context(
        viewport={"width": 1920, "height": 1080}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    page = context.new_page()
    try:
        # Sent to the login page and back to the district's wall, its district kept.
        page.goto(f"{live_server}/wall?jurisdiction=350121")
        assert "next=/wall?jurisdiction=350121" in unquote(page.url), page.url
        page.fill("input[name=username]", "gulou_leader")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        expect(page).to_have_url(f"{live_server}/wall?jurisdiction=350121")
        expect(page.locator("#wall-refused")).to_have_text("未找到，或不在您的辖区内")
        expect(page.locator("[data-counter=calls]")).to_have_text("–")
        expect(page.locator("body[data-updated]")).to_have_count(0)
    finally:
        context.close()
