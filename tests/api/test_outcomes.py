"""处警结果 through the API: recorded as entries, struck never edited, refused where it cannot be
right, and every entry and strike an event on the incident's chain that the audit verifies."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, text

from cad110.audit.verify import verify
from cad110.clock import VirtualClock
from cad110.incidents.outcomes_repository import outcomes_in
from cad110.kernel.runtime import Runtime
from cad110.models.event import Event
from cad110.models.outcome import IncidentOutcome
from tests.api.helpers import new_incident, ok, report_body, walk_to_arrival
from tests.conftest import Api
from tests.world import START

UNIT = "35010201-1"
OFFICER = f"officer-{UNIT}"


def reported(api: Api) -> str:
    """An incident the unit has reported back on (反馈)."""
    number = str(new_incident(api)["number"])
    incident = walk_to_arrival(api, number, UNIT)
    ok(api.post(f"/incidents/{number}/handle", OFFICER, json={"note": "现场抓获一人"}))
    ok(api.post(f"/incidents/{number}/report", OFFICER, json=report_body(incident)))
    return number


def record(api: Api, number: str, user: str, body: dict[str, Any], **kw: Any) -> Any:
    return api.post(f"/incidents/{number}/outcomes", user, json=body, **kw)


def recorded(api: Api, number: str, user: str, body: dict[str, Any]) -> dict[str, Any]:
    response = record(api, number, user, body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def at(clock: VirtualClock, minutes: int = 0) -> str:
    return (clock.now() + timedelta(minutes=minutes)).isoformat()


def arrest(clock: VirtualClock, n: int = 1, in_the_act: bool = True) -> dict[str, Any]:
    return {"kind": "arrest", "arrested": n, "at": at(clock), "in_the_act": in_the_act}


def refusal(response: Any) -> tuple[int, list[str], str]:
    """(status, the field named, the machine code) of a refused request."""
    body = response.json()
    item = body["detail"][0] if isinstance(body.get("detail"), list) else {}
    return response.status_code, item.get("loc", []), item.get("code") or body.get("reason")


def test_the_officer_records_an_arrest_in_the_act_a_loss_and_a_recovery(
    api: Api, clock: VirtualClock
) -> None:
    number = reported(api)
    version = ok(api.get(f"/incidents/{number}", "dispatcher"))["version"]
    recorded(api, number, OFFICER, arrest(clock, 2))
    # The incident's version moves: the board's open panel sees it is stale.
    assert ok(api.get(f"/incidents/{number}", "dispatcher"))["version"] == version + 1
    recorded(api, number, OFFICER, {"kind": "loss", "amount_fen": 320000, "note": "电动车一辆"})
    out = recorded(
        api, number, OFFICER, {"kind": "recovery", "amount_fen": 250000, "at": at(clock)}
    )
    assert out["totals"]["arrested"] == 2
    assert out["totals"]["arrested_in_the_act"] == 2
    assert (out["totals"]["loss_fen"], out["totals"]["recovered_fen"]) == (320000, 250000)
    kinds = [(e["kind"], e["recorded_by"], e["unit"], e["struck"]) for e in out["entries"]]
    assert kinds == [
        ("arrest", OFFICER, UNIT, False),
        ("loss", OFFICER, UNIT, False),
        ("recovery", OFFICER, UNIT, False),
    ]
    assert ok(api.get(f"/incidents/{number}/outcomes", "analyst")) == out


def test_a_correction_strikes_the_wrong_entry_and_records_the_right_one(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    number = reported(api)
    wrong = recorded(api, number, OFFICER, arrest(clock, 3))["entries"][0]
    struck = ok(
        api.post(
            f"/incidents/{number}/outcomes/{wrong['id']}/strike",
            OFFICER,
            json={"reason": "人数录错，实为1人"},
        )
    )
    assert struck["totals"]["arrested"] == 0
    out = recorded(api, number, OFFICER, arrest(clock, 1))
    assert out["totals"]["arrested"] == 1
    first, second = out["entries"]
    assert (first["struck"], first["struck_by"], first["strike_reason"]) == (
        True,
        OFFICER,
        "人数录错，实为1人",
    )
    assert first["arrested"] == 3  # struck, never edited
    assert (second["struck"], second["arrested"]) == (False, 1)
    again = api.post(
        f"/incidents/{number}/outcomes/{wrong['id']}/strike", "dispatcher", json={"reason": "再划"}
    )
    assert again.status_code == 409
    assert again.json()["code"] == "already_struck"
    with runtime.sessions() as session:
        kinds = session.scalars(
            select(Event.kind).where(Event.subject_id == number).order_by(Event.seq)
        ).all()
        totals = session.scalars(select(IncidentOutcome)).one()
        assert totals.arrested == 1
        result = verify(session)
    assert kinds[-3:] == ["outcome_recorded", "outcome_struck", "outcome_recorded"]
    assert result.ok, [str(p) for p in result.problems]


def test_a_late_arrest_and_a_case_are_recorded_after_close(api: Api, clock: VirtualClock) -> None:
    number = reported(api)
    ok(api.post(f"/incidents/{number}/units/{UNIT}/release", OFFICER))
    ok(api.post(f"/incidents/{number}/close", "dispatcher", json={"summary": "已处置"}))
    clock.advance(timedelta(days=9))
    body = {"kind": "case_opened", "at": at(clock, -60), "case_number": "A3501020126110001"}
    recorded(api, number, "leader", body)
    out = recorded(api, number, OFFICER, arrest(clock, 1, in_the_act=False))
    assert out["totals"]["case_number"] == "A3501020126110001"
    assert out["totals"]["arrested_in_the_act"] == 0
    assert out["totals"]["first_arrest_at"] is not None


def test_an_outcome_waits_for_the_units_feedback(api: Api, clock: VirtualClock) -> None:
    number = str(new_incident(api)["number"])
    walk_to_arrival(api, number, UNIT)
    response = record(api, number, OFFICER, arrest(clock))
    assert response.status_code == 409
    assert (response.json()["reason"], response.json()["state"]) == ("outcome_not_now", "arrived")


def test_an_invalid_or_cancelled_incident_has_no_outcome(api: Api, clock: VirtualClock) -> None:
    invalid = str(new_incident(api, accept=True)["number"])
    ok(api.post(f"/incidents/{invalid}/invalidate", "calltaker", json={"reason": "misdial"}))
    cancelled = str(new_incident(api, accept=True)["number"])
    ok(api.post(f"/incidents/{cancelled}/cancel", "dispatcher", json={"note": "报警人称已解决"}))
    for number in (invalid, cancelled):
        response = record(api, number, "dispatcher", arrest(clock))
        assert response.status_code == 409, response.text
        assert response.json()["reason"] == "outcome_not_now"


def test_times_in_the_future_or_before_the_incident_are_refused(
    api: Api, clock: VirtualClock
) -> None:
    number = reported(api)
    future = {**arrest(clock), "at": at(clock, 30)}
    assert refusal(record(api, number, OFFICER, future)) == (
        422,
        ["body", "at"],
        "in_the_future",
    )
    before = {**arrest(clock), "at": (START - timedelta(hours=1)).isoformat()}
    assert refusal(record(api, number, OFFICER, before)) == (
        422,
        ["body", "at"],
        "before_incident",
    )
    # A phone clock a minute ahead is not the future.
    recorded(api, number, OFFICER, {**arrest(clock), "at": at(clock, 1)})


def test_a_recovery_above_the_loss_needs_confirming(api: Api, clock: VirtualClock) -> None:
    number = reported(api)
    recorded(api, number, "dispatcher", {"kind": "loss", "amount_fen": 10000})
    too_much = {"kind": "recovery", "amount_fen": 10001, "at": at(clock)}
    assert refusal(record(api, number, "dispatcher", too_much)) == (
        422,
        ["body", "amount_fen"],
        "recovered_above_loss",
    )
    out = recorded(api, number, "dispatcher", {**too_much, "above_loss": True})
    assert out["entries"][-1]["above_loss"] is True
    assert out["totals"]["recovered_fen"] == 10001


def test_bad_amounts_and_counts_are_refused_naming_the_field(api: Api, clock: VirtualClock) -> None:
    number = reported(api)
    cases = [
        ({"kind": "loss", "amount_fen": -5}, "amount_fen"),
        ({"kind": "loss", "amount_fen": 0}, "amount_fen"),
        ({"kind": "loss", "amount_fen": 10**15}, "amount_fen"),
        ({"kind": "loss", "amount_fen": 12.5}, "amount_fen"),
        ({**arrest(clock), "arrested": 0}, "arrested"),
        ({**arrest(clock), "arrested": 100000}, "arrested"),
        ({"kind": "property_returned", "at": at(clock), "description": " "}, "description"),
        ({"kind": "arrest", "arrested": 1, "at": at(clock)}, "in_the_act"),
    ]
    for body, field in cases:
        response = record(api, number, "dispatcher", body)
        assert response.status_code == 422, (body, response.text)
        assert field in response.json()["detail"][0]["loc"], (body, response.text)
    unknown = record(api, number, "dispatcher", {"kind": "bribe", "amount_fen": 1})
    assert unknown.status_code == 422


def test_who_may_record_and_strike(api: Api, clock: VirtualClock) -> None:
    number = reported(api)
    for user in ("calltaker", "analyst", "admin", "auditor"):
        assert record(api, number, user, arrest(clock)).status_code == 403, user
    # An officer whose unit was not sent there: outside their station (404), or a unit of the
    # same station that was never sent (403).
    assert record(api, number, "officer-35010202-1", arrest(clock)).status_code == 404
    assert record(api, number, "officer-35010201-2", arrest(clock)).status_code == 403
    mine = recorded(api, number, "dispatcher", arrest(clock))["entries"][0]
    # The officer strikes only entries they recorded; the dispatcher and leader any.
    strike = f"/incidents/{number}/outcomes/{mine['id']}/strike"
    assert api.post(strike, OFFICER, json={"reason": "录错"}).status_code == 403
    assert api.post(strike, "leader", json={"reason": "录错"}).status_code == 200


def test_outside_the_callers_jurisdiction_the_incident_does_not_exist(
    api: Api, clock: VirtualClock
) -> None:
    number = reported(api)
    assert record(api, number, "minhou_dispatcher", arrest(clock)).status_code == 404
    assert api.get(f"/incidents/{number}/outcomes", "minhou_dispatcher").status_code == 404
    assert (
        api.post(
            f"/incidents/{number}/outcomes/999999/strike", "dispatcher", json={"reason": "x"}
        ).status_code
        == 404
    )


def test_a_retry_with_the_same_key_records_once(api: Api, clock: VirtualClock) -> None:
    number = reported(api)
    key = {"Idempotency-Key": "outcome-retry-1"}
    first = record(api, number, OFFICER, arrest(clock), headers=key)
    second = record(api, number, OFFICER, arrest(clock), headers=key)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert len(ok(api.get(f"/incidents/{number}/outcomes", OFFICER))["entries"]) == 1


def test_the_figures_read_outcomes_by_period_and_scope(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    number = reported(api)
    recorded(api, number, OFFICER, arrest(clock, 2))
    recorded(api, number, OFFICER, {"kind": "loss", "amount_fen": 5000})
    since, until = START - timedelta(hours=1), START + timedelta(days=1)
    with runtime.sessions() as session:
        rows = outcomes_in(session, "350100/", since, until)
        by_arrest = outcomes_in(session, "350100/", since, until, on="first_arrest")
        elsewhere = outcomes_in(session, "350100/350121/", since, until)
        earlier = outcomes_in(session, "350100/", since - timedelta(days=2), since)
    assert [(r.number, r.arrested, r.arrested_in_the_act, r.loss_fen) for r in rows] == [
        (number, 2, 2, 5000)
    ]
    assert rows[0].dispatched_at is not None
    assert rows[0].first_arrest_at is not None
    assert [r.number for r in by_arrest] == [number]
    assert (elsewhere, earlier) == ([], [])


def test_the_audit_finds_an_outcome_changed_without_its_event(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    number = reported(api)
    recorded(api, number, OFFICER, {"kind": "loss", "amount_fen": 10000})
    out = recorded(api, number, OFFICER, {"kind": "recovery", "amount_fen": 8000, "at": at(clock)})
    wrong = recorded(api, number, OFFICER, arrest(clock, 4))["entries"][-1]["id"]
    ok(api.post(f"/incidents/{number}/outcomes/{wrong}/strike", OFFICER, json={"reason": "录错"}))
    recovery = out["entries"][1]["id"]
    with runtime.sessions() as session:
        assert verify(session).ok
    # What someone with database rights might do: raise a recovery, undo a strike.
    with runtime.engine.begin() as conn:
        conn.execute(
            text("UPDATE incident_outcome_entries SET amount_fen = 10000 WHERE id = :id"),
            {"id": recovery},
        )
        conn.execute(
            text("UPDATE incident_outcome_entries SET struck_at = NULL WHERE id = :id"),
            {"id": wrong},
        )
    with runtime.sessions() as session:
        found = {(p.subject_id, p.field) for p in verify(session).problems}
    assert found == {
        (number, "outcome.amount_fen"),
        (number, "outcome.struck_at"),
    }
