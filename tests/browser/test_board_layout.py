"""The board is readable at 1366×768 and on a wall at 1920×1080: numbers never cut, twenty-plus
rows on the wall, deadlines as "1小时39分", unit markers clustered under the CSP; the record
page reads as sentences. One test here writes the README's screenshots (marked below)."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Browser, Page, expect

from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from tests.api.helpers import ok
from tests.browser.board_steps import api_of, dispatch, incident, open_panel
from tests.browser.steps import SCREENSHOTS, login
from tests.world import World

# Catches what the Content-Security-Policy refuses, and keeps the page's Leaflet map at hand.
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + e.sourceFile + ":" + e.lineNumber);
});
(() => {
  let leaflet;
  Object.defineProperty(window, "L", {
    configurable: true,
    get() { return leaflet; },
    set(value) {
      leaflet = value;
      if (value && value.Map && value.Map.addInitHook) {
        value.Map.addInitHook(function () { window.__map = this; });
      }
    },
  });
})();
"""


def _board(browser: Browser, base: str, width: int, height: int, locale: str = "zh-CN") -> Page:
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale=locale, timezone_id="Asia/Shanghai"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.add_init_script(WATCH)
    login(page, base, "dispatcher")
    return page


def _visible_rows(page: Page) -> int:
    """Rows wholly inside the window, without scrolling."""
    return int(
        page.evaluate(
            "Array.from(document.querySelectorAll('#rows tr[data-number]')).filter(tr => {"
            " const r = tr.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight;"
            "}).length"
        )
    )


def _cut_numbers(page: Page) -> list[str]:
    return list(
        page.evaluate(
            "Array.from(document.querySelectorAll('#rows td.num'))"
            ".filter(td => td.scrollWidth > td.clientWidth).map(td => td.textContent)"
        )
    )


def test_numbers_whole_and_twenty_rows_on_a_wall(
    live_server: str, chromium_browser: Browser, world: World, runtime: Runtime
) -> None:
    with api_of(live_server, world) as api:
        for n in range(26):
            incident(api, n, address=f"鼓楼区五四路与湖东路交叉口往北三百米处测试小区{n}号楼")
    for width, height, at_least in ((1920, 1080, 20), (1366, 768, 12)):
        page = _board(chromium_browser, live_server, width, height)
        expect(page.locator("#rows tr[data-number]")).to_have_count(26)
        assert _cut_numbers(page) == [], (width, _cut_numbers(page))
        assert _visible_rows(page) >= at_least, (width, _visible_rows(page))
        page.context.close()


# Categories a shift sees every day, with the longest names among them in each language.
EVERYDAY = (
    "theft",
    "affray",
    "threat_extreme_behaviour",
    "noise_nuisance",
    "missing_elderly",
    "domestic_violence",
    "traffic_accident",
    "neighbour_dispute",
)
# Cells cut on screen: their text laid out wider than the room inside their padding (a table
# cell's scrollWidth does not tell an ellipsis).
CUT = """sel => Array.from(document.querySelectorAll(sel)).filter(el => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect().width;
  const room = box - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return box > 0 && range.getBoundingClientRect().width > room + 0.01;
}).map(el => el.textContent.trim())"""


def test_headers_categories_and_stages_have_room_in_both_languages(
    live_server: str, chromium_browser: Browser, world: World
) -> None:
    with api_of(live_server, world) as api:
        numbers = [
            incident(api, n, category=c, address=f"鼓楼区五四路与湖东路交叉口往北三百米处{n}号")
            for n, c in enumerate(EVERYDAY)
        ]
        dispatch(api, numbers[1], "35010201-2")
        ok(api.post(f"/incidents/{numbers[1]}/units/35010201-2/acknowledge", "officer-35010201-2"))
    for locale in ("zh-CN", "en"):
        for width, height in ((1366, 768), (1920, 1080)):
            page = _board(chromium_browser, live_server, width, height)
            if locale == "en":
                page.goto(f"{live_server}/lang/en")
                page.goto(f"{live_server}/board")
            expect(page.locator("#rows tr[data-number]")).to_have_count(len(EVERYDAY))
            where = (locale, width)
            assert page.evaluate(CUT, "#queue th") == [], where
            assert page.evaluate(CUT, "#rows td.cat") == [], where
            assert page.evaluate(CUT, "#rows td.stage") == [], where
            # A cell that may still be cut carries its whole text as a title.
            for cell in ("cat", "stage", "addr"):
                titled = page.locator(f"#rows td.{cell}[title]")
                expect(titled).to_have_count(len(EVERYDAY))
            # The address takes the room the others leave: on a wall, more than any of them.
            widths = page.evaluate(
                "['cat', 'addr'].map(c => document.querySelector('#rows td.' + c).clientWidth)"
            )
            assert widths[1] >= 150, (where, widths)
            if width == 1920:
                assert widths[1] > 2 * widths[0], (where, widths)
            page.context.close()


def test_the_panels_actions_are_above_the_fold_at_1366(
    live_server: str, chromium_browser: Browser, world: World
) -> None:
    with api_of(live_server, world) as api:
        number = incident(
            api,
            0,
            category="threat_extreme_behaviour",
            narrative="报警人称其邻居手持汽油扬言要烧毁楼道，情绪激动，楼内有老人和小孩，" * 3,
        )
    page = _board(chromium_browser, live_server, 1366, 768)
    open_panel(page, number)
    expect(page.locator("#panel .grade")).to_have_text("1")
    toolbar = page.locator("#panel .actions")
    box = toolbar.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= 768, box
    # Under the header, before the time axis.
    order = page.evaluate(
        "Array.from(document.querySelectorAll('#panel .incident > *')).map(e => e.className)"
    )
    assert order.index("actions") < order.index("axis"), order
    page.context.close()


def test_deadlines_read_as_hours_minutes_seconds_in_both_languages(
    live_server: str, chromium_browser: Browser, world: World, clock: VirtualClock
) -> None:
    with api_of(live_server, world) as api:
        number = incident(api, 0)
        dispatch(api, number, "35010201-2")  # the unit must sign for it within its limit
        waiting = incident(api, 2)  # nobody dispatches it: 派警 is due in three minutes
    page = _board(chromium_browser, live_server, 1366, 768)
    page.clock.set_fixed_time(clock.now())
    page.reload()
    due = page.locator(f"tr[data-number='{number}'] time[data-due]")
    expect(due).to_have_text("1分00秒")
    assert page.evaluate("[5940, 252, -125, -7, -4000].map(cad110.remaining)") == [
        "1小时39分",
        "4分12秒",
        "超时 2分",
        "超时 7秒",
        "超时 1小时6分",
    ]
    # Past both deadlines: each row shows its own, overdue, in red, and the row stands out.
    clock.advance(timedelta(seconds=200))
    page.clock.set_fixed_time(clock.now())
    page.reload()
    late = page.locator(f"tr[data-number='{waiting}']")
    expect(late).to_have_class(re.compile(r"\boverdue\b"))
    expect(late.locator("time[data-due]")).to_have_text("超时 20秒")
    expect(page.locator(f"tr[data-number='{number}'] time[data-due]")).to_have_text("超时 2分")
    colour = late.locator("td.due").evaluate("td => getComputedStyle(td).color")
    assert colour == "rgb(198, 40, 40)", colour
    page.goto(f"{live_server}/lang/en")
    page.goto(f"{live_server}/board")
    assert page.evaluate("[5940, 252, -125].map(cad110.remaining)") == [
        "1h 39m",
        "4m 12s",
        "overdue 2m",
    ]
    expect(page.locator(f"tr[data-number='{waiting}'] time[data-due]")).to_have_text("overdue 20s")
    page.context.close()


def test_unit_markers_cluster_under_the_policy(
    live_server: str, chromium_browser: Browser, world: World
) -> None:
    page = _board(chromium_browser, live_server, 1366, 768)
    page.wait_for_function("() => window.__map")
    page.evaluate("window.__map.setView([26.1, 119.25], 9, { animate: false })")
    cluster = page.locator(".marker-cluster")
    expect(cluster.first).to_be_visible()
    page.wait_for_timeout(500)
    # Four units in the world: zoomed out, at least two of them are one cluster marker.
    counts = [int(t) for t in cluster.all_inner_texts()]
    assert counts, counts
    assert all(2 <= c <= 4 for c in counts), counts
    page.evaluate("window.__map.setView([26.086, 119.293], 18, { animate: false })")
    page.locator(".unit-icon").first.hover()
    expect(page.locator(".leaflet-tooltip")).to_contain_text("空闲")
    assert page.evaluate("window.__csp") == []
    page.context.close()


def test_the_record_reads_as_sentences(
    live_server: str, page: Page, world: World, runtime: Runtime
) -> None:
    with api_of(live_server, world) as api:
        number = incident(api, 0)
        dispatch(api, number, "35010201-2")
        ok(api.post(f"/incidents/{number}/units/35010201-2/release", "dispatcher"))
        dispatch(api, number, "35010201-1")
        body = {"to": "35010202-1", "note": ""}
        ok(api.post(f"/incidents/{number}/units/35010201-1/reassign", "dispatcher", json=body))
        body = {"category": "robbery", "grade": 1, "reason": "嫌疑人持刀抢走电动车"}
        ok(api.post(f"/incidents/{number}/reclassify", "dispatcher", json=body))
        for step in ("acknowledge", "depart"):
            ok(api.post(f"/incidents/{number}/units/35010202-1/{step}", "officer-35010202-1"))
    login(page, live_server, "dispatcher")
    page.goto(f"{live_server}/incidents/{number}")
    log = page.locator("table.events")
    expect(log).to_contain_text("受理：盗窃、2级")
    expect(log).to_contain_text("派警：巡逻35010201-2")
    expect(log).to_contain_text("释放：巡逻35010201-2")
    expect(log).to_contain_text("改派：巡逻35010201-1 → 巡逻35010202-1")
    expect(log).to_contain_text("改类定级：盗窃 2级 → 抢劫 1级，理由：嫌疑人持刀抢走电动车")
    assert "{" not in log.inner_text()
    assert "改派自" not in log.inner_text()
    # The units table has each step's time, 出动 included.
    units = page.locator("table.record-units")
    expect(units.locator("th").nth(4)).to_have_text("出动")
    row = units.locator("tr", has_text="巡逻35010202-1")
    expect(row.locator("td").nth(4)).not_to_be_empty()
    expect(page.locator("h1 .status")).to_have_text("出动")
    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator("#print-record")).to_be_hidden()


# --- README screenshots: this test writes docs/screenshots/board-*.png and record.png -------
def test_readme_screenshots_of_the_board_and_the_record(
    live_server: str, chromium_browser: Browser, world: World, backend: str, clock: VirtualClock
) -> None:
    with api_of(live_server, world) as api:
        numbers = [incident(api, n) for n in range(24)]
        dispatch(api, numbers[0], "35010201-2")
    shots = {}
    for width, height in ((1366, 768), (1920, 1080)):
        page = _board(chromium_browser, live_server, width, height)
        page.clock.set_fixed_time(clock.now())  # deadlines counted from the server's clock
        page.reload()
        open_panel(page, numbers[0])
        shots[f"board-{width}x{height}"] = page
        if backend == "sqlite":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"board-{width}x{height}.png"))
    page = shots["board-1366x768"]
    open_panel(page, numbers[1])
    page.keyboard.press("u")
    expect(page.locator("#dlg-pick button.pick").first).to_be_visible()
    if backend == "sqlite":
        page.screenshot(path=str(SCREENSHOTS / "board-dialog.png"))
    page.keyboard.press("Escape")
    page.goto(f"{live_server}/incidents/{numbers[0]}")
    expect(page.locator("table.events")).to_contain_text("派警")
    if backend == "sqlite":
        page.screenshot(path=str(SCREENSHOTS / "record.png"), full_page=True)
    for open_page in shots.values():
        open_page.context.close()
