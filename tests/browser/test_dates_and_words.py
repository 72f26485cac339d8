"""One way of writing a date on every screen, English words in sentence case, and hazard signs
the console's fonts can draw: the board's panel and its flags, and the incident's record, read
in English by a dispatcher at 1366×768."""

from __future__ import annotations

import re
import subprocess
from datetime import timedelta

from playwright.sync_api import Browser, expect

from cad110.kernel.runtime import Runtime
from tests.api.flag_steps import HOME_TEXT, add_place, place_flag
from tests.api.helpers import ok
from tests.browser.board_steps import api_of, dispatch, incident, open_panel
from tests.browser.steps import english_page, shot
from tests.world import GULOU_WEST, START, World

UNIT = "35010201-1"
FC_LIST = "/usr/bin/fc-list"  # fontconfig, installed with Chromium
# "12-01 01:27" (with seconds on the record): month and day in ISO order, in both languages.
WHEN = r"\d\d-\d\d \d\d:\d\d"


def _fonts_lack(text: str) -> set[str]:
    """The characters of `text` that no installed font has (Chromium draws them as a box), as
    fontconfig, which Chromium asks on Debian, answers."""
    lacking = set()
    for ch in {c for c in text if ord(c) > 0x7F}:
        command = [FC_LIST, f":charset={ord(ch):x}", "family"]
        found = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
        if not found.stdout.strip():
            lacking.add(ch)
    return lacking


def test_the_panel_and_the_record_read_one_way_in_english(
    live_server: str, chromium_browser: Browser, runtime: Runtime, world: World, backend: str
) -> None:
    add_place(runtime)
    with api_of(live_server, world) as api:
        number = incident(api, address=HOME_TEXT, lon=GULOU_WEST[0], lat=GULOU_WEST[1])
        place_flag(api, kind="firearm", expires_at=(START + timedelta(days=30)).isoformat())
        place_flag(api, kind="dog")
    page = english_page(chromium_browser, live_server, "dispatcher")
    try:
        open_panel(page, number)
        panel = page.locator("#panel")
        # Every action is a button in sentence case, like "Add unit" beside it.
        labels = [
            re.sub(r"\s+\S$", "", t.strip())  # without its key
            for t in panel.locator(".actions button").all_inner_texts()
        ]
        assert {"Queue", "Merge", "Transfer", "Invalidate", "Cancel incident"} <= set(labels)
        assert [x for x in labels if not x[:1].isupper()] == []
        assert page.locator("#dlg-transfer button[type=submit]").text_content() == "Transfer"
        expect(panel.locator(".incident h2 .status")).to_have_text("Accepted")

        # The flags: dated as every other screen dates, drawn signs, no character without a font.
        firearm = panel.locator(".pk-flag[data-kind=firearm]")
        expect(firearm.locator(".pk-meta")).to_have_text(
            re.compile(rf"^set by \S+ {WHEN} · until {WHEN}$")
        )
        dog = panel.locator(".pk-flag[data-kind=dog]")
        expect(dog.locator(".pk-meta")).to_have_text(
            re.compile(rf"^set by \S+ {WHEN} · until revoked$")
        )
        sign = firearm.locator(".pk-sign")
        assert sign.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(186, 37, 37)"
        box = sign.bounding_box()
        assert box is not None
        assert box["width"] > 10
        assert box["height"] > 10
        kinds = panel.locator(".pk-form select[name=kind]")
        expect(kinds.locator("optgroup").first).to_have_attribute("label", "Danger to life")
        shown = " ".join(
            panel.locator(".pk-flags").all_inner_texts() + kinds.locator("option").all_inner_texts()
        )
        assert "Firearm" in shown
        assert _fonts_lack(shown) == set()
        shot(page, backend, "en-board-panel-flags")

        # The record: stage and unit-table words in sentence case, times dated the same way,
        # and "#" only as wide as its numbers.
        with api_of(live_server, world) as api:
            dispatch(api, number, UNIT)
            ok(api.post(f"/incidents/{number}/units/{UNIT}/acknowledge", f"officer-{UNIT}"))
        page.goto(f"{live_server}/incidents/{number}")
        units = page.locator("table.record-units thead th")
        expect(units).to_have_text(
            ["Unit", "State", "Dispatched", "Acknowledged", "Departed", "Arrived", "Released"]
        )
        expect(page.locator("table.record-units tbody td").nth(1)).to_have_text("Acknowledged")
        cut = page.evaluate(
            """() => [...document.querySelectorAll('table.record-units th, table.record-units td')]
                 .filter((c) => c.scrollWidth > c.clientWidth + 1).map((c) => c.textContent)"""
        )
        assert cut == []
        expect(page.locator("h1 .status")).to_have_text("Acknowledged")
        expect(page.locator("ol.axis li span").first).to_have_text("Received")
        events = page.locator("table.events")
        expect(events.locator("tbody td").nth(1)).to_have_text(re.compile(rf"^{WHEN}:\d\d$"))
        number_box = events.locator("thead th").nth(0).bounding_box()
        event_box = events.locator("thead th").nth(2).bounding_box()
        assert number_box is not None
        assert event_box is not None
        assert number_box["width"] * 4 < event_box["width"], (number_box, event_box)
        shot(page, backend, "en-record-units-and-events")
        # On a phone too (an officer opens the record there).
        page.set_viewport_size({"width": 390, "height": 844})
        number_box = events.locator("thead th").nth(0).bounding_box()
        event_box = events.locator("thead th").nth(2).bounding_box()
        assert number_box is not None
        assert event_box is not None
        assert number_box["width"] * 2 < event_box["width"], (number_box, event_box)
    finally:
        page.context.close()
