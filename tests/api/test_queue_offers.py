"""待派: an incident waits when no suitable unit is free; the first suitable unit to free up is
offered it, and accepts (dispatched at once) or declines (offered on)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from cad110.models.incident import Incident
from cad110.models.supervision import Notification
from tests.api.helpers import new_incident, ok, step_body
from tests.conftest import Api
from tests.world import GULOU_EAST, GULOU_WEST, MINHOU

GULOU_UNITS = ("35010201-1", "35010201-2", "35010202-1")
FEMALE_OFFICER_UNIT = "35010202-1"
STATION_POINT = {"35010201": GULOU_WEST, "35010202": GULOU_EAST, "35012101": MINHOU}


def _officer(unit: str) -> str:
    return f"officer-{unit}"


def _busy(api: Api, units: tuple[str, ...] = GULOU_UNITS) -> dict[str, str]:
    """Send each unit to an incident of its own; returns unit → that incident's number."""
    jobs: dict[str, str] = {}
    for unit in units:
        # In the unit's own station's ground, so its officer can walk it.
        lon, lat = STATION_POINT[unit.split("-")[0]]
        number = new_incident(api, accept=True, narrative=f"占用{unit}", lon=lon, lat=lat)["number"]
        ok(api.post(f"/incidents/{number}/dispatch", "dispatcher", json={"units": [unit]}))
        jobs[unit] = number
    return jobs


def _finish(api: Api, number: str, unit: str) -> None:
    """The unit signs for, drives to, reaches and leaves its incident: it is free again."""
    for step in ("acknowledge", "depart", "arrive", "release"):
        ok(
            api.post(
                f"/incidents/{number}/units/{unit}/{step}", _officer(unit), json=step_body(step)
            )
        )


def _queued(api: Api, **overrides: Any) -> str:
    number: str = new_incident(api, accept=True, **overrides)["number"]
    queued = ok(api.post(f"/incidents/{number}/queue", "dispatcher", json={"note": "无空闲警力"}))
    assert queued["status"] == "queued"
    return number


def _offers(api: Api, user: str = "dispatcher", state: str = "pending") -> list[dict[str, Any]]:
    response = api.get("/offers", user, params={"state": state})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()
    return items


def _pending(api: Api) -> list[tuple[str, str]]:
    return [(o["incident"], o["unit"]) for o in _offers(api)]


def _unit_status(api: Api, unit: str) -> str:
    units = ok(api.get("/units", "dispatcher"))["items"]
    return str(next(u["status"] for u in units if u["code"] == unit))


def _events(api: Api, number: str, kind: str) -> list[dict[str, Any]]:
    timeline = ok(api.get(f"/incidents/{number}/timeline", "dispatcher"))
    return [e for e in timeline["events"] if e["kind"] == kind]


# --- the basic loop ------------------------------------------------------------------------


def test_a_queued_incident_is_offered_to_the_first_unit_freed_and_accepting_dispatches_it(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    jobs = _busy(api)
    clock.advance(timedelta(minutes=1))
    number = _queued(api)
    assert ok(api.get(f"/incidents/{number}", "dispatcher"))["stages"]["dispatched"] is None
    assert _pending(api) == []  # nobody suitable is free

    clock.advance(timedelta(minutes=5))
    freed = "35010201-2"
    _finish(api, jobs[freed], freed)
    assert _unit_status(api, freed) == "returning"
    [offer] = _offers(api)
    assert (offer["incident"], offer["unit"], offer["state"]) == (number, freed, "pending")
    [offered] = _events(api, number, "offered")
    assert offered["payload"]["unit"] == freed
    assert offered["payload"]["offer"] == offer["id"]
    with runtime.sessions() as session:
        incident_id = session.scalar(select(Incident.id).where(Incident.number == number))
        notes = session.scalars(
            select(Notification).where(
                Notification.incident_id == incident_id, Notification.kind == "offer"
            )
        ).all()
    assert [n.target_code for n in notes] == ["35010201"]
    assert ok(api.get(f"/incidents/{number}", "dispatcher"))["status"] == "queued"

    # The officer sees their own unit's offer only.
    assert [o["id"] for o in _offers(api, _officer(freed))] == [offer["id"]]
    assert _offers(api, _officer("35010201-1")) == []

    clock.advance(timedelta(seconds=20))
    response = api.post(f"/offers/{offer['id']}/accept", _officer(freed))
    assert response.status_code == 200, response.text
    incident = response.json()
    assert incident["status"] == "dispatched"
    assert [a["unit"] for a in incident["assignments"]] == [freed]
    assert incident["stages"]["dispatched"] is not None
    assert _unit_status(api, freed) == "dispatched"
    assert _pending(api) == []
    [accepted] = _offers(api, state="accepted")
    assert (accepted["id"], accepted["decided_by"]) == (offer["id"], _officer(freed))
    assert [e["actor"] for e in _events(api, number, "dispatch")] == [_officer(freed)]


def test_a_dispatcher_may_accept_an_offer_on_the_units_behalf(api: Api) -> None:
    jobs = _busy(api)
    number = _queued(api)
    _finish(api, jobs["35010201-1"], "35010201-1")
    [offer] = _offers(api)
    incident = ok(api.post(f"/offers/{offer['id']}/accept", "dispatcher"))
    assert incident["number"] == number
    assert incident["status"] == "dispatched"
    assert [a["unit"] for a in incident["assignments"]] == ["35010201-1"]


def test_queueing_while_a_suitable_unit_is_free_offers_it_at_once(api: Api) -> None:
    _busy(api, ("35010201-1", "35010202-1"))
    number = _queued(api)
    assert _pending(api) == [(number, "35010201-2")]
    [offered] = _events(api, number, "offered")
    assert offered["actor"] == "dispatcher"


def test_a_unit_outside_the_district_is_never_offered_it(api: Api) -> None:
    jobs = _busy(api)
    number = _queued(api)
    minhou = new_incident(api, accept=True, lon=MINHOU[0], lat=MINHOU[1])["number"]
    ok(api.post(f"/incidents/{minhou}/dispatch", "dispatcher", json={"units": ["35012101-1"]}))
    _finish(api, minhou, "35012101-1")  # the Minhou unit frees up first
    assert _pending(api) == []
    _finish(api, jobs["35010202-1"], "35010202-1")
    assert _pending(api) == [(number, "35010202-1")]


# --- who is offered what -------------------------------------------------------------------


def test_the_most_urgent_queued_incident_is_offered_before_an_older_routine_one(
    api: Api, clock: VirtualClock
) -> None:
    jobs = _busy(api)
    routine = _queued(api, category="theft", grade=3)
    clock.advance(timedelta(minutes=10))
    urgent = _queued(api, category="robbery", narrative="持刀抢劫")
    assert ok(api.get(f"/incidents/{urgent}", "dispatcher"))["grade"] == 1

    _finish(api, jobs["35010201-2"], "35010201-2")
    assert _pending(api) == [(urgent, "35010201-2")]
    # The next unit to free up gets the one still waiting.
    _finish(api, jobs["35010201-1"], "35010201-1")
    assert sorted(_pending(api)) == sorted([(urgent, "35010201-2"), (routine, "35010201-1")])


def test_an_incident_needing_a_capability_is_not_offered_to_a_unit_lacking_it(
    api: Api, runtime: Runtime
) -> None:
    category = runtime.catalog.get("sexual_assault")
    assert category is not None
    assert category.capabilities == ("female_officer",)
    jobs = _busy(api)
    number = _queued(api, category="sexual_assault", lon=GULOU_EAST[0], lat=GULOU_EAST[1])

    _finish(api, jobs["35010201-1"], "35010201-1")
    _finish(api, jobs["35010201-2"], "35010201-2")
    assert _pending(api) == []
    assert ok(api.get(f"/incidents/{number}", "dispatcher"))["status"] == "queued"
    _finish(api, jobs[FEMALE_OFFICER_UNIT], FEMALE_OFFICER_UNIT)
    assert _pending(api) == [(number, FEMALE_OFFICER_UNIT)]


def test_queueing_does_not_offer_to_a_free_unit_lacking_the_capability(api: Api) -> None:
    _busy(api, (FEMALE_OFFICER_UNIT,))
    number = _queued(api, category="sexual_assault")
    assert _pending(api) == []
    assert ok(api.get(f"/incidents/{number}", "dispatcher"))["status"] == "queued"


# --- declining, withdrawing, and who may decide ---------------------------------------------


def test_declining_passes_the_offer_to_another_free_unit_and_decided_offers_are_final(
    api: Api,
) -> None:
    jobs = _busy(api)
    number = _queued(api)
    first, second = "35010201-1", "35010201-2"
    _finish(api, jobs[first], first)
    [offer] = _offers(api)
    assert offer["unit"] == first
    _finish(api, jobs[second], second)
    assert _pending(api) == [(number, first)]  # one offer at a time per incident

    # Only the offered unit's officer may take it (or a dispatcher).
    assert api.post(f"/offers/{offer['id']}/accept", _officer(second)).status_code == 403
    assert api.post(f"/offers/{offer['id']}/decline", _officer(second)).status_code == 403
    assert api.post(f"/offers/{offer['id']}/accept", "analyst").status_code == 403
    assert api.post(f"/offers/{offer['id']}/accept", "minhou_dispatcher").status_code == 404
    assert api.post("/offers/999999/accept", "dispatcher").status_code == 404

    declined = ok(api.post(f"/offers/{offer['id']}/decline", _officer(first)))
    assert (declined["state"], declined["decided_by"]) == ("declined", _officer(first))
    assert _pending(api) == [(number, second)]
    assert [e["payload"]["unit"] for e in _events(api, number, "offered")] == [first, second]
    assert api.post(f"/offers/{offer['id']}/accept", _officer(first)).status_code == 409
    assert api.post(f"/offers/{offer['id']}/decline", _officer(first)).status_code == 409
    assert ok(api.get(f"/incidents/{number}", "dispatcher"))["status"] == "queued"
    assert _unit_status(api, first) == "returning"


def test_declining_with_no_other_free_unit_leaves_it_queued(api: Api) -> None:
    jobs = _busy(api)
    number = _queued(api)
    _finish(api, jobs["35010201-1"], "35010201-1")
    [offer] = _offers(api)
    ok(api.post(f"/offers/{offer['id']}/decline", _officer("35010201-1")))
    assert _pending(api) == []
    assert ok(api.get(f"/incidents/{number}", "dispatcher"))["status"] == "queued"
    # The next unit to free up is offered it.
    _finish(api, jobs["35010202-1"], "35010202-1")
    assert _pending(api) == [(number, "35010202-1")]


def test_an_offer_is_not_passed_back_to_a_unit_that_already_declined_it(api: Api) -> None:
    jobs = _busy(api)
    number = _queued(api)
    first, second = "35010201-1", "35010201-2"
    _finish(api, jobs[first], first)
    _finish(api, jobs[second], second)
    [offer] = _offers(api)
    ok(api.post(f"/offers/{offer['id']}/decline", _officer(first)))
    [offer] = _offers(api)
    assert offer["unit"] == second
    ok(api.post(f"/offers/{offer['id']}/decline", _officer(second)))
    # Both free units said no: it waits for the next one, it does not go round again.
    assert _pending(api) == []
    assert ok(api.get(f"/incidents/{number}", "dispatcher"))["status"] == "queued"


def test_dispatching_a_queued_incident_directly_withdraws_its_pending_offer(api: Api) -> None:
    jobs = _busy(api)
    number = _queued(api)
    _finish(api, jobs["35010201-1"], "35010201-1")
    _finish(api, jobs["35010201-2"], "35010201-2")
    [offer] = _offers(api)
    assert offer["unit"] == "35010201-1"

    # The dispatcher sends the other free unit instead.
    dispatched = ok(
        api.post(f"/incidents/{number}/dispatch", "dispatcher", json={"units": ["35010201-2"]})
    )
    assert dispatched["status"] == "dispatched"
    assert _pending(api) == []
    [withdrawn] = _offers(api, state="withdrawn")
    assert (withdrawn["id"], withdrawn["decided_by"]) == (offer["id"], "dispatcher")
    assert api.post(f"/offers/{offer['id']}/accept", _officer("35010201-1")).status_code == 409
    assert _unit_status(api, "35010201-1") == "returning"
    assert [
        a["unit"] for a in ok(api.get(f"/incidents/{number}", "dispatcher"))["assignments"]
    ] == ["35010201-2"]


def test_cancelling_a_queued_incident_withdraws_its_pending_offer(api: Api) -> None:
    jobs = _busy(api)
    number = _queued(api)
    _finish(api, jobs["35010201-1"], "35010201-1")
    [offer] = _offers(api)
    ok(api.post(f"/incidents/{number}/cancel", "dispatcher", json={"note": "报警人称已解决"}))
    assert _pending(api) == []
    assert [o["id"] for o in _offers(api, state="withdrawn")] == [offer["id"]]
    assert api.post(f"/offers/{offer['id']}/accept", _officer("35010201-1")).status_code == 409


def test_an_offered_unit_sent_elsewhere_does_not_keep_the_queued_incident_waiting(
    api: Api,
) -> None:
    jobs = _busy(api)
    number = _queued(api)
    offered_unit = "35010201-1"
    _finish(api, jobs[offered_unit], offered_unit)
    assert _pending(api) == [(number, offered_unit)]

    # Before the unit answers, the dispatcher sends it to a fresh, urgent incident.
    other = new_incident(api, accept=True, category="robbery")["number"]
    ok(api.post(f"/incidents/{other}/dispatch", "dispatcher", json={"units": [offered_unit]}))
    assert _unit_status(api, offered_unit) == "dispatched"

    # The next unit to free up must be offered the waiting incident.
    _finish(api, jobs["35010201-2"], "35010201-2")
    assert (number, "35010201-2") in _pending(api)
    assert (number, offered_unit) not in _pending(api)


def test_a_unit_whose_offer_was_withdrawn_is_offered_the_next_queued_incident(
    api: Api, clock: VirtualClock
) -> None:
    jobs = _busy(api)
    urgent = _queued(api, category="robbery")
    clock.advance(timedelta(minutes=1))
    waiting = _queued(api)
    free = "35010201-1"
    _finish(api, jobs[free], free)
    assert _pending(api) == [(urgent, free)]

    # The dispatcher sends a unit from outside the district to the urgent one instead.
    ok(
        api.post(
            f"/incidents/{urgent}/dispatch",
            "dispatcher",
            json={"units": ["35012101-1"], "note": "就近调派"},
        )
    )
    # The unit is free and suits the other waiting incident: it is offered that one now.
    assert _pending(api) == [(waiting, free)]
    assert ok(api.get(f"/incidents/{waiting}", "dispatcher"))["status"] == "queued"


def test_an_officer_from_another_station_of_the_district_can_see_and_take_the_offer(
    api: Api,
) -> None:
    jobs = _busy(api)
    number = _queued(api, lon=GULOU_WEST[0], lat=GULOU_WEST[1])  # station 35010201's ground
    assert ok(api.get(f"/incidents/{number}", "dispatcher"))["jurisdiction"] == "35010201"
    neighbour = "35010202-1"  # same district, other station: offers go district-wide
    _finish(api, jobs[neighbour], neighbour)
    [offer] = _offers(api)
    assert (offer["incident"], offer["unit"]) == (number, neighbour)

    assert [o["id"] for o in _offers(api, _officer(neighbour))] == [offer["id"]]
    response = api.post(f"/offers/{offer['id']}/accept", _officer(neighbour))
    assert response.status_code == 200, response.text
    # …and then works it like any dispatched incident.
    ok(api.post(f"/incidents/{number}/units/{neighbour}/acknowledge", _officer(neighbour)))
