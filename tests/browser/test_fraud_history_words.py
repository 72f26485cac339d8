"""A warning's history on the desk says why in words, never in the ladder's codes: what kind of
signal it was graded from (`base:<kind>`), the rules that raised it, why it climbed, the 96110
call's result, the outcome and the bank's answer — in Chinese on the Chinese page and in English
on the English one. A centre's own rule, which the desk has no words for, is shown as it is;
the anti-fraud centre named on a three-way call is shown as it was typed."""

from __future__ import annotations

import json
import tomllib
from importlib import resources
from typing import Any, get_args

from playwright.sync_api import Browser, Page, expect

from cad110.clock import VirtualClock
from cad110.fraud.rules import KINDS, FraudRules, load_rules, parse_rules
from cad110.fraud.schemas import ResultKind
from cad110.kernel.runtime import Runtime
from cad110.models.fraud import FraudOutcome, FreezeStatus, StepKind
from tests.api.fraud_steps import EVENTS, WARNINGS, messages, post, read, result, signed_in, warning
from tests.api.helpers import ok
from tests.browser.steps import english_page, login
from tests.conftest import Api

# A rule of the centre's own, beside the shipped ones: the desk has no words for its reason.
CENTRE_RULE = "centre_watch_list"
CENTRE = "市反诈中心 3号席"
# The codes that must never reach the screen as they are.
CODES = (
    "base:",
    "fraud_app",
    "fraud_call",
    "new_signal",
    "repeat_within_hours",
    "earlier_step_ignored",
    "call_unanswered",
)


def _with_a_centre_rule(runtime: Runtime) -> None:
    raw = tomllib.loads(resources.files("cad110.fraud").joinpath("rules.toml").read_text("utf-8"))
    raw["rules"].append({"reason": CENTRE_RULE, "kinds": ["fraud_app"], "raise": 1})
    runtime.parts = {**runtime.parts, FraudRules: parse_rules(raw)}


def _a_warning_with_a_long_history(api: Api, runtime: Runtime, clock: VirtualClock) -> str:
    """A fraud app warning (low, raised to medium by the centre's rule: the SMS goes); then a
    fraud number calls the same person (medium, warned again, the SMS ignored: urgent); the
    96110 call is not answered (kept at urgent, 督办); a three-way call; the money is lost, and
    the bank freezes the account."""
    signed_in(runtime)
    _with_a_centre_rule(runtime)
    number = post(api, clock, WARNINGS, warning("1", kind="fraud_app")).json()["warning"]
    joined = post(api, clock, WARNINGS, warning("2", kind="fraud_call"))
    assert joined.json() == {"warning": number, "level": "urgent", "created": False}
    [call] = [s for s in read(api, number)["steps"] if s["kind"] == "call"]
    unanswered = result("r1", "call_unanswered", task_id=call["task_id"])
    assert post(api, clock, EVENTS, unanswered).json()["applied"] is True
    three_way = api.post(
        f"/fraud/warnings/{number}/three-way-call", "calltaker", json={"centre": CENTRE}
    )
    ok(three_way)
    freeze = {
        "bank": "中国工商银行",
        "account": "6222020200112233445",
        "amount": "12000.00",
        "at": "2026-11-23T09:50:00+08:00",
    }
    body = {"outcome": "lost", "amount_lost": "12000.00", "freeze": freeze}
    ok(api.post(f"/fraud/warnings/{number}/outcome", "calltaker", json=body))
    [request] = messages(runtime, "fraud_freeze")
    frozen = result("b1", "freeze_done", request_id=request["request_id"])
    assert post(api, clock, EVENTS, frozen).json()["applied"] is True
    reasons = {h["kind"]: h["reasons"] for h in read(api, number)["history"]}
    assert reasons["warning_received"] == ["base:fraud_app", CENTRE_RULE]
    assert reasons["signal_joined"] == [
        "base:fraud_call",
        "repeat_within_hours",
        "earlier_step_ignored",
    ]
    assert reasons["level_raised"] == ["new_signal", "repeat_within_hours", "earlier_step_ignored"]
    assert reasons["level_kept"] == ["call_unanswered"]
    assert (reasons["call_result"], reasons["closed"], reasons["freeze_result"]) == (
        ["call_unanswered"],
        ["lost"],
        ["done"],
    )
    return number


def _history(page: Page, number: str) -> Any:
    page.locator(f'#fw-list li[data-number="{number}"]').click()
    return page.locator("#fw-history")


def _step(page: Page, kind: str) -> Any:
    return page.locator(f'#fw-history li[data-kind="{kind}"]')


def test_a_warnings_history_says_its_reasons_in_chinese_words(
    api: Api, runtime: Runtime, clock: VirtualClock, live_server: str, page: Page
) -> None:
    number = _a_warning_with_a_long_history(api, runtime, clock)
    login(page, live_server, "calltaker")
    page.goto(f"{live_server}/fraud?closed=1")
    history = _history(page, number)
    expect(_step(page, "warning_received")).to_contain_text(
        f"收到预警 · 反诈平台 · 线索类型：安装涉诈App · {CENTRE_RULE}"
    )
    expect(_step(page, "signal_joined")).to_contain_text(
        "线索类型：涉诈电话正在呼入 · 短时间内重复预警 · 此前已提醒，仍在继续"
    )
    expect(_step(page, "level_raised")).to_contain_text(
        "风险等级上调 · 反诈平台 · 又收到新线索 · 短时间内重复预警 · 此前已提醒，仍在继续"
    )
    expect(_step(page, "call_result")).to_contain_text("96110劝阻电话结果 · 反诈平台 · 未接通")
    expect(_step(page, "level_kept")).to_contain_text(
        "等级不变，提请督办 · 反诈平台 · 96110劝阻电话未接通"
    )
    expect(_step(page, "three_way_call")).to_contain_text(CENTRE)
    pushed = _step(page, "step_pushed").all_inner_texts()
    assert pushed
    assert all(any(w in t for w in ("预警短信", "96110劝阻电话", "上门见面劝阻")) for t in pushed)
    expect(_step(page, "closed")).to_contain_text("预警办结")
    expect(_step(page, "closed")).to_contain_text("已被骗")
    expect(_step(page, "freeze_result")).to_contain_text("银行回复")
    expect(_step(page, "freeze_result")).to_contain_text("账户已冻结")
    for code in (*CODES, "lost", "done"):
        expect(history).not_to_contain_text(code)

    # Every code the shipped rules and the ladder can give has its words on the page.
    words = json.loads(page.locator("#fw-reasons").text_content() or "{}")
    params = json.loads(page.locator("#fw-reason-params").text_content() or "{}")
    ladder = {r.reason for r in load_rules().rules}
    ladder |= {"new_signal", "call_unanswered", "sms_not_delivered"}
    ladder |= {f"{k.value}_not_done_in_time" for k in StepKind}
    for kind in ("warning_received", "signal_joined", "level_raised", "level_kept"):
        assert ladder | {"base:"} <= set(words[kind]), kind
    assert set(params["base"]) == set(KINDS)
    assert set(words["call_result"]) == {k for k in get_args(ResultKind) if k.startswith("call_")}
    assert set(words["freeze_result"]) == {s.value for s in FreezeStatus} - {"requested"}
    assert set(words["closed"]) == {o.value for o in FraudOutcome}


def test_a_warnings_history_says_its_reasons_in_english_words(
    api: Api,
    runtime: Runtime,
    clock: VirtualClock,
    live_server: str,
    chromium_browser: Browser,
) -> None:
    number = _a_warning_with_a_long_history(api, runtime, clock)
    page = english_page(chromium_browser, live_server, "calltaker")
    try:
        page.goto(f"{live_server}/fraud?closed=1")
        history = _history(page, number)
        expect(_step(page, "warning_received")).to_contain_text(
            f"Kind of signal: fraud app installed · {CENTRE_RULE}"
        )
        expect(_step(page, "signal_joined")).to_contain_text(
            "Kind of signal: fraud number calling now · Warned again within hours"
            " · Still going on after an earlier warning"
        )
        expect(_step(page, "level_raised")).to_contain_text("Another signal came in")
        expect(_step(page, "call_result")).to_contain_text("Not answered")
        expect(_step(page, "level_kept")).to_contain_text("96110 call not answered")
        expect(_step(page, "closed")).to_contain_text("Money already lost")
        expect(_step(page, "freeze_result")).to_contain_text("Account frozen")
        for code in CODES:
            expect(history).not_to_contain_text(code)
    finally:
        page.context.close()
