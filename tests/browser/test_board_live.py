"""Live changes respect the dispatcher: the queue merges in place, the focused row stays
focused, and a half-typed reason in a dialog survives the changes that arrive meanwhile."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from cad110.kernel.runtime import Runtime
from tests.browser.board_steps import api_of, dispatch, incident, open_board, open_panel
from tests.world import World


def _rendered_panels(page: Page) -> int:
    return int(page.evaluate("window.__panels || 0"))


def test_focus_stays_on_the_row_through_live_changes(
    live_server: str, page: Page, world: World, runtime: Runtime
) -> None:
    with api_of(live_server, world) as api:
        numbers = [incident(api, n) for n in range(4)]
        open_board(page, live_server)
        open_panel(page, numbers[1])
        row = page.locator(f"tr[data-number='{numbers[1]}']")
        expect(row).to_be_focused()
        # Count the panel's renders from here on.
        page.evaluate(
            "window.__panels = 0; document.body.addEventListener('htmx:afterSwap', "
            "e => { if (e.target.id === 'panel') window.__panels++; })"
        )
        page.evaluate("document.getElementById('queue').scrollTop = 0")
        for n in range(4, 8):
            number = incident(api, n)
            expect(page.locator(f"tr[data-number='{number}']")).to_be_visible()
            expect(row).to_be_focused()
        # Another incident changes: the open panel's incident did not, so it is not re-rendered.
        dispatch(api, numbers[3], "35012101-1")
        expect(page.locator(f"tr[data-number='{numbers[3]}'] td.stage")).to_have_text("派警")
        expect(row).to_be_focused()
        assert _rendered_panels(page) == 0
        # ↓ still moves on from the row that kept its focus.
        page.keyboard.press("ArrowDown")
        expect(page.locator(f"tr[data-number='{numbers[2]}']")).to_be_focused()
        expect(page.locator(f"#panel .incident[data-number='{numbers[2]}']")).to_be_visible()
        # The open incident itself changes: its panel follows, once.
        before = _rendered_panels(page)
        dispatch(api, numbers[2], "35010202-1")
        expect(page.locator("#panel .assignments")).to_contain_text("巡逻35010202-1")
        page.wait_for_timeout(600)
        assert _rendered_panels(page) == before + 1
        expect(page.locator(f"tr[data-number='{numbers[2]}']")).to_be_focused()


def test_a_half_typed_reason_survives_a_live_change(
    live_server: str, page: Page, world: World, runtime: Runtime
) -> None:
    with api_of(live_server, world) as api:
        number = incident(api, 0)
        other = incident(api, 1)
        open_board(page, live_server)
        open_panel(page, number)
        page.keyboard.press("i")  # 无效警情: its dialog asks for the reason
        dialog = page.locator("#dlg-invalidate")
        expect(dialog).to_be_visible()
        page.fill("#dlg-invalidate-note", "报警人称拨错")
        # Changes arrive: another incident, and this very incident (another caller).
        dispatch(api, other, "35010202-1")
        expect(page.locator(f"tr[data-number='{other}'] td.stage")).to_have_text("派警")
        response = api.post(
            f"/incidents/{number}/calls", "calltaker", json={"caller_phone": "13900139000"}
        )
        assert response.status_code == 201
        page.wait_for_timeout(800)
        expect(dialog).to_be_visible()
        expect(page.locator("#dlg-invalidate-note")).to_have_value("报警人称拨错")
        expect(page.locator("#dlg-invalidate-note")).to_be_focused()
        # Closed with Esc, the panel catches up with the change it held back.
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
