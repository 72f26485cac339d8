"""The desk's category field: found by name, pinyin, initials or synonym; labels on screen,
the code only in what is sent."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.browser.steps import login, shot
from tests.conftest import Api
from tests.world import GULOU_WEST


def _fill_call(page: Page) -> None:
    page.fill("#caller_phone", "13800138000")
    page.fill("#address", "鼓楼区东街口")
    page.fill("#lon", str(GULOU_WEST[0]))
    page.fill("#lat", str(GULOU_WEST[1]))
    page.fill("textarea[name=narrative]", "电动车被偷了")


def test_pinyin_initials_and_synonyms_find_theft(
    live_server: str, page: Page, api: Api, backend: str
) -> None:
    login(page, live_server, "calltaker")
    options = page.locator("#category-list [role=option]")
    for typed in ("daoqie", "dq", "偷东西", "被偷"):
        page.fill("#category", typed)
        expect(options.first).to_have_text("盗窃 2 级")
    page.fill("#category", "dq")
    expect(page.locator("#category")).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#category-list")).not_to_contain_text("theft")
    _fill_call(page)
    page.fill("#category", "被")
    expect(options.first).to_be_visible()
    shot(page, backend, "desk")
    # Arrow keys move through the list, Enter picks, the field shows the Chinese label.
    page.fill("#category", "偷")
    expect(options.first).to_have_text("盗窃 2 级")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    expect(options.first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(page.locator("#category")).to_have_value("盗窃")
    expect(page.locator("#category-list")).to_be_hidden()
    expect(page.locator("#guide h2")).to_contain_text("盗窃")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#last a")).to_have_count(1)
    number = page.locator("#last a").inner_text()
    assert api.get(f"/incidents/{number}", "dispatcher").json()["category"] == "theft"
    assert "theft" not in page.locator("main").inner_text()


def test_typing_the_name_in_full_and_saving_needs_no_pick(
    live_server: str, page: Page, api: Api
) -> None:
    login(page, live_server, "calltaker")
    _fill_call(page)
    page.fill("#category", "盗窃")
    page.locator("#category").press("Escape")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#last a")).to_have_count(1)
    number = page.locator("#last a").inner_text()
    assert api.get(f"/incidents/{number}", "dispatcher").json()["category"] == "theft"


def test_a_guess_that_is_no_category_is_asked_about_on_the_desk(
    live_server: str, page: Page, api: Api
) -> None:
    login(page, live_server, "calltaker")
    _fill_call(page)
    page.fill("#category", "dq")
    page.locator("#category").press("Escape")
    page.keyboard.press("Control+Enter")
    expect(page.locator(".field-error[data-field=category]")).to_have_text("请从列表中选择警情类别")
    assert api.get("/incidents", "dispatcher").json()["total"] == 0


def test_english_mode_shows_english_labels(chromium_browser: Browser, live_server: str) -> None:
    context = chromium_browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-US")
    page = context.new_page()
    login(page, live_server, "calltaker")
    page.goto(f"{live_server}/lang/en")
    page.goto(f"{live_server}/desk")
    page.fill("#category", "daoqie")
    expect(page.locator("#category-list [role=option]").first).to_have_text("Theft grade 2")
    page.keyboard.press("Enter")
    expect(page.locator("#category")).to_have_value("Theft")
    context.close()
