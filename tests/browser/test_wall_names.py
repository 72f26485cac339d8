"""The wall (大屏) at 1920×1080, in either language: the open supervisions' cells, the
categories' names and every heading whole; a name too long for any panel cut, its full text in
its title."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Route, expect

from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from tests.browser.board_steps import api_of, incident
from tests.browser.wall_steps import check_charts, check_layout, day, open_wall
from tests.world import World

# The open supervisions as a living city fills them: numbers of their full length, a station by
# its full name, the longest step, categories long in English. The test world's stations have
# short names, so the wall's answer is given these on its way to the page.
LONG_ROWS = [
    {
        "incident": "35010202-20261203-0012",
        "category_zh": "醉酒、精神异常人员",
        "category_en": "Drunk or mentally ill person in public",
        "step": "acknowledge",
        "owner_zh": "鼓楼区第二派出所",
        "owner_en": "Gulou No. 2 Police Station",
    },
    {
        "incident": "35010202-20261203-0013",
        "category_zh": "婚恋纠纷",
        "category_en": "Relationship dispute",
        "step": "report",
        "owner_zh": "鼓楼区第二派出所",
        "owner_en": "Gulou No. 2 Police Station",
    },
]
# A name no panel could hold: cut short, its full text in its title.
ENDLESS = "Disturbance " * 12

# What is cut: a cell of the supervisions short of its text (with the title it carries), a
# heading at its side or its bottom, or by its panel's edge.
CUT = """
(() => {
  const cells = Array.from(document.querySelectorAll('#sup-oldest li:not(.none) > *'))
    .filter(c => c.scrollWidth > c.clientWidth + 0.5)
    .map(c => [c.textContent, c.title]);
  const headings = Array.from(document.querySelectorAll('h1, h2, h3')).filter(h => {
    const r = h.getBoundingClientRect();
    const p = h.closest('.panel').getBoundingClientRect();
    return h.scrollHeight > h.clientHeight + 0.5 || h.scrollWidth > h.clientWidth + 0.5
      || r.bottom > p.bottom + 0.5;
  }).map(h => h.textContent);
  return {cells: cells, headings: headings};
})()
"""

# The categories' names as the chart draws them (ECharts ends a name cut short with "...").
CATEGORY_LABELS = """
(() => {
  const chart = echarts.getInstanceByDom(document.getElementById('chart-categories'));
  return chart.getZr().storage.getDisplayList().map(el => el.style && el.style.text)
    .filter(Boolean);
})()
"""

CATEGORIES = ["drunk_or_mentally_ill_person", "fire_people_trapped"]


@pytest.mark.parametrize(
    ("locale", "names"),
    [
        (
            "en-US",
            [
                "Drunk or mentally ill person in public",
                "Fire with people trapped",
                "Missing elderly person",
            ],
        ),
        ("zh-CN", ["醉酒、精神异常人员", "火灾有人员被困", "老人走失"]),
    ],
)
def test_the_walls_names_and_headings_are_whole_at_1920(
    live_server: str,
    chromium_browser: Browser,
    world: World,
    runtime: Runtime,
    clock: VirtualClock,
    locale: str,
    names: list[str],
) -> None:
    """At 1920×1080 in either language a supervision's number, category, step and station
    show whole, and so do the categories' names in their chart and every heading (the missing
    persons' in its short panel too); a name too long for any panel is cut with its full text
    in its title."""
    rows = list(LONG_ROWS)

    def answer(route: Route) -> None:
        response = route.fetch()
        body = response.json()
        oldest = body["supervisions"]["oldest"]
        assert oldest
        for n, row in enumerate(oldest):
            row.update(rows[n % len(rows)])
        route.fulfill(response=response, json=body)

    with api_of(live_server, world) as api:
        day(api, runtime, clock)
        for n, code in enumerate(CATEGORIES):
            incident(api, 30 + n, category=code)
        page = open_wall(chromium_browser, live_server, 1920, 1080, locale, answer=answer)
        try:
            expect(page.locator("#sup-oldest li:not(.none)")).to_have_count(5)
            check_charts(page, categories=8)
            assert set(names) <= set(page.evaluate(CATEGORY_LABELS))
            assert page.evaluate(CUT) == {"cells": [], "headings": []}
            check_layout(page, 1920, 1080)
            # A category no panel could hold, after the next change: cut, titled in full.
            rows[1] = rows[1] | {"category_zh": ENDLESS, "category_en": ENDLESS}
            incident(api, 40)
            expect(page.locator("#sup-oldest li", has_text="Disturbance")).to_have_count(2)
            cut = page.evaluate(CUT)
            assert cut["cells"] == [[ENDLESS, ENDLESS]] * 2, cut
            assert cut["headings"] == []
            assert page.evaluate("window.__csp") == []
        finally:
            page.unroute_all(behavior="ignoreErrors")
            page.context.close()
