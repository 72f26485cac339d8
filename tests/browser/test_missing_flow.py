"""寻人 in real browsers: a dispatcher opens the case of a missing elderly woman from the board,
forms the task group in one click; a leader approves a transfer to criminal investigation; the
case desk lists them."""

from __future__ import annotations

import re
import struct
import zlib

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from cad110.clock import VirtualClock
from tests.api.helpers import new_incident, ok
from tests.browser.steps import login, shot
from tests.conftest import Api
from tests.integration.missing_steps import open_case, person
from tests.world import GULOU_WEST, World

# A flow from start to end: on PostgreSQL as well (tests/browser/conftest.py).
pytestmark = pytest.mark.both_databases

DESK_MONITOR = {"width": 1920, "height": 1080}


def _context(browser: Browser, phone: bool = False) -> BrowserContext:
    if phone:
        context = browser.new_context(
            viewport={"width": 390, "height": 844},
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            is_mobile=True,
        )
    else:
        context = browser.new_context(
            viewport=DESK_MONITOR, locale="zh-CN", timezone_id="Asia/Shanghai"
        )
    context.set_default_timeout(10_000)
    return context


def _portrait() -> bytes:
    """A small grey head-and-shoulders PNG standing in for the family's photo."""
    width, height = 96, 120
    rows = []
    for y in range(height):
        row = bytearray([0])  # no filter
        for x in range(width):
            head = (x - 48) ** 2 + (y - 42) ** 2 < 22**2
            body = ((x - 48) / 42) ** 2 + ((y - 122) / 46) ** 2 < 1
            row += bytes((120, 130, 140) if head or body else (226, 232, 238))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


def test_a_missing_elderly_woman_from_the_board_to_the_case_desk(
    live_server: str,
    world: World,
    chromium_browser: Browser,
    clock: VirtualClock,
    backend: str,
) -> None:
    # Setup goes through the live server too, so that its screens are pushed every change.
    api = Api(httpx.Client(base_url=live_server, timeout=10), world)  # type: ignore[arg-type]
    incident = new_incident(
        api,
        category="missing_elderly",
        accept=True,
        address="鼓楼区西湖公园",
        narrative="母亲王秀英早上出门散步未归，患老年痴呆",
        caller_name="李芳",
        caller_phone="13900139000",
        lon=GULOU_WEST[0],
        lat=GULOU_WEST[1],
    )["number"]

    # The dispatcher opens the case form from the incident's panel on the board.
    desk_context = _context(chromium_browser)
    page = desk_context.new_page()
    login(page, live_server, "dispatcher")
    page.locator(f"tr[data-number='{incident}']").click()
    page.locator("#panel").get_by_role("link", name="寻人建档").click()
    expect(page).to_have_url(f"{live_server}/missing/new?incident={incident}")
    expect(page.locator("input[name='last_seen.place']")).to_have_value("鼓楼区西湖公园")
    expect(page.locator("input[name='informant.name']")).to_have_value("李芳")
    page.fill("input[name='person.name']", "王秀英")
    page.select_option("select[name='person.sex']", "female")
    page.fill("input[name='person.age']", "78")
    page.fill("input[name='person.birth_date']", "1990-05-01")  # a slip of the pen
    page.get_by_label("认知障碍（老年痴呆）").check()
    page.fill("input[name='person.details.height_cm']", "155")
    page.fill("input[name='person.details.clothing']", "蓝色棉袄，黑色裤子")
    page.fill("input[name='informant.relation']", "女儿")
    page.get_by_role("button", name="建档").click()
    # The API names the field; the form says which one, in Chinese, next to it.
    expect(page.locator("#open-case .form-msg")).to_contain_text("请检查")
    expect(page.locator("#open-case .form-msg")).to_contain_text("年龄")
    expect(page.locator("input[name='person.age']")).to_have_class(re.compile("invalid"))
    page.fill("input[name='person.birth_date']", "")
    page.get_by_role("button", name="建档").click()

    # The case page: the golden 72 hours tick from the time she was last seen.
    expect(page).to_have_url(f"{live_server}/missing/XR-{incident}")
    clock_box = page.locator(".clock-box .golden")
    expect(clock_box).to_contain_text("黄金72小时")
    expect(clock_box.locator("time")).to_have_text(re.compile(r"^7[12]:\d\d:\d\d$"))
    expect(page.locator(".firings")).to_contain_text("认知障碍")

    # One click forms the group: the commander and four specialist teams.
    page.get_by_role("button", name="一键建群").click()
    expect(page.locator(".team")).to_have_count(5)
    for team in ("指挥长", "情报专班", "刑侦专班", "网安专班", "巡特警专班"):
        expect(page.locator(".teams")).to_contain_text(team)
    expect(page.locator(".case-axis li.done")).to_have_count(3)  # last seen, opened, group
    # The family's photo, sent as the raw body with its content type.
    page.set_input_files(
        "input[data-photo-url]",
        files=[{"name": "wang.png", "mimeType": "image/png", "buffer": _portrait()}],
    )
    expect(page.locator(".photos img")).to_have_count(1)
    expect(page.locator(".photos img")).to_have_js_property("naturalWidth", 96)
    shot(page, backend, "missing-case")

    # An officer of the station reads it on a phone.
    phone_context = _context(chromium_browser, phone=True)
    phone = phone_context.new_page()
    login(phone, live_server, "officer-35010201-1")
    phone.goto(f"{live_server}/missing/XR-{incident}")
    expect(phone.locator(".clock-box")).to_be_visible()
    expect(phone.locator(".team")).to_have_count(5)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the case page is {width} px wide on a 390 px phone"
    shot(phone, backend, "missing-case-phone")
    # A note from the phone reaches the dispatcher's open case page without a reload.
    phone.locator("#journal input[name=text]").fill("已到闽江公园沿岸查找")
    phone.locator("#journal button[type=submit]").click()
    expect(phone.locator("#journal table")).to_contain_text("已到闽江公园沿岸查找")
    expect(page.locator("#journal table")).to_contain_text("已到闽江公园沿岸查找")
    phone_context.close()
    desk_context.close()

    # A boy of 12 with signs of harm at the scene: a transfer request waits for a leader.
    child = open_case(
        api,
        clock,
        category="missing_child",
        who=person("陈小明", "male", 12, signs=["harm_at_scene"]),
        place="鼓楼区东街口",
    )
    leader_context = _context(chromium_browser)
    leader = leader_context.new_page()
    login(leader, live_server, "leader")
    leader.goto(f"{live_server}/missing/{child['number']}")
    request = leader.locator("li.request.pending")
    expect(request).to_contain_text("移交刑侦")
    request.locator("input[name=comment]").fill("同意移交刑侦")
    request.get_by_role("button", name="批准").click()
    expect(leader.locator("li.request .state").first).to_have_text("已批准")
    expect(leader.locator(".case-axis li.done")).to_contain_text(["移交刑侦"])
    after = ok(api.get(f"/missing/{child['number']}", "leader"))
    assert (after["grade"], after["handling_unit"]) == (3, "criminal")

    # The case desk lists both, the urgent one on top with its clock.
    leader.get_by_role("link", name="寻人", exact=True).click()
    expect(leader).to_have_url(f"{live_server}/missing")
    rows = leader.locator("tr[data-case]")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("王秀英")
    expect(rows.first.locator(".golden")).to_be_visible()
    expect(rows.nth(1)).to_contain_text("陈小明")
    expect(rows.nth(1)).to_contain_text("刑侦")
    shot(leader, backend, "missing-desk")
    leader_context.close()
    api.client.close()
