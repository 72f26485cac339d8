"""A repeat case worked to solved on screen: the dispatcher opens it from an incident's record
(建档),
the owner records the tier's callback from the keyboard and a mediation, reports it solved once
no call came for the quiet days, and the leader approves it. The list and the case page fit
1366×768 and a phone's width."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.models.user import User
from tests.api.helpers import new_incident
from tests.browser.steps import login, shot
from tests.conftest import Api

# A flow from start to end: on PostgreSQL as well (tests/browser/conftest.py).
pytestmark = pytest.mark.both_databases

OFFICER = "officer-35010201-1"


def switch_to(page: Page, base: str, username: str) -> None:
    page.get_by_role("button", name="退出").click()
    login(page, base, username)


def fits(page: Page) -> None:
    """Nothing wider than the window: no sideways scrolling of the whole page."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] if page.viewport_size else True


def test_a_case_is_opened_worked_reported_and_approved_solved(
    api: Api, live_server: str, page: Page, backend: str, clock: VirtualClock, runtime: Runtime
) -> None:
    with transaction(runtime.sessions) as session:
        officer = session.scalars(select(User).where(User.username == OFFICER)).one()
        officer.display_name = "鼓东巡逻一组"
    incident = str(
        new_incident(
            api,
            category="family_dispute",
            narrative="夫妻吵架，第五次报警",
            # As long as a real one: the linked incidents' table still fits a phone's width.
            address="福州市鼓楼区东街街道东街口百货大楼北侧人行道公交站台旁边",
        )["number"]
    )
    login(page, live_server, "dispatcher")
    page.get_by_role("link", name="重复警情", exact=True).click()
    expect(page).to_have_url(f"{live_server}/repeats")
    # 建档 from the incident's record: the form comes with the incident's number.
    page.goto(f"{live_server}/incidents/{incident}")
    page.get_by_role("link", name="重复警情建档").click()
    form = page.locator("#repeat-open")
    expect(form.get_by_label("警情编号")).to_have_value(incident)
    # The type the incident's category suggests is chosen; a user may choose another.
    expect(form.locator("select[name=type]")).to_have_value("family")
    form.get_by_label("包案人（账号）").fill(OFFICER)
    form.get_by_role("button", name="建档").click()
    expect(page).to_have_url(f"{live_server}/repeats/CF-{incident}")
    head = page.locator(".case-head")
    expect(head).to_contain_text("家庭纠纷")
    expect(head).to_contain_text("在办")
    expect(head).to_contain_text("电话回访")
    # The owner is named as a person, not by the account name they log in with.
    expect(head).to_contain_text("鼓东巡逻一组")
    expect(head).not_to_contain_text(OFFICER)

    switch_to(page, live_server, OFFICER)
    page.goto(f"{live_server}/repeats/CF-{incident}")
    # The tier's callback, from the keyboard alone.
    page.get_by_label("回访走访情况").focus()
    page.keyboard.type("电话回访女方，情绪稳定")
    page.keyboard.press("Tab")
    page.keyboard.type("社区调解员")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    journal = page.locator(".journal")
    expect(journal).to_contain_text("回访走访完成")
    expect(journal).to_contain_text("电话回访女方，情绪稳定")
    entry = page.locator("form[data-action=journal]")
    entry.locator("select[name=kind]").select_option("mediation")
    entry.locator("select[name=result]").select_option("agreed")
    entry.get_by_label("内容").fill("会同社区调解，双方协议离婚")
    entry.get_by_role("button", name="记入档案").click()
    expect(journal).to_contain_text("达成协议")
    expect(journal.locator(".who").first).to_have_text("鼓东巡逻一组")

    clock.advance(timedelta(days=31))  # no new call for the quiet days (the session ended too)
    login(page, live_server, OFFICER)
    page.goto(f"{live_server}/repeats/CF-{incident}")
    report = page.locator("form[data-action=report]")
    report.get_by_label("化解情况").fill("双方已协议离婚，三十日无新报警")
    report.get_by_role("button", name="报结案").click()
    expect(head).to_contain_text("待审批")

    switch_to(page, live_server, "leader")
    page.goto(f"{live_server}/repeats/CF-{incident}")
    decision = page.locator("form[data-action=approve]")
    decision.get_by_label("批示").fill("同意")
    decision.get_by_role("button", name="同意结案").click()
    expect(head).to_contain_text("已化解")
    expect(journal).to_contain_text("审批通过：已化解")
    fits(page)
    shot(page, backend, "repeat-case")

    page.goto(f"{live_server}/repeats?status=solved")
    expect(page.locator("#repeat-list tbody tr")).to_have_count(1)
    fits(page)
    shot(page, backend, "repeat-cases")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/repeats/CF-{incident}")
    expect(head).to_contain_text("已化解")
    fits(page)
    # In English too, whose words are longer: the linked incidents' table scrolls in its box.
    page.goto(f"{live_server}/lang/en")
    page.goto(f"{live_server}/repeats/CF-{incident}")
    expect(head).to_contain_text("Solved")
    expect(page.locator(".linked td").nth(2)).to_have_text("Family dispute")
    fits(page)
