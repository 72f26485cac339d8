"""The desk between calls: a call without an incident in two keys, a clean desk after every
save, and the caller's earlier incidents in words, looked up once per complete number."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, Request, expect

from tests.api.helpers import new_incident
from tests.browser.steps import login
from tests.conftest import Api
from tests.world import GULOU_WEST


def test_a_call_without_an_incident_takes_two_keys(live_server: str, page: Page, api: Api) -> None:
    login(page, live_server, "calltaker")
    page.fill("#caller_phone", "13800138001")
    page.fill("textarea[name=narrative]", "询问户口办理")
    page.keyboard.press("F2")
    expect(page.locator("#outcomes")).to_be_visible()
    page.keyboard.press("3")  # 转 119
    expect(page.locator("#last")).to_have_text("上一来电已登记：转 119")
    expect(page.locator("#outcomes")).to_be_hidden()
    expect(page.locator("#caller_phone")).to_have_value("")
    expect(page.locator("#caller_phone")).to_be_focused()
    calls = api.get("/calls", "analyst").json()
    assert [(c["outcome"], c["note"]) for c in calls["items"]] == [
        ("transferred_119", "询问户口办理")
    ]
    # Esc backs out without recording anything.
    page.keyboard.press("F2")
    page.keyboard.press("Escape")
    expect(page.locator("#outcomes")).to_be_hidden()
    assert api.get("/calls", "analyst").json()["total"] == 1


def test_after_a_save_the_desk_is_clean_and_the_number_a_link(live_server: str, page: Page) -> None:
    login(page, live_server, "calltaker")
    page.fill("#caller_phone", "13800138000")
    page.fill("#address", "鼓楼区东街口")
    page.fill("#lon", str(GULOU_WEST[0]))
    page.fill("#lat", str(GULOU_WEST[1]))
    page.fill("#category", "邻里纠纷")
    page.keyboard.press("Enter")
    expect(page.locator("#guide li").first).to_be_visible()
    page.keyboard.press("Control+Enter")
    link = page.locator("#last a")
    expect(link).to_have_text("35010201-20261123-0001")
    expect(page.locator("#last")).to_contain_text("上一警情")
    assert link.get_attribute("href") == "/incidents/35010201-20261123-0001"
    expect(page.locator("#intake #last")).to_have_count(0)  # outside the form
    expect(page.locator("#guide")).to_be_empty()
    expect(page.locator("#category")).to_have_value("")
    expect(page.locator("#caller_phone")).to_be_focused()


def test_history_is_in_words_and_asked_once_per_complete_number(
    live_server: str, page: Page, api: Api
) -> None:
    new_incident(
        api,
        category="neighbour_dispute",
        caller_phone="13900139000",
        address="鼓楼区某小区",
        accept=True,
    )
    login(page, live_server, "calltaker")
    asked: list[str] = []

    def count(request: Request) -> None:
        if "/api/v1/incidents?" in request.url and "caller_phone" in request.url:
            asked.append(request.url)

    page.on("request", count)
    page.locator("#caller_phone").press_sequentially("13900139000", delay=40)
    history = page.locator("#history")
    expect(history).to_contain_text("邻里纠纷 · 受理")
    expect(history).not_to_contain_text("neighbour_dispute")
    expect(history).not_to_contain_text("accepted")
    expect(history.locator("li").first).to_contain_text("11-23 10:00")
    # The same number typed again is not asked again.
    page.fill("#caller_phone", "1390013900")
    page.locator("#caller_phone").press("0")
    expect(history).to_contain_text("邻里纠纷")
    page.wait_for_timeout(600)
    assert len(asked) == 1, asked


def test_the_history_says_centre_time_whatever_the_browsers_zone(
    live_server: str, chromium_browser: Browser, api: Api
) -> None:
    new_incident(api, caller_phone="13900139001", accept=True)  # 02:00 UTC, 10:00 in Fuzhou
    context = chromium_browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="zh-CN", timezone_id="Europe/London"
    )
    try:
        page = context.new_page()
        login(page, live_server, "calltaker")
        page.locator("#caller_phone").press_sequentially("13900139001", delay=20)
        expect(page.locator("#history li").first).to_contain_text("11-23 10:00")
    finally:
        context.close()
