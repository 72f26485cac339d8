"""Hazard flags on screens: a flag set at the desk on a picked place is shown there, in the
board's incident panel for an incident at the place, and on the phone of the unit sent."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from cad110.kernel.runtime import Runtime
from tests.api.flag_steps import HOME_TEXT, add_place, flag_records
from tests.browser.board_steps import api_of, dispatch, incident, open_panel
from tests.browser.place_steps import pick
from tests.browser.steps import login, shot
from tests.world import GULOU_WEST, World

UNIT = "35010201-1"
REASON = "院内有两条藏獒，曾咬伤民警"


def test_a_flag_set_at_the_desk_is_shown_on_the_board_and_pushed_to_the_unit(
    live_server: str,
    page: Page,
    chromium_browser: Browser,
    runtime: Runtime,
    world: World,
    backend: str,
) -> None:
    add_place(runtime)
    login(page, live_server, "calltaker")
    known = page.locator(".desk-side .place-known")
    expect(known).to_be_hidden()
    page.fill("#caller_phone", "13800138000")
    pick(page)
    expect(known).to_be_visible()
    expect(known.locator(".pk-where")).to_have_text(HOME_TEXT)
    expect(known.locator(".pk-noflag")).to_have_text("此处无警示标记。")
    # Set the flag from the desk.
    known.get_by_text("添加警示标记").click()
    form = known.locator(".pk-form")
    form.locator("select[name=kind]").select_option("dog")
    form.locator("textarea[name=reason]").fill(REASON)
    form.get_by_role("button", name="添加标记").click()
    expect(form.locator(".pk-message")).to_have_text("已添加警示标记。")
    flag = known.locator(".pk-flag[data-kind=dog]")
    expect(flag.locator(".pk-kind")).to_have_text("烈性犬")
    expect(flag.locator(".pk-severity")).to_have_text("危险")
    expect(flag.locator(".pk-sign")).to_have_class("pk-sign sign2")
    expect(flag.locator(".pk-reason")).to_have_text(REASON)
    expect(flag.locator(".pk-meta")).to_contain_text("calltaker")
    shot(page, backend, "desk-place-flag")
    page.context.clear_cookies()

    with api_of(live_server, world) as api:
        number = incident(api, address=HOME_TEXT, lon=GULOU_WEST[0], lat=GULOU_WEST[1])
        # The board: the incident's panel says what is known at its place.
        login(page, live_server, "dispatcher")
        open_panel(page, number)
        panel_flag = page.locator("#panel .place-known .pk-flag[data-kind=dog]")
        expect(panel_flag.locator(".pk-kind")).to_have_text("烈性犬")
        expect(panel_flag.locator(".pk-reason")).to_have_text(REASON)
        expect(panel_flag.locator(".pk-severity")).to_have_text("危险")
        expect(panel_flag.locator(".pk-meta")).to_contain_text("calltaker 于")
        shot(page, backend, "board-place-flag")
        dispatch(api, number, UNIT)

    # The unit's phone: the briefing its dispatch carried, above the buttons.
    context = chromium_browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True
    )
    context.set_default_timeout(10_000)
    phone = context.new_page()
    login(phone, live_server, f"officer-{UNIT}")
    briefing = phone.locator(".assignment .briefing")
    expect(briefing.locator("h3").first).to_have_text("现场警示")
    told = briefing.locator(".pk-flag[data-kind=dog]")
    expect(told.locator(".pk-kind")).to_have_text("烈性犬")
    expect(told.locator(".pk-reason")).to_have_text(REASON)
    expect(told.locator(".pk-about")).to_have_text("标记于此地址")
    box = briefing.bounding_box()
    buttons = phone.locator(".big-buttons").bounding_box()
    assert box is not None
    assert buttons is not None
    assert box["y"] < buttons["y"], "the hazards come before the buttons"
    shot(phone, backend, "unit-briefing")
    # The officer's reading of the flag is on record, once however often the page reloads.
    phone.reload()
    expect(told.locator(".pk-kind")).to_have_text("烈性犬")
    officer_reads = [r for r in flag_records(runtime) if r.username == f"officer-{UNIT}"]
    assert [(r.action, r.reason) for r in officer_reads] == [("read", f"assigned unit {UNIT}")]
    context.close()
