"""The anti-fraud warning figures (反诈预警) through the platforms' own signed feed, on both
databases: warnings received by level, type and the user who recorded the outcome, reached in
time (the first call or visit done within its level's limit), dissuaded, the money protected,
lost and frozen — exact raw, the same from the rollups, and a warning's later outcome making
its received day stale at once; the 通报's sentence and the summary's."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.fraud.supervise import run_ladder
from cad110.kernel.runtime import Runtime
from cad110.stats import rollups, service
from cad110.stats.report.content import build_content
from cad110.stats.report.text import anti_fraud, sections
from cad110.stats.rollup_job import build_days
from cad110.stats.rules import load_rules
from cad110.stats.schemas import Summary
from tests.api.fraud_steps import ELDERLY, EVENTS, WARNINGS, messages, post, signed_in, warning
from tests.api.helpers import ok
from tests.api.rollup_steps import CITY
from tests.api.stats_page_steps import login, stats_config
from tests.conftest import Api

FIRST = date(2026, 11, 23)  # START's local day
UNTIL = FIRST + timedelta(days=1)
KEYS = (
    "fraud_warnings",
    "fraud_dissuaded",
    "fraud_amount_protected",
    "fraud_amount_lost",
    "fraud_amount_frozen",
)
RATES = ("fraud_reached_in_time", "fraud_dissuasion_rate")


def _result(clock: VirtualClock, event_id: str, kind: str, **ref: object) -> dict[str, Any]:
    return {"event_id": event_id, "type": kind, "at": clock.now().isoformat(), **ref}


def _task(runtime: Runtime, number: str) -> str:
    [task] = [m for m in messages(runtime, "fraud_call") if m["warning"] == number]
    return str(task["task_id"])


def _history(api: Api, runtime: Runtime, clock: VirtualClock) -> tuple[str, str, str]:
    """Three warnings on START's day, three people: a medium one whose call is answered in
    time and who is dissuaded (¥12,000 protected, recorded by the call-taker); a high one (an
    elderly person) whose call goes unanswered, who loses ¥5,000 of which the bank freezes
    ¥4,000 (recorded by the dispatcher); a low one (an app) left open with its SMS only."""
    signed_in(runtime)
    medium = post(api, clock, WARNINGS, warning("m", phone="13800000001")).json()
    high = post(api, clock, WARNINGS, warning("h", phone="13800000002", id_number=ELDERLY)).json()
    low = post(api, clock, WARNINGS, warning("l", phone="13800000003", kind="fraud_app")).json()
    assert [w["level"] for w in (medium, high, low)] == ["medium", "high", "low"]
    clock.advance(timedelta(minutes=10))
    run_ladder(runtime, clock.now())  # medium's call task falls due
    clock.advance(timedelta(minutes=5))
    answered = _result(clock, "a1", "call_answered", task_id=_task(runtime, medium["warning"]))
    assert post(api, clock, EVENTS, answered).json()["applied"] is True
    missed = _result(clock, "a2", "call_unanswered", task_id=_task(runtime, high["warning"]))
    assert post(api, clock, EVENTS, missed).json()["applied"] is True
    ok(
        api.post(
            f"/fraud/warnings/{medium['warning']}/outcome",
            "calltaker",
            json={"outcome": "dissuaded"},
        )
    )
    freeze = {
        "bank": "中国工商银行",
        "account": "6222020200112233445",
        "amount": "5000.00",
        "at": clock.now().isoformat(),
    }
    ok(
        api.post(
            f"/fraud/warnings/{high['warning']}/outcome",
            "dispatcher",
            json={"outcome": "lost", "amount_lost": "5000.00", "freeze": freeze},
        )
    )
    [request] = messages(runtime, "fraud_freeze")
    done = _result(
        clock, "b1", "freeze_done", request_id=request["request_id"], frozen_amount="4000.00"
    )
    assert post(api, clock, EVENTS, done).json()["applied"] is True
    return medium["warning"], high["warning"], low["warning"]


def _both(runtime: Runtime, f: service.Filters, group_by: Any = None) -> tuple[Summary, Summary]:
    with transaction(runtime.sessions) as session:
        ctx = runtime.ctx(session, CITY)
        return (
            service.summary(ctx, f, group_by, rolled=False),
            service.summary(ctx, f, group_by),
        )


def _figures(figures: list[Any]) -> tuple[Any, ...]:
    values = {f.key: f.value for f in figures}
    counts = tuple(values[k].count for k in KEYS)
    rates = tuple((values[k].numerator, values[k].denominator) for k in RATES)
    return counts + rates


def test_fraud_figures_exact_raw_and_rolled_through_the_feed(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    _, _, low = _history(api, runtime, clock)
    day = service.Filters(FIRST, UNTIL)
    raw, _ = _both(runtime, day)
    assert _figures(raw.figures) == (3, 1, 1_200_000, 500_000, 400_000, (1, 2), (1, 2))
    assert raw.fraud_notice == (
        "本期接收反诈预警3条，劝阻成功1人，避免损失1.2万元，被骗损失0.5万元，止付冻结0.4万元，"
        "劝阻成功率50.00%，预警及时见面率50.00%。"
    )
    # Rollups of the day, built the next day: the same figures.
    clock.advance(timedelta(days=1))
    build_days(
        runtime.sessions,
        runtime.catalog,
        load_rules(),
        runtime.settings.tz,
        list(rollups.days_of(FIRST, UNTIL)),
        clock.now(),
    )
    raw, rolled = _both(runtime, day)
    assert rolled == raw
    # The open warning closed a day later: its received day's rollup is stale at once.
    ok(api.post(f"/fraud/warnings/{low}/outcome", "calltaker", json={"outcome": "false_alarm"}))
    raw, rolled = _both(runtime, day)
    assert _figures(raw.figures) == (3, 1, 1_200_000, 500_000, 400_000, (1, 2), (1, 3))
    assert rolled == raw
    # By level, type and who recorded the outcome (read raw); other figures do not group so.
    by_level, _ = _both(runtime, day, "fraud_level")
    # The level a warning reached: the unanswered call climbed the high one to urgent.
    assert [(g.key, g.label) for g in by_level.groups] == [
        ("low", "低风险"),
        ("medium", "中风险"),
        ("urgent", "紧急"),
    ]
    groups = {g.key: _figures(g.figures) for g in by_level.groups}
    assert groups["urgent"] == (1, 0, 0, 500_000, 400_000, (0, 1), (0, 1))
    assert groups["medium"] == (1, 1, 1_200_000, 0, 0, (1, 1), (1, 1))
    assert all(
        f.value is None for g in by_level.groups for f in g.figures if f.key == "calls_total"
    )
    by_officer, _ = _both(runtime, day, "officer")
    assert {g.key: _figures(g.figures)[:2] for g in by_officer.groups} == {
        "calltaker": (2, 1),
        "dispatcher": (1, 0),
    }
    by_type, _ = _both(runtime, day, "fraud_type")
    assert [g.key for g in by_type.groups] == ["fake_investment"]
    # By station: the warnings' place is the station's ground.
    by_place, _ = _both(runtime, day, "jurisdiction")
    counts = {g.key: _figures(g.figures)[0] for g in by_place.groups}
    assert sum(counts.values()) == 3
    assert len([n for n in counts.values() if n]) == 1
    # A category filter: a warning has a type, no category.
    filtered, _ = _both(runtime, service.Filters(FIRST, UNTIL, category="theft"))
    assert {f.key: f.value for f in filtered.figures}["fraud_warnings"] is None
    assert filtered.fraud_notice == ""
    # Through the API, amounts in fen and marked as money; and in the 通报, numbered on.
    answer = ok(api.get(f"/stats/summary?since={FIRST}&until={UNTIL}", "analyst"))
    figures = {f["key"]: f["value"] for f in answer["figures"]}
    assert figures["fraud_amount_protected"]["count"] == 1_200_000
    definitions = {d["key"]: d for d in ok(api.get("/stats/figures", "analyst"))["figures"]}
    assert definitions["fraud_amount_frozen"]["money"] is True
    assert definitions["fraud_warnings"]["money"] is False
    grouped = ok(
        api.get(f"/stats/summary?since={FIRST}&until={UNTIL}&group_by=fraud_level", "analyst")
    )
    assert [g["label"] for g in grouped["groups"]] == ["低风险", "中风险", "紧急"]
    with transaction(runtime.sessions) as session:
        content = build_content(runtime.ctx(session, CITY), day)
    assert anti_fraud(content).startswith("本期接收反诈预警3条，劝阻成功1人，避免损失1.2万元")
    assert sections(content)[-1].startswith("七、反诈预警\n")


def test_the_wall_counts_todays_warnings_by_level_without_a_person(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    _history(api, runtime, clock)
    urgent = warning("u", phone="13800000004", amount_at_risk="300000.00", name="陈某某")
    assert post(api, clock, WARNINGS, urgent).json()["level"] == "urgent"
    answer = api.get("/stats/wall", "leader")
    assert answer.status_code == 200, answer.text
    block = answer.json()["fraud"]
    # The high warning climbed to urgent and closed; the new one is urgent and open.
    assert block == {
        "levels": [
            {"level": "low", "warnings": 1},
            {"level": "medium", "warnings": 1},
            {"level": "high", "warnings": 0},
            {"level": "urgent", "warnings": 2},
        ],
        "warnings": 4,
        "urgent_open": 1,
        "dissuaded": 1,
        "protected_fen": 1_200_000,
    }
    # Nothing of the people on the wall: neither their numbers nor their names.
    assert "1380000000" not in answer.text
    assert "陈某某" not in answer.text
    # A district with none of them: nothing, every level still listed.
    minhou = ok(api.get("/stats/wall", "leader", params={"jurisdiction": "350121"}))["fraud"]
    assert [x["warnings"] for x in minhou["levels"]] == [0, 0, 0, 0]
    assert (minhou["urgent_open"], minhou["protected_fen"]) == (0, 0)


def test_the_stats_page_has_the_fraud_section_and_groupings(api: Api) -> None:
    login(api, "analyst")
    page = api.client.get("/stats", params={"group_by": "fraud_type"})
    assert page.status_code == 200
    config = stats_config(page.text)
    sections = dict(config["sections"])
    assert sections["fraud"][0] == "fraud_warnings"
    assert "other" not in sections
    assert config["fraud_types"]["fake_investment"] == "虚假网络投资理财"
    assert config["group_by"] == "fraud_type"
    assert '<option value="officer">' in page.text
