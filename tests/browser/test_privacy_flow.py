"""An analyst reveals a caller's phone with a reason; the auditor finds that on the access log."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.api.helpers import new_incident
from tests.browser.steps import login, shot
from tests.conftest import Api

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
    expect(row).to_contain_text("caller_name,caller_phone")
    width = auditor.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the access log is {width} px wide on a 390 px phone"
    shot(auditor, backend, "access-log-phone")
    auditor_context.close()
