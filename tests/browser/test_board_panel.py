"""The incident panel as a shift uses it: no stuck incident (release beside every unit, a key
that cannot act says why), 研判 on screen, a picker that ranks suitable units first and asks why
for another, dialogs that speak the page's language, and no action that trips the policy."""

from __future__ import annotations

from playwright.sync_api import ConsoleMessage, Page, expect

from cad110.kernel.runtime import Runtime
from tests.browser.board_steps import api_of, dispatch, incident, open_board, open_panel
from tests.world import World


def _console(page: Page) -> list[str]:
    """Every console message from here on (the policy's refusals are logged there)."""
    seen: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        seen.append(message.text)

    page.on("console", keep)
    return seen


def test_actions_from_dialogs_trip_no_content_security_policy(
    live_server: str, page: Page, world: World, runtime: Runtime
) -> None:
    with api_of(live_server, world) as api:
        number = incident(api, 0)
        seen = _console(page)
        open_board(page, live_server)
        open_panel(page, number)
        # A unit picked by hand.
        page.keyboard.press("u")
        page.fill("#dlg-pick-q", "35010201-2")
        page.locator("#dlg-pick button.pick[data-unit='35010201-2']").click()
        expect(page.locator("#dlg-pick")).to_be_hidden()
        expect(page.locator("#panel .assignments")).to_contain_text("巡逻35010201-2")
        # 改派 to another.
        page.keyboard.press("r")
        page.fill("#dlg-reassign-q", "35010201-1")
        page.locator("#dlg-reassign button.pick[data-unit='35010201-1']").click()
        expect(page.locator("#dlg-reassign")).to_be_hidden()
        expect(page.locator("#panel .assignments")).to_contain_text("巡逻35010201-1")
        # 改类定级, its reason box resized by the user first (the browser gives it a style).
        page.keyboard.press("c")
        page.locator("#dlg-reclassify-reason").evaluate("el => { el.style.height = '8rem'; }")
        page.select_option("#dlg-reclassify-grade", "1")
        page.fill("#dlg-reclassify-reason", "现场有人受伤")
        page.locator("#dlg-reclassify button[type=submit]").click()
        expect(page.locator("#dlg-reclassify")).to_be_hidden()
        expect(page.locator("#panel .grade")).to_have_text("1")
        page.wait_for_timeout(300)
    refused = [m for m in seen if "Content Security Policy" in m or "violates" in m]
    assert refused == [], refused
