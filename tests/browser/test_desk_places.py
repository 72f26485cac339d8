"""The desk's place: a standard address found as it is typed and picked with the keys, a map click
resolved to the nearest address, a district the point contradicts confirmed before saving, and
an address that matches nothing saved as "no point" — never a coordinate typed by hand."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from cad110.kernel.runtime import Runtime
from tests.api.helpers import new_incident
from tests.browser.steps import login, shot
from tests.conftest import Api
from tests.places_seed import SHANGJIE, WEST_LAKE_GATE, seed_places


@pytest.fixture(autouse=True)
def _places(runtime: Runtime) -> None:
    seed_places(runtime)


def _received(api: Api, number: str) -> dict[str, Any]:
    events = api.get(f"/incidents/{number}/timeline", "calltaker").json()["events"]
    payload: dict[str, Any] = events[0]["payload"]
    return payload


# Whether every district outline lies within the desk map (the whole city in sight).
CITY_IN_SIGHT = """() => {
  const m = document.querySelector("#desk-map").getBoundingClientRect();
  const paths = [...document.querySelectorAll("#desk-map .leaflet-overlay-pane path")];
  return paths.length > 0 && paths.every((p) => {
    const b = p.getBoundingClientRect();
    return b.left >= m.left - 2 && b.right <= m.right + 2 && b.top >= m.top - 2 && b.bottom <= m.bottom + 2;
  });
}"""


def _click_centre(page: Page, target: Locator) -> None:
    box = target.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def _districts(page: Page) -> tuple[Locator, Locator]:
    """The test city's two district outlines on the desk map: (鼓楼, 闽侯); 闽侯 is the larger."""
    paths = page.locator("#desk-map .leaflet-overlay-pane path")
    expect(paths).to_have_count(2)
    first, second = paths.nth(0), paths.nth(1)
    a, b = first.bounding_box(), second.bounding_box()
    assert a is not None
    assert b is not None
    return (first, second) if a["width"] < b["width"] else (second, first)


def test_keyboard_only_intake_from_the_desk_to_a_dispatch(
    live_server: str, page: Page, chromium_browser: Browser, api: Api, backend: str
) -> None:
    login(page, live_server, "calltaker")
    keys = page.keyboard
    expect(page.locator("#caller_phone")).to_be_focused()
    keys.type("13800138000")
    keys.press("Tab")  # caller name
    keys.press("Tab")
    expect(page.locator("#address")).to_be_focused()
    keys.type("西湖公园")
    options = page.locator("#address-places [role=option]")
    expect(options).to_have_count(2)
    expect(options.first).to_have_attribute("aria-selected", "true")
    keys.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(options.nth(1)).to_contain_text(WEST_LAKE_GATE["full_text"])
    keys.press("Enter")
    expect(page.locator("#address-places")).to_be_hidden()
    expect(page.locator("#address")).to_have_value(WEST_LAKE_GATE["full_text"])
    # The point comes from the address: shown, not typed, and not typeable until cleared.
    expect(page.locator("#lon")).to_have_value(f"{float(WEST_LAKE_GATE['lon']):.6f}")
    expect(page.locator("#lat")).to_have_value(f"{float(WEST_LAKE_GATE['lat']):.6f}")
    expect(page.locator("#lon")).not_to_be_editable()
    picked = page.locator(".place-picked .place-where")
    expect(picked).to_contain_text("鼓楼区")
    expect(picked).to_contain_text("鼓东派出所")
    expect(page.locator("#desk-map .leaflet-marker-icon")).to_have_count(1)
    # From a picked address Tab goes straight on to what happened: the point's clear button
    # and the read-only longitude and latitude are skipped.
    keys.press("Tab")
    expect(page.locator("textarea[name=narrative]")).to_be_focused()
    keys.type("电动车被偷了")
    keys.press("Tab")
    expect(page.locator("#category")).to_be_focused()
    keys.type("dq")
    expect(page.locator("#category-list [role=option]").first).to_have_text("盗窃 2 级")
    keys.press("Enter")
    expect(page.locator("#category")).to_have_value("盗窃")
    shot(page, backend, "desk-place")
    assert not page.evaluate(CITY_IN_SIGHT)  # zoomed in on the picked address
    keys.press("Control+Enter")
    expect(page.locator("#last a")).to_have_text("35010201-20261123-0001")
    expect(page.locator("#last .no-point")).to_have_count(0)
    expect(page.locator("#lon")).to_be_editable()  # a clean desk for the next call
    page.wait_for_function(CITY_IN_SIGHT)  # and the whole city on the map again
    number = "35010201-20261123-0001"
    incident = api.get(f"/incidents/{number}", "dispatcher").json()
    assert (incident["lon"], incident["grid"]) == (float(WEST_LAKE_GATE["lon"]), "3501020101")
    assert _received(api, number)["place"] == WEST_LAKE_GATE["code"]

    # The dispatcher, keys only: the first row, then d for the recommended unit.
    board_context = chromium_browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="zh-CN"
    )
    board = board_context.new_page()
    login(board, live_server, "dispatcher")
    expect(board.locator(f"tr[data-number='{number}']")).to_be_visible()
    board.keyboard.press("ArrowDown")
    expect(board.locator("#panel ol.recommend li").first).to_be_visible()
    board.keyboard.press("d")
    expect(board.locator("#panel .assignments")).to_contain_text("35010201-2")
    board_context.close()
    assert api.get(f"/incidents/{number}", "dispatcher").json()["status"] == "dispatched"


def test_a_point_in_another_district_is_shown_and_must_be_confirmed(
    live_server: str, page: Page, api: Api, backend: str
) -> None:
    login(page, live_server, "calltaker")
    page.keyboard.type("13800138000")
    page.locator("#address").focus()
    page.keyboard.type("鼓楼区湖滨路西湖公园")
    expect(page.locator("#address-places [role=option]").first).to_be_visible()
    page.keyboard.press("Escape")  # kept as said, not picked
    expect(page.locator("#address-places")).to_be_hidden()
    gulou, minhou = _districts(page)

    # A click far from every standard address keeps the point and says so.
    _click_centre(page, gulou)
    expect(page.locator("#map-note")).to_have_text("500 米内没有标准地址：保留点击的位置。")
    expect(page.locator("#lon")).not_to_have_value("")
    expect(page.locator("#address")).to_have_value("鼓楼区湖滨路西湖公园")

    # A click near one gives the nearest address and its distance; the typed address stays.
    _click_centre(page, minhou)
    expect(page.locator("#map-note")).to_contain_text(f"最近的标准地址：{SHANGJIE['full_text']}")
    expect(page.locator("#map-note")).to_contain_text("米")
    expect(page.locator("#lon")).to_have_value(f"{float(SHANGJIE['lon']):.6f}")
    expect(page.locator("#address")).to_have_value("鼓楼区湖滨路西湖公园")
    expect(page.locator(".place-use")).to_be_visible()

    page.locator("#category").focus()
    page.keyboard.type("dq")
    expect(page.locator("#category-list [role=option]").first).to_have_text("盗窃 2 级")
    page.keyboard.press("Enter")
    page.keyboard.press("Control+Enter")
    warning = page.locator("#place-warning")
    expect(warning).to_be_visible()
    # The sentence alone, not "地址：地址写的是…": the warning names the address itself.
    expect(warning.locator(".place-warning-text")).to_have_text(
        "地址写的是鼓楼区，定位点却在闽侯县：请核实地点后确认"
    )
    expect(page.locator("#place-confirm")).to_be_focused()
    shot(page, backend, "desk-place-contradiction")
    assert api.get("/incidents", "dispatcher").json()["total"] == 0  # nothing saved yet

    page.keyboard.press("Enter")  # the point is right: confirm and save
    expect(page.locator("#last a")).to_have_count(1)
    number = page.locator("#last a").inner_text()
    assert number.startswith("35012101-")
    assert _received(api, number)["place_confirmed"] == {"named": "鼓楼区", "located": "闽侯县"}
    expect(warning).to_be_hidden()


def test_an_address_matching_nothing_is_saved_as_no_point_and_the_board_says_so(
    live_server: str, page: Page, chromium_browser: Browser, api: Api
) -> None:
    login(page, live_server, "calltaker")
    page.keyboard.type("13800138000")
    page.locator("#address").focus()
    page.keyboard.type("鼓楼区无此路9号")
    expect(page.locator("#address-places")).to_contain_text("没有匹配的标准地址")
    page.keyboard.press("Escape")
    page.locator("#category").focus()
    page.keyboard.type("dq")
    expect(page.locator("#category-list [role=option]").first).to_have_text("盗窃 2 级")
    page.keyboard.press("Enter")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#last .no-point")).to_contain_text("无定位")
    number = page.locator("#last a").inner_text()
    assert api.get(f"/incidents/{number}", "dispatcher").json()["located"] is False

    board_context = chromium_browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="zh-CN"
    )
    board = board_context.new_page()
    login(board, live_server, "dispatcher")
    row = board.locator(f"tr[data-number='{number}']")
    expect(row.locator(".no-point-tag")).to_have_text("无定位")
    board.keyboard.press("ArrowDown")
    expect(board.locator("#panel p[role=note].no-point")).to_contain_text("无定位")
    expect(board.locator("#panel")).not_to_contain_text("暂无合适的空闲警组")
    board.keyboard.press("d")
    expect(board.locator("#panel .message")).to_contain_text("无定位")
    board.keyboard.press("u")  # picking by hand still works, and says why there are no times
    expect(board.locator("#dlg-pick .no-point")).to_be_visible()
    board_context.close()


def test_the_missing_person_form_picks_the_last_seen_place(
    live_server: str, page: Page, api: Api
) -> None:
    number = new_incident(api, category="missing_elderly", accept=True)["number"]
    login(page, live_server, "dispatcher")
    page.goto(f"{live_server}/missing/new?incident={number}")
    place = page.locator("input[name='last_seen.place']")
    expect(place).to_have_value("鼓楼区东街口")  # the incident's address, as said
    place.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("上街路")
    expect(page.locator("#last-seen-place-places [role=option]").first).to_contain_text(
        SHANGJIE["full_text"]
    )
    page.keyboard.press("Enter")
    expect(place).to_have_value(SHANGJIE["full_text"])
    expect(page.locator("input[name='last_seen.lon']")).to_have_value(
        f"{float(SHANGJIE['lon']):.6f}"
    )
    expect(page.locator(".place-picked")).to_contain_text("闽侯县")
    page.locator(".place-clear").click()
    expect(page.locator("input[name='last_seen.lon']")).to_have_value("")
    expect(page.locator("input[name='last_seen.lon']")).to_be_editable()


def test_a_long_description_of_the_place_is_not_searched_past_the_search_limit(
    live_server: str, page: Page
) -> None:
    login(page, live_server, "calltaker")
    refused: list[int] = []
    searched: list[str] = []

    def seen(response: Any) -> None:
        if "/api/v1/places?" in response.url:
            searched.append(response.url)
            if response.status >= 400:
                refused.append(response.status)

    page.on("response", seen)
    page.locator("#address").focus()
    page.keyboard.type("鼓楼区东街")
    expect(page.locator("#address-places")).to_be_visible()
    # Past 80 characters the call-taker is describing the place: no search, no list over the form.
    page.keyboard.type("口百货大楼北侧" * 12)
    page.keyboard.type("旁")
    expect(page.locator("#address-places")).to_be_hidden()
    page.wait_for_timeout(400)  # past the search's 150 ms pause: a search would have gone out
    assert searched, "the short address was searched"
    assert refused == []
