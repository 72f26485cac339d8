"""The desk's category search, and error bodies that carry a machine code to translate."""

from __future__ import annotations

from tests.api.helpers import new_incident, ok
from tests.conftest import Api
from tests.world import MINHOU


def test_categories_are_found_by_pinyin_initials_and_synonym(api: Api) -> None:
    for query in ("盗窃", "daoqie", "dq", "偷东西", "被偷"):
        items = ok(api.get("/catalog/categories", "calltaker", params={"q": query}))["items"]
        assert items[0] == {"code": "theft", "zh": "盗窃", "en": "Theft", "default_grade": 2}


def test_an_empty_query_lists_the_catalog_and_a_strange_one_nothing(api: Api) -> None:
    everything = ok(api.get("/catalog/categories", "calltaker", params={"limit": 100}))["items"]
    assert len(everything) == len(ok(api.get("/categories", "calltaker"))["categories"])
    assert ok(api.get("/catalog/categories", "calltaker", params={"q": "qqqqq"}))["items"] == []
    too_long = api.get("/catalog/categories", "calltaker", params={"q": "盗" * 41})
    assert too_long.status_code == 422
    assert too_long.json()["detail"][0]["loc"] == ["query", "q"]


def test_an_unknown_category_names_its_field_and_a_code(api: Api) -> None:
    response = api.post("/incidents", "calltaker", json={"category": "盗窃"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input"
    assert body["detail"][0]["loc"] == ["body", "category"]
    assert body["detail"][0]["type"] == "invalid_input"
    assert body["detail"][0]["code"] == "unknown_category"
    assert "unknown category" in body["detail"][0]["msg"]


def test_a_point_outside_ones_district_says_why_by_code(api: Api) -> None:
    response = api.post("/incidents", "gulou_calltaker", json={"lon": MINHOU[0], "lat": MINHOU[1]})
    assert response.json()["detail"][0]["code"] == "outside_jurisdiction"


def test_a_refused_transition_carries_a_reason_besides_its_message(api: Api) -> None:
    number = new_incident(api)["number"]
    response = api.post(f"/incidents/{number}/archive", "dispatcher", json={})
    assert response.status_code == 409, response.text
    body = response.json()
    assert body["code"] == "invalid_transition"
    assert body["reason"] == "not_allowed"
    assert body["state"] == "received"
    assert isinstance(body["allowed"], list)
    assert body["detail"].startswith("Refused")
