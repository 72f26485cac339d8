"""A dispatcher logs in through a real browser and sees the open incidents on the board."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

from tests.api.helpers import new_incident
from tests.conftest import Api
from tests.world import PASSWORD

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_dispatcher_logs_in_and_sees_the_board(
    api: Api, live_server: str, page: Page, backend: str
) -> None:
    number = new_incident(api, accept=True, category="robbery", address="鼓楼区东街口")["number"]
    page.goto(f"{live_server}/board")
    assert page.url.endswith("/login?next=/board")
    page.fill("input[name=username]", "dispatcher")
    page.fill("input[name=password]", "wrong password")
    page.click("button[type=submit]")
    assert page.get_by_role("alert").inner_text() == "用户名或密码错误。"
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/board")
    row = page.locator(f"tr[data-number='{number}']")
    assert "抢劫" in row.inner_text()
    assert "鼓楼区东街口" in row.inner_text()
    if backend == "sqlite":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "board.png"), full_page=True)
    page.click("text=English")
    assert page.locator("h1").inner_text().startswith("Open incidents")
