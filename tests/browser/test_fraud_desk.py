"""The warning desk works a warning from the keyboard: the most urgent is chosen first with the
person masked, C shows the number to call (a recorded read), and 1 with the amount kept
records it dissuaded — the warning leaves the queue, closed, with the amount protected. Hostile
text in a warning shows as text and never runs."""

from __future__ import annotations

import json

from playwright.sync_api import Browser, Page, expect

from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from tests.api.fraud_steps import ELDERLY, WARNINGS, post, signed_in, warning
from tests.api.helpers import ok
from tests.browser.board_steps import api_of
from tests.browser.hostile_text import attack
from tests.browser.steps import login, shot
from tests.browser.watch import Watch, page_as
from tests.conftest import Api
from tests.world import World


def test_a_warning_is_called_and_recorded_dissuaded_from_the_keyboard(
    api: Api, runtime: Runtime, clock: VirtualClock, live_server: str, page: Page, backend: str
) -> None:
    signed_in(runtime)
    low = post(api, clock, WARNINGS, warning("1", kind="fraud_app", phone="13900139000"))
    high = post(api, clock, WARNINGS, warning("2", id_number=ELDERLY)).json()["warning"]
    login(page, live_server, "calltaker")
    page.get_by_role("link", name="反诈预警", exact=True).click()
    expect(page).to_have_url(f"{live_server}/fraud")
    rows = page.locator("#fw-list li[data-number]")
    expect(rows).to_have_count(2)
    expect(page.locator("#fw-number")).to_contain_text(high)
    expect(page.locator("#fw-number")).to_contain_text("高风险")
    expect(page.locator("#fw-phone")).to_have_text("138****8000")
    expect(page.locator("#fw-script")).to_contain_text("高回报")
    expect(page.locator("#fw-steps li").first).to_contain_text("96110劝阻电话")
    # Its history names the platform that sent it, not the account it posts as.
    expect(page.locator("#fw-history")).to_contain_text("反诈平台")
    expect(page.locator("#fw-history")).not_to_contain_text("fraud_platform")

    page.keyboard.press("c")
    expect(page.locator("#fw-phone")).to_have_text("13800138000")
    # A step done is said as a step, not as a missing-person callback (已回访).
    states = json.loads(page.locator("#fw-step-states").text_content() or "{}")
    assert (states["pending"], states["done"]) == ("进行中", "已完成")
    expect(page.locator("#fw-name")).to_have_text("黄某某")
    page.fill("#fw-money", "12000")
    page.keyboard.press("Escape")
    shot(page, backend, "fraud-desk")
    page.keyboard.press("1")
    expect(page.locator("#fw-msg")).to_have_text("已登记处置结果：劝阻成功")
    expect(rows).to_have_count(1)
    expect(page.locator("#fw-number")).to_contain_text(low.json()["warning"])

    closed = ok(api.get(f"/fraud/warnings/{high}", "calltaker"))
    assert (closed["outcome"], closed["amount_protected"]) == ("dissuaded", "12000.00")


def test_hostile_text_in_a_warning_shows_as_text_on_the_desk(
    api: Api, runtime: Runtime, clock: VirtualClock, live_server: str, chromium_browser: Browser
) -> None:
    signed_in(runtime)
    name, address = attack("fw-name", 64), attack("fw-address", 255, start=1)
    post(api, clock, WARNINGS, warning("1", name=name, address=address))
    watch = Watch()
    page = page_as(chromium_browser, watch, live_server, "dispatcher")
    page.goto(f"{live_server}/fraud")
    expect(page.locator("#fw-address")).to_have_text(address)
    page.keyboard.press("c")
    expect(page.locator("#fw-name")).to_have_text(name)
    page.context.close()
    watch.assert_clean()


def test_the_desk_follows_live_changes_and_keeps_the_warning_chosen(
    runtime: Runtime, clock: VirtualClock, live_server: str, world: World, page: Page
) -> None:
    # Through the live server, as the platforms and the other seats reach it: its stream
    # hears what it commits.
    with api_of(live_server, world) as api:
        _follows_live_changes(api, runtime, clock, live_server, page)


def _follows_live_changes(
    api: Api, runtime: Runtime, clock: VirtualClock, live_server: str, page: Page
) -> None:
    signed_in(runtime)
    high = post(api, clock, WARNINGS, warning("1", id_number=ELDERLY)).json()["warning"]
    login(page, live_server, "calltaker")
    page.goto(f"{live_server}/fraud")
    rows = page.locator("#fw-list li[data-number]")
    expect(rows).to_have_count(1)
    page.keyboard.press("c")
    expect(page.locator("#fw-phone")).to_have_text("13800138000")
    # A step done is said as a step, not as a missing-person callback (已回访).
    states = json.loads(page.locator("#fw-step-states").text_content() or "{}")
    assert (states["pending"], states["done"]) == ("进行中", "已完成")
    page.fill("#fw-money", "8000")
    page.fill("#fw-note", "正在通话")
    history = page.locator("#fw-history li")
    expect(history).to_have_count(2)  # received, the call pushed

    # A new warning comes in, urgent: it is listed first, and the one chosen stays as it was.
    urgent = post(
        api, clock, WARNINGS, warning("2", phone="13700137000", amount_at_risk="300000.00")
    ).json()["warning"]
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_attribute("data-number", urgent)
    expect(page.locator("#fw-open")).to_have_text("未结预警 2 条")
    expect(page.locator("#fw-list li.current")).to_have_attribute("data-number", high)
    expect(page.locator("#fw-phone")).to_have_text("13800138000")
    expect(page.locator("#fw-money")).to_have_value("8000")
    expect(page.locator("#fw-note")).to_have_value("正在通话")

    # The 96110 call goes unanswered: the chosen warning's ladder and history move on screen.
    task = ok(api.get(f"/fraud/warnings/{high}", "calltaker"))["steps"][0]["task_id"]
    result = {"event_id": "r1", "type": "call_unanswered", "at": clock.now().isoformat()}
    assert post(api, clock, "/api/v1/fraud/events", {**result, "task_id": task}).is_success
    # High climbs to urgent: the visit, and a call beside it.
    expect(page.locator("#fw-steps li")).to_have_count(3)
    expect(page.locator("#fw-steps li").filter(has_text="上门")).to_have_count(1)
    expect(history.filter(has_text="风险等级上调")).to_have_count(1)
    expect(page.locator("#fw-note")).to_have_value("正在通话")

    # Another seat closes it: said, and the next one chosen.
    ok(api.post(f"/fraud/warnings/{high}/outcome", "dispatcher", json={"outcome": "false_alarm"}))
    expect(rows).to_have_count(1)
    expect(page.locator("#fw-msg")).to_have_text(f"{high} 已在别处办结")
    expect(page.locator("#fw-list li.current")).to_have_attribute("data-number", urgent)
