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
from typing import Any
from urllib.parse import unquote

import pytest
from playwright.sync_api import Browser, Page, expect

from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from cad110.kernel.signing import signed_headers
from tests.api.helpers import ok
from tests.browser.board_steps import api_of, incident
from tests.browser.steps import PASSWORD, login, shot
from tests.browser.wall_steps import BOXES, check_charts, check_layout, day, open_wall, overlaps
from tests.conftest import Api
from tests.hotline_fake import SECRET
from tests.world import World


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
        refs = day(api, runtime, clock)
        page = open_wall(chromium_browser, live_server, width, height, "zh-CN")
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
            check_charts(page)
            assert page.evaluate(MAP_LABELS) == {"hide": True, "names": ZH_DISTRICTS}
            check_layout(page, width, height)
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
            check_layout(page, width, height)
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
        day(api, runtime, clock)
        ok(api.get("/stats/wall", "leader"))
        wall = open_wall(chromium_browser, live_server, 1920, 1080, "en-US")
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
            check_charts(wall)
            assert wall.evaluate(MAP_LABELS) == {"hide": True, "names": EN_DISTRICTS}
            check_layout(wall, 1920, 1080)
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
    assert overlaps(boxes) == []
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
        day(api, runtime, clock)
        city = ok(api.get("/stats/wall", "leader"))["counters"]
        gulou = ok(api.get("/stats/wall", "leader", params={"jurisdiction": "350102"}))
        # Gulou's own figures, not the city's: the robbery in Minhou is not among them.
        assert gulou["counters"]["calls"] < city["calls"]
        page = open_wall(chromium_browser, live_server, 390, 844, "zh-CN", "?jurisdiction=350102")
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
