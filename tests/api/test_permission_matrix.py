"""The permission table, cell by cell: each role is refused (403) exactly where the table says.

For every permission there is one request that needs it, made by a user of every role. A role
the table allows must get past the role check (any answer but 403 — the lifecycle may still
refuse with 409, which is not this test's business); a role it does not allow gets 403. The
README's matrix is the same table, checked here too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from cad110.auth.permissions import ROLES, Permission
from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from cad110.models.user import Role
from tests.api.helpers import new_incident, ok, report_body, walk_to_arrival
from tests.conftest import Api
from tests.integration.missing_steps import open_case, person, tick
from tests.world import GULOU_WEST, PASSWORD

UNIT = "35010201-1"
# The user who acts in each role; the officer is the one of UNIT, sent where it matters.
ACTOR = {
    Role.CALLTAKER: "calltaker",
    Role.DISPATCHER: "dispatcher",
    Role.OFFICER: f"officer-{UNIT}",
    Role.LEADER: "leader",
    Role.ANALYST: "analyst",
    Role.ADMIN: "admin",
    Role.AUDITOR: "auditor",
}

Probe = Callable[[Api, Runtime, VirtualClock, str], Any]


def _accepted(api: Api) -> str:
    return str(new_incident(api, accept=True)["number"])


def _once(setup: Callable[[Api], str]) -> Callable[[Api], str]:
    """One incident per test for every role: UNIT can be sent to one incident at a time."""

    def shared(api: Api) -> str:
        made: dict[str, str] = api.__dict__.setdefault("_shared", {})
        if setup.__name__ not in made:
            made[setup.__name__] = setup(api)
        return made[setup.__name__]

    return shared


@_once
def _dispatched(api: Api) -> str:
    number = _accepted(api)
    ok(api.post(f"/incidents/{number}/dispatch", "dispatcher", json={"units": [UNIT]}))
    return number


@_once
def _arrived(api: Api) -> str:
    return str(walk_to_arrival(api, new_incident(api)["number"], UNIT)["number"])


def _action(action: str, body: dict[str, Any], setup: Callable[[Api], str]) -> Probe:
    def probe(api: Api, _rt: Runtime, _clock: VirtualClock, user: str) -> Any:
        return api.post(f"/incidents/{setup(api)}/{action}", user, json=body)

    return probe


def _unit_step(step: str) -> Probe:
    def probe(api: Api, _rt: Runtime, _clock: VirtualClock, user: str) -> Any:
        return api.post(f"/incidents/{_dispatched(api)}/units/{UNIT}/{step}", user)

    return probe


def _report(api: Api, _rt: Runtime, _clock: VirtualClock, user: str) -> Any:
    number = _arrived(api)
    incident = ok(api.get(f"/incidents/{number}", "dispatcher"))
    return api.post(f"/incidents/{number}/report", user, json=report_body(incident))


def _merge(api: Api, _rt: Runtime, _clock: VirtualClock, user: str) -> Any:
    into = _accepted(api)
    return api.post(f"/incidents/{_accepted(api)}/merge", user, json={"into": into})


def _supervise(api: Api, rt: Runtime, clock: VirtualClock, user: str) -> Any:
    _dispatched(api)  # nobody signs for it
    clock.advance(timedelta(hours=1))
    tick(rt)
    open_ones = ok(api.get("/supervision?state=open", "leader"))
    return api.post(
        f"/supervision/{open_ones[0]['id']}/acknowledge", user, json={"comment": "已督促签收"}
    )


def _case(api: Api, clock: VirtualClock) -> dict[str, Any]:
    return open_case(
        api, clock, category="missing_person", who=person("陈静", "female", 35), user="dispatcher"
    )


def _open_case(api: Api, _rt: Runtime, clock: VirtualClock, user: str) -> Any:
    incident = new_incident(api, category="missing_person", narrative="陈静走失")
    body = {
        "incident": incident["number"],
        "person": person("陈静", "female", 35),
        "informant": {"name": "李芳", "phone": "13900139000", "relation": "姐姐"},
        "last_seen": {
            "at": (clock.now() - timedelta(hours=2)).isoformat(),
            "place": "鼓楼区西湖公园",
            "lon": GULOU_WEST[0],
            "lat": GULOU_WEST[1],
        },
    }
    return api.post("/missing", user, json=body)


def _appeal(api: Api, _rt: Runtime, clock: VirtualClock, user: str) -> Any:
    number = _case(api, clock)["number"]
    return api.post(f"/missing/{number}/appeals", user, json={"channels": ["weibo"]})


def _approve(api: Api, _rt: Runtime, clock: VirtualClock, user: str) -> Any:
    number = _case(api, clock)["number"]
    asked = api.post(
        f"/missing/{number}/grade-requests",
        "dispatcher",
        json={"grade": 2, "reason": "目击者称被人带走"},
    )
    assert asked.status_code in (200, 201), asked.text
    return api.post(
        f"/missing/{number}/requests/{asked.json()['id']}/decision", user, json={"approve": True}
    )


@_once
def _reported(api: Api) -> str:
    number = _arrived(api)
    incident = ok(api.get(f"/incidents/{number}", "dispatcher"))
    ok(api.post(f"/incidents/{number}/handle", "dispatcher", json={"note": "已处置"}))
    ok(api.post(f"/incidents/{number}/report", "dispatcher", json=report_body(incident)))
    return number


def _outcomes(api: Api, _rt: Runtime, clock: VirtualClock, user: str) -> Any:
    body = {"kind": "arrest", "arrested": 1, "at": clock.now().isoformat(), "in_the_act": True}
    return api.post(f"/incidents/{_reported(api)}/outcomes", user, json=body)


def _get(path: str) -> Probe:
    def probe(api: Api, _rt: Runtime, _clock: VirtualClock, user: str) -> Any:
        return api.get(path, user)

    return probe


def _read(api: Api, _rt: Runtime, _clock: VirtualClock, user: str) -> Any:
    return api.get(f"/incidents/{_accepted(api)}", user)


def _receive(api: Api, _rt: Runtime, _clock: VirtualClock, user: str) -> Any:
    return api.post(
        "/incidents",
        user,
        json={"address": "鼓楼区东街口", "narrative": "有人打架", "category": "affray"},
    )


def _unit_status(api: Api, _rt: Runtime, _clock: VirtualClock, user: str) -> Any:
    return api.post(f"/units/{UNIT}/pause", user, json={"reason": "就餐"})


def _positions(api: Api, _rt: Runtime, clock: VirtualClock, user: str) -> Any:
    fix = {"unit": UNIT, "lon": 119.29, "lat": 26.08, "at": clock.now().isoformat()}
    return api.post("/units/positions", user, json={"fixes": [fix]})


def _manage(api: Api, _rt: Runtime, _clock: VirtualClock, user: str) -> Any:
    body = {"name_zh": "鼓东派出所一组", "name_en": "Gudong team 1", "station": "35010201"}
    return api.client.put(f"/api/v1/units/{UNIT}", json=body, headers=api.as_(user))


def _reveal(api: Api, _rt: Runtime, _clock: VirtualClock, user: str) -> Any:
    return api.post(f"/incidents/{_accepted(api)}/reveal", user, json={"reason": "核实报警人身份"})


def _export(api: Api, _rt: Runtime, _clock: VirtualClock, user: str) -> Any:
    # The export is a console download: the user logs in with the session cookie.
    api.client.cookies.clear()
    login = api.client.post("/login", data={"username": user, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return api.client.get("/search/export.xlsx")


def _open_repeat_case(api: Api, _rt: Runtime, _clock: VirtualClock, user: str) -> Any:
    incident = new_incident(api, category="family_dispute", narrative="夫妻吵架")
    body = {"incident": incident["number"], "type": "family", "owner": "leader"}
    return api.post("/repeat-cases", user, json=body)


PROBES: dict[Permission, Probe] = {
    Permission.READ: _read,
    Permission.RECEIVE: _receive,
    Permission.ACCEPT: _action("accept", {}, lambda api: str(new_incident(api)["number"])),
    Permission.ASSESS: _action("assess", {"note": "同一地点多次报警"}, _accepted),
    Permission.DISPATCH: _action("dispatch", {"units": [UNIT]}, _accepted),
    Permission.UNIT_STEP: _unit_step("acknowledge"),
    Permission.RELEASE: _unit_step("release"),
    Permission.HANDLE: _action("handle", {"note": "双方已劝离"}, _arrived),
    Permission.REPORT: _report,
    Permission.CLOSE: _action("close", {"summary": "已处置"}, _accepted),
    Permission.CALLBACK: _action("callback", {"satisfaction": "satisfied"}, _accepted),
    Permission.ARCHIVE: _action("archive", {}, _accepted),
    Permission.MERGE: _merge,
    Permission.TRANSFER: _action("transfer", {"to": "12345", "confirm": True}, _accepted),
    Permission.INVALIDATE: _action("invalidate", {"reason": "misdial"}, _accepted),
    Permission.CANCEL: _action("cancel", {"note": "报警人称已解决"}, _accepted),
    Permission.SUPERVISE: _supervise,
    Permission.UNIT_STATUS: _unit_status,
    Permission.POSITIONS: _positions,
    Permission.MANAGE: _manage,
    Permission.MISSING: _open_case,
    Permission.APPEAL: _appeal,
    Permission.APPROVE: _approve,
    Permission.REVEAL: _reveal,
    Permission.AUDIT: _get("/access-log"),
    Permission.EXPORT: _export,
    Permission.HANDOVER: _get("/handover?position=desk"),
    Permission.FLAGS: _get("/flags?phone=13800138000"),
    Permission.STATS: _get("/stats/summary"),
    Permission.OUTCOMES: _outcomes,
    Permission.REPEAT_CASE: _open_repeat_case,
    Permission.FRAUD: _get("/fraud/warnings"),
}


def test_every_permission_has_a_probe() -> None:
    assert set(PROBES) == set(Permission)


@pytest.mark.parametrize("permission", list(Permission), ids=lambda p: p.value)
def test_each_role_is_refused_exactly_where_the_table_says(
    permission: Permission, api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    refused = {}
    for role, user in ACTOR.items():
        response = PROBES[permission](api, runtime, clock, user)
        assert response.status_code < 500, f"{role.value}: {response.text}"
        refused[role.value] = response.status_code == 403
    expected = {role.value: role not in ROLES[permission] for role in ACTOR}
    assert refused == expected


README = Path(__file__).resolve().parents[2] / "README.md"
MATRIX = re.compile(r"<!-- permissions -->\n(.*?)<!-- /permissions -->", re.S)


def permission_matrix() -> str:
    """The README's table of who may do what, from the one table the code reads."""
    roles = list(ACTOR)
    lines = [
        "| permission | " + " | ".join(r.value for r in roles) + " |",
        "|---|" + "---|" * len(roles),
    ]
    for permission in Permission:
        marks = ("✓" if role in ROLES[permission] else "" for role in roles)
        lines.append(f"| `{permission.value}` | " + " | ".join(marks) + " |")
    return "\n".join(lines) + "\n"


def test_the_readme_matrix_is_the_permission_table() -> None:
    found = MATRIX.search(README.read_text("utf-8"))
    assert found is not None, "README.md lacks the <!-- permissions --> table"
    assert found.group(1) == permission_matrix()
