"""A warning ignored twice climbs to an officer's phone and ends dissuaded (issue 15, item 8):
the SMS goes unheeded and the 96110 call is not answered, so the warning climbs to a visit;
the desk records a three-way call with the anti-fraud centre (T); the board sends a unit; the
officer's phone shows who (in full, the read recorded), where, the fraud type, what is at
stake, what to say and the level, with the 签收 and 到场 deadlines; the officer signs for it,
arrives and records it dissuaded with the amount protected; the desk shows it closed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from cad110.clock import VirtualClock
from cad110.fraud.supervise import run_ladder
from cad110.kernel.runtime import Runtime
from cad110.models.audit import AccessRecord
from tests.api.fraud_steps import EVENTS, WARNINGS, messages, post, read, result, signed_in, warning
from tests.api.helpers import ok, step_body
from tests.browser.hostile_text import attack
from tests.browser.steps import login, shot
from tests.browser.watch import Watch, page_as
from tests.conftest import Api

# A flow from start to end: on PostgreSQL as well (tests/browser/conftest.py).
pytestmark = pytest.mark.both_databases

UNIT = "35010201-1"
OFFICER = f"officer-{UNIT}"


def _phone(chromium_browser: Browser) -> Page:
    context = chromium_browser.new_context(
        viewport={"width": 390, "height": 844},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        is_mobile=True,
    )
    context.set_default_timeout(10_000)
    return context.new_page()


def _officer_reads(runtime: Runtime, number: str) -> list[str]:
    with runtime.sessions() as session:
        return list(
            session.scalars(
                select(AccessRecord.fields).where(
                    AccessRecord.username == OFFICER,
                    AccessRecord.subject_type == "fraud_warning",
                    AccessRecord.subject_id == number,
                )
            )
        )


def _climb_to_a_visit(api: Api, runtime: Runtime, clock: VirtualClock) -> tuple[str, str]:
    """A medium warning: its SMS at once, ignored; its call ten minutes later, not answered."""
    signed_in(runtime)
    number = post(api, clock, WARNINGS, warning("1")).json()["warning"]
    clock.advance(timedelta(minutes=10))
    assert run_ladder(runtime, clock.now()) == (1, 0)
    [task] = messages(runtime, "fraud_call")
    missed = post(api, clock, EVENTS, result("r1", "call_unanswered", task_id=task["task_id"]))
    assert missed.json() == {"ok": True, "applied": True}
    shown = read(api, number)
    assert shown["level"] == "high"
    assert [(s["kind"], s["state"]) for s in shown["steps"]] == [
        ("sms", "done"),
        ("call", "failed"),
        ("visit", "pending"),
    ]
    assert shown["incident"] is not None
    return number, shown["incident"]


def test_a_warning_ignored_twice_climbs_to_the_officers_phone_and_ends_dissuaded(
    api: Api,
    runtime: Runtime,
    clock: VirtualClock,
    live_server: str,
    page: Page,
    chromium_browser: Browser,
    backend: str,
) -> None:
    number, incident = _climb_to_a_visit(api, runtime, clock)

    # The desk brings the anti-fraud centre onto the line: T, kept in the warning's history.
    login(page, live_server, "calltaker")
    page.goto(f"{live_server}/fraud")
    expect(page.locator("#fw-number")).to_contain_text(number)
    page.keyboard.press("t")
    expect(page.locator("#fw-msg")).to_have_text("已记录三方通话")
    expect(page.locator("#fw-history li").last).to_contain_text("与反诈中心三方通话")

    ok(api.post(f"/incidents/{incident}/dispatch", "dispatcher", json={"units": [UNIT]}))
    phone = _phone(chromium_browser)
    login(phone, live_server, OFFICER)
    visit = phone.locator("#fraud-visit")
    expect(visit).to_contain_text(number)
    expect(visit.locator(".fv-name")).to_have_text("黄某某")
    expect(visit.locator(".fv-phone")).to_have_text("13800138000")
    expect(visit.locator(".fv-address")).to_have_text("鼓楼区东街口")
    expect(visit.locator(".fv-type")).to_have_text("虚假网络投资理财")
    expect(visit.locator(".fv-amount")).to_have_text("¥12000.00")
    expect(visit.locator(".fv-level")).to_have_text("高风险")
    expect(visit.locator(".fv-script")).to_contain_text("高回报")
    expect(phone.locator(".unit-due")).to_contain_text("签收时限")
    with phone.expect_navigation():
        phone.get_by_role("button", name="签收").click()
    expect(phone.locator(".unit-due")).to_contain_text("到场时限")
    # The person seen in full by the unit sent: one record, however often the page reloads.
    assert _officer_reads(runtime, number) == ["name,phone"]

    for step in ("depart", "arrive"):
        ok(api.post(f"/incidents/{incident}/units/{UNIT}/{step}", OFFICER, json=step_body(step)))
    # A fresh page: the old one reloads itself on each step's live push, and a reload landing
    # after the amount is typed would put the amount at risk back in its place.
    context = phone.context
    phone.close()
    phone = context.new_page()
    phone.goto(f"{live_server}/unit")
    expect(phone.locator(".assignment")).to_have_attribute("data-state", "arrived")
    form = phone.locator("#fraud-outcome")
    expect(form.locator("input[name=amount]")).to_have_value("12000.00")
    form.locator("input[name=amount]").fill("8000")
    form.locator("textarea[name=note]").fill("已在车站劝阻，未再转账")
    shot(phone, backend, "fraud-visit-phone")
    with phone.expect_navigation():
        form.get_by_role("button", name="劝阻成功").click()
    expect(phone.locator("#fraud-visit .fv-closed")).to_have_text("预警已结：劝阻成功 · ¥8000.00")

    closed = read(api, number)
    assert (closed["status"], closed["outcome"], closed["amount_protected"]) == (
        "closed",
        "dissuaded",
        "8000.00",
    )
    assert [s["state"] for s in closed["steps"]][-1] == "done"

    # The desk: gone from the open queue, shown closed with its outcome among the closed ones.
    page.goto(f"{live_server}/fraud")
    expect(page.locator(f'#fw-list li[data-number="{number}"]')).to_have_count(0)
    page.get_by_role("link", name="显示已结预警").click()
    row = page.locator(f'#fw-list li[data-number="{number}"]')
    expect(row).to_have_class(re.compile(r"\bclosed\b"))
    row.click()
    expect(page.locator("#fw-closed")).to_have_text("预警已结：劝阻成功 · ¥8000.00")
    expect(page.locator("#fw-work")).to_be_hidden()
    history = page.locator("#fw-history li")
    expect(history.filter(has_text="民警到场")).to_have_count(1)
    expect(history.last).to_contain_text("预警办结")
    phone.context.close()


def test_hostile_text_in_a_warning_shows_as_text_on_the_officers_phone(
    api: Api, runtime: Runtime, clock: VirtualClock, live_server: str, chromium_browser: Browser
) -> None:
    signed_in(runtime)
    name, address = attack("fv-name", 64), attack("fv-address", 255, start=1)
    # ¥300,000 at risk: urgent, an officer sent at once.
    posted = post(
        api,
        clock,
        WARNINGS,
        warning("1", name=name, address=address, amount_at_risk="300000.00"),
    )
    incident = read(api, posted.json()["warning"])["incident"]
    ok(api.post(f"/incidents/{incident}/dispatch", "dispatcher", json={"units": [UNIT]}))
    watch = Watch()
    phone = page_as(chromium_browser, watch, live_server, OFFICER, phone=True)
    phone.goto(f"{live_server}/unit")
    expect(phone.locator("#fraud-visit .fv-name")).to_have_text(name)
    expect(phone.locator("#fraud-visit .fv-address")).to_have_text(address)
    phone.context.close()
    watch.assert_clean()
