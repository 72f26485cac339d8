"""Hostile input: non-finite numbers, impossible dates and oversized bodies are refused with a
4xx naming the field (or the limit), never a 500."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from tests.api.helpers import new_incident
from tests.conftest import Api
from tests.integration.missing_steps import open_case, person
from tests.world import GULOU_WEST, START

EARLY = "0001-01-01T00:00:00+14:00"  # overflows when converted to UTC
LATE = "9999-12-31T23:59:59-14:00"


def _post_raw(api: Api, path: str, user: str, text: str) -> Any:
    """A body as raw text: JSON libraries refuse to write NaN or Infinity, Python reads them."""
    headers = {**api.as_(user), "Content-Type": "application/json"}
    return api.client.post("/api/v1" + path, content=text.encode(), headers=headers)


def _locs(response: Any) -> set[tuple[str | int, ...]]:
    assert response.status_code == 422, (response.status_code, response.text)
    return {tuple(e["loc"]) for e in response.json()["detail"]}


def _incident_body(**fields: str) -> str:
    body = {
        "address": "鼓楼区东街口",
        "narrative": "电动车被盗",
        "category": "theft",
        "lon": "{lon}",
        "lat": "{lat}",
    }
    text = json.dumps(body, ensure_ascii=False)
    lon = fields.pop("lon", str(GULOU_WEST[0]))
    lat = fields.pop("lat", str(GULOU_WEST[1]))
    return text.replace('"{lon}"', lon).replace('"{lat}"', lat)


def _fix_body(lon: str, lat: str) -> str:
    fix = '{"unit": "35010201-1", "lon": LON, "lat": LAT, "at": "2026-11-23T01:59:00Z"}'
    return '{"fixes": [' + fix.replace("LON", lon).replace("LAT", lat) + "]}"


def _last_seen(at: str) -> dict[str, Any]:
    return {"at": at, "place": "鼓楼区西湖公园", "lon": GULOU_WEST[0], "lat": GULOU_WEST[1]}


@pytest.mark.parametrize(
    ("lon", "lat", "field"),
    [("NaN", "26.08", "lon"), ("119.29", "Infinity", "lat"), ("-Infinity", "NaN", "lon")],
)
def test_a_non_finite_point_on_intake_is_422_naming_the_coordinate(
    api: Api, lon: str, lat: str, field: str
) -> None:
    response = _post_raw(api, "/incidents", "calltaker", _incident_body(lon=lon, lat=lat))
    assert ("body", field) in _locs(response)
    assert api.get("/incidents", "calltaker").json()["total"] == 0


@pytest.mark.parametrize(
    ("lon", "lat", "field"), [("NaN", "26.08", "lon"), ("119.29", "Infinity", "lat")]
)
def test_a_non_finite_unit_position_is_422_naming_the_coordinate(
    api: Api, lon: str, lat: str, field: str
) -> None:
    response = _post_raw(api, "/units/positions", "dispatcher", _fix_body(lon, lat))
    assert ("body", "fixes", 0, field) in _locs(response)


def test_a_non_finite_search_radius_is_422_naming_it(api: Api) -> None:
    response = _post_raw(api, "/missing/XR-1/push", "dispatcher", '{"radius_km": Infinity}')
    assert ("body", "radius_km") in _locs(response)


@pytest.mark.parametrize("path", ["/incidents", "/calls"])
@pytest.mark.parametrize("param", ["since", "until"])
@pytest.mark.parametrize("moment", [EARLY, LATE])
def test_a_search_bound_beyond_the_calendar_is_422_naming_it(
    api: Api, path: str, param: str, moment: str
) -> None:
    response = api.get(path, "calltaker", params={param: moment})
    assert _locs(response) == {("query", param)}


@pytest.mark.parametrize("moment", [EARLY, LATE])
def test_an_intake_answered_beyond_the_calendar_is_422_naming_the_call_time(
    api: Api, moment: str
) -> None:
    body = {"narrative": "有人打架", "call": {"answered_at": moment}}
    response = api.post("/incidents", "calltaker", json=body)
    assert _locs(response) == {("body", "call", "answered_at")}


@pytest.mark.parametrize("moment", [EARLY, LATE])
def test_a_call_answered_beyond_the_calendar_is_422_naming_the_time(api: Api, moment: str) -> None:
    response = api.post("/calls", "calltaker", json={"outcome": "advice", "answered_at": moment})
    assert _locs(response) == {("body", "answered_at")}


@pytest.mark.parametrize("moment", [EARLY, LATE])
def test_a_person_last_seen_beyond_the_calendar_is_422_naming_the_time(
    api: Api, moment: str
) -> None:
    number = new_incident(api, category="missing_elderly", narrative="老人走失")["number"]
    body = {
        "incident": number,
        "person": {"name": "王秀英", "sex": "female", "age": 80},
        "informant": {"name": "李芳", "phone": "13900139000", "relation": "女儿"},
        "last_seen": _last_seen(moment),
    }
    response = api.post("/missing", "calltaker", json=body)
    assert _locs(response) == {("body", "last_seen", "at")}


@pytest.mark.parametrize(
    "moment", ["1900-01-02T00:00:00+08:00", "1970-01-01T00:00:00Z", "2026-11-22T01:59:00Z"]
)
def test_a_call_answered_more_than_a_day_ago_is_422_and_takes_no_number(
    api: Api, moment: str
) -> None:
    body = {"narrative": "有人打架", "call": {"answered_at": moment}}
    response = api.post("/incidents", "calltaker", json=body)
    assert _locs(response) == {("body", "call", "answered_at")}
    assert "24 hours" in response.json()["detail"][0]["msg"]
    late = api.post("/calls", "calltaker", json={"outcome": "advice", "answered_at": moment})
    assert _locs(late) == {("body", "answered_at")}


def test_a_call_entered_late_the_same_day_keeps_its_time_and_its_day(api: Api) -> None:
    answered = (START - timedelta(hours=20)).isoformat()
    incident = new_incident(api, call={"answered_at": answered})
    assert incident["number"] == "35010201-20261122-0001"


@pytest.mark.parametrize("moment", ["2026-11-23T08:00:00", "2026-11-23"])
def test_a_time_without_its_offset_is_422(api: Api, moment: str) -> None:
    response = api.get("/incidents", "calltaker", params={"since": moment})
    assert _locs(response) == {("query", "since")}


@pytest.mark.parametrize("day", ["0001-01-01", "2101-01-01", "1899-12-31"])
def test_a_report_day_beyond_the_calendar_is_422_naming_it(api: Api, day: str) -> None:
    daily = api.get("/reports/missing/daily", "analyst", params={"date": day})
    assert _locs(daily) == {("query", "date")}
    recovery = api.get(
        "/reports/missing/recovery", "analyst", params={"since": day, "until": "2026-11-01"}
    )
    assert ("query", "since") in _locs(recovery)


def test_a_birth_date_beyond_the_calendar_is_422_naming_it(api: Api) -> None:
    number = new_incident(api, category="missing_elderly", narrative="老人走失")["number"]
    body = {
        "incident": number,
        "person": {"name": "王秀英", "sex": "female", "birth_date": "0001-01-01"},
        "informant": {"name": "李芳", "phone": "13900139000", "relation": "女儿"},
        "last_seen": _last_seen("2026-11-23T01:00:00Z"),
    }
    response = api.post("/missing", "calltaker", json=body)
    assert _locs(response) == {("body", "person", "birth_date")}


def test_a_validation_error_echoes_what_it_can_and_names_every_field(api: Api) -> None:
    long = "长" * 5000
    text = '{"lon": NaN, "lat": 26.08, "narrative": "' + long + '", "tags": [1e999]}'
    response = _post_raw(api, "/incidents", "calltaker", text)
    errors = {tuple(e["loc"]): e for e in response.json()["detail"]}
    assert errors[("body", "lon")]["input"] == "nan"
    assert len(errors[("body", "narrative")]["input"]) <= 201
    assert ("body", "tags", 0) in errors


# --- body size -------------------------------------------------------------------------------


@pytest.fixture
def small_limits(runtime: Runtime) -> Runtime:
    runtime.settings.max_body_bytes = 4096
    runtime.settings.max_upload_bytes = 8192
    return runtime


def _chunks(total: int, size: int = 1024) -> Iterator[bytes]:
    yield b'{"narrative": "'
    sent = 0
    while sent < total:
        yield b"x" * size
        sent += size
    yield b'"}'


def test_a_body_declared_larger_than_the_limit_is_413_naming_the_limit(
    runtime: Runtime, api: Api
) -> None:
    limit = runtime.settings.max_body_bytes
    body = json.dumps({"narrative": "x" * limit}).encode()
    response = api.client.post(
        "/api/v1/incidents",
        content=body,
        headers={**api.as_("calltaker"), "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["limit_bytes"] == limit
    assert str(limit) in response.json()["detail"]
    assert api.get("/incidents", "calltaker").json()["total"] == 0


def test_a_chunked_body_growing_past_the_limit_is_413(small_limits: Runtime, api: Api) -> None:
    response = api.client.post(
        "/api/v1/incidents",
        content=_chunks(10_000),
        headers={**api.as_("calltaker"), "Content-Type": "application/json"},
    )
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert response.status_code == 413
    assert response.json()["limit_bytes"] == 4096
    assert api.get("/incidents", "calltaker").json()["total"] == 0


def test_a_chunked_body_under_the_limit_is_read_whole(small_limits: Runtime, api: Api) -> None:
    response = api.client.post(
        "/api/v1/incidents",
        content=_chunks(2048),
        headers={**api.as_("calltaker"), "Content-Type": "application/json"},
    )
    assert response.status_code == 201, response.text
    assert len(response.json()["narrative"]) == 2048


def test_the_login_form_is_held_to_the_limit(small_limits: Runtime, api: Api) -> None:
    response = api.client.post(
        "/login",
        data={"username": "calltaker", "password": "x" * 10_000},
        follow_redirects=False,
    )
    assert response.status_code == 413


def test_a_photo_may_be_larger_than_a_json_body_but_not_than_the_upload_limit(
    small_limits: Runtime, api: Api
) -> None:
    number = open_case(
        api, VirtualClock(START), category="missing_elderly", who=person("王秀英", "female", 80)
    )["number"]
    headers = {**api.as_("calltaker"), "Content-Type": "image/png"}
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 6000
    fits = api.client.post(f"/api/v1/missing/{number}/photos", content=png, headers=headers)
    assert fits.status_code == 201, fits.text
    too_big = png + b"\0" * 4000
    refused = api.client.post(f"/api/v1/missing/{number}/photos", content=too_big, headers=headers)
    assert refused.status_code == 413
    assert refused.json()["limit_bytes"] == 8192
