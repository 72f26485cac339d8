"""Listing, filters, pagination, and the reference endpoints."""

from __future__ import annotations

from datetime import timedelta

from cad110.clock import VirtualClock
from cad110.runtime import build_runtime
from tests.api.helpers import new_incident, ok
from tests.conftest import Api
from tests.world import MINHOU


def test_filters_and_pagination(api: Api, clock: VirtualClock) -> None:
    first = new_incident(api, category="theft")["number"]
    clock.advance(timedelta(hours=1))
    second = new_incident(api, category="robbery", accept=True)["number"]
    clock.advance(timedelta(hours=1))
    third = new_incident(api, category="family_dispute", lon=MINHOU[0], lat=MINHOU[1])["number"]

    everything = ok(api.get("/incidents", "dispatcher"))
    assert [i["number"] for i in everything["items"]] == [third, second, first]
    assert [
        i["number"]
        for i in ok(api.get("/incidents", "dispatcher", params={"status": "accepted"}))["items"]
    ] == [second]
    assert [
        i["number"]
        for i in ok(api.get("/incidents", "dispatcher", params={"category": ["theft", "robbery"]}))[
            "items"
        ]
    ] == [second, first]
    assert ok(api.get("/incidents", "dispatcher", params={"grade": 1}))["total"] == 1
    assert [
        i["number"]
        for i in ok(api.get("/incidents", "dispatcher", params={"jurisdiction": "350121"}))["items"]
    ] == [third]
    window = {"since": "2026-11-23T10:30:00+08:00", "until": "2026-11-23T11:30:00+08:00"}
    assert [
        i["number"] for i in ok(api.get("/incidents", "dispatcher", params=window))["items"]
    ] == [second]
    page = ok(api.get("/incidents", "dispatcher", params={"limit": 2, "offset": 2}))
    assert page["total"] == 3
    assert [i["number"] for i in page["items"]] == [first]


def test_bad_filters_are_422(api: Api) -> None:
    assert api.get("/incidents", "dispatcher", params={"status": "flying"}).status_code == 422
    assert api.get("/incidents", "dispatcher", params={"grade": 9}).status_code == 422
    naive = api.get("/incidents", "dispatcher", params={"since": "2026-11-23T10:00:00"})
    assert naive.status_code == 422
    assert naive.json()["detail"][0]["loc"] == ["query", "since"]
    assert api.get("/incidents", "dispatcher", params={"limit": 0}).status_code == 422


def test_jurisdiction_filter_outside_scope_is_404(api: Api) -> None:
    assert (
        api.get("/incidents", "minhou_dispatcher", params={"jurisdiction": "350102"}).status_code
        == 404
    )


def test_categories_are_served_with_limits_and_guides(api: Api) -> None:
    catalog = ok(api.get("/categories", "officer-35010201-1"))
    codes = {c["code"]: c for c in catalog["categories"]}
    assert codes["fire"]["transfer_to"] == "119"
    assert codes["theft"]["guide"]
    assert codes["robbery"]["limits"]["1"]["arrive_urban_s"] <= 300
    assert [g["grade"] for g in catalog["grades"]] == [1, 2, 3, 4]


def test_jurisdictions_and_units_are_scoped(api: Api) -> None:
    city = ok(api.get("/jurisdictions", "dispatcher"))
    assert {j["code"] for j in city["items"]} == {
        "350100",
        "350102",
        "35010201",
        "35010202",
        "350121",
        "35012101",
    }
    minhou = ok(api.get("/jurisdictions", "minhou_dispatcher", params={"geometry": "true"}))
    assert {j["code"] for j in minhou["items"]} == {"350121", "35012101"}
    assert minhou["grids"][0]["boundary"]["type"] == "Polygon"
    units = ok(api.get("/units", "minhou_dispatcher"))
    assert [u["code"] for u in units["items"]] == ["35012101-1"]
    assert len(ok(api.get("/units", "dispatcher", params={"status": "available"}))["items"]) == 4


def test_openapi_is_published() -> None:
    from cad110.app import create_app
    from cad110.settings import Settings

    app = create_app(build_runtime(Settings(database_url="sqlite://")))
    paths = app.openapi()["paths"]
    for path in (
        "/api/v1/incidents",
        "/api/v1/incidents/{number}/dispatch",
        "/api/v1/calls",
        "/api/v1/categories",
    ):
        assert path in paths
