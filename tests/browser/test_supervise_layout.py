"""督办 page readable at 1366×768 and on a phone: the number and the 签阅 button never cut,
countdowns in the board's words, levels and steps named in both languages, and an empty 批示
answered by the page in the user's language (not the browser's bubble)."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from tests.browser.steps import login
from tests.browser.supervise_steps import dispatched, run_late
from tests.world import GULOU_EAST, GULOU_WEST

# The test's clock stands still while the browser's runs on: the lateness may be hours.
OVERDUE_ZH = re.compile(r"^超时 (\d+小时\d+分|\d+分\d{2}秒)$")
OVERDUE_EN = re.compile(r"^overdue (\d+h \d+m|\d+m \d{2}s)$")


def _uncut(element: Locator) -> None:
    """The element shows all of its text, and all of it lies inside the window."""
    sizes = element.evaluate(
        "e => ({scroll: e.scrollWidth, client: e.clientWidth, right: e.getBoundingClientRect().right,"
        " width: window.innerWidth})"
    )
    assert sizes["scroll"] <= sizes["client"], sizes
    assert sizes["right"] <= sizes["width"], sizes


def _late_rows(runtime: Runtime, clock: VirtualClock) -> list[str]:
    numbers = [
        dispatched(runtime, clock, "35010202-1", GULOU_EAST),
        dispatched(runtime, clock, "35010201-1", GULOU_WEST),
    ]
    run_late(runtime, clock)
    return numbers


def test_numbers_and_the_button_are_whole_at_1366_and_countdowns_read_as_on_the_board(
    live_server: str, page: Page, runtime: Runtime, clock: VirtualClock
) -> None:
    numbers = _late_rows(runtime, clock)
    login(page, live_server, "leader")
    rows = page.locator("tr[data-supervision]")
    expect(rows).to_have_count(2)
    for number in numbers:
        row = page.locator("tr[data-supervision]", has_text=number)
        _uncut(row.locator("td.number"))
        _uncut(row.get_by_role("button", name="签阅"))
        _uncut(row.locator("input[name=comment]"))
        expect(row.locator("td.level")).to_have_text("派出所")
        expect(row.locator("td.step")).to_have_text("签收")
    # The level column takes what its word needs, not a seventh of the table.
    level_width = rows.first.locator("td.level").evaluate("e => e.getBoundingClientRect().width")
    assert level_width < 120
    # Passed deadlines read as the board says them: "超时 2分05秒", never "-2:05".
    expect(rows.first.locator("time[data-due]")).to_have_text(OVERDUE_ZH)


def test_on_a_phone_each_supervision_is_a_card_with_its_comment_and_button(
    live_server: str, page: Page, runtime: Runtime, clock: VirtualClock
) -> None:
    _late_rows(runtime, clock)
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, "leader")
    row = page.locator("tr[data-supervision]").first
    assert row.evaluate("e => getComputedStyle(e).display") == "block"
    expect(page.locator("table.supervise thead")).to_be_hidden()
    _uncut(row.locator("td.number code"))
    comment = row.locator("input[name=comment]")
    expect(comment).to_be_visible()
    _uncut(comment)
    assert comment.evaluate("e => e.getBoundingClientRect().width") > 200  # room to write in
    button = row.get_by_role("button", name="签阅")
    expect(button).to_be_visible()
    _uncut(button)
    # Each line says what it is.
    assert row.locator("td.due").evaluate("e => getComputedStyle(e, '::before').content") == (
        '"时限"'
    )


def test_an_empty_instruction_is_answered_by_the_page_in_the_users_language(
    live_server: str, page: Page, runtime: Runtime, clock: VirtualClock
) -> None:
    _late_rows(runtime, clock)
    login(page, live_server, "leader")
    row = page.locator("tr[data-supervision]").first
    form = row.locator("form.ack")
    assert form.evaluate("f => f.noValidate") is True
    row.get_by_role("button", name="签阅").click()
    expect(row.locator(".field-error")).to_have_text("请填写此项。")
    expect(row.locator("input[name=comment]")).to_be_focused()
    expect(page.locator("tr[data-supervision]")).to_have_count(2)  # nothing was sent


def test_levels_and_steps_are_words_in_english_too(
    live_server: str, page: Page, runtime: Runtime, clock: VirtualClock
) -> None:
    _late_rows(runtime, clock)
    login(page, live_server, "leader")
    page.goto(f"{live_server}/lang/en")
    page.goto(f"{live_server}/supervise")
    row = page.locator("tr[data-supervision]").first
    expect(row.locator("td.level")).to_have_text("Police station")
    expect(row.locator("td.step")).to_have_text("Acknowledgement")
    expect(row.locator("time[data-due]")).to_have_text(OVERDUE_EN)
    row.get_by_role("button", name="Acknowledge").click()
    expect(row.locator(".field-error")).to_have_text("Please fill this in.")
