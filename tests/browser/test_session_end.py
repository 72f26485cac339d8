"""A session ended elsewhere: pages that only show go to the login page, pages where the user
types stay as they are and say so in the user's language."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.steps import login


def test_logging_out_in_one_tab_reaches_the_others(live_server: str, page: Page) -> None:
    login(page, live_server, "dispatcher")  # lands on the board
    desk = page.context.new_page()
    desk.goto(f"{live_server}/desk")
    desk.fill("input[name=caller_phone]", "13800138000")
    desk.fill("textarea[name=narrative]", "有人在楼道里吵架")
    desk.fill("#category", "邻里纠纷")
    closing = page.context.new_page()
    closing.goto(f"{live_server}/supervise")
    closing.get_by_role("button", name="退出").click()
    # The board follows the end of the session to the login page…
    expect(page).to_have_url(f"{live_server}/login?next=%2Fboard", timeout=5_000)
    # …the desk keeps the call being typed and says the session ended.
    expect(desk.locator("#session-ended")).to_have_text("登录已失效，请重新登录。", timeout=5_000)
    expect(desk.locator("textarea[name=narrative]")).to_have_value("有人在楼道里吵架")
    desk.keyboard.press("Control+Enter")
    expect(desk.locator(".result")).to_have_text("登录已失效，请重新登录。")
