"""督办 page: live changes are merged row by row; a leader's half-typed 批示 survives them."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from tests.browser.steps import login
from tests.browser.supervise_steps import dispatched, run_late
from tests.world import GULOU_EAST, GULOU_WEST


def test_a_half_typed_instruction_survives_live_changes(
    live_server: str, page: Page, runtime: Runtime, clock: VirtualClock
) -> None:
    first = dispatched(runtime, clock, "35010202-1", GULOU_EAST)
    run_late(runtime, clock)
    login(page, live_server, "leader")
    expect(page).to_have_url(f"{live_server}/supervise")
    rows = page.locator("tr[data-supervision]")
    expect(rows).to_have_count(1)
    row = rows.first
    # Units by name, steps and levels in Chinese.
    expect(row).to_contain_text("巡逻35010202-1")
    expect(row).to_contain_text("签收")
    expect(row).to_contain_text(first)
    page.evaluate("window.__sameDocument = true")  # gone if the page ever reloads
    comment = row.locator("input[name=comment]")
    comment.click()
    page.keyboard.type("请立即电话督促，十分钟内")

    # Live changes arrive: another incident runs late (a new row), and the first is escalated.
    second = dispatched(runtime, clock, "35010201-1", GULOU_WEST)
    run_late(runtime, clock)
    expect(page.locator("tr[data-supervision]", has_text=second)).to_have_count(1)
    expect(page.locator("#supervise-count")).to_have_text(str(rows.count()))

    # The leader's text and focus are where they were; the page was never reloaded.
    expect(comment).to_have_value("请立即电话督促，十分钟内")
    expect(comment).to_be_focused()
    assert page.evaluate("window.__sameDocument") is True
    page.keyboard.type("到场")
    expect(comment).to_have_value("请立即电话督促，十分钟内到场")


def test_rows_done_elsewhere_leave_and_new_ones_come_without_a_reload(
    live_server: str, page: Page, runtime: Runtime, clock: VirtualClock
) -> None:
    dispatched(runtime, clock, "35010202-1", GULOU_EAST)
    run_late(runtime, clock)
    login(page, live_server, "leader")
    rows = page.locator("tr[data-supervision]")
    expect(rows).to_have_count(1)
    page.evaluate("window.__sameDocument = true")
    # Another leader acknowledges it in their own tab: it leaves this page too.
    other = page.context.new_page()
    login(other, live_server, "leader")
    other.fill("input[name=comment]", "已电话督促")
    other.get_by_role("button", name="签阅").click()
    expect(other.locator("tr[data-supervision]")).to_have_count(0)
    expect(rows).to_have_count(0)
    expect(page.locator("tr.empty-row")).to_have_count(1)
    expect(page.locator("#supervise-count")).to_have_text("0")
    assert page.evaluate("window.__sameDocument") is True
