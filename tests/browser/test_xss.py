"""No text from data ever runs as script: hostile text planted in every field a client can set
(tests/browser/hostile_text.py) is walked through every screen as the roles that see it,
hovering every map marker. The test fails if a payload runs, if markup from data reaches the
page (an injected `<img src=x>` asks for ".../x"), if the Content-Security-Policy reports a
violation, or if a script errors; and the planted text must show, as text."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import quote

import httpx
from playwright.sync_api import Browser, Page, expect

from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from tests.browser.hostile_city import plant_everything
from tests.browser.hostile_text import Planted, attack
from tests.browser.watch import Watch, page_as, watched_context
from tests.conftest import Api
from tests.world import UNITS, World

# Every marker with a tooltip, one at a time: centred at a close zoom, where it is alone.
MARKERS = """
() => {
  const map = window.__maps && window.__maps[0];
  const found = [];
  if (!map) return found;
  const seen = new Set();
  map.eachLayer((layer) => {
    // Clustered markers (the board's units) are inside their group, not on the map.
    const each = layer.getLayers && layer.getChildCount === undefined && layer.zoomToShowLayer ? layer.getLayers() : [layer];
    each.forEach((one) => {
      if (one.getTooltip && one.getTooltip() && one.getLatLng) {
        const at = one.getLatLng();
        if (!seen.has(at.lat + "," + at.lng)) found.push([at.lat, at.lng]);
        seen.add(at.lat + "," + at.lng);
      }
    });
  });
  return found;
}
"""
CENTRE_ON = """
async ([lat, lng]) => {
  const map = window.__maps[0];
  map.setView([lat, lng], 18, { animate: false });
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  const point = map.latLngToContainerPoint([lat, lng]);
  const box = map.getContainer().getBoundingClientRect();
  return [box.left + point.x, box.top + point.y];
}
"""
# The district boundaries arrive last and move the map to fit them: hover after that.
BOUNDARIES_DRAWN = """
() => {
  const map = window.__maps && window.__maps[0];
  let drawn = false;
  if (map) map.eachLayer((layer) => { drawn = drawn || !!layer.feature; });
  return drawn;
}
"""


def _hover_every_marker(page: Page, at_least: int) -> list[str]:
    page.wait_for_function(BOUNDARIES_DRAWN)
    page.wait_for_function(f"(n) => ({MARKERS})().length >= n", arg=at_least)
    tooltip = page.locator(".leaflet-tooltip")
    texts = []
    for latlng in page.evaluate(MARKERS):
        # A live refresh may redraw the markers under the mouse: hover again.
        for attempt in range(3):
            x, y = page.evaluate(CENTRE_ON, latlng)
            # First onto empty map, so that Leaflet lets go of any marker it thinks is under
            # the mouse; its canvas looks at most one move per 32 ms.
            page.mouse.move(x + 60, y + 60)
            page.wait_for_timeout(50)
            page.mouse.move(x, y)
            try:
                expect(tooltip).to_have_count(1, timeout=3000)
                texts.append(tooltip.inner_text())
                break
            except AssertionError:
                if attempt == 2:
                    under = page.evaluate(
                        "([x, y]) => { const e = document.elementFromPoint(x, y);"
                        " return e ? e.tagName + '.' + e.className : 'nothing'; }",
                        [x, y],
                    )
                    now = page.evaluate(MARKERS)
                    raise AssertionError(
                        f"no tooltip on the marker at {latlng} ({x}, {y}: {under}); {now}"
                    ) from None
    return texts


def _walk_board(browser: Browser, watch: Watch, base: str, planted: Planted) -> None:
    page = page_as(browser, watch, base, "dispatcher")
    page.goto(f"{base}/board")
    # htmx evaluates no code from attributes, runs no swapped-in script, adds no <style>.
    settings = (
        "[htmx.config.allowEval, htmx.config.allowScriptTags, htmx.config.includeIndicatorStyles]"
    )
    assert page.evaluate(settings) == [False, False, False]
    on_board = ("A", "C", "M0", "M1", "M2", "M4")
    for label in on_board:
        expect(page.locator(f"tr[data-number='{planted.number(label)}']")).to_be_visible()
    # Each incident's and each unit's tooltip is its text, whatever that text says.
    tooltips = _hover_every_marker(page, at_least=len(on_board) + len(UNITS))
    watch.assert_clean()
    for label in on_board:
        incident = planted.incidents[label]
        address = incident["address"]
        assert f"{incident['number']} {address}" in tooltips, (label, tooltips)
    assert any(t.startswith(planted.unit_name_zh + " · ") for t in tooltips), tooltips
    # The panel of each planted incident: its address and what happened.
    for label in on_board:
        incident = planted.incidents[label]
        page.locator(f"tr[data-number='{incident['number']}']").click()
        panel = page.locator(f"#panel .incident[data-number='{incident['number']}']")
        expect(panel).to_contain_text(incident["narrative"])
        expect(panel).to_contain_text(incident["address"])
    row = page.locator(f"tr[data-number='{planted.number('C')}']")
    expect(row).to_contain_text(planted.incidents["C"]["address"])
    # 更正地点 says the place recorded now, as text.
    row.click()
    expect(page.locator(f"#panel .incident[data-number='{planted.number('C')}']")).to_be_visible()
    page.keyboard.press("l")
    expect(page.locator("#dlg-relocate .relocate-now")).to_contain_text(
        planted.incidents["C"]["address"]
    )
    page.keyboard.press("Escape")
    page.context.close()


def _walk_desk(browser: Browser, watch: Watch, base: str, planted: Planted, now: datetime) -> None:
    page = page_as(browser, watch, base, "calltaker")
    expect(page).to_have_url(f"{base}/desk")
    # The history looks back from the browser's clock: the server's virtual day.
    page.clock.set_fixed_time(now)
    # The number's earlier incidents, each with its hostile address.
    page.fill("#caller_phone", "13800138000")
    history = page.locator("#history")
    for label in ("A", "C"):
        expect(history).to_contain_text(planted.number(label))
        expect(history).to_contain_text(planted.incidents[label]["address"])
    # A hostile standard address: in the search list, in the field and on the picked line.
    place = planted.place
    page.locator("#address").fill("")
    page.locator("#address").press_sequentially("标准地址")
    option = page.locator("#address-places [role=option]").first
    expect(option).to_contain_text(place["full_text"])
    page.keyboard.press("Enter")
    expect(page.locator("#address")).to_have_value(place["full_text"])
    expect(page.locator(".place-picked")).to_contain_text(place["district"])
    page.context.close()


def _walk_records(browser: Browser, watch: Watch, base: str, planted: Planted) -> None:
    page = page_as(browser, watch, base, "dispatcher")
    for incident in planted.incidents.values():
        page.goto(f"{base}/incidents/{incident['number']}")
        record = page.locator("article.record")
        expect(record).to_contain_text(incident["narrative"])
        for tag in incident["tags"]:
            expect(record).to_contain_text(tag)
    events = page.locator("table.events")
    page.goto(f"{base}/incidents/{planted.number('B')}")
    for tag in ("B-handle", "B-report", "B-close", "B-callback", "B-archive", "B-guide0"):
        expect(events).to_contain_text(f'xss("{tag}")')
    outcomes = page.locator("#outcomes")
    for tag in ("B-arrest", "B-case", "B-case-note", "B-loss", "B-returned", "B-strike"):
        expect(outcomes).to_contain_text(f'xss("{tag}")')
        expect(events).to_contain_text(f'xss("{tag}")')
    page.goto(f"{base}/incidents/{planted.number('A')}")
    for tag in ("A-dispatch", "A-override", "G-merge"):
        expect(events).to_contain_text(f'xss("{tag}")')
    page.goto(f"{base}/incidents/{planted.number('D')}")
    for tag in ("D-department", "D-result", "D-note"):
        expect(page.locator("#transfers")).to_contain_text(f'xss("{tag}")')
    page.context.close()


def _walk_supervision(browser: Browser, watch: Watch, base: str, planted: Planted) -> None:
    page = page_as(browser, watch, base, "leader")
    expect(page).to_have_url(f"{base}/supervise")
    expect(page.locator("table.supervise")).to_contain_text(planted.incidents["A"]["address"])
    page.goto(f"{base}/incidents/{planted.number('A')}")
    page.context.close()


def _walk_callbacks(browser: Browser, watch: Watch, base: str, planted: Planted) -> None:
    """B's dissatisfied callback opened a follow-up: its complaint shows as text on the queue
    page, in the supervision list and on the record."""
    page = page_as(browser, watch, base, "dispatcher")
    page.goto(f"{base}/callbacks")
    expect(page.locator(".cb-follow-ups")).to_contain_text('xss("B-callback")')
    page.goto(f"{base}/incidents/{planted.number('B')}")
    expect(page.locator("#follow-up")).to_contain_text('xss("B-callback")')
    page.context.close()
    page = page_as(browser, watch, base, "leader")
    expect(page.locator("table.cb-follow-ups")).to_contain_text('xss("B-callback")')
    page.context.close()


def _walk_repeats(browser: Browser, watch: Watch, base: str, planted: Planted) -> None:
    """The repeat case of C: its list row and its page, where the journal shows every planted
    text as text, in both languages and on a phone."""
    number = planted.repeat_case
    for locale, phone in (("zh-CN", False), ("en-US", True)):
        page = page_as(browser, watch, base, "officer-35010201-1", phone=phone, locale=locale)
        page.goto(f"{base}/repeats")
        expect(page.locator("#repeat-list")).to_contain_text(number)
        page.goto(f"{base}/repeats/{number}")
        journal = page.locator(".journal")
        for tag in ("R-reason", "R-step", "R-with", "R-mediation", "R-referral", "R-tier"):
            expect(journal).to_contain_text(f'xss("{tag}")')
        expect(journal).to_contain_text('xss("R-threat")')
        expect(page.locator(".linked")).to_contain_text(planted.incidents["C"]["address"])
        page.context.close()


def _walk_unit(browser: Browser, watch: Watch, base: str, planted: Planted) -> None:
    for locale, name in (("zh-CN", planted.unit_name_zh), ("en-US", planted.unit_name_en)):
        page = page_as(browser, watch, base, "officer-35010201-1", phone=True, locale=locale)
        expect(page).to_have_url(f"{base}/unit")
        expect(page.locator("h1")).to_contain_text(name)
        assignment = page.locator(".assignment")
        expect(assignment).to_contain_text(planted.incidents["A"]["address"])
        expect(assignment).to_contain_text(planted.incidents["A"]["narrative"])
        lookouts = page.locator(".lookouts")
        expect(lookouts).to_contain_text(planted.names["M1"])
        expect(lookouts).to_contain_text(planted.clothing)
        page.context.close()


def _walk_missing(browser: Browser, watch: Watch, base: str, planted: Planted) -> None:
    for user in ("dispatcher", "leader"):
        page = page_as(browser, watch, base, user)
        page.goto(f"{base}/missing")
        cases = page.locator("#cases")
        for label in ("M1", "M2", "M4"):
            expect(cases).to_contain_text(planted.names[label])
        if user == "dispatcher":
            waiting = page.locator(".waiting")
            expect(waiting).to_contain_text(planted.incidents["M0"]["address"])
        page.goto(f"{base}/missing?view=closed")
        expect(cases).to_contain_text(planted.names["M3"])
        for label, number in planted.cases.items():
            page.goto(f"{base}/missing/{number}")
            expect(page.locator("h1")).to_contain_text(planted.names[label])
            expect(page.locator(".record-card")).to_contain_text(planted.clothing)
            expect(page.locator(".record-card")).to_contain_text(planted.school)
        page.goto(f"{base}/missing/{planted.cases['M1']}")
        case = page.locator("#case")
        for tag in ("M1-note", "M1-request-a", "M1-decision", "M1-task", "M1-result"):
            expect(case).to_contain_text(f'xss("{tag}")')
        for tag in ("M1-appeal", "M1-family", "M1-lead", "M1-commander", "M1-social0"):
            expect(case).to_contain_text(f'xss("{tag}")')
        page.goto(f"{base}/missing/{planted.cases['M3']}")
        expect(page.locator("#close")).to_contain_text(attack("M3-close", 4000))
        page.goto(f"{base}/missing/clusters")
        expect(page.locator(".cluster").first).to_contain_text(planted.names["M2"])
        if user == "leader":
            expect(page.locator(".acknowledged-by")).to_contain_text(attack("cluster-ack", 2000))
        page.goto(f"{base}/missing/new?incident={planted.number('M0')}")
        form = page.locator("#open-case")
        expect(form).to_contain_text(planted.incidents["M0"]["narrative"])
        expect(page.locator("input[name='last_seen.place']")).to_have_value(
            planted.incidents["M0"]["address"]
        )
        page.context.close()


def _walk_stats(browser: Browser, watch: Watch, base: str) -> None:
    """统计: the filters of its URL come back in its form as text and reach the API as they
    came (refused there, beside the field); its charts draw under the policy."""
    page = page_as(browser, watch, base, "analyst")
    hostile = attack("stats", 40)
    settled = page.locator("#stats-error:not([hidden]), body[data-stats-ready]")
    for name in ("category", "grade", "group_by", "jurisdiction"):
        page.goto(f"{base}/stats?{name}={quote(hostile)}")
        expect(settled).to_have_count(1)
        expect(page.locator(f"select[name={name}] option:checked")).to_have_text(hostile)
        expect(page.locator(f".field-error[data-field={name}]")).to_have_count(1)
    page.goto(f"{base}/stats?figure={quote(hostile)}&group_by=category")
    expect(page.locator("body[data-stats-ready]")).to_have_count(1)
    expect(page.locator("input[name=figure]")).to_have_value(hostile)
    expect(page.locator("#chart-series canvas")).to_have_count(1)
    page.locator("#chart-groups canvas").hover()


def _walk_wall(browser: Browser, watch: Watch, base: str, planted: Planted) -> None:
    """The wall draws from the same record (its map, its lists) and shows no address, caller
    or unit name: nothing planted reaches it, and nothing on it errs."""
    page = page_as(browser, watch, base, "leader")
    page.goto(f"{base}/wall")
    expect(page.locator("body[data-updated]")).to_have_count(1)
    page.wait_for_function(
        "(() => { const c = echarts.getInstanceByDom(document.getElementById('chart-map'));"
        " return c && (c.getOption().series || []).length === 3; })()"
    )
    body = page.locator("body")
    for text in (planted.incidents["A"]["address"], planted.unit_name_zh, planted.names["M1"]):
        expect(body).not_to_contain_text(text)
    page.context.close()


def _walk_login(browser: Browser, watch: Watch, base: str) -> None:
    page = watched_context(browser, watch).new_page()
    planted_next = '/"><svg onload=xss("next")>'
    page.goto(f"{base}/login?next={quote(planted_next)}")
    expect(page.locator("input[name=next]")).to_have_value(planted_next)
    script_url = 'javascript:xss("next-js")'
    page.goto(f"{base}/login?next={quote(script_url)}")
    expect(page.locator("input[name=next]")).to_have_value("")
    page.context.close()


def _no_script_urls(browser: Browser, watch: Watch, base: str, planted: Planted) -> None:
    """A javascript: URL from data never becomes a link, a source or a form target."""
    page = page_as(browser, watch, base, "dispatcher")
    for path in (
        f"/incidents/{planted.number('A')}",
        f"/missing/{planted.cases['M1']}",
        "/missing",
        "/board",
    ):
        page.goto(base + path)
        hrefs = page.eval_on_selector_all(
            "[href], [src], [action], [formaction]",
            "els => els.flatMap(e => ['href', 'src', 'action', 'formaction']"
            ".map(a => e.getAttribute(a) || ''))",
        )
        assert not [h for h in hrefs if re.match(r"\s*javascript:", h, re.I)], (path, hrefs)
    page.context.close()


def test_no_planted_text_runs_anywhere_and_all_of_it_shows_as_text(
    live_server: str,
    world: World,
    runtime: Runtime,
    clock: VirtualClock,
    chromium_browser: Browser,
) -> None:
    with httpx.Client(base_url=live_server, timeout=30) as client:
        planted = plant_everything(Api(client, world), runtime, clock)  # type: ignore[arg-type]
    watch = Watch()
    _walk_board(chromium_browser, watch, live_server, planted)
    _walk_desk(chromium_browser, watch, live_server, planted, clock.now())
    _walk_records(chromium_browser, watch, live_server, planted)
    _walk_supervision(chromium_browser, watch, live_server, planted)
    _walk_callbacks(chromium_browser, watch, live_server, planted)
    _walk_repeats(chromium_browser, watch, live_server, planted)
    _walk_unit(chromium_browser, watch, live_server, planted)
    _walk_missing(chromium_browser, watch, live_server, planted)
    _walk_stats(chromium_browser, watch, live_server)
    _walk_wall(chromium_browser, watch, live_server, planted)
    _walk_login(chromium_browser, watch, live_server)
    _no_script_urls(chromium_browser, watch, live_server, planted)
    watch.assert_clean()


def test_the_api_docs_work_offline_under_the_policy(
    live_server: str, chromium_browser: Browser
) -> None:
    watch = Watch()
    context = watched_context(chromium_browser, watch)
    elsewhere: list[str] = []
    context.on(
        "request",
        lambda r: None if r.url.startswith(live_server) else elsewhere.append(r.url),
    )
    # The whole API's schema is built on its first request: seconds on a busy machine, spent
    # here rather than inside the page's wait, which then times only the page rendering it.
    assert httpx.get(f"{live_server}/openapi.json", timeout=120).status_code == 200
    page = context.new_page()
    page.goto(f"{live_server}/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("cad110", timeout=30_000)
    page.locator(".opblock-summary").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    context.close()
    assert elsewhere == [], f"/docs reached outside the server: {elsewhere}"
    watch.assert_clean()
