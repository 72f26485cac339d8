"""The whole flow in real browsers: call-taker, dispatcher, officer, leader."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.supervision.service import tick
from tests.browser.steps import login, shot
from tests.world import GULOU_WEST

# A flow from start to end: on PostgreSQL as well (tests/browser/conftest.py).
pytestmark = pytest.mark.both_databases


def test_call_to_close_through_the_console(
    live_server: str,
    page: Page,
    chromium_browser: Browser,
    runtime: Runtime,
    clock: VirtualClock,
    backend: str,
) -> None:
    # The dispatcher's board is open before the call comes in.
    login(page, live_server, "dispatcher")
    expect(page.locator("h1")).to_contain_text("在办警情")

    desk_context = chromium_browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="zh-CN"
    )
    desk = desk_context.new_page()
    login(desk, live_server, "calltaker")
    expect(desk).to_have_url(f"{live_server}/desk")
    desk.fill("#caller_phone", "13800138000")
    desk.fill("input[name=caller_name]", "王先生")
    desk.fill("#address", "鼓楼区东街口")
    desk.fill("#lon", str(GULOU_WEST[0]))
    desk.fill("#lat", str(GULOU_WEST[1]))
    desk.fill("textarea[name=narrative]", "电动车被盗，嫌疑人已离开")
    desk.fill("#category", "盗窃")
    expect(desk.locator("#category-list [role=option]").first).to_have_text("盗窃 2 级")
    desk.keyboard.press("Enter")
    expect(desk.locator("#guide li").first).to_be_visible()
    desk.keyboard.press("Control+Enter")
    expect(desk.locator("#last a")).to_have_text("35010201-20261123-0001")
    desk_context.close()

    # It appears on the dispatcher's board without a reload.
    row = page.locator("tr[data-number='35010201-20261123-0001']")
    expect(row).to_be_visible(timeout=5000)
    row.click()
    expect(page.locator("#panel ol.recommend li").first).to_be_visible()
    shot(page, backend, "board")
    page.keyboard.press("d")  # one key dispatches the recommended unit
    expect(page.locator("#panel .assignments")).to_contain_text("35010201-2")

    # The officer of the recommended unit walks it to arrival and feedback on a phone.
    phone_context = chromium_browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True
    )
    phone = phone_context.new_page()
    login(phone, live_server, "officer-35010201-2")
    expect(phone).to_have_url(f"{live_server}/unit")
    expect(phone.locator(".assignment")).to_contain_text("鼓楼区东街口")
    shot(phone, backend, "unit")
    for label in ("签收", "出动"):
        phone.get_by_role("button", name=label).click()
        phone.wait_for_load_state("networkidle")
    # 到场 the same second, 0.7 km from the scene: the page asks why before it records it.
    phone.get_by_role("button", name="到场").click()
    phone.fill("#arrive-reason textarea[name=reason]", "定位未更新，已在现场")
    with phone.expect_navigation():
        phone.get_by_role("button", name="确认到场").click()
    expect(phone.locator("#feedback")).to_be_visible()
    for box in phone.locator("input[name=guide]").all():
        box.check()
    phone.fill("textarea[name=summary]", "已勘查现场，调取监控")
    phone.get_by_role("button", name="反馈并结束").click()
    expect(phone.locator(".idle")).to_be_visible()
    phone_context.close()
    report = _report_of(runtime, "35010201-20261123-0001")
    assert report["guide"]
    assert all(item["done"] for item in report["guide"])

    # The dispatcher closes it.
    page.reload()
    page.locator("tr[data-number='35010201-20261123-0001']").click()
    page.get_by_role("button", name="结警").click()  # asks for a summary first
    page.fill("#dlg-close-summary", "已处置完毕")
    page.locator("#dlg-close button[type=submit]").click()
    expect(page.locator("tr[data-number='35010201-20261123-0001']")).to_have_count(0, timeout=5000)

    # A leader sees an overdue item: another incident whose unit never signs for it.
    leader_context = chromium_browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="zh-CN"
    )
    leader = leader_context.new_page()
    login(leader, live_server, "leader")
    expect(leader).to_have_url(f"{live_server}/supervise")
    _dispatch_and_let_it_run_late(runtime, clock)
    leader.reload()
    expect(leader.locator("tr[data-supervision]")).to_have_count(1)
    shot(leader, backend, "supervise")
    leader.fill("input[name=comment]", "立即电话督促")
    # The acknowledged row leaves the page; the live push that follows merges, never reloads.
    late = leader.locator("tr[data-supervision] td.number code").inner_text()
    leader.get_by_role("button", name="签阅").click()
    expect(leader.locator("tr[data-supervision]")).to_have_count(0)
    # Said with its incident, where the instruction now is.
    expect(leader.locator("#supervise-message")).to_have_text(f"已签阅 {late}，批示已记入该警情。")
    # Done, not refused: not in a refusal's red.
    expect(leader.locator("#supervise-message")).to_have_class("message done")
    leader.goto(f"{live_server}/incidents/35010201-20261123-0001")
    expect(leader.locator("table.events")).to_contain_text("officer-35010201-2")
    shot(leader, backend, "incident")
    leader_context.close()


def _report_of(runtime: Runtime, number: str) -> dict:  # type: ignore[type-arg]
    from sqlalchemy import select

    from cad110.models.incident import Incident

    with runtime.sessions() as session:
        incident = session.scalars(select(Incident).where(Incident.number == number)).one()
        return dict(incident.outcome["report"])


def _dispatch_and_let_it_run_late(runtime: Runtime, clock: VirtualClock) -> None:
    from sqlalchemy import select

    from cad110.auth.principal import principal_of
    from cad110.incidents.actions import act
    from cad110.incidents.intake import create_incident
    from cad110.incidents.schemas import DispatchBody, IncidentCreate
    from cad110.lifecycles.incident import Action
    from cad110.models.jurisdiction import Jurisdiction
    from cad110.models.user import User

    with transaction(runtime.sessions) as session:
        user = session.scalars(select(User).where(User.username == "dispatcher")).one()
        home = session.get(Jurisdiction, user.jurisdiction_code)
        assert home is not None
        dispatcher = principal_of(user, home)
        ctx = runtime.ctx(session, dispatcher, clock.now())
        data = IncidentCreate(
            address="鼓楼区", lon=GULOU_WEST[0], lat=GULOU_WEST[1], category="theft", accept=True
        )
        incident = create_incident(ctx, data, idempotency_key=None)
        act(ctx, incident.number, Action.DISPATCH, DispatchBody(units=["35010202-1"]))
    clock.advance(timedelta(minutes=5))
    with transaction(runtime.sessions) as session:
        tick(session, now=clock.now(), settings=runtime.settings)
