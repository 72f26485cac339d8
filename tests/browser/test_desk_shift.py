"""The desk through a shift of calls: a call answered while a record is being written never
changes that record; it waits in the banner and comes in once the record is saved, linked to
the phone call it was popped from. A dismissed or older call never pops again."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from tests.api.helpers import ok
from tests.browser.phone_steps import answered, ended, sit_at, use_phone
from tests.browser.steps import login, shot
from tests.conftest import Api
from tests.places_seed import SHANGJIE, WEST_LAKE, WEST_LAKE_GATE, seed_places

B, C, D, E = "13900000002", "13900000003", "13900000004", "13900000005"


@pytest.fixture(autouse=True)
def _phone_and_places(runtime: Runtime) -> None:
    use_phone(runtime)
    seed_places(runtime)


def _point(place: dict[str, str]) -> tuple[float, float]:
    return float(place["lon"]), float(place["lat"])


def _links(api: Api) -> dict[str, Any]:
    items = ok(api.get("/telephony/calls", "analyst"))["items"]
    return {c["call_id"]: c["call_record_id"] for c in items}


def _category(page: Page, name: str = "邻里纠纷") -> None:
    page.fill("#category", name)
    page.locator("#category").press("Enter")
    expect(page.locator("#guide li").first).to_be_visible()


def test_a_second_call_waits_over_a_record_being_written_and_comes_in_after_its_save(
    live_server: str, page: Page, api: Api, clock: VirtualClock, backend: str
) -> None:
    login(page, live_server, "calltaker")
    sit_at(page, "T01")
    answered(live_server, clock, "call-b", B, "T01", at=_point(WEST_LAKE))
    expect(page.locator("#caller_phone")).to_have_value(B)
    expect(page.locator("#address")).to_have_value(WEST_LAKE["full_text"])
    # The call-taker picks the place the caller names and writes what happened.
    page.fill("#address", "上街路8号")
    page.locator("#address").press("Enter")
    expect(page.locator("#address")).to_have_value(SHANGJIE["full_text"])
    page.fill("textarea[name=narrative]", "B的警情：东街口有人打架")
    ended(live_server, clock, "call-b")
    answered(live_server, clock, "call-c", C, "T01", at=_point(WEST_LAKE_GATE))

    # The banner says who is on the line now; the form is B's record, untouched.
    expect(page.locator("#phone-number")).to_have_text(C)
    expect(page.locator("#phone-waiting")).to_be_visible()
    expect(page.locator("#phone-where")).to_contain_text(WEST_LAKE_GATE["full_text"])
    expect(page.locator("#caller_phone")).to_have_value(B)
    expect(page.locator("#address")).to_have_value(SHANGJIE["full_text"])
    expect(page.locator("#lon")).to_have_value(f"{float(SHANGJIE['lon']):.6f}")
    expect(page.locator("textarea[name=narrative]")).to_have_value("B的警情：东街口有人打架")
    shot(page, backend, "desk-second-call-waits")

    _category(page)
    page.keyboard.press("Control+Enter")
    expect(page.locator("#last a")).to_have_count(1)
    number = page.locator("#last a").inner_text()
    # Saved: C comes into the blank form by itself, with its place and the keys in what happened.
    expect(page.locator("#caller_phone")).to_have_value(C)
    expect(page.locator("#address")).to_have_value(WEST_LAKE_GATE["full_text"])
    expect(page.locator("#phone-waiting")).to_be_hidden()
    expect(page.locator("textarea[name=narrative]")).to_be_focused()

    # B's record is linked to B's phone call, C's call to nothing yet.
    links = _links(api)
    assert links["call-c"] is None
    record = ok(api.get(f"/calls/{links['call-b']}", "analyst"))
    assert record["incident"] == number
    incident = ok(api.get(f"/incidents/{number}", "dispatcher"))
    assert incident["address"] == SHANGJIE["full_text"]
    assert incident["narrative"] == "B的警情：东街口有人打架"


def test_a_pop_replaces_only_a_pop_a_second_f4_clears_and_no_dismissed_or_older_call_returns(
    live_server: str, page: Page, api: Api, clock: VirtualClock
) -> None:
    login(page, live_server, "calltaker")
    sit_at(page, "T02")
    phone = page.locator("#caller_phone")
    what = page.locator("textarea[name=narrative]")
    answered(live_server, clock, "call-b", B, "T02")
    expect(phone).to_have_value(B)
    ended(live_server, clock, "call-b")
    # Nothing typed since B's pop: C takes the form.
    answered(live_server, clock, "call-c", C, "T02")
    expect(phone).to_have_value(C)
    expect(page.locator("#phone-waiting")).to_be_hidden()
    what.fill("打错了")
    ended(live_server, clock, "call-c")
    answered(live_server, clock, "call-d", D, "T02")
    expect(page.locator("#phone-number")).to_have_text(D)
    expect(page.locator("#phone-waiting")).to_be_visible()
    # One F4 over a record not saved only asks; the second clears it and loads D.
    page.keyboard.press("F4")
    expect(page.locator("#phone-waiting-text")).to_contain_text("再按一次 F4")
    expect(phone).to_have_value(C)
    expect(what).to_have_value("打错了")
    page.keyboard.press("F4")
    expect(phone).to_have_value(D)
    expect(what).to_have_value("")

    # 忽略: the pop goes, and with it what the pop had put in the form; nothing is recorded.
    page.locator("#phone-dismiss").click()
    expect(page.locator("#phone-call")).to_be_hidden()
    expect(phone).to_have_value("")
    page.reload()
    expect(page.locator("#phone-seat-state")).to_contain_text("T02")
    page.wait_for_timeout(500)
    expect(page.locator("#phone-call")).to_be_hidden()
    expect(phone).to_have_value("")
    assert ok(api.get("/calls", "analyst"))["total"] == 0

    # A call saved: neither it nor an older unrecorded call comes back into the blank form.
    answered(live_server, clock, "call-e", E, "T02")
    expect(phone).to_have_value(E)
    page.fill("#address", "上街路8号")
    page.locator("#address").press("Enter")
    expect(page.locator("#address")).to_have_value(SHANGJIE["full_text"])
    what.fill("邻居吵闹")
    _category(page)
    page.keyboard.press("Control+Enter")
    expect(page.locator("#last a")).to_have_count(1)
    expect(page.locator("#phone-call")).to_be_hidden()
    page.reload()
    expect(page.locator("#phone-seat-state")).to_contain_text("T02")
    page.wait_for_timeout(500)
    expect(page.locator("#phone-call")).to_be_hidden()
    expect(phone).to_have_value("")
    links = _links(api)
    assert [k for k, v in links.items() if v is not None] == ["call-e"]
    counts = ok(api.get("/telephony/counts", "analyst"))
    assert counts["unrecorded"] == 2  # B and C ended unrecorded; D is still on the line
