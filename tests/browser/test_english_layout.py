"""Every screen in English at 1366×768 (the common console monitor): no button or control is
cut off — its text fits inside it, and it lies inside the window and inside any box that clips
what overflows it —, and no link of the top bar is broken over two lines. English words run
longer than Chinese ones (签阅 → Acknowledge), so a layout made for Chinese is checked in
English; the missing-person case reads in English too."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Browser, Page, expect

from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from tests.api.helpers import late_dispatch, new_incident, ok
from tests.browser.conftest import VIEWPORT
from tests.browser.steps import login
from tests.conftest import Api
from tests.integration.missing_steps import open_case, person

HAN = re.compile(r"[\u4e00-\u9fff]")

# What the page lays out that a user presses or reads as a control: where one is cut off, it
# says where (tag, text, its widths, its edges, and the box that clips it).
CUT_OFF = """() => {
  const width = document.documentElement.clientWidth;
  const cut = [];
  const controls = 'button, input[type=submit], input[type=button], [role=button], select, summary';
  for (const el of document.querySelectorAll(controls)) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || getComputedStyle(el).visibility === 'hidden') continue;
    const name = `${el.tagName} "${(el.textContent || el.value || '').trim().slice(0, 40)}"`;
    if (el.scrollWidth > el.clientWidth + 1) cut.push(`${name}: text ${el.scrollWidth} > ${el.clientWidth}`);
    if (r.left < -1 || r.right > width + 1) cut.push(`${name}: ${r.left}–${r.right} outside 0–${width}`);
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
      const overflow = getComputedStyle(box).overflowX;
      if (overflow !== 'hidden' && overflow !== 'clip') continue;
      const b = box.getBoundingClientRect();
      if (r.left < b.left - 1 || r.right > b.right + 1) {
        cut.push(`${name}: ${r.left}–${r.right} clipped by ${box.tagName}.${box.className} ${b.left}–${b.right}`);
        break;
      }
    }
  }
  // A link of the top bar is read at a glance: never broken over two lines ("Dispatch / board").
  for (const el of document.querySelectorAll('header.topbar nav a')) {
    const line = parseFloat(getComputedStyle(el).lineHeight);
    const height = el.getBoundingClientRect().height;
    if (height > line * 1.5) cut.push(`nav "${el.textContent.trim()}": ${height}px high, two lines`);
  }
  return cut;
}"""


def _english_page(browser: Browser, base: str, username: str) -> Page:
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB", timezone_id="Asia/Shanghai")
    context.add_cookies([{"name": "cad110_lang", "value": "en", "url": base}])
    context.set_default_timeout(10_000)
    page = context.new_page()
    login(page, base, username)
    return page


def _walk(page: Page, base: str, path: str, ready: str) -> list[str]:
    page.goto(f"{base}{path}")
    expect(page.locator(ready).first).to_be_visible()
    page.wait_for_load_state("networkidle")
    cut: list[Any] = page.evaluate(CUT_OFF)
    return [f"{path}: {c}" for c in cut]


def test_no_button_is_cut_off_in_english_at_1366(
    live_server: str, chromium_browser: Browser, api: Api, clock: VirtualClock, runtime: Runtime
) -> None:
    late = late_dispatch(api, clock, runtime)
    elderly = open_case(
        api,
        clock,
        category="missing_elderly",
        who=person("陈金水", "male", 79, conditions=["dementia"]),
    )["number"]
    ok(api.post(f"/missing/{elderly}/group", "dispatcher", json={}))
    waiting = new_incident(api, category="missing_child", narrative="孩子放学未归")["number"]

    walks = {
        "calltaker": [("/desk", "form")],
        "dispatcher": [
            ("/board", "#rows tr"),
            (f"/incidents/{late}", "main"),
            ("/missing", "main"),
            (f"/missing/{elderly}", ".firings li"),
            (f"/missing/new?incident={waiting}", "form"),
        ],
        "leader": [("/supervise", "tr[data-supervision]"), ("/handover", "main")],
        "analyst": [("/search", "main")],
        "admin": [("/admin", "main")],
        "auditor": [("/access-log", "main")],
        "officer-35010202-1": [("/unit", "main")],
    }
    cut: list[str] = []
    for username, paths in walks.items():
        page = _english_page(chromium_browser, live_server, username)
        try:
            for path, ready in paths:
                cut += _walk(page, live_server, path, ready)
            if username == "dispatcher":
                # The board's incident panel, with the buttons of its actions.
                page.goto(f"{live_server}/board")
                page.locator("#rows tr", has_text=late).click()
                expect(page.locator("#panel button").first).to_be_visible()
                cut += [f"/board panel: {c}" for c in page.evaluate(CUT_OFF)]
                # The case reads in English: its rule and its group's tasks.
                page.goto(f"{live_server}/missing/{elderly}")
                rule = page.locator(".firings li").inner_text()
                task = page.locator(".task .title").first.inner_text()
                assert "Vulnerable person" in rule
                assert not HAN.search(rule), rule
                assert not HAN.search(task), task
        finally:
            page.context.close()
    assert cut == []
