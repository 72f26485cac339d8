"""The ringing phone at the desk: the fake phone system (its own process, real HTTP) rings and
the desk's seat answers; the desk pops the caller's number and the carrier's location."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from cad110.auth.principal import SYSTEM
from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from cad110.places.importer import import_rows
from tests.api.helpers import ok
from tests.browser.steps import login, shot
from tests.conftest import Api
from tests.world import GULOU_WEST

SECRET = "the switch's shared secret"
# A hostile name, shown as text and never as markup.
PLACE = '鼓楼区东街口88号<img src=x id="pwned">'


@pytest.fixture
def fake_phone(runtime: Runtime, clock: VirtualClock, live_server: str) -> Iterator[str]:
    """The fake phone system as a subprocess sending to the live server; yields its URL."""
    runtime.settings.phone_events_secret = SECRET
    # The fake signs by the wall clock, as a real switch does: the server's clock is set to it.
    clock.set(datetime.now(UTC))
    command = [
        sys.executable,
        "-m",
        "cad110.telephony.fake",
        "--port",
        "0",
        "--target",
        live_server,
        "--secret",
        SECRET,
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603
    try:
        assert process.stdout is not None
        first = process.stdout.readline().split()
        assert first[:2] == ["listening", "on"], first
        yield f"http://127.0.0.1:{first[2]}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def a_place_at(runtime: Runtime, lon: float, lat: float) -> None:
    row = {
        "code": "T0001",
        "kind": "address",
        "name": PLACE,
        "full_text": PLACE,
        "district": "鼓楼区",
        "town": "",
        "community": "",
        "road": "",
        "house_number": "88",
        "building": "",
        "unit": "",
        "poi_type": "",
        "aliases": "",
        "lon": str(lon),
        "lat": str(lat),
        "approximate": "0",
    }
    with runtime.sessions() as session:
        report = import_rows(runtime.ctx(session, SYSTEM), [row], source="test")
        assert not report.rejected, report.rejected
        session.commit()


def test_an_answered_call_pops_and_goes_by_keys_alone_to_a_dispatch(
    live_server: str,
    page: Page,
    chromium_browser: Browser,
    runtime: Runtime,
    fake_phone: str,
    backend: str,
    api: Api,
) -> None:
    lon, lat = GULOU_WEST
    a_place_at(runtime, lon, lat)
    login(page, live_server, "calltaker")
    page.fill("#phone-seat", "A07")
    page.keyboard.press("Enter")
    expect(page.locator("#phone-seat-state")).to_contain_text("A07")
    expect(page.locator("#phone-call")).to_be_hidden()

    rang = httpx.post(
        f"{fake_phone}/ring",
        json={
            "caller": "13912345678",
            "seat": "A07",
            "lon": lon + 0.0004,
            "lat": lat,
            "accuracy_m": 150,
            "source": "carrier",
        },
        timeout=10,
    ).json()
    assert [r["status"] for r in rang["results"]] == [200, 200], rang

    expect(page.locator("#phone-call")).to_be_visible(timeout=5000)
    expect(page.locator("#caller_phone")).to_have_value("13912345678", timeout=5000)
    expect(page.locator("#phone-number")).to_have_text("13912345678")
    expect(page.locator("#phone-where")).to_contain_text(PLACE, timeout=5000)
    expect(page.locator("#pwned")).to_have_count(0)
    expect(page.locator("#lon")).to_have_value(f"{lon:.6f}")
    expect(page.locator("#lat")).to_have_value(f"{lat:.6f}")
    expect(page.locator("#phone-earlier")).to_have_text("此号码此前无来电")
    shot(page, backend, "desk-phone-pop")

    # Keyboard only from here, no coordinate typed: the pop put the keys in what happened.
    keys = page.keyboard
    expect(page.locator("textarea[name=narrative]")).to_be_focused()
    keys.type("楼上邻居吵架，有人拿刀")
    keys.press("Tab")
    expect(page.locator("#category")).to_be_focused()
    keys.type("邻里纠纷")
    keys.press("Enter")
    expect(page.locator("#guide li").first).to_be_visible()
    keys.press("Control+Enter")
    expect(page.locator("#last a")).to_have_count(1)
    number = page.locator("#last a").inner_text()
    expect(page.locator("#phone-call")).to_be_hidden(timeout=5000)
    [call] = ok(api.get("/telephony/calls", "analyst"))["items"]
    assert call["call_record_id"] is not None
    record = ok(api.get(f"/calls/{call['call_record_id']}", "analyst"))
    assert record["outcome"] == "incident_created"
    assert record["incident"] == number
    incident = ok(api.get(f"/incidents/{number}", "dispatcher"))
    assert (incident["lon"], incident["lat"]) == (lon, lat)  # the standard address's point

    # The dispatcher, keys only: the new row, then d for the recommended unit.
    board_context = chromium_browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="zh-CN"
    )
    board = board_context.new_page()
    login(board, live_server, "dispatcher")
    expect(board.locator(f"tr[data-number='{number}']")).to_be_visible()
    board.keyboard.press("ArrowDown")
    expect(board.locator("#panel ol.recommend li").first).to_be_visible()
    board.keyboard.press("d")
    expect(board.locator("#panel .assignments")).not_to_be_empty()
    board_context.close()
    assert ok(api.get(f"/incidents/{number}", "dispatcher"))["status"] == "dispatched"

    # A call answered at another seat does not pop here.
    other = httpx.post(
        f"{fake_phone}/ring", json={"caller": "13700000000", "seat": "B01"}, timeout=10
    ).json()
    assert [r["status"] for r in other["results"]] == [200, 200], other
    page.wait_for_timeout(500)
    expect(page.locator("#caller_phone")).to_have_value("")
    expect(page.locator("#phone-call")).to_be_hidden()


def test_a_seat_a_colleague_holds_is_taken_only_when_the_desk_says_so(
    live_server: str, page: Page, api: Api, backend: str
) -> None:
    ok(
        api.client.put(
            "/api/v1/telephony/seat", json={"seat": "A07"}, headers=api.as_("gulou_calltaker")
        )
    )
    login(page, live_server, "calltaker")
    asked: list[str] = []
    answers = iter([False, True])

    def answer(dialog: Dialog) -> None:
        asked.append(dialog.message)
        if next(answers):
            dialog.accept()
        else:
            dialog.dismiss()

    page.on("dialog", answer)
    seat, state = page.locator("#phone-seat"), page.locator("#phone-seat-state")
    # Asked once, with who holds it; declined, the desk stays without a seat and says why.
    seat.fill("A07")
    seat.press("Enter")
    expect(state).to_contain_text("坐席 A07 正由 gulou_calltaker 使用")
    expect(state).to_contain_text("未接管")
    expect(seat).to_have_value("")
    assert len(asked) == 1
    assert asked[0].startswith("坐席 A07 正由 gulou_calltaker 使用（"), asked[0]
    assert asked[0].endswith("接管？"), asked[0]
    assert ok(api.get("/telephony/seat", "gulou_calltaker"))["seat"] == "A07"
    assert ok(api.get("/telephony/seat", "calltaker"))["seat"] is None
    # Asked again and confirmed: the seat is this desk's, the colleague's desk lets it go.
    seat.fill("A07")
    seat.press("Enter")
    expect(state).to_contain_text("坐席 A07 接听的来电将在此弹出")
    assert len(asked) == 2
    assert ok(api.get("/telephony/seat", "calltaker"))["seat"] == "A07"
    assert ok(api.get("/telephony/seat", "gulou_calltaker"))["seat"] is None
    # Taken back by the colleague: on opening, the desk does not take its remembered seat, nor
    # ask; it says who has it.
    ok(
        api.client.put(
            "/api/v1/telephony/seat",
            json={"seat": "A07", "take_over": True},
            headers=api.as_("gulou_calltaker"),
        )
    )
    page.reload()
    expect(state).to_contain_text("坐席 A07 正由 gulou_calltaker 使用")
    assert len(asked) == 2
    assert ok(api.get("/telephony/seat", "gulou_calltaker"))["seat"] == "A07"
