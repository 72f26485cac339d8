"""The outgoing dispatcher leaves a handover note; the incoming one reads it and marks it read."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.browser.steps import login

NOTE = "35010201-2 仍在东街口现场，待反馈"


def test_a_handover_note_passes_from_one_shift_to_the_next(
    live_server: str, page: Page, chromium_browser: Browser
) -> None:
    login(page, live_server, "dispatcher")
    page.get_by_role("link", name="交接班").click()
    expect(page.locator("h1")).to_contain_text("指挥调度台")
    page.get_by_label("给下一班的交接内容").fill(NOTE)
    page.get_by_role("button", name="提交交接").click()
    note = page.locator("#handover-notes li.unread")
    expect(note).to_contain_text(NOTE)

    context = chromium_browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    incoming = context.new_page()
    login(incoming, live_server, "dispatcher")
    incoming.goto(f"{live_server}/handover")
    incoming.get_by_role("button", name="标为已阅").click()
    expect(incoming.locator("#handover-notes li.read")).to_contain_text("dispatcher")
    expect(incoming.locator("#handover-notes li.unread")).to_have_count(0)
    context.close()
