"""转12345 in the browser: the dispatcher transfers a move-car call from the board's panel; the
ticket goes to the fake 12345 platform (a process of its own), which works it and posts each
step back; the incident's record shows it handled, with the result, the department, the caller's
verdict and every step."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.kernel.outbox import deliver
from cad110.kernel.runtime import Runtime
from cad110.models.transfers import TicketStatus, TransferTicket
from tests.browser.board_steps import api_of, incident, open_board, open_panel
from tests.browser.steps import english_page, login, shot
from tests.hotline_fake import fake_hotline
from tests.places_seed import WEST_LAKE, seed_places
from tests.world import MINHOU, World

# A flow from start to end: on PostgreSQL as well (tests/browser/conftest.py).
pytestmark = pytest.mark.both_databases


def _status(runtime: Runtime) -> TicketStatus | None:
    with transaction(runtime.sessions) as session:
        return session.scalar(select(TransferTicket.status))


def test_a_transfer_to_12345_comes_back_handled_on_the_incident(
    live_server: str, page: Page, world: World, runtime: Runtime, clock: VirtualClock, backend: str
) -> None:
    with (
        fake_hotline(live_server, runtime, clock, pace_s=0.2),
        api_of(live_server, world) as api,
    ):
        number = incident(api, category="move_car", narrative="车辆堵住小区出口，联系不上车主")
        open_board(page, live_server)
        open_panel(page, number)
        page.keyboard.press("t")
        page.select_option("#dlg-transfer-to", "12345")
        page.locator("#dlg-transfer button[type=submit]").click()
        expect(page.locator(f"tr[data-number='{number}']")).to_have_count(0)

        page.goto(f"{live_server}/incidents/{number}")
        section = page.locator("#transfers")
        expect(section.locator(".ticket-status")).to_have_text("已转出")
        expect(section.locator(".ticket-steps li")).to_contain_text(["已转12345工单"])

        assert deliver(runtime.sessions, runtime.outbox_channels, clock.now()) == (1, 0)
        deadline = time.monotonic() + 15
        while _status(runtime) is not TicketStatus.CLOSED and time.monotonic() < deadline:
            time.sleep(0.1)
        page.reload()
        expect(section.locator(".ticket-status")).to_have_text("已回访")
        expect(section.locator(".ticket-result")).to_have_text("已联系当事人并协调处理完毕")
        expect(section).to_contain_text("区交警大队")
        expect(section).to_contain_text("求助 · 交通出行")
        expect(section).to_contain_text("按时办结")
        expect(section.locator(".ticket-steps li")).to_have_count(7)
        expect(section.locator(".ticket-steps li").nth(4)).to_contain_text("12345已办结")
        expect(section.locator(".ticket-steps li").last).to_contain_text("满意")
        shot(page, backend, "incident-12345-ticket")


def test_the_desk_shows_the_open_ticket_of_a_number_as_it_is_typed(
    live_server: str, page: Page, world: World
) -> None:
    with api_of(live_server, world) as api:
        call = {"outcome": "transferred_12345", "caller_phone": "13911112222", "note": "楼上漏水"}
        assert api.post("/calls", "calltaker", json=call).status_code == 201
    login(page, live_server, "calltaker")
    box = page.locator("#open-tickets")
    expect(box).to_be_hidden()
    page.fill("#caller_phone", "13911112222")
    expect(box).to_be_visible()
    expect(box.locator("li[data-ticket]")).to_have_count(1)
    expect(box.locator("li[data-ticket]")).to_contain_text("gd-1 求助 · 其他 · 已转出")
    expect(box).to_contain_text(
        "此号码现在来电将关联到其最新的未办结12345工单；以另一类别或地点转12345的另开工单。"
    )
    page.fill("#caller_phone", "13911113333")
    expect(box).to_be_hidden()


def test_the_desk_shows_the_ticket_it_just_made_when_the_number_rings_again(
    live_server: str, page: Page
) -> None:
    # The desk stays open all shift: a number looked up before its call was transferred is
    # asked again for the next call, not answered from what the first look-up found.
    login(page, live_server, "calltaker")
    box = page.locator("#open-tickets")
    with page.expect_response(lambda r: "/transfers/open" in r.url):
        page.fill("#caller_phone", "13911114444")
    expect(box).to_be_hidden()
    page.fill("textarea[name=narrative]", "路灯坏了")
    page.keyboard.press("F2")
    page.keyboard.press("2")
    expect(page.locator("#last")).to_contain_text("转 12345")
    page.fill("#caller_phone", "13911114444")
    expect(box.locator("li[data-ticket]")).to_have_count(1)
    expect(box.locator("li[data-ticket]")).to_contain_text("求助 · 其他 · 已转出")


def test_the_desks_transfer_takes_the_address_and_category_to_its_ticket(
    live_server: str, page: Page, runtime: Runtime
) -> None:
    seed_places(runtime)
    login(page, live_server, "calltaker")
    page.fill("#caller_phone", "13911115555")
    page.fill("#address", "西湖公园")
    options = page.locator("#address-places [role=option]")
    expect(options).to_have_count(2)
    page.keyboard.press("Enter")
    expect(page.locator("#address")).to_have_value(WEST_LAKE["full_text"])
    page.fill("#category", "市政设施故障")
    page.keyboard.press("Enter")
    page.fill("textarea[name=narrative]", "公园门口路灯不亮")
    page.keyboard.press("F2")
    page.keyboard.press("2")
    expect(page.locator("#last")).to_contain_text("转 12345")
    with transaction(runtime.sessions) as session:
        ticket = session.scalars(select(TransferTicket)).one()
        assert (ticket.address, ticket.category_code, ticket.hotline_topic) == (
            WEST_LAKE["full_text"],
            "municipal_facility",
            "municipal",
        )
        assert (ticket.lon, ticket.lat) == (float(WEST_LAKE["lon"]), float(WEST_LAKE["lat"]))
        assert ticket.words == "公园门口路灯不亮"
    # The number rings again: the desk shows what and where the open ticket is about.
    page.fill("#caller_phone", "13911115555")
    expect(page.locator("#open-tickets li[data-ticket]")).to_contain_text(
        f"求助 · 城乡建设 · 已转出 · {WEST_LAKE['full_text']}"
    )


def test_the_english_desk_says_the_open_tickets_status_in_english(
    live_server: str, chromium_browser: Browser, world: World
) -> None:
    with api_of(live_server, world) as api:
        call = {
            "outcome": "transferred_12345",
            "caller_phone": "13911116666",
            "category": "construction_noise",
        }
        assert api.post("/calls", "calltaker", json=call).status_code == 201
    page = english_page(chromium_browser, live_server, "calltaker")
    try:
        page.fill("#caller_phone", "13911116666")
        expect(page.locator("#open-tickets li[data-ticket]")).to_contain_text(
            "Complaint · Environment · Sent to 12345"
        )
    finally:
        page.context.close()


def test_a_transfer_whose_point_the_address_contradicts_is_recorded_once_confirmed(
    live_server: str, page: Page, runtime: Runtime
) -> None:
    seed_places(runtime)
    login(page, live_server, "calltaker")
    page.fill("#caller_phone", "13911117777")
    page.fill("#address", "鼓楼区湖滨路西湖公园")
    page.keyboard.press("Escape")
    page.fill("#lon", str(MINHOU[0]))
    page.fill("#lat", str(MINHOU[1]))
    page.keyboard.press("F2")
    page.keyboard.press("2")
    confirm = page.locator("#place-confirm")
    expect(confirm).to_be_visible()
    expect(confirm).to_have_text("定位无误，确认并记录来电")  # not "保存": no incident is made
    confirm.click()
    expect(page.locator("#last")).to_contain_text("转 12345")
    with transaction(runtime.sessions) as session:
        ticket = session.scalars(select(TransferTicket)).one()
        assert (ticket.jurisdiction_code, ticket.lon) == ("35012101", MINHOU[0])
