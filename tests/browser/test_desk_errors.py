"""Refusals of the API said on screen in the user's language, beside their field; the top bar
names a person once and their role once."""

from __future__ import annotations

from playwright.sync_api import Browser, ConsoleMessage, Page, expect
from sqlalchemy import update

from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.models.user import User
from tests.browser.steps import login


def test_validator_messages_are_translated_beside_their_field(live_server: str, page: Page) -> None:
    refused_by_csp: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            refused_by_csp.append(message.text)

    page.on("console", watch)
    login(page, live_server, "calltaker")
    page.fill("#caller_phone", "12345")
    page.fill("#lon", "200")
    page.fill("#lat", "26.08")
    page.fill("#category", "盗窃")
    page.keyboard.press("Control+Enter")
    phone = page.locator(".field-error[data-field=caller_phone]")
    expect(phone).to_have_text("不是有效的电话号码")
    expect(page.locator(".field-error[data-field=lon]")).to_contain_text("应不大于")
    result = page.locator("#result")
    expect(result).to_contain_text("报警电话：不是有效的电话号码")
    expect(result).to_contain_text("经度：应不大于")
    expect(result).not_to_contain_text("Value error")
    expect(page.locator("#caller_phone")).to_have_attribute("aria-invalid", "true")
    # Corrected, the old messages go.
    page.fill("#caller_phone", "13800138000")
    page.fill("#lon", "")
    page.fill("#lat", "")
    page.fill("#address", "鼓楼区东街口")
    page.fill("#category", "")
    page.keyboard.press("Control+Enter")
    expect(page.locator(".field-error[data-field=category]")).to_have_text("请从列表中选择警情类别")
    expect(page.locator(".field-error[data-field=caller_phone]")).to_have_count(0)
    page.fill("#category", "邻里纠纷")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#last a")).to_have_count(1)
    expect(page.locator(".field-error")).to_have_count(0)
    assert refused_by_csp == []


def test_messages_are_english_in_english_mode(chromium_browser: Browser, live_server: str) -> None:
    context = chromium_browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-US")
    page = context.new_page()
    login(page, live_server, "calltaker")
    page.goto(f"{live_server}/lang/en")
    page.goto(f"{live_server}/desk")
    page.fill("#caller_phone", "12345")
    page.fill("#category", "Theft")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#result")).to_have_text("Caller phone: not a valid phone number")
    context.close()


def test_a_name_that_is_the_role_is_said_once(
    live_server: str, page: Page, runtime: Runtime
) -> None:
    with transaction(runtime.sessions) as session:
        session.execute(
            update(User).where(User.username == "calltaker").values(display_name="接警员")
        )
        session.execute(update(User).where(User.username == "leader").values(display_name="李明"))
    login(page, live_server, "calltaker")
    expect(page.locator(".topbar .who")).to_have_text("接警员")
    page.locator(".topbar button[type=submit]").click()
    login(page, live_server, "leader")
    expect(page.locator(".topbar .who")).to_have_text("李明 · 值班领导")


def test_a_call_without_an_incident_is_refused_beside_the_fields_the_form_has(
    chromium_browser: Browser, live_server: str
) -> None:
    context = chromium_browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    login(page, live_server, "calltaker")
    page.goto(f"{live_server}/desk")
    page.fill("#caller_phone", "12345")
    # The form's 警情内容 is sent as the call's note: its refusal is said under it, by its name.
    page.fill("textarea[name=narrative]", "长" * 4001)
    page.keyboard.press("F2")
    page.keyboard.press("3")
    narrative = page.locator(".field-error[data-field=narrative]")
    expect(narrative).to_contain_text("4000")
    result = page.locator("#result")
    expect(result).to_contain_text("报警电话：不是有效的电话号码；警情内容：")
    expect(result).not_to_contain_text("备注")
    # In English the refusals are joined with English punctuation.
    page.goto(f"{live_server}/lang/en")
    page.goto(f"{live_server}/desk")
    page.fill("#caller_phone", "12345")
    page.fill("textarea[name=narrative]", "long" * 1001)
    page.keyboard.press("F2")
    page.keyboard.press("3")
    expect(result).to_contain_text("Caller phone: not a valid phone number; What happened: ")
    expect(result).not_to_contain_text("；")
    context.close()
