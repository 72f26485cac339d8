"""处警结果 in the browser: the officer records an arrest in the act, a loss and a recovery with
the feedback on the phone; the incident's record shows them; a correction strikes the wrong
entry (struck through, with who and why) and records the right one."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.api.helpers import new_incident, ok, walk_to_arrival
from tests.browser.steps import login, shot
from tests.conftest import Api

# A flow from start to end: on PostgreSQL as well (tests/browser/conftest.py).
pytestmark = pytest.mark.both_databases

UNIT = "35010201-1"
OFFICER = f"officer-{UNIT}"


def _outcomes(api: Api, number: str) -> dict[str, Any]:
    return ok(api.get(f"/incidents/{number}/outcomes", "dispatcher"))


def test_the_officer_records_the_outcome_on_the_phone_and_corrects_it_on_the_record(
    live_server: str, chromium_browser: Browser, api: Api, backend: str
) -> None:
    number = str(new_incident(api)["number"])  # theft: three required guide items
    walk_to_arrival(api, number, UNIT)

    context = chromium_browser.new_context(
        viewport={"width": 390, "height": 844},
        locale="zh-CN",
        is_mobile=True,
        timezone_id="Asia/Shanghai",
    )
    context.set_default_timeout(10_000)
    phone = context.new_page()
    login(phone, live_server, OFFICER)
    feedback = phone.locator("#feedback")
    for box in feedback.locator(".guide-item input[name=guide]").all():
        box.check()
    phone.fill("textarea[name=summary]", "现场抓获盗窃嫌疑人一名，追回部分赃款")
    quick = feedback.locator(".outcome-quick")
    expect(quick.locator("legend")).to_have_text("处警结果（如有）")
    quick.get_by_label("抓获人数").fill("1")
    # Unticked until the officer says the arrest was in the act (现行抓获率 counts it).
    expect(quick.get_by_label("现行抓获")).not_to_be_checked()
    quick.get_by_label("现行抓获").check()
    quick.get_by_label("损失金额（元）").fill("3,200")
    quick.get_by_label("挽回金额（元）").fill("2500.5")
    shot(phone, backend, "unit-outcome")
    # A slip of the keys is caught beside the field before anything is sent.
    quick.get_by_label("损失金额（元）").fill("3200元")
    phone.get_by_role("button", name="反馈并结束").click()
    expect(quick.locator(".field-error[data-field=loss]")).to_have_text(
        "请按元填写金额，如 1250 或 12.50"
    )
    assert _outcomes(api, number)["entries"] == []
    quick.get_by_label("损失金额（元）").fill("3,200")
    phone.get_by_role("button", name="反馈并结束").click()
    expect(phone.locator(".idle")).to_be_visible()

    recorded = _outcomes(api, number)
    assert [(e["kind"], e["unit"]) for e in recorded["entries"]] == [
        ("loss", UNIT),
        ("recovery", UNIT),
        ("arrest", UNIT),
    ]
    totals = recorded["totals"]
    assert (totals["loss_fen"], totals["recovered_fen"]) == (320000, 250050)
    assert (totals["arrested"], totals["arrested_in_the_act"]) == (1, 1)

    # Released, the unit finds the incident again among its recent ones.
    recent = phone.locator(".recent a", has_text=number)
    expect(recent).to_be_visible()
    recent.click()
    outcomes = phone.locator("#outcomes")
    expect(outcomes.locator("h2")).to_have_text("处警结果")
    arrest = outcomes.locator("li.outcome[data-kind=arrest]")
    expect(arrest).to_contain_text("抓获 · 1人 · 现行")
    expect(outcomes.locator("li.outcome[data-kind=recovery]")).to_contain_text("¥2,500.50")
    expect(outcomes.locator(".outcome-totals")).to_contain_text("抓获：1人")

    # It was two, and the second was caught later: strike the entry, record the right ones.
    arrest.get_by_role("button", name="划去").click()
    strike = outcomes.locator(".strike-form")
    strike.get_by_label("这条记录错在哪里？").fill("人数录错，实为两人")
    with phone.expect_navigation():
        strike.get_by_role("button", name="划去这条").click()
    struck = outcomes.locator("li.outcome.struck")
    expect(struck).to_have_count(1)
    expect(struck.locator("del")).to_contain_text("抓获 · 1人")
    expect(struck.locator(".struck-note")).to_contain_text("划去：人数录错，实为两人")
    expect(struck.get_by_role("button", name="划去")).to_have_count(0)

    form = outcomes.locator(".outcome-form")
    form.get_by_label("抓获", exact=True).check()
    form.get_by_label("抓获人数").fill("1")
    with phone.expect_navigation():
        form.get_by_role("button", name="记录结果").click()
    form.get_by_label("抓获人数").fill("1")
    form.get_by_label("现行抓获").uncheck()
    with phone.expect_navigation():
        form.get_by_role("button", name="记录结果").click()
    expect(outcomes.locator("li.outcome:not(.struck)[data-kind=arrest]")).to_have_count(2)
    expect(outcomes.locator(".outcome-totals")).to_contain_text("抓获：2人 (现行1人)")
    # A recovery above the loss is refused in words beside the amount.
    form.get_by_label("挽回", exact=True).check()
    form.get_by_label("金额（元）").fill("800")
    form.get_by_role("button", name="记录结果").click()
    expect(form.locator(".field-error[data-field=amount_fen]")).to_contain_text("超出已记录的损失")
    context.close()

    after = _outcomes(api, number)
    assert after["totals"]["arrested"] == 2
    assert after["totals"]["arrested_in_the_act"] == 1
    assert [e["struck"] for e in after["entries"]] == [False, False, True, False, False]

    # The dispatcher's record shows the same, the struck entry struck through.
    desk = chromium_browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    record = desk.new_page()
    login(record, live_server, "dispatcher")
    record.goto(f"{live_server}/incidents/{number}")
    expect(record.locator("#outcomes li.outcome.struck del")).to_contain_text("抓获 · 1人")
    expect(record.locator("table.events")).to_contain_text("划去处警结果")
    record.locator("#outcomes").scroll_into_view_if_needed()
    shot(record, backend, "record-outcomes")
    # The board's panel lists them too (the incident is still open: reported, not closed).
    record.goto(f"{live_server}/board")
    record.locator(f"tr[data-number='{number}']").click()
    panel = record.locator("article.incident #outcomes")
    expect(panel.locator("li.outcome")).to_have_count(5)
    expect(panel.locator("li.outcome.struck del")).to_have_count(1)
    expect(panel.locator(".outcome-form")).to_have_count(0)
    desk.close()
