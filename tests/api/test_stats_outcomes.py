"""The outcome figures (抓获人数, 现行抓获率, 派警至抓获用时, 追赃挽损率, 立案数) from outcomes
recorded through the real endpoints on a known history: every figure exactly, on SQLite and
PostgreSQL; a struck entry counts nowhere; a late arrest counts on its incident's day."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cad110.clock import VirtualClock
from tests.api.helpers import new_incident, ok, report_body, walk_to_arrival
from tests.conftest import Api
from tests.world import START

DAY = "2026-11-23"  # START's local day (10:00 in Fuzhou)
PERIOD = {"since": DAY, "until": "2026-11-24"}
HOUR = timedelta(hours=1)


def worked(api: Api, unit: str) -> str:
    """An incident dispatched now to `unit`, handled and reported on, the unit released."""
    number = str(new_incident(api)["number"])
    incident = walk_to_arrival(api, number, unit)
    officer = f"officer-{unit}"
    ok(api.post(f"/incidents/{number}/handle", officer, json={"note": "已处置"}))
    ok(api.post(f"/incidents/{number}/report", officer, json=report_body(incident)))
    ok(api.post(f"/incidents/{number}/units/{unit}/release", officer))
    return number


def record(api: Api, number: str, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post(f"/incidents/{number}/outcomes", "dispatcher", json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def arrest(clock: VirtualClock, n: int, in_the_act: bool) -> dict[str, Any]:
    return {"kind": "arrest", "arrested": n, "in_the_act": in_the_act, "at": now(clock)}


def now(clock: VirtualClock) -> str:
    return clock.now().isoformat()


def figures(api: Api, **params: Any) -> dict[str, dict[str, Any]]:
    answer = ok(api.get("/stats/summary", "analyst", params=params))
    return {f["key"]: f for f in answer["figures"]}


def outcome_values(got: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Each outcome figure's value in one flat tuple or number."""

    def rate(key: str) -> tuple[int, int, float | None]:
        v = got[key]["value"]
        return v["numerator"], v["denominator"], v["percent"]

    hours = got["dispatch_to_arrest"]["value"]
    return {
        "arrests": got["arrests"]["value"]["count"],
        "in_the_act": rate("in_the_act_arrest_rate"),
        "hours": (hours["measured"], hours["mean_hours"], hours["median_hours"]),
        "amount": rate("loss_recovery_rate_amount"),
        "cases": rate("loss_recovery_rate_cases"),
        "opened": got["cases_opened"]["value"]["count"],
    }


def build_history(api: Api, clock: VirtualClock) -> dict[str, str]:
    """Three thefts on 2026-11-23 and what each led to (hours after START)."""
    made: dict[str, str] = {}
    clock.set(START)
    # A, dispatched at 0: two caught in the act at 2 h, ¥3,200 lost, ¥2,500 recovered, 立案.
    a = made["A"] = worked(api, "35010201-1")
    clock.set(START + 2 * HOUR)
    record(api, a, arrest(clock, 2, in_the_act=True))
    record(api, a, {"kind": "loss", "amount_fen": 320_000, "note": "电动车一辆"})
    record(api, a, {"kind": "recovery", "amount_fen": 250_000, "at": now(clock)})
    record(api, a, {"kind": "case_opened", "at": now(clock), "case_number": "A3501020126110001"})

    # B, dispatched at 2 h: three "caught in the act" at 2.5 h, recorded wrongly and struck;
    # one caught later at 3 h; ¥50 lost, nothing back.
    b = made["B"] = worked(api, "35010201-2")
    clock.set(START + 2.5 * HOUR)
    wrong = record(api, b, arrest(clock, 3, in_the_act=True))["entries"][-1]["id"]
    made["B_wrong"] = str(wrong)
    clock.set(START + 3 * HOUR)
    record(api, b, arrest(clock, 1, in_the_act=False))
    record(api, b, {"kind": "loss", "amount_fen": 5_000})

    # C, dispatched at 3 h and closed with nothing to record (yet).
    c = made["C"] = worked(api, "35010202-1")
    ok(api.post(f"/incidents/{c}/close", "dispatcher", json={"summary": "已处置"}))
    return made


def test_every_outcome_figure_of_a_known_day(api: Api, clock: VirtualClock) -> None:
    made = build_history(api, clock)
    # The wrong entry counts while it stands: 2 + 3 + 1 caught, B caught in the act too.
    before_strike = outcome_values(figures(api, **PERIOD))
    assert before_strike["arrests"] == 6
    assert before_strike["in_the_act"] == (2, 2, 100.0)
    assert before_strike["hours"] == (2, 1.25, 0.5)  # A 2 h, B 0.5 h (the wrong arrest)

    strike = f"/incidents/{made['B']}/outcomes/{made['B_wrong']}/strike"
    ok(api.post(strike, "dispatcher", json={"reason": "录错：现场未抓获"}))

    # Three days later the station catches C's thief: a late arrest, and a recovery on an
    # incident with no loss recorded (confirmed above the loss).
    clock.set(START + 72 * HOUR)
    record(api, made["C"], arrest(clock, 1, in_the_act=False))
    record(
        api,
        made["C"],
        {"kind": "recovery", "amount_fen": 1_000, "at": now(clock), "above_loss": True},
    )

    got = figures(api, **PERIOD)
    assert outcome_values(got) == {
        # A 2 + B 1 (the struck 3 out) + C 1, caught on the 26th but counted on the 23rd.
        "arrests": 4,
        # Incidents: A caught in the act; B and C caught later.
        "in_the_act": (1, 3, 33.33),
        # A 2 h, B 1 h (from its first 派警 at 2 h), C 69 h: mean 24 h, median (rank 2) 2 h.
        "hours": (3, 24.0, 2.0),
        # Over A and B, the incidents with a loss: C's recovery has no loss to be part of.
        "amount": (250_000, 325_000, 76.92),
        "cases": (1, 2, 50.0),
        "opened": 1,
    }
    # Against the day before, when nothing happened.
    assert got["arrests"]["change"] == {"difference": 4, "words": "增加4人"}
    assert got["dispatch_to_arrest"]["previous"]["measured"] == 0
    assert got["dispatch_to_arrest"]["change"] is None
    assert got["cases_opened"]["change"] == {"difference": 1, "words": "增加1起"}

    # The day the late arrest was recorded has no outcome of its own.
    late_day = outcome_values(figures(api, since="2026-11-26", until="2026-11-27"))
    assert late_day == {
        "arrests": 0,
        "in_the_act": (0, 0, None),
        "hours": (0, None, None),
        "amount": (0, 0, None),
        "cases": (0, 0, None),
        "opened": 0,
    }


def test_outcome_figures_filter_group_and_make_a_series(api: Api, clock: VirtualClock) -> None:
    build_history(api, clock)
    theft = outcome_values(figures(api, **PERIOD, category="theft", grade=2))
    assert (theft["arrests"], theft["in_the_act"]) == (6, (2, 2, 100.0))
    other = outcome_values(figures(api, **PERIOD, category="move_car"))
    assert (other["arrests"], other["opened"]) == (0, 0)

    by_hour = ok(api.get("/stats/summary", "leader", params={**PERIOD, "group_by": "hour"}))
    arrests = {
        g["key"]: outcome_values({f["key"]: f for f in g["figures"]})["arrests"]
        for g in by_hour["groups"]
    }
    # A received at 10:00; B (with the wrong entry still standing) at 12:00; C at 13:00.
    assert arrests == {"10": 2, "12": 4, "13": 0}

    series = ok(
        api.get(
            "/stats/series",
            "analyst",
            params={"figure": "dispatch_to_arrest", "since": DAY, "until": "2026-11-25"},
        )
    )
    assert series["figure"]["kind"] == "hours"
    points = [(p["start"][:10], p["value"]["mean_hours"]) for p in series["points"]]
    assert points == [(DAY, 1.25), ("2026-11-24", None)]
