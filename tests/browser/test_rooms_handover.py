"""The outgoing dispatcher leaves a handover note; the incoming one, at the same seat, reads it
and marks it read. Its writer cannot: the next shift would find it read by no one of theirs."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.browser.steps import login
from tests.conftest import Api

NOTE = "35010201-2 仍在东街口现场，待反馈"


def test_a_handover_note_passes_from_one_shift_to_the_next(
    live_server: str, page: Page, chromium_browser: Browser, api: Api
) -> None:
    login(page, live_server, "dispatcher")
    page.get_by_role("link", name="交接班").click()
    expect(page.locator("h1")).to_contain_text("指挥调度台")
    page.get_by_label("给下一班的交接内容").fill(NOTE)
    page.get_by_role("button", name="提交交接").click()
    note = page.locator("#handover-notes li.unread")
    expect(note).to_contain_text(NOTE)
    page.reload()
    expect(note).to_contain_text("等待下一班阅读")
    expect(page.get_by_role("button", name="标为已阅")).to_have_count(0)

    # The next shift's dispatcher, at the same seat and home.
    body = {"username": "night_dispatcher", "role": "dispatcher", "jurisdiction": "350100"}
    body["display_name"] = "夜班调度员"
    created = api.post("/admin/users", "admin", json=body)
    assert created.status_code == 201, created.text
    password = created.json()["password"]
    context = chromium_browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    incoming = context.new_page()
    incoming.goto(f"{live_server}/login")
    incoming.fill("input[name=username]", "night_dispatcher")
    incoming.fill("input[name=password]", password)
    incoming.click("button[type=submit]")
    incoming.wait_for_load_state("networkidle")
    incoming.goto(f"{live_server}/handover")
    incoming.get_by_role("button", name="标为已阅").click()
    expect(incoming.locator("#handover-notes li.read")).to_contain_text("夜班调度员")
    expect(incoming.locator("#handover-notes li.unread")).to_have_count(0)
    context.close()


def test_a_note_without_spaces_wraps_inside_the_page(live_server: str, page: Page) -> None:
    """A pasted link or number runs on without a space: it wraps, and the page stays as wide
    as the window for everyone who reads the notes after."""
    login(page, live_server, "dispatcher")
    page.goto(f"{live_server}/handover")
    pasted = "https://example.invalid/" + "A" * 600
    page.get_by_label("给下一班的交接内容").fill(pasted)
    page.get_by_role("button", name="提交交接").click()
    expect(page.locator("#handover-notes li.unread")).to_contain_text("AAAA")
    page.reload()
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, wide
