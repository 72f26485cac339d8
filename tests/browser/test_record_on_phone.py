"""The incident's record on a phone (390×844, as an officer opens it): the units table fits the
screen, one assignment under the other with each time named, and nothing scrolls sideways."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from cad110.kernel.runtime import Runtime
from tests.api.helpers import ok
from tests.browser.board_steps import api_of, dispatch, incident
from tests.browser.steps import login, shot
from tests.world import World

UNITS = ("35010201-1", "35010201-2")


def test_the_units_table_fits_a_phone(
    live_server: str, chromium_browser: Browser, runtime: Runtime, world: World, backend: str
) -> None:
    with api_of(live_server, world) as api:
        number = incident(api)
        dispatch(api, number, UNITS[0])
        more = {"units": [UNITS[1]], "add_unit": True}
        ok(api.post(f"/incidents/{number}/dispatch", "dispatcher", json=more))
        ok(api.post(f"/incidents/{number}/units/{UNITS[0]}/acknowledge", f"officer-{UNITS[0]}"))
    context = chromium_browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True
    )
    try:
        page = context.new_page()
        login(page, live_server, "dispatcher")
        page.goto(f"{live_server}/incidents/{number}")
        table = page.locator("table.record-units")
        expect(table).to_be_visible()
        box = table.bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 390, box
        wide = page.evaluate(
            """() => [document.documentElement, ...document.querySelectorAll(
                   'table.record-units, table.record-units tr, table.record-units td')]
                 .filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.outerHTML.slice(0, 80))"""
        )
        assert wide == []
        # Each time says which it is, in the reader's words; one not yet taken is left out.
        first = table.locator("tbody tr").first
        expect(first.locator("td[data-label='签收']")).to_be_visible()
        expect(first.locator("td[data-label='到场']")).to_be_hidden()
        shot(page, backend, "record-units-on-a-phone")
    finally:
        context.close()
