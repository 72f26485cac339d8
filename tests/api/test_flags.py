"""Hazard flags (警示标记): set, revoked, expired, scoped, refused, and every read on record."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from cad110.models.user import User
from tests.api.flag_steps import (
    HOME_TEXT,
    add_place,
    flag_records,
    flags_of,
    person_flag,
    place_flag,
)
from tests.api.helpers import new_incident, ok
from tests.conftest import Api
from tests.world import MINHOU, PASSWORD


@pytest.fixture
def home(runtime: Runtime) -> str:
    return add_place(runtime)


def test_a_flag_set_on_a_place_is_shown_with_who_set_it_and_why(api: Api, home: str) -> None:
    set_ = place_flag(api, home)
    assert set_["live"] is True
    shown = flags_of(api, "calltaker", place=home)
    assert [f["id"] for f in shown] == [set_["id"]]
    flag = shown[0]
    assert (flag["kind_zh"], flag["kind_en"], flag["severity"]) == ("烈性犬", "Dangerous dog", 2)
    assert flag["set_by"] == "dispatcher"
    assert flag["reason"] == "院内有两条藏獒，曾咬伤民警"
    assert flag["expires_at"] is None


def test_every_read_of_a_flag_is_recorded(api: Api, runtime: Runtime, home: str) -> None:
    flag = place_flag(api, home)
    assert flag_records(runtime) == []  # the setter typed it: nothing read yet
    flags_of(api, "calltaker", place=home)
    flags_of(api, "calltaker", place=home)
    reads = [r for r in flag_records(runtime) if r.action == "read"]
    assert [(r.username, r.subject_id, r.reason) for r in reads] == [
        ("calltaker", str(flag["id"]), "duty:calltaker")
    ] * 2
    assert reads[0].channel == "GET /api/v1/flags"


def test_a_person_flag_is_found_by_phone_masked_and_the_lookup_recorded(
    api: Api, runtime: Runtime
) -> None:
    flag = person_flag(api, phone="13800138000", name="王五")
    shown = flags_of(api, "calltaker", phone="138-0013-8000")
    assert [f["id"] for f in shown] == [flag["id"]]
    assert shown[0]["person"] == {"id_number": None, "phone": "138****8000", "name": "王*"}
    records = flag_records(runtime)
    search = [r for r in records if r.action == "search"]
    read = [r for r in records if r.action == "read"]
    assert [(r.subject_id, r.reason) for r in search] == [(str(flag["id"]), "phone=138****8000")]
    assert read[0].fields == "kind,person_name,person_phone,reason"
    # A lookup that finds nothing is on record too.
    assert flags_of(api, "calltaker", phone="13900139000") == []
    assert [r.subject_id for r in flag_records(runtime)][-1] == ""


def test_a_person_flag_is_found_by_id_number_or_name(api: Api) -> None:
    flag = person_flag(api, id_number="35010219800101123x")
    assert [f["id"] for f in flags_of(api, id_number="35010219800101123X")] == [flag["id"]]
    named = person_flag(api, name="赵六")
    assert [f["id"] for f in flags_of(api, name="赵六")] == [named["id"]]


def test_a_revoked_flag_is_no_longer_live(api: Api, home: str) -> None:
    flag = place_flag(api, home)
    revoked = ok(api.post(f"/flags/{flag['id']}/revoke", "leader", json={"reason": "犬只已送走"}))
    assert (revoked["live"], revoked["revoked_by"], revoked["revoke_reason"]) == (
        False,
        "leader",
        "犬只已送走",
    )
    assert flags_of(api, place=home) == []
    past = flags_of(api, place=home, include_past="true")
    assert [(f["id"], f["live"]) for f in past] == [(flag["id"], False)]
    again = api.post(f"/flags/{flag['id']}/revoke", "leader", json={"reason": "犬只已送走"})
    assert again.status_code == 409


def test_a_flag_past_its_expiry_is_no_longer_live(api: Api, clock: VirtualClock, home: str) -> None:
    until = (clock.now() + timedelta(hours=2)).isoformat()
    flag = place_flag(api, home, kind="infectious", expires_at=until)
    assert [f["id"] for f in flags_of(api, place=home)] == [flag["id"]]
    clock.advance(timedelta(hours=2, seconds=1))
    assert flags_of(api, place=home) == []


def test_flags_are_scoped_by_the_place_and_by_the_setter(
    api: Api, runtime: Runtime, home: str
) -> None:
    minhou = add_place(runtime, "FZ-MH-0001", "闽侯县甘蔗街道1号", MINHOU, "35012101")
    on_gulou = place_flag(api, home)
    # Another district's dispatcher neither sees the place's flag nor can flag its place.
    assert flags_of(api, "minhou_dispatcher", place=home) == []
    refused = api.post(
        "/flags",
        "minhou_dispatcher",
        json={"subject": "place", "kind": "dog", "place": home, "reason": "院内有犬只"},
    )
    assert refused.status_code == 404
    assert (
        api.post(
            f"/flags/{on_gulou['id']}/revoke", "minhou_dispatcher", json={"reason": "不实信息"}
        ).status_code
        == 404
    )
    place_flag(api, minhou, user="minhou_dispatcher")
    # A person flag belongs to the setter's jurisdiction: Gulou's desk, and the city above it.
    flag = person_flag(api, "gulou_calltaker", phone="13700137000")
    assert [f["id"] for f in flags_of(api, "calltaker", phone="13700137000")] == [flag["id"]]
    assert flags_of(api, "minhou_dispatcher", phone="13700137000") == []


@pytest.mark.parametrize("role_user", ["analyst", "admin", "auditor"])
def test_roles_without_a_need_may_not_set_or_read_flags(
    api: Api, runtime: Runtime, home: str, role_user: str
) -> None:
    place_flag(api, home)
    body = {"subject": "place", "kind": "dog", "place": home, "reason": "院内有犬只"}
    assert api.post("/flags", role_user, json=body).status_code == 403
    assert api.get("/flags", role_user, params={"place": home}).status_code == 403
    assert api.get("/flags", role_user, params={"phone": "13800138000"}).status_code == 403
    assert flag_records(runtime) == []


def test_an_officer_may_flag_what_they_found(api: Api, home: str) -> None:
    flag = place_flag(api, home, kind="structural", user="officer-35010201-1")
    assert flag["set_by"] == "officer-35010201-1"


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"kind": "dragon"}, "kind", "unknown_flag_kind"),
        ({"kind": "x" * 33}, "kind", None),
        ({"expires_at": "2020-01-01T00:00:00+08:00"}, "expires_at", "in_the_past"),
        ({"expires_at": "9999-01-01T00:00:00+08:00"}, "expires_at", None),
        ({"reason": "短"}, "reason", None),
        ({"reason": "很" * 501}, "reason", None),
        ({"place": "<script>"}, "place", None),
        ({"person": {"phone": "13800138000"}}, "place", "place"),
        ({"subject": "person", "place": None}, "person", "person"),
        ({"subject": "person", "place": None, "person": {"phone": "12"}}, "phone", None),
        (
            {"subject": "person", "place": None, "person": {"id_number": "35010219800101"}},
            "id_number",
            None,
        ),
        ({"subject": "person", "place": None, "person": {"name": ""}}, "name", None),
        ({"subject": "thing"}, "subject", None),
        ({"colour": "red"}, "colour", None),
    ],
)
def test_hostile_input_is_refused_naming_the_field(
    api: Api, home: str, change: dict[str, object], field: str, code: str | None
) -> None:
    body = {"subject": "place", "kind": "dog", "place": home, "reason": "院内有犬只", **change}
    response = api.post("/flags", "dispatcher", json=body)
    assert response.status_code == 422, response.text
    item = response.json()["detail"][0]
    assert field in item["loc"]
    if code is not None:
        assert item["code"] == code


def test_a_flag_on_a_place_that_does_not_exist_is_404(api: Api) -> None:
    body = {"subject": "place", "kind": "dog", "place": "NOPE-1", "reason": "院内有犬只"}
    assert api.post("/flags", "dispatcher", json=body).status_code == 404


@pytest.mark.parametrize(
    "query",
    [{}, {"phone": "not-a-phone"}, {"id_number": "1234"}, {"place": "a b"}, {"name": "x" * 65}],
)
def test_a_lookup_without_a_valid_subject_is_422(api: Api, query: dict[str, str]) -> None:
    assert api.get("/flags", "dispatcher", params=query).status_code == 422


@pytest.mark.parametrize("flag_id", ["0", "99999999999", "abc"])
def test_revoking_a_flag_that_cannot_exist_is_refused(api: Api, flag_id: str) -> None:
    response = api.post(f"/flags/{flag_id}/revoke", "dispatcher", json={"reason": "不实信息"})
    assert response.status_code == 422


def test_revoking_an_unknown_flag_is_404(api: Api) -> None:
    response = api.post("/flags/424242/revoke", "dispatcher", json={"reason": "不实信息"})
    assert response.status_code == 404


def test_the_kinds_of_flag_come_from_the_data_file(api: Api) -> None:
    kinds = ok(api.get("/flags/kinds", "analyst"))["items"]
    codes = [k["code"] for k in kinds]
    for code in ("weapon", "violent", "mental_illness", "dog", "infectious", "drugs"):
        assert code in codes
    assert [k["severity"] for k in kinds] == sorted((k["severity"] for k in kinds), reverse=True)
    assert {k["code"]: k["zh"] for k in kinds}["mental_illness"] == "精神障碍"


def test_the_auditor_finds_the_reads_of_a_flag_in_the_access_log(api: Api, home: str) -> None:
    flag = place_flag(api, home)
    flags_of(api, "calltaker", place=home)
    log = ok(api.get("/access-log", "auditor", params={"subject_type": "hazard_flag"}))
    assert [(r["username"], r["subject_id"]) for r in log["items"]] == [
        ("calltaker", str(flag["id"]))
    ]


def test_a_flag_names_the_person_who_set_it_on_every_screen(
    api: Api, runtime: Runtime, home: str
) -> None:
    with runtime.sessions.begin() as session:
        session.execute(
            update(User).where(User.username == "dispatcher").values(display_name="林志强")
        )
    set_ = place_flag(api, home)
    assert (set_["set_by"], set_["set_by_name"]) == ("dispatcher", "林志强")
    assert [f["set_by_name"] for f in flags_of(api, "calltaker", place=home)] == ["林志强"]
    # The officer sent there reads it on the phone's briefing, by the same name.
    number = new_incident(api, address=HOME_TEXT, accept=True)["number"]
    ok(api.post(f"/incidents/{number}/dispatch", "dispatcher", json={"units": ["35010201-1"]}))
    api.client.cookies.clear()
    login = {"username": "officer-35010201-1", "password": PASSWORD}
    assert api.client.post("/login", data=login, follow_redirects=False).status_code == 303
    page = api.client.get("/unit").text
    assert "林志强" in page
    assert "林志强 标记" in page
    assert "dispatcher 标记" not in page
