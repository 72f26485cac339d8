"""The board's queue says how long each incident has waited since it was received (by the
server's clock, whatever the browser's says), and counts on while the board stays open."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Browser, expect

from cad110.clock import VirtualClock
from tests.browser.board_steps import api_of, incident
from tests.browser.steps import login
from tests.world import World


def test_the_queue_shows_each_incident_s_age_and_counts_on(
    live_server: str, chromium_browser: Browser, world: World, clock: VirtualClock
) -> None:
    with api_of(live_server, world) as api:
        number = incident(api)
    clock.advance(timedelta(hours=1, minutes=15, seconds=20))
    # Wide enough that the column is shown (narrower boards give its room to the address).
    context = chromium_browser.new_context(
        viewport={"width": 1600, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    try:
        page = context.new_page()
        page.clock.install()  # the browser's own clock is elsewhere: the age must not follow it
        login(page, live_server, "dispatcher")
        age = page.locator(f"tr[data-number='{number}'] td.recv time.age")
        expect(age).to_have_text("1小时15分")
        assert page.locator("table.queue-table thead th").nth(5).text_content() == "已用时"
        page.clock.run_for(2 * 60 * 1000)
        expect(age).to_have_text("1小时17分")
    finally:
        context.close()
