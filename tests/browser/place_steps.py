"""Steps shared by the browser tests of places: a place picked at the desk."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.api.flag_steps import HOME, HOME_TEXT
from tests.world import GULOU_WEST


def pick(page: Page) -> None:
    """What the desk's place search does when a place is picked (contract: `cad110:place`)."""
    page.evaluate(
        """([code, text, lon, lat]) => document.dispatchEvent(new CustomEvent("cad110:place", {
             detail: {code: code, lon: lon, lat: lat, full_text: text, district: "鼓楼区",
                      station: "35010201", grid: null, source: "search"}}))""",
        [HOME, HOME_TEXT, GULOU_WEST[0], GULOU_WEST[1]],
    )
