"""Anti-fraud early warning: the platforms' warnings come in signed and once, are graded and put
on their ladder; a call not answered, a step not done in time or a new signal climbs the level
and pushes the next step (up to a visit through the ordinary dispatch); the outcome closes the
warning, a loss with a freeze request to the bank — on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.fraud.supervise import run_ladder
from cad110.kernel.runtime import Runtime
from cad110.models.audit import AccessRecord
from cad110.models.fraud import FraudSignal, FraudWarning
from cad110.models.incident import Incident
from cad110.models.supervision import Notification
from tests.api.fraud_steps import (
    ELDERLY,
    EVENTS,
    WARNINGS,
    id_number,
    login,
    messages,
    post,
    read,
    result,
    signed_in,
    warning,
)
from tests.api.helpers import ok, step_body
from tests.conftest import Api


def _count(runtime: Runtime, model: type[Any]) -> int:
    with transaction(runtime.sessions) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_warning_is_signed_taken_once_and_refused_whole_when_wrong(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    signed_in(runtime)
    body = warning("1")
    raw = json.dumps(body).encode()
    assert api.client.post(WARNINGS, content=raw).status_code == 401
    assert post(api, clock, WARNINGS, body, secret="not the secret").status_code == 401

    first = post(api, clock, WARNINGS, body)
    assert first.status_code == 201, first.text
    assert first.json() == {"warning": first.json()["warning"], "level": "medium", "created": True}
    number = first.json()["warning"]
    assert number.startswith("FW-")
    again = post(api, clock, WARNINGS, body)
    assert (again.status_code, again.json()) == (200, {**first.json(), "created": False})

    for wrong, field in (
        (warning("2", id_number=id_number("35010219900101123")[:17] + "0"), "id_number"),
        (warning("3", fraud_type="no_such_type"), "fraud_type"),
        (warning("4", amount_at_risk="12000"), "amount_at_risk"),
        (warning("5", phone="12"), "phone"),
        (warning("6", kind="rumour"), "kind"),
        (warning("7", score=101), "score"),
        ({**warning("8"), "surprise": 1}, "surprise"),
        (warning("9", at="yesterday"), "at"),
        ({k: v for k, v in warning("10").items() if k != "warning_id"}, "warning_id"),
    ):
        answer = post(api, clock, WARNINGS, wrong)
        assert answer.status_code == 422, (wrong, answer.text)
        assert any(d["loc"][-1] == field for d in answer.json()["detail"]), answer.json()
    lone = post(api, clock, WARNINGS, warning("11", lat=None))
    assert lone.status_code == 422
    # Nothing of the refused ones was kept.
    assert (_count(runtime, FraudWarning), _count(runtime, FraudSignal)) == (1, 1)

    # Medium: the 12381 text at once, through the SMS gateway's channel; the call waits.
    [sms] = messages(runtime, "sms")
    assert sms["phone"] == "13800138000"
    assert "96110" in sms["text"]
    assert "http" not in sms["text"]
    assert messages(runtime, "fraud_call") == []
    shown = read(api, number)
    assert (shown["level"], shown["fraud_type_zh"], shown["amount_at_risk"]) == (
        "medium",
        "虚假网络投资理财",
        "12000.00",
    )
    assert [s["kind"] for s in shown["steps"]] == ["sms"]
    assert shown["history"][0]["kind"] == "warning_received"
    assert shown["history"][0]["reasons"] == ["base:fraud_call"]


def test_grading_reads_age_amount_and_type_and_urgent_sends_an_officer_at_once(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    signed_in(runtime)
    elderly = post(api, clock, WARNINGS, warning("e", id_number=ELDERLY)).json()
    assert elderly["level"] == "high"
    app = post(
        api,
        clock,
        WARNINGS,
        warning("a", kind="fraud_app", phone="13900139000", amount_at_risk=None),
    ).json()
    assert app["level"] == "low"
    urgent = post(
        api,
        clock,
        WARNINGS,
        warning(
            "u", phone="13700137000", amount_at_risk="300000.00", fraud_type="impersonate_police"
        ),
    ).json()
    assert urgent["level"] == "urgent"
    shown = read(api, urgent["warning"])
    assert sorted(s["kind"] for s in shown["steps"]) == ["call", "visit"]
    assert "amount_at_least_300000" in shown["history"][0]["reasons"]
    incident = ok(api.get(f"/incidents/{shown['incident']}", "dispatcher"))
    assert (incident["category"], incident["grade"], incident["status"]) == (
        "telecom_fraud",
        1,
        "accepted",
    )
    assert urgent["warning"] in incident["narrative"]
    [task] = [m for m in messages(runtime, "fraud_call") if m["warning"] == urgent["warning"]]
    assert set(task) == {
        "task_id",
        "warning",
        "phone",
        "name",
        "fraud_type",
        "fraud_type_zh",
        "level",
        "script",
        "due_at",
    }
    assert (task["phone"], task["fraud_type_zh"], task["level"]) == (
        "13700137000",
        "冒充公检法",
        "urgent",
    )
    assert task["task_id"].startswith(f"{urgent['warning']}-call-")

    # Urgent cannot climb: a call not done in time is not pushed again, the duty desk of the
    # place is told (督办) once, and the visit runs on.
    clock.advance(timedelta(minutes=11))
    before = len(messages(runtime, "fraud_call"))
    run_ladder(runtime, clock.now())
    assert len(messages(runtime, "fraud_call")) == before
    again = read(api, urgent["warning"])
    assert [(s["kind"], s["state"]) for s in again["steps"]] == [
        ("visit", "pending"),
        ("call", "overdue"),
    ]
    assert again["history"][-1]["kind"] == "level_kept"
    with transaction(runtime.sessions) as session:
        [told] = session.scalars(select(Notification).where(Notification.kind == "fraud_escalated"))
        assert urgent["warning"] in told.message
        assert "96110劝阻电话超时未接通" in told.message  # in words, not call_not_done_in_time
        assert "_" not in told.message
        assert told.target_code == "35010201"


def test_a_call_not_answered_climbs_to_a_visit_and_the_officer_ends_it_dissuaded(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    signed_in(runtime)
    number = post(api, clock, WARNINGS, warning("1")).json()["warning"]
    assert run_ladder(runtime, clock.now()) == (0, 0)
    clock.advance(timedelta(minutes=10))
    assert run_ladder(runtime, clock.now()) == (1, 0)
    [task] = messages(runtime, "fraud_call")
    assert (task["warning"], task["level"], task["name"]) == (number, "medium", "黄某某")

    unsigned = api.client.post(EVENTS, content=json.dumps(result("r0", "call_answered")).encode())
    assert unsigned.status_code == 401
    assert (
        post(api, clock, EVENTS, result("r1", "call_answered", task_id="FW-999-call-9")).status_code
        == 404
    )
    assert post(api, clock, EVENTS, result("r2", "call_answered")).status_code == 422
    missed = post(api, clock, EVENTS, result("r3", "call_unanswered", task_id=task["task_id"]))
    assert missed.json() == {"ok": True, "applied": True}
    replay = post(api, clock, EVENTS, result("r3", "call_unanswered", task_id=task["task_id"]))
    assert replay.json() == {"ok": True, "applied": False}

    shown = read(api, number)
    assert shown["level"] == "high"
    assert [(s["kind"], s["state"]) for s in shown["steps"]] == [
        ("sms", "done"),
        ("call", "failed"),
        ("visit", "pending"),
    ]
    raised = [h for h in shown["history"] if h["kind"] == "level_raised"]
    assert raised[0]["reasons"] == ["call_unanswered"]
    incident = shown["incident"]
    assert incident is not None

    # The board sends the nearest unit as for any incident; its arrival does the visit.
    unit = "35010201-1"
    ok(api.post(f"/incidents/{incident}/dispatch", "dispatcher", json={"units": [unit]}))
    for step in ("acknowledge", "depart", "arrive"):
        ok(
            api.post(
                f"/incidents/{incident}/units/{unit}/{step}",
                f"officer-{unit}",
                json=step_body(step),
            )
        )
    # The officer sent reads the person in full; the read is recorded.
    officer_view = read(api, number, f"officer-{unit}")
    assert officer_view["phone"] == "13800138000"
    assert [s["state"] for s in officer_view["steps"]][-1] == "done"
    closed = ok(
        api.post(
            f"/fraud/warnings/{number}/outcome", f"officer-{unit}", json={"outcome": "dissuaded"}
        )
    )
    assert (closed["status"], closed["outcome"], closed["amount_protected"]) == (
        "closed",
        "dissuaded",
        "12000.00",
    )
    again = api.post(
        f"/fraud/warnings/{number}/outcome", "calltaker", json={"outcome": "false_alarm"}
    )
    assert again.status_code == 409
    with transaction(runtime.sessions) as session:
        assert session.scalar(
            select(Incident.category_code).where(Incident.number == incident)
        ) == ("telecom_fraud")
        # The officer is there and finishes the incident: the desk is not asked to call it off.
        moot = select(func.count()).where(Notification.kind == "fraud_visit_moot")
        assert session.scalar(moot) == 0
    events = ok(api.get(f"/incidents/{incident}/timeline", "dispatcher"))["events"]
    assert events[-1]["kind"] == "fraud_warning_closed"


def test_a_step_not_done_in_time_climbs_by_the_tick_and_a_new_signal_climbs_at_once(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    signed_in(runtime)
    number = post(api, clock, WARNINGS, warning("1")).json()["warning"]
    clock.advance(timedelta(minutes=10))
    run_ladder(runtime, clock.now())
    clock.advance(timedelta(minutes=61))
    assert run_ladder(runtime, clock.now()) == (1, 1)
    assert run_ladder(runtime, clock.now()) == (0, 0)  # once only
    shown = read(api, number)
    assert shown["level"] == "high"
    assert [(s["kind"], s["state"]) for s in shown["steps"]][1:] == [
        ("call", "overdue"),
        ("visit", "pending"),
    ]
    assert "call_not_done_in_time" in [r for h in shown["history"] for r in h["reasons"]]

    # The same person again, from another platform's id, while the warning is open: it joins.
    joined = post(api, clock, WARNINGS, warning("2", kind="suspicious_transfer"))
    assert joined.status_code == 200
    assert joined.json() == {"warning": number, "level": "urgent", "created": False}
    shown = read(api, number)
    assert shown["signals"] == 2
    assert shown["history"][-2]["kind"] in ("level_raised", "step_pushed")
    # Urgent: the visit is under way already, so the call goes with it.
    assert [s["kind"] for s in shown["steps"]][-1] == "call"


def test_a_loss_sends_a_freeze_request_and_the_banks_answer_is_kept(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    signed_in(runtime)
    number = post(api, clock, WARNINGS, warning("1")).json()["warning"]
    bad = api.post(f"/fraud/warnings/{number}/outcome", "calltaker", json={"outcome": "lost"})
    assert bad.status_code == 422
    freeze = {
        "bank": "中国工商银行",
        "account": "6222020200112233445",
        "amount": "12000.00",
        "at": "2026-11-23T09:50:00+08:00",
    }
    closed = ok(
        api.post(
            f"/fraud/warnings/{number}/outcome",
            "calltaker",
            json={"outcome": "lost", "amount_lost": "12000.00", "freeze": freeze},
        )
    )
    assert (closed["outcome"], closed["amount_lost"], closed["amount_protected"]) == (
        "lost",
        "12000.00",
        None,
    )
    [request] = messages(runtime, "fraud_freeze")
    assert set(request) == {"request_id", "warning", "bank", "account", "amount", "at"}
    assert (request["warning"], request["bank"], request["amount"]) == (
        number,
        "中国工商银行",
        "12000.00",
    )
    done = post(
        api,
        clock,
        EVENTS,
        result("b1", "freeze_done", request_id=request["request_id"], frozen_amount="11800.00"),
    )
    assert done.json()["applied"] is True
    [kept] = read(api, number)["freezes"]
    assert (kept["status"], kept["frozen_amount"]) == ("done", "11800.00")
    # A late "accepted" does not undo it.
    post(api, clock, EVENTS, result("b2", "freeze_accepted", request_id=request["request_id"]))
    assert read(api, number)["freezes"][0]["status"] == "done"
    # The pending call was dropped: the tick pushes nothing more for a closed warning.
    clock.advance(timedelta(hours=2))
    assert run_ladder(runtime, clock.now()) == (0, 0)


def test_the_queue_is_masked_by_level_then_age_and_a_full_read_is_recorded(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    signed_in(runtime)
    low = post(api, clock, WARNINGS, warning("1", kind="fraud_app", phone="13900139000"))
    high = post(api, clock, WARNINGS, warning("2", id_number=ELDERLY))
    queue = ok(api.get("/fraud/warnings", "dispatcher"))["items"]
    assert [w["number"] for w in queue] == [high.json()["warning"], low.json()["warning"]]
    assert queue[0]["phone"] == "138****8000"
    assert queue[0]["name"] == "黄**"
    assert queue[0]["id_number"].startswith("350102")
    assert "*" in queue[0]["id_number"]
    assert queue[0]["age"] == 76
    assert api.get("/fraud/warnings", "analyst").status_code == 403
    # The Minhou dispatcher does not see a Gulou warning at all.
    assert (
        api.get(f"/fraud/warnings/{high.json()['warning']}", "minhou_dispatcher").status_code == 404
    )
    full = read(api, high.json()["warning"])
    assert (full["phone"], full["name"], full["id_number"]) == ("13800138000", "黄某某", ELDERLY)
    with transaction(runtime.sessions) as session:
        records = list(
            session.scalars(
                select(AccessRecord).where(AccessRecord.subject_type == "fraud_warning")
            )
        )
    assert [(r.subject_id, r.username) for r in records] == [(high.json()["warning"], "calltaker")]
    # The auditor finds that read among the records about subjects in the auditor's scope.
    found = ok(api.get("/access-log", "auditor", params={"subject_type": "fraud_warning"}))
    assert [r["subject_id"] for r in found["items"]] == [high.json()["warning"]]


def test_the_warning_desk_page_lists_the_queue_masked_in_chinese_first(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    signed_in(runtime)
    number = post(api, clock, WARNINGS, warning("1", name="<b>黄</b>某")).json()["warning"]
    login(api, "calltaker")
    page = api.client.get("/fraud")
    assert page.status_code == 200
    assert "反诈预警台" in page.text
    assert "中风险" in page.text
    assert number in page.text
    # The person is masked in the page and escaped in its data.
    assert "13800138000" not in page.text
    assert "<b>" not in page.text
    api.client.get("/lang/en", follow_redirects=False)
    english = api.client.get("/fraud").text
    assert "Fraud warning desk" in english
    assert "Medium risk" in english
    api.client.get("/lang/zh_CN", follow_redirects=False)
    login(api, "analyst")
    assert api.client.get("/fraud").status_code == 403


def test_a_call_that_dissuades_closes_the_warning_with_the_amount_protected(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    signed_in(runtime)
    number = post(api, clock, WARNINGS, warning("1", id_number=ELDERLY)).json()["warning"]
    [task] = messages(runtime, "fraud_call")  # high: the call at once
    answered = post(api, clock, EVENTS, result("c1", "call_answered", task_id=task["task_id"]))
    assert answered.json()["applied"] is True
    shown = read(api, number)
    assert [(s["kind"], s["state"]) for s in shown["steps"]] == [("call", "done")]
    dissuaded = post(
        api, clock, EVENTS, result("c2", "call_dissuaded", task_id=task["task_id"], note="已劝阻")
    )
    assert dissuaded.status_code == 200
    closed = read(api, number)
    assert (closed["status"], closed["outcome"], closed["amount_protected"]) == (
        "closed",
        "dissuaded",
        "12000.00",
    )
    # Closed: the visit high would push after 30 minutes never comes.
    clock.advance(timedelta(hours=1))
    assert run_ladder(runtime, clock.now()) == (0, 0)
    assert closed["incident"] is None
