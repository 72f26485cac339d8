"""重复警情 at the desk: the fifth call from one number about one dispute warns in words with
its reasons while it is being taken, and F3 attaches it to the open incident instead of making a
sixth; a number that never called before shows nothing."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, Request, expect

from cad110.clock import VirtualClock
from tests.api.helpers import new_incident
from tests.browser.steps import login, shot
from tests.conftest import Api
from tests.world import GULOU_WEST

PHONE = "13912345678"


def test_the_fifth_call_warns_with_reasons_and_f3_attaches_it(
    live_server: str, page: Page, api: Api, clock: VirtualClock, backend: str
) -> None:
    numbers = []
    for _ in range(4):
        numbers.append(
            new_incident(api, caller_phone=PHONE, category="family_dispute", narrative="夫妻吵架")[
                "number"
            ]
        )
        clock.advance(timedelta(days=2))
    login(page, live_server, "calltaker")
    asked: list[Request] = []
    page.on("request", lambda r: asked.append(r) if r.url.endswith("/repeats/check") else None)
    page.locator("#caller_phone").press_sequentially(PHONE, delay=30)
    warning = page.locator("#repeat-warning")
    expect(warning).to_be_visible()
    expect(warning.locator(".repeat-headline")).to_have_text("重复警情：本号码30天内第5次报警")
    first = warning.locator("li").first
    expect(first).to_contain_text(numbers[-1])
    expect(first).to_contain_text("家庭纠纷")
    expect(first.locator(".repeat-why")).to_contain_text("同一报警号码")
    # The strongest three, and how many more (a phone's screen keeps the form in sight).
    expect(warning.locator("li")).to_have_count(3)
    expect(warning.locator(".repeat-more")).to_have_text("另有关联警情1起")
    # Picking the category adds the same kind of matter to the reasons (asked once more).
    page.fill("#lon", str(GULOU_WEST[0]))
    page.fill("#lat", str(GULOU_WEST[1]))
    page.fill("#category", "家庭纠纷")
    page.keyboard.press("Enter")
    expect(first.locator(".repeat-why")).to_contain_text("同类警情")
    expect(first.locator(".repeat-why")).to_contain_text("地点相近（0 m）")
    expect(page.locator("#repeat-attach code")).to_have_text(numbers[-1])
    page.fill("textarea[name=narrative]", "又来了，第五次")
    shot(page, backend, "desk-repeat-warning")
    page.keyboard.press("F3")
    expect(page.locator("#last")).to_contain_text("来电已并入警情")
    expect(page.locator("#last a")).to_have_text(numbers[-1])
    expect(warning).to_be_hidden()
    calls = api.get("/calls?outcome=attached", "dispatcher").json()["items"]
    assert [(c["incident"], c["note"]) for c in calls] == [(numbers[-1], "又来了，第五次")]
    # No sixth incident: the four there were, and no more.
    assert api.get(f"/incidents?caller_phone={PHONE}", "dispatcher").json()["total"] == 4
    # Asked once per change that matters, not per keystroke.
    assert 1 <= len(asked) <= 4


def test_a_number_that_never_called_shows_no_warning(live_server: str, page: Page) -> None:
    login(page, live_server, "calltaker")
    with page.expect_response(lambda r: r.url.endswith("/repeats/check")) as answer:
        page.locator("#caller_phone").press_sequentially("13700001111", delay=20)
    assert answer.value.json()["links"] == []
    expect(page.locator("#repeat-warning")).to_be_hidden()
    page.keyboard.press("F3")  # nothing to attach to: the key does nothing
    expect(page.locator("#last")).to_have_text("")
