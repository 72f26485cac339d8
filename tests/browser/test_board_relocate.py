"""更正地点 on the board: an incident the desk saved without a point (无定位) is placed by the
dispatcher with the keys alone through the desk's own place search box, then dispatched with
`d`; another is placed by a click on the dialog's map, which takes the nearest standard
address. Hostile address text stays text."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from cad110.kernel.runtime import Runtime
from tests.api.helpers import new_incident, ok
from tests.browser.board_steps import api_of, open_board, open_panel
from tests.browser.steps import login, shot
from tests.conftest import Api
from tests.places_seed import SHANGJIE, WEST_LAKE, seed_places
from tests.world import World

UNIT = "35010201-1"
HOSTILE = '<img src=x onerror="document.title=1">'


@pytest.fixture(autouse=True)
def _places(runtime: Runtime) -> None:
    seed_places(runtime)


def _desk_saves_without_a_point(page: Page, base: str) -> str:
    """The call-taker types an address that matches no standard address and saves: 无定位."""
    login(page, base, "calltaker")
    page.keyboard.type("13800138000")
    page.locator("#address").focus()
    page.keyboard.type("鼓楼区无此路1号")
    page.keyboard.press("Escape")  # kept as said
    page.locator("textarea[name=narrative]").fill("电动车被偷了")
    page.locator("#category").focus()
    page.keyboard.type("dq")
    expect(page.locator("#category-list [role=option]").first).to_be_visible()
    page.keyboard.press("Enter")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#last .no-point")).to_be_visible()
    return page.locator("#last a").inner_text()


def test_an_unlocated_incident_is_placed_by_keys_alone_and_dispatched(
    live_server: str, page: Page, chromium_browser: Browser, api: Api, backend: str
) -> None:
    number = _desk_saves_without_a_point(page, live_server)
    assert ok(api.get(f"/incidents/{number}", "dispatcher"))["located"] is False

    context = chromium_browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    board = context.new_page()
    open_board(board, live_server)
    keys = board.keyboard
    keys.press("ArrowDown")
    panel = board.locator(f"#panel .incident[data-number='{number}']")
    expect(panel).to_be_visible()
    expect(panel.locator("p.no-point[role=note]")).to_be_visible()
    keys.press("l")
    dialog = board.locator("#dlg-relocate")
    expect(dialog).to_be_visible()
    expect(dialog.locator("h3")).to_have_text("更正地点")
    expect(dialog.locator(".relocate-now")).to_contain_text("鼓楼区无此路1号")
    address = board.locator("#dlg-relocate-address")
    expect(address).to_be_focused()
    keys.type("西湖公园")
    options = board.locator("#dlg-relocate-address-places [role=option]")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(options.first).to_contain_text(WEST_LAKE["full_text"])
    keys.press("Enter")
    expect(address).to_have_value(WEST_LAKE["full_text"])
    expect(dialog.locator(".place-where")).to_contain_text("鼓东派出所")
    expect(dialog.locator(".relocate-map .leaflet-marker-icon")).to_have_count(1)
    # The board's own "known at this place" under the map is not the dialog's business.
    expect(board.locator('.place-known[data-source="pick"]')).to_be_hidden()
    for _ in range(12):  # on through the box's buttons and the map's controls to the reason
        if board.evaluate("document.activeElement.id") == "dlg-relocate-reason":
            break
        keys.press("Tab")
    expect(board.locator("#dlg-relocate-reason")).to_be_focused()
    keys.type("报警人补充：在西湖公园")
    box = dialog.bounding_box()
    assert box is not None
    assert box["y"] >= 0
    assert box["y"] + box["height"] <= 768  # the whole dialog fits a 1366×768 screen
    shot(board, backend, "board-relocate")
    keys.press("Enter")
    expect(dialog).to_be_hidden()

    # The panel, the row and the map follow; the recommendation is ranked from the new point.
    expect(panel.locator("p.no-point[role=note]")).to_have_count(0)
    expect(panel.locator("header .caller")).to_contain_text(WEST_LAKE["full_text"])
    expect(board.locator(f"tr[data-number='{number}']")).to_contain_text(WEST_LAKE["full_text"])
    expect(panel.locator("ol.recommend li").first).to_be_visible()
    expect(panel.locator(".place-known .pk-where")).to_have_text(WEST_LAKE["full_text"])
    expect(board.locator("#map .leaflet-interactive").first).to_be_attached()
    keys.press("d")
    expect(board.locator("#panel .assignments")).to_be_visible()
    context.close()
    moved = ok(api.get(f"/incidents/{number}", "dispatcher"))
    assert (moved["status"], moved["located"], moved["grid"]) == ("dispatched", True, "3501020101")
    kinds = [
        e["kind"] for e in ok(api.get(f"/incidents/{number}/timeline", "dispatcher"))["events"]
    ]
    assert kinds.count("relocate") == 1


def test_a_click_on_the_dialogs_map_takes_the_nearest_standard_address(
    live_server: str, page: Page, world: World, backend: str
) -> None:
    with api_of(live_server, world) as remote:
        body = {
            "address": HOSTILE,
            "category": "theft",
            "accept": True,
            "caller_phone": "13800138000",
        }
        made = remote.post("/incidents", "calltaker", json=body)
        assert made.status_code == 201, made.text
        number = made.json()["number"]
        page.set_viewport_size({"width": 1366, "height": 768})
        open_board(page, live_server)
        page.locator(f"tr[data-number='{number}']").click()
        expect(page.locator(f"#panel .incident[data-number='{number}']")).to_be_visible()
        page.keyboard.press("l")
        dialog = page.locator("#dlg-relocate")
        expect(dialog.locator(".relocate-now")).to_contain_text(HOSTILE)
        expect(
            page.locator("#dlg-relocate .leaflet-tile-pane, #dlg-relocate .leaflet-pane").first
        ).to_be_attached()
        # The dispatcher pans to 闽侯 and clicks a few metres from 上街路8号.
        point = page.evaluate(
            "([lat, lon]) => { const m = document.querySelector('#dlg-relocate form')._map;"
            " m.setView([lat, lon], 16, {animate: false});"
            " const p = m.latLngToContainerPoint([lat, lon]); return {x: p.x, y: p.y}; }",
            [float(SHANGJIE["lat"]) + 0.0002, float(SHANGJIE["lon"])],
        )
        area = dialog.locator(".relocate-map").bounding_box()
        assert area is not None
        page.mouse.click(area["x"] + point["x"], area["y"] + point["y"])
        expect(dialog.locator(".relocate-map-note")).to_contain_text(SHANGJIE["full_text"])
        expect(page.locator("#dlg-relocate-address")).to_have_value(SHANGJIE["full_text"])
        page.locator("#dlg-relocate-reason").fill("地图核实")
        page.locator("#dlg-relocate button[type=submit]").click()
        expect(dialog).to_be_hidden()
        expect(page.locator("#panel header .caller")).to_contain_text(SHANGJIE["full_text"])
        assert page.locator("img[src=x]").count() == 0
        assert page.title() != "1"
        moved = ok(remote.get(f"/incidents/{number}", "dispatcher"))
        assert (moved["jurisdiction"], moved["located"]) == ("35012101", True)


def test_the_phone_of_a_unit_already_sent_shows_the_corrected_place(
    live_server: str, chromium_browser: Browser, world: World
) -> None:
    with api_of(live_server, world) as remote:
        body = {"address": "鼓楼区东街口", "lon": 119.29, "lat": 26.08, "category": "theft"}
        made = remote.post("/incidents", "calltaker", json={**body, "accept": True})
        assert made.status_code == 201, made.text
        number = made.json()["number"]
        ok(remote.post(f"/incidents/{number}/dispatch", "dispatcher", json={"units": [UNIT]}))
        context = chromium_browser.new_context(
            viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True
        )
        phone = context.new_page()
        login(phone, live_server, f"officer-{UNIT}")
        heading = phone.locator(".assignment h2")
        expect(heading).to_contain_text("鼓楼区东街口")
        move = {"place": WEST_LAKE["code"], "reason": "报警人更正"}
        ok(remote.post(f"/incidents/{number}/relocate", "dispatcher", json=move))
        expect(heading).to_contain_text(WEST_LAKE["full_text"])  # the live push reloads it
        context.close()


def test_the_same_correction_of_two_incidents_is_two_corrections(
    live_server: str, page: Page, api: Api
) -> None:
    # Two calls about one street, both saved without a point, both at the same version: the
    # dispatcher places each with the same pick and the same reason.
    numbers = [
        new_incident(api, address="鼓楼区无此路1号", lon=None, lat=None, accept=True)["number"]
        for _ in range(2)
    ]
    open_board(page, live_server)
    for number in numbers:
        open_panel(page, number)
        page.keyboard.press("l")
        dialog = page.locator("#dlg-relocate")
        expect(dialog).to_be_visible()
        page.locator("#dlg-relocate-address").fill("西湖公园")
        option = page.locator("#dlg-relocate-address-places [role=option]").first
        expect(option).to_contain_text(WEST_LAKE["full_text"])
        page.keyboard.press("Enter")
        page.locator("#dlg-relocate-reason").fill("报警人补充：在西湖公园")
        page.keyboard.press("Enter")
        expect(dialog).to_be_hidden()
        # The panel and the rows are reloaded with the place before the next row is clicked.
        expect(page.locator(f"tr[data-number='{number}']")).to_contain_text(WEST_LAKE["full_text"])
        expect(page.locator("#panel p.no-point[role=note]")).to_have_count(0)
    for number in numbers:
        assert ok(api.get(f"/incidents/{number}", "dispatcher"))["located"] is True


# 闽侯县公安局's outline in tests/world.py: (west, south, east, north).
MINHOU_BOX = (119.10, 26.10, 119.20, 26.20)


def test_the_dialogs_map_shows_the_district_of_an_incident_without_a_point(
    live_server: str, page: Page, api: Api
) -> None:
    # 连江县某村口 in the trial: an address that names its district and no more.
    made = new_incident(api, address="闽侯县某村口", lon=None, lat=None, accept=True)
    assert (made["jurisdiction"], made["located"]) == ("350121", False)
    open_board(page, live_server)
    open_panel(page, made["number"])
    page.keyboard.press("l")
    dialog = page.locator("#dlg-relocate")
    expect(dialog).to_be_visible()
    # Nothing picked yet: no place line, so no 清除定位 under the empty box.
    expect(dialog.locator(".place-picked")).to_be_hidden()
    expect(dialog.locator(".place-clear")).to_be_hidden()
    # The outlines are drawn (SVG paths in the dialog's map) and the map looks at 闽侯.
    expect(dialog.locator(".relocate-map .leaflet-overlay-pane path").first).to_be_attached()
    west, south, east, north = MINHOU_BOX
    page.wait_for_function(
        "([w, s, e, n]) => { const c = document.querySelector('#dlg-relocate .relocate-map')"
        ".dataset.centre; if (!c) return false; const [lat, lon] = c.split(',').map(Number);"
        " return lon > w && lon < e && lat > s && lat < n; }",
        arg=[west, south, east, north],
    )
    # No point, no marker; a pick puts one there and shows the place line with its button.
    expect(dialog.locator(".relocate-map .leaflet-marker-icon")).to_have_count(0)
    page.locator("#dlg-relocate-address").fill("上街路")
    option = page.locator("#dlg-relocate-address-places [role=option]").first
    expect(option).to_contain_text(SHANGJIE["full_text"])
    page.keyboard.press("Enter")
    expect(dialog.locator(".place-clear")).to_be_visible()
    expect(dialog.locator(".relocate-map .leaflet-marker-icon")).to_have_count(1)


def test_the_dialogs_map_opens_at_the_incidents_point_with_its_marker(
    live_server: str, page: Page, api: Api
) -> None:
    at = {"lon": float(SHANGJIE["lon"]), "lat": float(SHANGJIE["lat"])}
    made = new_incident(api, address=SHANGJIE["full_text"], accept=True, **at)
    open_board(page, live_server)
    open_panel(page, made["number"])
    page.keyboard.press("l")
    dialog = page.locator("#dlg-relocate")
    expect(dialog.locator(".relocate-map .leaflet-marker-icon")).to_have_count(1)
    expect(dialog.locator(".relocate-map .leaflet-overlay-pane path").first).to_be_attached()
    centre = dialog.locator(".relocate-map").get_attribute("data-centre")
    assert centre is not None
    lat, lon = (float(x) for x in centre.split(","))
    assert abs(lat - float(SHANGJIE["lat"])) < 1e-4
    assert abs(lon - float(SHANGJIE["lon"])) < 1e-4
