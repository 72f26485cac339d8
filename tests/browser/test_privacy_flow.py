"""An analyst reveals a caller's phone with a reason; the auditor finds that on the access log."""

from __future__ import annotations

import httpx
from playwright.sync_api import Browser, Page, expect

from tests.api.helpers import new_incident
from tests.browser.steps import login, shot
from tests.conftest import Api
from tests.world import World

REASON = "研判：同一号码一周内三次报警"


def test_an_analyst_reveals_a_phone_with_a_reason_and_the_auditor_sees_it(
    api: Api, live_server: str, page: Page, chromium_browser: Browser, backend: str
) -> None:
    number = new_incident(api, accept=True, category="robbery", caller_phone="13800138000")[
        "number"
    ]
    login(page, live_server, "analyst")
    page.goto(f"{live_server}/incidents/{number}")
    phone = page.locator(".caller .pii[data-field=caller_phone]")
    expect(phone).to_have_text("138****8000")
    expect(page.locator(".reveal-form")).to_be_hidden()
    page.get_by_role("button", name="显示").click()
    page.get_by_label("显示理由").fill(REASON)
    shot(page, backend, "incident-reveal")
    page.get_by_role("button", name="确定显示").click()
    expect(phone).to_have_text("13800138000")
    expect(page.locator(".caller .pii[data-field=caller_name]")).to_have_text("张三")
    expect(page.locator(".reveal-box")).to_be_hidden()

    auditor_context = chromium_browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    auditor = auditor_context.new_page()
    login(auditor, live_server, "auditor")
    expect(auditor).to_have_url(f"{live_server}/access-log")
    row = auditor.locator("tr.reveal")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(REASON)
    expect(row).to_contain_text("analyst")
    expect(row).to_contain_text(number)
    expect(row).to_contain_text("报警人姓名、报警电话")
    width = auditor.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the access log is {width} px wide on a 390 px phone"
    shot(auditor, backend, "access-log-phone")
    auditor_context.close()


def test_a_live_change_leaves_the_reason_being_typed_on_the_board(
    world: World, live_server: str, page: Page
) -> None:
    # Every change goes through the served application, whose pushes the board follows.
    desk = httpx.Client(
        base_url=f"{live_server}/api/v1",
        headers={"Authorization": f"Bearer {world.tokens['calltaker']}"},
    )

    def call(**body: object) -> str:
        taken = desk.post("/incidents", json={"address": "鼓楼区东街口", "accept": True, **body})
        assert taken.status_code == 201, taken.text
        return str(taken.json()["number"])

    number = call(category="robbery", caller_phone="13800138000")
    login(page, live_server, "analyst")
    page.goto(f"{live_server}/board")
    page.locator(f"tr[data-number='{number}']").click()
    panel = page.locator("#panel")
    expect(panel.locator(".pii[data-field=caller_phone]")).to_have_text("138****8000")
    panel.get_by_role("button", name="显示").click()
    panel.get_by_label("显示理由").fill("研判：同一号码")
    # Another desk takes a call: the list shows it, the open panel waits for the analyst.
    other = call(category="theft")
    expect(page.locator(f"tr[data-number='{other}']")).to_be_visible()
    page.wait_for_timeout(500)
    expect(panel.get_by_label("显示理由")).to_have_value("研判：同一号码")
    panel.get_by_role("button", name="确定显示").click()
    expect(panel.locator(".pii[data-field=caller_phone]")).to_have_text("13800138000")
    desk.close()
