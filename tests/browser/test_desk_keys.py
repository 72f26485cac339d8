"""The desk's keys wherever the focus is, its save button in sight at 1366×768 with a call
popped and a repeat warning above the form, a clean hazard-flag form after each flag, and a
history box that says whose it is."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from tests.api.flag_steps import HOME, HOME_TEXT, add_place
from tests.api.helpers import new_incident
from tests.browser.phone_steps import answered, sit_at, use_phone
from tests.browser.place_steps import pick
from tests.browser.steps import login, shot
from tests.conftest import Api
from tests.places_seed import WEST_LAKE, seed_places

HEIGHT = 768


@pytest.fixture(autouse=True)
def _phone_and_places(runtime: Runtime) -> None:
    use_phone(runtime)
    seed_places(runtime)


def _save_in_sight(page: Page) -> None:
    box = page.locator("#intake button.save").bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= HEIGHT, box


def _category(page: Page) -> None:
    page.fill("#category", "邻里纠纷")
    page.locator("#category").press("Enter")
    expect(page.locator("#guide li").first).to_be_visible()


def test_save_and_f2_work_from_the_map_and_the_flag_panel_and_the_save_stays_in_sight(
    live_server: str, page: Page, clock: VirtualClock, backend: str
) -> None:
    login(page, live_server, "calltaker")
    sit_at(page, "K01")
    expect(page.locator(".place-clear")).to_be_hidden()  # nothing to clear on an empty desk
    west_lake = (float(WEST_LAKE["lon"]), float(WEST_LAKE["lat"]))
    answered(live_server, clock, "call-1", "13900000011", "K01", at=west_lake)
    expect(page.locator("#address")).to_have_value(WEST_LAKE["full_text"])
    expect(page.locator(".desk-side .place-known")).to_be_visible()
    _save_in_sight(page)
    _category(page)
    # The call-taker clicks the map: the keys go on working from there.
    page.locator("#desk-map").click(position={"x": 330, "y": 150})
    expect(page.locator("#map-note")).not_to_be_empty()
    page.keyboard.press("Control+Enter")
    last = page.locator("#last a")
    expect(last).to_have_count(1)
    first = last.inner_text()
    expect(page.locator(".desk-side .place-known")).to_be_hidden()  # it went with the call

    # The next call, with the last save's line above it: the save button still in sight.
    answered(live_server, clock, "call-2", "13900000012", "K01", at=west_lake)
    expect(page.locator("#caller_phone")).to_have_value("13900000012")
    expect(page.locator(".desk-side .place-known")).to_be_visible()
    # The first call's incident at the same place: the repeat warning comes above the form.
    expect(page.locator("#repeat-warning")).to_be_visible()
    _save_in_sight(page)
    shot(page, backend, "desk-pop-in-sight")
    # In the hazard-flag panel: F2 opens the outcomes; Ctrl+Enter does not save under them.
    page.locator(".desk-side .pk-add summary").click()
    reason = page.locator(".desk-side .pk-form textarea[name=reason]")
    reason.click()
    page.keyboard.press("F2")
    expect(page.locator("#outcomes")).to_be_visible()
    page.keyboard.press("Control+Enter")
    expect(page.locator("#outcomes")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#outcomes")).to_be_hidden()
    expect(reason).to_be_focused()
    expect(last).to_have_text(first)
    _category(page)
    reason.click()
    page.keyboard.press("Control+Enter")
    expect(last).not_to_have_text(first)


def test_the_flag_form_starts_clean_and_the_history_box_speaks_of_the_number(
    live_server: str, page: Page, runtime: Runtime, api: Api
) -> None:
    add_place(runtime)
    # Another caller's incident at the place: the place's box lists it; the number has none.
    new_incident(api, caller_phone="13700137000", address=HOME_TEXT, place=HOME)
    login(page, live_server, "calltaker")
    history = page.locator(".number-history")
    expect(history.locator("h2")).to_have_text("此号码以往警情（近30天）")
    page.fill("#caller_phone", "13800138000")
    pick(page)
    known = page.locator(".desk-side .place-known")
    expect(known.locator(".pk-incidents li")).to_have_count(1)
    expect(history.locator("li")).to_have_text("此号码近30天无以往警情。")

    known.get_by_text("添加警示标记").click()
    form = known.locator(".pk-form")
    kind = form.locator("select[name=kind]")
    default_kind = kind.input_value()
    kind.select_option("dog")
    form.locator("select[name=expires]").select_option("7")
    form.locator("textarea[name=reason]").fill("院内有两条藏獒")
    form.get_by_role("button", name="添加标记").click()
    expect(form.locator(".pk-message")).to_have_text("已添加警示标记。")
    expect(kind).to_have_value(default_kind)
    expect(form.locator("select[name=expires]")).to_have_value("")
    expect(form.locator("textarea[name=reason]")).to_have_value("")
    assert default_kind != "dog"
