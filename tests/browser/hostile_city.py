"""The hostile city for tests/browser/test_xss.py: every planting of hostile_text.py together,
and the missing-person cases, whose every text field carries a payload."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from tests.api.helpers import ok
from tests.browser.hostile_text import (
    PNG,
    POINTS,
    Planted,
    attack,
    hostile_incident,
    plant_incidents,
    plant_later,
    plant_places,
    plant_repeat_case,
    plant_transfers,
    plant_units,
)
from tests.conftest import Api
from tests.integration.missing_steps import ok_list


def _details(label: str) -> dict[str, Any]:
    short = {"ethnicity", "build", "accent", "plate"}
    texts = [
        "ethnicity",
        "build",
        "features",
        "accent",
        "mental_health",
        "plate",
        "clothing",
        "belongings",
        "habits",
        "suspected_cause",
        "search_done",
    ]
    details: dict[str, Any] = {
        name: attack(f"{label}-{name}", 64 if name in short else 500, start=i)
        for i, name in enumerate(texts)
    }
    details["aliases"] = [attack(f"{label}-alias{i}", 64, start=i) for i in range(3)]
    details["social_accounts"] = [attack(f"{label}-social{i}", 64, start=i) for i in range(3)]
    details["height_cm"] = 160
    return details


def _case(
    api: Api, clock: VirtualClock, planted: Planted, label: str, category: str, same_as: str = ""
) -> str:
    """A case of its own person, or a second report of the person of case `same_as`."""
    incident = hostile_incident(api, label, accept=True, category=category)
    planted.incidents[label] = incident
    lon, lat = POINTS[label]
    person = same_as or label
    planted.names[label] = attack(f"{person}-name", 64)
    body = {
        "incident": incident["number"],
        "person": {
            "name": planted.names[label],
            "sex": "female",
            "age": 80,
            "phone": {"M1": "13700137001", "M2": "13700137002", "M3": "13700137003"}[person],
            "school_or_work": planted.school,
            "home_address": attack(f"{label}-home", 255),
            "conditions": ["dementia"],
            "details": {**_details(label), "clothing": planted.clothing},
        },
        "informant": {
            "name": attack(f"{label}-informant", 64),
            "phone": "13900139000",
            "relation": attack(f"{label}-rel", 32, start=1),
        },
        "last_seen": {
            "at": (clock.now() - timedelta(hours=2)).isoformat(),
            "place": attack(f"{label}-seen", 255),
            "lon": lon,
            "lat": lat,
        },
    }
    opened = api.post("/missing", "calltaker", json=body)
    assert opened.status_code == 201, opened.text
    number = str(opened.json()["number"])
    planted.cases[label] = number
    return number


def plant_missing(api: Api, clock: VirtualClock, planted: Planted) -> None:
    """Missing-person cases worked in every part of their page, and a cluster of three."""
    # The column holds 128 characters, though the API accepts 255 (refused on PostgreSQL).
    planted.school = attack("school", 128, start=2)
    planted.clothing = attack("clothing", 500, start=3)
    planted.incidents["M0"] = hostile_incident(api, "M0", accept=True, category="missing_person")
    m1 = _case(api, clock, planted, "M1", "missing_elderly")
    base = f"/missing/{m1}"
    ok(api.post(f"{base}/notes", "dispatcher", json={"text": attack("M1-note", 4000)}))
    for grade, tag in ((3, "M1-request-a"), (2, "M1-request-b")):
        raised = api.post(
            f"{base}/grade-requests",
            "dispatcher",
            json={"grade": grade, "reason": attack(tag, 2000)},
        )
        assert raised.status_code in (200, 201), raised.text
    pending = [r for r in ok(api.get(base, "leader"))["requests"] if r["state"] == "pending"]
    ok(
        api.post(
            f"{base}/requests/{pending[0]['id']}/decision",
            "leader",
            json={"approve": False, "comment": attack("M1-decision", 4000)},
        )
    )
    ok(api.post(f"{base}/group", "dispatcher", json={"commander": attack("M1-commander", 64)}))
    task = api.post(
        f"{base}/tasks",
        "dispatcher",
        json={
            "team": "patrol",
            "title": attack("M1-task", 255),
            "assignee": attack("M1-assignee", 64, start=1),
        },
    )
    assert task.status_code == 201, task.text
    ok(
        api.post(
            f"{base}/tasks/{task.json()['id']}",
            "dispatcher",
            json={"state": "doing", "result": attack("M1-result", 4000)},
        )
    )
    ok(api.post(f"{base}/push", "dispatcher", json={"radius_km": 10}))
    appeals = api.post(
        f"{base}/appeals",
        "dispatcher",
        json={"channels": ["weibo", "wechat_groups"], "text": attack("M1-appeal", 2000)},
    )
    assert appeals.status_code == 200, appeals.text
    photo = api.client.post(
        f"/api/v1{base}/photos",
        content=PNG,
        headers={**api.as_("dispatcher"), "Content-Type": "image/png"},
    )
    assert photo.status_code == 201, photo.text

    # Three people from one grid and one school within days: cluster alerts; the same woman
    # reported again is linked to her case; one case closed.
    _case(api, clock, planted, "M2", "missing_person")
    m3 = _case(api, clock, planted, "M3", "missing_person")
    _case(api, clock, planted, "M4", "missing_person", same_as="M1")
    ok(
        api.post(
            f"/missing/{m3}/close",
            "dispatcher",
            json={
                "outcome": "found_safe",
                "note": attack("M3-close", 4000),
                "found_place": attack("M3-found", 255),
            },
        )
    )
    clusters = ok_list(api.get("/missing/clusters", "leader"))
    assert clusters, "three cases from one grid and school raise a cluster alert"
    ok(
        api.post(
            f"/missing/clusters/{clusters[0]['id']}/acknowledge",
            "leader",
            json={"comment": attack("cluster-ack", 2000)},
        )
    )


def plant_everything(api: Api, runtime: Runtime, clock: VirtualClock) -> Planted:
    planted = Planted()
    plant_places(runtime, planted)
    plant_units(api, planted)
    plant_incidents(api, planted)
    plant_transfers(runtime, clock, planted)
    plant_repeat_case(api, planted)
    plant_missing(api, clock, planted)
    plant_later(api, runtime, clock, planted)
    return planted
