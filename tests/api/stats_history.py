"""The small known history the statistics tests work out every figure from, its period, and
the figures of an answer by key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.supervision.service import tick
from tests.api.helpers import new_incident, ok, report_body, step_body
from tests.api.telephony_steps import SECRET, event, ringing, send
from tests.conftest import Api
from tests.integration.missing_steps import open_case, person
from tests.world import GULOU_EAST, MINHOU

# The period looked at is 2026-11-24 (local); the period before it is 2026-11-23, when the
# test clock starts (10:00 in Fuzhou).
DAY = "2026-11-24"
BEFORE = "2026-11-23"
MORNING = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)  # 09:00 in Fuzhou
PERIOD = {"since": DAY, "until": "2026-11-25"}
REPEATER = "13800138000"  # new_incident's default caller


def _at(clock: VirtualClock, start: datetime, seconds: int) -> None:
    clock.set(start + timedelta(seconds=seconds))


def _unit(api: Api, number: str, unit: str, step: str) -> None:
    ok(
        api.post(
            f"/incidents/{number}/units/{unit}/{step}", f"officer-{unit}", json=step_body(step)
        )
    )


def build_history(api: Api, runtime: Runtime, clock: VirtualClock) -> dict[str, str]:
    """The history every figure of test_stats.py is worked out from by hand (seconds after each
    start)."""
    made: dict[str, str] = {}
    # 2026-11-23, 10:00 — B1, a theft: dispatched at 60, signed for at 150 (90 s), released.
    start = clock.now()
    b1 = made["B1"] = new_incident(api, accept=True)["number"]
    _at(clock, start, 60)
    ok(api.post(f"/incidents/{b1}/dispatch", "dispatcher", json={"units": ["35010201-1"]}))
    _at(clock, start, 150)
    _unit(api, b1, "35010201-1", "acknowledge")
    ok(api.post(f"/incidents/{b1}/units/35010201-1/release", "dispatcher"))

    # 2026-11-24, 09:00 — I1, a theft in Gulou worked to the end within every limit.
    start = MORNING
    clock.set(start)
    incident = new_incident(api, accept=True)
    i1 = made["I1"] = incident["number"]
    _at(clock, start, 40)
    ok(api.post(f"/incidents/{i1}/dispatch", "dispatcher", json={"units": ["35010201-1"]}))
    _at(clock, start, 70)
    _unit(api, i1, "35010201-1", "acknowledge")
    _at(clock, start, 100)
    _unit(api, i1, "35010201-1", "depart")
    _at(clock, start, 400)
    _unit(api, i1, "35010201-1", "arrive")
    ok(api.post(f"/incidents/{i1}/handle", "dispatcher", json={"note": "已处置"}))
    _at(clock, start, 1000)
    ok(api.post(f"/incidents/{i1}/report", "dispatcher", json=report_body(incident)))
    ok(api.post(f"/incidents/{i1}/units/35010201-1/release", "dispatcher"))
    _at(clock, start, 1200)
    ok(api.post(f"/incidents/{i1}/close", "dispatcher", json={"summary": "已处置"}))

    # I2, a theft in suburban Minhou, from 09:30: dispatched at 20, nobody signs for it until
    # the tick at 1530 opens two 督办 (sign-for, arrival) and escalates both; then signed for
    # and departed at 1530, arrived at 1540.
    start = MORNING + timedelta(minutes=30)
    clock.set(start)
    i2 = made["I2"] = new_incident(
        api,
        accept=True,
        caller_phone="13900000002",
        lon=MINHOU[0],
        lat=MINHOU[1],
        address="闽侯县甘蔗街道",
    )["number"]
    _at(clock, start, 20)
    ok(api.post(f"/incidents/{i2}/dispatch", "dispatcher", json={"units": ["35012101-1"]}))
    _at(clock, start, 1530)
    with transaction(runtime.sessions) as session:
        tick(session, now=clock.now(), settings=runtime.settings)
    _unit(api, i2, "35012101-1", "acknowledge")
    _unit(api, i2, "35012101-1", "depart")
    _at(clock, start, 1540)
    _unit(api, i2, "35012101-1", "arrive")

    # From 10:00: a hoax, a second caller merged into I2, a car to move handed to 12345.
    clock.set(MORNING + timedelta(hours=1))
    i3 = made["I3"] = new_incident(
        api, caller_phone="13900000003", lon=GULOU_EAST[0], lat=GULOU_EAST[1]
    )["number"]
    ok(api.post(f"/incidents/{i3}/invalidate", "calltaker", json={"reason": "hoax"}))
    i4 = made["I4"] = new_incident(api)["number"]
    ok(api.post(f"/incidents/{i4}/merge", "calltaker", json={"into": i2}))
    i5 = made["I5"] = new_incident(
        api, caller_phone="13900000005", category="move_car", narrative="车辆堵住车库"
    )["number"]
    ok(api.post(f"/incidents/{i5}/transfer", "calltaker", json={"to": "12345"}))

    # Calls that made no incident: one for 120, a silent one from the repeat caller, one
    # handed to 12345 without a number.
    for body in (
        {"outcome": "transferred_120", "caller_phone": "13900000006"},
        {"outcome": "invalid_silent", "caller_phone": REPEATER},
        {"outcome": "transferred_12345"},
    ):
        response = api.post("/calls", "calltaker", json=body)
        assert response.status_code == 201, response.text

    # The phone system: one call rang out unanswered, one still rings.
    runtime.settings.phone_events_secret = SECRET
    ok(send(api, clock, ringing(clock, "lost")))
    ok(send(api, clock, event(clock, "ended", "lost", 20)))
    ok(send(api, clock, ringing(clock, "ringing", caller="13900000007")))

    # A missing person (its incident I6, from the repeat caller), found the same day.
    case = open_case(api, clock, category="missing_person", who=person("马丽", "female", 45))
    found = {"outcome": "found_safe", "note": "已找到"}
    ok(api.post(f"/missing/{case['number']}/close", "dispatcher", json=found))
    return made


def figures(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["key"]: f for f in answer["figures"]}
