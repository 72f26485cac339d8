"""The administrator's room and what it feeds: users, the duty roster that fills a
missing-person case's 包干领导, and the shift handover notes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cad110.clock import VirtualClock
from tests.api.helpers import ok
from tests.conftest import Api
from tests.integration.missing_steps import open_case, person
from tests.world import PASSWORD

TODAY = "2026-11-23"  # the test clock's local day (10:00 in Fuzhou)


def _events(api: Api, subject_type: str, subject_id: str) -> list[dict[str, Any]]:
    from sqlalchemy import select

    from cad110.models.event import Event

    runtime = api.client.app.state.runtime  # type: ignore[attr-defined]
    with runtime.readers() as session:
        rows = session.scalars(
            select(Event)
            .where(Event.subject_type == subject_type, Event.subject_id == subject_id)
            .order_by(Event.seq)
        ).all()
        return [{"kind": e.kind, "actor": e.actor} for e in rows]


def test_the_day_s_duty_leader_becomes_the_case_s_leader(api: Api, clock: VirtualClock) -> None:
    put = api.client.put(
        f"/api/v1/roster/35010201/{TODAY}",
        json={"leader": "gulou_leader"},
        headers=api.as_("admin"),
    )
    assert put.status_code == 200, put.text
    case = open_case(
        api, clock, category="missing_person", who=person("陈静", "female", 35), user="dispatcher"
    )
    assert case["leader"] == "gulou_leader"
    assert case["first_officer"] == "dispatcher"
    assert [e["kind"] for e in _events(api, "duty_roster", "35010201")] == ["duty.set"]


def test_a_named_leader_is_kept_and_no_roster_leaves_it_empty(
    api: Api, clock: VirtualClock
) -> None:
    empty = open_case(api, clock, category="missing_person", who=person("王五", "male", 30))
    assert empty["leader"] is None
    api.client.put(
        f"/api/v1/roster/35010201/{TODAY}",
        json={"leader": "gulou_leader"},
        headers=api.as_("admin"),
    )
    named = open_case(
        api, clock, category="missing_person", who=person("李四", "male", 40), leader="leader"
    )
    assert named["leader"] == "leader"


def test_the_roster_refuses_a_non_leader_a_far_day_and_another_role(api: Api) -> None:
    def put(day: str, leader: str | None, user: str = "admin") -> Any:
        return api.client.put(
            f"/api/v1/roster/35010201/{day}", json={"leader": leader}, headers=api.as_(user)
        )

    assert put(TODAY, "dispatcher").status_code == 422
    assert put("2027-03-01", "leader").status_code == 422
    assert put(TODAY, "leader", user="dispatcher").status_code == 403
    assert put("2026-11-24", "leader").status_code == 200
    week = ok(api.get("/roster?from=2026-11-23", "analyst"))
    assert {"station": "35010201", "day": "2026-11-24", "leader": "leader"} in week["items"]
    assert put("2026-11-24", None).status_code == 200
    assert ok(api.get("/roster?from=2026-11-23", "analyst"))["items"] == []


def test_admin_creates_a_user_and_changes_their_role_and_home(api: Api) -> None:
    made = api.post(
        "/admin/users",
        "admin",
        json={
            "username": "Zhao.Liu",
            "role": "calltaker",
            "jurisdiction": "35010201",
            "display_name": "赵六",
        },
    )
    assert made.status_code == 201, made.text
    assert made.headers["cache-control"] == "no-store"
    password = made.json()["password"]
    login = api.client.post(
        "/login", data={"username": "zhao.liu", "password": password}, follow_redirects=False
    )
    assert login.status_code == 303
    changed = ok(
        api.post(
            "/admin/users/zhao.liu/change",
            "admin",
            json={"role": "dispatcher", "jurisdiction": "350102"},
        )
    )
    assert (changed["role"], changed["jurisdiction"]) == ("dispatcher", "350102")
    # The change ended the session opened with the old role.
    assert api.client.get("/board", follow_redirects=False).status_code == 303
    kinds = [e["kind"] for e in _events(api, "user", "zhao.liu")]
    assert kinds == ["user.created", "user.changed"]
    assert (
        api.post(
            "/admin/users",
            "admin",
            json={"username": "x1", "role": "officer", "jurisdiction": "350100"},
        ).status_code
        == 422
    )
    assert (
        api.post(
            "/admin/users/zhao.liu/change", "admin", json={"jurisdiction": "nowhere"}
        ).status_code
        == 422
    )
    assert (
        api.post("/admin/users/admin/change", "admin", json={"role": "analyst"}).status_code == 409
    )


def test_the_admin_room_shows_each_tab_to_the_admin_only(api: Api) -> None:
    api.client.post("/login", data={"username": "admin", "password": PASSWORD})
    for tab, seen in (
        ("users", "gulou_leader"),
        ("units", "35010201-1"),
        ("grids", "3501020101"),
        ("roster", "鼓东派出所"),
    ):
        page = api.client.get("/admin", params={"tab": tab})
        assert page.status_code == 200, tab
        assert seen in page.text, tab
    api.client.post("/login", data={"username": "analyst", "password": PASSWORD})
    assert api.client.get("/admin").status_code == 403


def test_a_handover_note_is_left_read_and_journaled(api: Api, clock: VirtualClock) -> None:
    note = api.post(
        "/handover", "dispatcher", json={"position": "board", "text": "35010201-2 仍在现场"}
    )
    assert note.status_code == 201, note.text
    clock.advance(timedelta(hours=8))
    notes = ok(api.get("/handover?position=board", "dispatcher"))
    assert [(n["text"], n["read_at"]) for n in notes] == [("35010201-2 仍在现场", None)]
    # Read by the next shift, not by its writer: the writer's 已阅 would tell them nothing.
    own = api.post(f"/handover/{notes[0]['id']}/read", "dispatcher")
    assert (own.status_code, own.json()["code"]) == (409, "own_note")
    read = ok(api.post(f"/handover/{notes[0]['id']}/read", "leader"))
    assert read["read_by"] == "leader"
    # Another home does not see it; the analyst keeps no handover.
    assert ok(api.get("/handover?position=board", "minhou_dispatcher")) == []
    assert api.get("/handover?position=board", "analyst").status_code == 403
    assert api.post(f"/handover/{notes[0]['id']}/read", "minhou_dispatcher").status_code == 404
    kinds = [e["kind"] for e in _events(api, "handover", str(notes[0]["id"]))]
    assert kinds == ["handover.written", "handover.read"]
