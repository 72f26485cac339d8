"""A 回访员 works the callback queue from the keyboard: the first callback is chosen, R shows
the caller's number, 4 records an unreachable try (the callback goes below those to call
now, the next is shown, and 4 is off on it until its next try is due), ↑/↓ move, N writes a
note and 3 records a dissatisfied answer — which opens the station's follow-up, listed below
with its due day in words. The queue follows the live changes of others
without losing the callback chosen, its note or the number shown. A number shown is hidden
again by R, and each showing is a read of its own in the access log."""

from __future__ import annotations

import pytest
from playwright.sync_api import APIResponse, Browser, Page, Route, expect

from tests.api.callback_steps import closed
from tests.api.helpers import ok
from tests.browser.board_steps import api_of
from tests.browser.steps import login, shot
from tests.conftest import Api
from tests.world import World

# A flow from start to end: on PostgreSQL as well (tests/browser/conftest.py).
both_databases = pytest.mark.both_databases


@both_databases
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
    expect(page.locator("#cb-reported")).to_have_text("电动车被盗，车棚内")
    expect(page.locator("#cb-summary")).to_have_text("处置完毕")

    page.keyboard.press("r")
    expect(page.locator("#cb-phone")).to_have_text("13800138011")
    page.keyboard.press("4")
    # Unreachable: the callback goes below those to call now, as the server lists it, and the
    # next one is shown, with what was recorded said by number.
    expect(page.locator("#cb-number")).to_have_text(second)
    expect(page.locator("#cb-msg")).to_contain_text(f"{first} 未接通")
    expect(rows.last).to_have_attribute("data-number", first)
    expect(rows.last.locator(".tries")).to_have_text("未接通1次")
    # The next try waits for the rules' delay: 4 again records nothing and says from when.
    page.keyboard.press("ArrowDown")
    expect(page.locator("#cb-number")).to_have_text(first)
    expect(page.locator("#cb-attempts")).to_have_text("已拨打 1 / 3 次")
    expect(page.locator("button.answer.unreachable")).to_be_disabled()
    page.keyboard.press("4")
    expect(page.locator("#cb-msg")).to_contain_text("后再拨")
    expect(page.locator("#cb-attempts")).to_have_text("已拨打 1 / 3 次")

    page.keyboard.press("ArrowUp")
    expect(page.locator("#cb-number")).to_have_text(second)
    page.keyboard.press("n")
    page.keyboard.type("民警到场太慢")
    page.keyboard.press("Escape")
    shot(page, backend, "callback-queue")
    page.keyboard.press("3")
    # Said after the next one is shown: so by the number it was recorded for.
    expect(page.locator("#cb-msg")).to_have_text(f"{second} 已记录：不满意")
    expect(rows).to_have_count(1)
    # The last one answered, nothing is left to answer: no answer buttons, and a key does nothing.
    expect(page.locator("#cb-number")).to_have_text(first)
    page.keyboard.press("1")
    expect(rows).to_have_count(0)
    expect(page.locator(".cb-answers")).to_be_hidden()
    page.keyboard.press("3")
    expect(page.locator("#cb-msg")).to_have_text(f"{first} 已记录：满意")

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
    # Due by the end of the fifth working day, said as a leader reads it, not "12-01 00:00".
    due = ok(api.get(f"/callbacks/{second}/follow-up", "dispatcher"))
    assert due["due_zh"].endswith("下班前")
    expect(follow_ups.first.locator("td").nth(3)).to_have_text(due["due_zh"])


@both_databases
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
    due = ok(api.get(f"/callbacks/{number}/follow-up", "dispatcher"))["due_zh"]
    expect(section).to_contain_text(due)
    expect(section.locator("dl")).not_to_contain_text("00:00")
    page.get_by_label("整改情况").fill("已约谈处警民警并向报警人致歉")
    page.get_by_role("button", name="提交整改答复").click()
    expect(section.locator(".reply")).to_contain_text("已约谈处警民警并向报警人致歉")
    expect(page.locator("table.events")).to_contain_text("整改已答复")
    shot(page, backend, "callback-follow-up")
    expect(page.locator("#follow-up-reply")).to_have_count(0)


@both_databases
def test_the_queue_follows_live_changes_and_keeps_the_one_chosen(
    live_server: str, world: World, chromium_browser: Browser
) -> None:
    context = chromium_browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    page = context.new_page()
    with api_of(live_server, world) as api:
        first = closed(api, caller_phone="13800138021", narrative="车辆被刮")
        second = closed(api, caller_phone="13800138022", narrative="手机被盗")
        try:
            login(page, live_server, "calltaker")
            page.goto(f"{live_server}/callbacks")
            rows = page.locator("#cb-list li[data-number]")
            expect(rows).to_have_count(2)
            # The second chosen, its number shown, a note half typed.
            page.keyboard.press("ArrowDown")
            expect(page.locator("#cb-number")).to_have_text(second)
            page.keyboard.press("r")
            expect(page.locator("#cb-phone")).to_have_text("13800138022")
            page.keyboard.press("n")
            page.keyboard.type("报警人称已找回")

            # Another incident closes: its callback joins the queue by itself.
            third = closed(api, caller_phone="13800138023")
            expect(rows).to_have_count(3)
            expect(page.locator("#cb-waiting")).to_have_text("待回访 3 起")
            expect(page.locator("#cb-list li.current")).to_have_attribute("data-number", second)
            expect(page.locator("#cb-number")).to_have_text(second)
            expect(page.locator("#cb-note")).to_have_value("报警人称已找回")
            expect(page.locator("#cb-note")).to_be_focused()
            expect(page.locator("#cb-phone")).to_have_text("13800138022")

            # Another 回访员 answers the first one dissatisfied: it leaves the queue and its
            # follow-up appears below; the chosen one stays chosen.
            said = {"answer": "dissatisfied", "note": "等待太久"}
            ok(api.post(f"/callbacks/{first}/answer", "dispatcher", json=said))
            expect(rows).to_have_count(2)
            expect(page.locator("#cb-list li.current")).to_have_attribute("data-number", second)
            expect(page.locator("#cb-note")).to_have_value("报警人称已找回")
            follow_up = page.locator("#cb-follow-up-rows tr")
            expect(follow_up).to_have_count(1)
            expect(follow_up.first).to_contain_text(first)
            expect(follow_up.first).to_contain_text("下班前")

            # The chosen one is answered elsewhere: said, and the one now in its place chosen.
            said = {"answer": "satisfied", "note": ""}
            ok(api.post(f"/callbacks/{second}/answer", "dispatcher", json=said))
            expect(rows).to_have_count(1)
            expect(page.locator("#cb-msg")).to_have_text(f"{second} 的回访已在别处记录。")
            expect(page.locator("#cb-number")).to_have_text(third)
            expect(page.locator("#cb-list li.current")).to_have_attribute("data-number", third)
        finally:
            context.close()


def reads_of(api: Api, number: str) -> int:
    """How many times the access log has the incident's personal data read in full."""
    params = {"subject": number, "action": "read"}
    return int(ok(api.get("/access-log", "auditor", params=params))["total"])


def test_the_number_shown_is_hidden_again_and_each_showing_is_a_read(
    api: Api, live_server: str, page: Page
) -> None:
    first = closed(api, caller_phone="13800138031")
    second = closed(api, caller_phone="13800138032")
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/api/v1/callbacks/" in r.url else None)
    login(page, live_server, "calltaker")
    page.goto(f"{live_server}/callbacks")
    phone, button = page.locator("#cb-phone"), page.locator("#cb-reveal")
    expect(page.locator("#cb-number")).to_have_text(first)
    expect(button).to_have_text("显示号码（R）")
    expect(button).to_have_attribute("data-shown", "false")
    masked = phone.inner_text()
    assert "13800138031" not in masked
    before = reads_of(api, first)

    page.keyboard.press("r")
    expect(phone).to_have_text("13800138031")
    expect(button).to_have_text("隐藏号码（R）")
    expect(button).to_have_attribute("data-shown", "true")
    # R again hides it: the masked text is back and nothing is asked of the server.
    page.keyboard.press("r")
    expect(phone).to_have_text(masked)
    expect(phone).to_have_class("pii masked")
    expect(button).to_have_text("显示号码（R）")
    expect(button).to_have_attribute("data-shown", "false")
    # The button shows it once more, asked afresh: every sight of it is recorded.
    button.click()
    expect(phone).to_have_text("13800138031")
    expect(button).to_have_attribute("data-shown", "true")
    assert len(asked) == 2, asked
    assert reads_of(api, first) == before + 2
    button.click()
    expect(phone).to_have_text(masked)
    expect(button).to_have_attribute("data-shown", "false")

    # Shown, then another callback chosen: the button starts over, with its masked number.
    page.keyboard.press("r")
    expect(phone).to_have_text("13800138031")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#cb-number")).to_have_text(second)
    expect(phone).not_to_have_text("13800138032")
    expect(phone).to_have_class("pii masked")
    expect(button).to_have_text("显示号码（R）")
    expect(button).to_have_attribute("data-shown", "false")
    page.keyboard.press("r")
    expect(phone).to_have_text("13800138032")
    expect(button).to_have_text("隐藏号码（R）")
    assert len(asked) == 4, asked


def test_a_refresh_read_before_an_answer_does_not_bring_the_answered_one_back(
    live_server: str, world: World, page: Page
) -> None:
    """The queue's rows read before this page's answer was committed, arriving after the
    answer did: the answered callback stays answered, and the page does not call it recorded
    elsewhere when the next refresh finds it gone."""
    with api_of(live_server, world) as api:
        first = closed(api, caller_phone="13800138031")
        login(page, live_server, "calltaker")
        page.goto(f"{live_server}/callbacks")
        expect(page.locator("#cb-number")).to_have_text(first)
        held: list[tuple[Route, APIResponse]] = []

        def hold(route: Route) -> None:
            if held:
                route.continue_()
            else:
                held.append((route, route.fetch()))  # read now, answered later

        page.route("**/callbacks/rows", hold)
        closed(api, caller_phone="13800138032")  # a change: the page asks for its rows
        for _ in range(100):
            if held:
                break
            page.wait_for_timeout(50)
        assert held, "the change set off no refresh"
        page.keyboard.press("1")
        expect(page.locator("#cb-msg")).to_have_text(f"{first} 已记录：满意")
        route, stale = held[0]
        route.fulfill(response=stale)
        # The stale rows hold the answered callback (and not yet the new one); the refresh after
        # them, set off meanwhile by the answer itself, holds only the new one.
        rows = page.locator("#cb-list li[data-number]")
        expect(rows).to_have_count(1)
        expect(rows.first).not_to_have_attribute("data-number", first)
        expect(page.locator("#cb-msg")).to_have_text(f"{first} 已记录：满意")
