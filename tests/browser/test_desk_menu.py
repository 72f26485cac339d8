"""The desk's F2 menu (a call without an incident) shows all eight choices at 1366×768 without
scrolling, wherever the form's buttons lie."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.steps import login


def test_all_eight_choices_are_in_sight_at_1366x768(live_server: str, page: Page) -> None:
    login(page, live_server, "calltaker")
    page.fill("#caller_phone", "13900139000")
    page.fill("textarea[name=narrative]", "打错了")
    page.keyboard.press("F2")
    menu = page.locator("#outcomes")
    expect(menu).to_be_visible()
    choices = menu.locator("button[data-outcome]")
    expect(choices).to_have_count(8)
    scrolled = page.evaluate("() => [window.scrollX, window.scrollY]")
    for n in range(8):
        box = choices.nth(n).evaluate(
            "b => { const r = b.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }"
        )
        left, top, right, bottom = box
        assert left >= 0, (n, box, scrolled)
        assert right <= 1366, (n, box, scrolled)
        assert top >= 0, (n, box, scrolled)
        assert bottom <= 768, (n, box, scrolled)
        # Nothing covers it: the point at its centre is the button itself (or its text).
        hit = page.evaluate(
            "([x, y]) => document.elementFromPoint(x, y).closest('button')?.dataset.outcome",
            [(left + right) / 2, (top + bottom) / 2],
        )
        assert hit == choices.nth(n).get_attribute("data-outcome")
    page.keyboard.press("8")  # 无效：恶意报警
    expect(menu).to_be_hidden()
    expect(page.locator("#last")).to_contain_text("上一来电已登记")
