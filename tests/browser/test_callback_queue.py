"""A 回访员 works the callback queue from the keyboard: the first callback is chosen, R shows
the caller's number, 4 records an unreachable try (and is off until the next try is due), ↓ moves on, N writes a note and 3 records a
dissatisfied answer — which opens the station's follow-up, listed below."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.api.helpers import ok
from tests.api.test_callbacks import closed
from tests.browser.steps import login, shot
from tests.conftest import Api


def test_the_queue_is_worked_from_the_keyboard(
    api: Api, live_server: str, page: Page, backend: str
) -> None:
    first = closed(api, caller_phone="13800138011", narrative="电动车被盗，车棚内")
    second = closed(api, caller_phone="13800138012", narrative="手机被盗")
    login(page, live_server, "calltaker")
    page.get_by_role("link", name="回访", exact=True).click()
    expect(page).to_have_url(f"{live_server}/callbacks")
    rows = page.locator("#cb-list li[data-number]")
    expect(rows).to_have_count(2)
    expect(page.locator("#cb-number")).to_have_text(first)
    expect(page.locator("#cb-phone")).not_to_have_text("13800138011")  # masked until asked
    expect(page.locator("#cb-summary")).to_have_text("电动车被盗，车棚内")

    page.keyboard.press("r")
    expect(page.locator("#cb-phone")).to_have_text("13800138011")
    page.keyboard.press("4")
    expect(page.locator("#cb-msg")).to_contain_text("未接通")
    expect(page.locator("#cb-attempts")).to_have_text("已拨打 1 / 3 次")
    expect(rows.first.locator(".tries")).to_have_text("未接通1次")
    # The next try waits for the rules' delay: 4 again records nothing and says from when.
    expect(page.locator("button.answer.unreachable")).to_be_disabled()
    page.keyboard.press("4")
    expect(page.locator("#cb-msg")).to_contain_text("后再拨")
    expect(page.locator("#cb-attempts")).to_have_text("已拨打 1 / 3 次")

    page.keyboard.press("ArrowDown")
    expect(page.locator("#cb-number")).to_have_text(second)
    page.keyboard.press("n")
    page.keyboard.type("民警到场太慢")
    page.keyboard.press("Escape")
    shot(page, backend, "callback-queue")
    page.keyboard.press("3")
    expect(page.locator("#cb-msg")).to_have_text("已记录：不满意")
    expect(rows).to_have_count(1)

    incident = ok(api.get(f"/incidents/{second}", "dispatcher"))
    assert incident["outcome"]["callback"] == {
        "satisfaction": "dissatisfied",
        "note": "民警到场太慢",
    }
    page.reload()
    follow_ups = page.locator(".cb-follow-ups tbody tr")
    expect(follow_ups).to_have_count(1)
    expect(follow_ups.first).to_contain_text(second)
    expect(follow_ups.first).to_contain_text("民警到场太慢")
    expect(follow_ups.first).to_contain_text("待派出所答复")


def test_the_leader_answers_the_follow_up_from_the_supervision_list(
    api: Api, live_server: str, page: Page, backend: str
) -> None:
    number = closed(api)
    said = {"answer": "dissatisfied", "note": "民警态度生硬"}
    ok(api.post(f"/callbacks/{number}/answer", "calltaker", json=said))
    login(page, live_server, "leader")
    expect(page).to_have_url(f"{live_server}/supervise")
    listed = page.locator("table.cb-follow-ups tbody tr")
    expect(listed).to_have_count(1)
    expect(listed.first).to_contain_text("民警态度生硬")
    listed.first.get_by_role("link").click()
    section = page.locator("#follow-up")
    expect(section).to_contain_text("待派出所答复")
    page.get_by_label("整改情况").fill("已约谈处警民警并向报警人致歉")
    page.get_by_role("button", name="提交整改答复").click()
    expect(section.locator(".reply")).to_contain_text("已约谈处警民警并向报警人致歉")
    expect(page.locator("table.events")).to_contain_text("整改已答复")
    shot(page, backend, "callback-follow-up")
    expect(page.locator("#follow-up-reply")).to_have_count(0)
