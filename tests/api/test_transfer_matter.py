"""转12345 from the desk: the ticket says where and what (the address, point and category the
call-taker took, checked as 接警 checks them), and a second transfer from the same number about
another matter opens a ticket of its own instead of being linked as "rang again"."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.models.event import Event
from cad110.models.outbox import OutboxMessage
from tests.api.helpers import new_incident, ok
from tests.conftest import Api
from tests.places_seed import WEST_LAKE, seed_places
from tests.world import GULOU_EAST, GULOU_WEST, MINHOU

PHONE = "13911113333"


@pytest.fixture(autouse=True)
def _places(runtime: Runtime) -> None:
    seed_places(runtime)


def _transfer(api: Api, **said: object) -> Any:
    body = {"outcome": "transferred_12345", "caller_phone": PHONE, "note": "路灯不亮", **said}
    return api.post("/calls", "calltaker", json=body)


def _tickets(api: Api) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = ok(api.get(f"/transfers/open?caller_phone={PHONE}", "calltaker"))[
        "items"
    ]
    return sorted(items, key=lambda t: t["id"])


def _messages(runtime: Runtime) -> list[dict[str, Any]]:
    with transaction(runtime.sessions) as session:
        rows = session.scalars(
            select(OutboxMessage).where(OutboxMessage.channel == "12345").order_by(OutboxMessage.id)
        )
        return [dict(m.payload) for m in rows]


def test_the_desks_ticket_says_where_and_what_the_call_was_about(
    api: Api, runtime: Runtime
) -> None:
    response = _transfer(
        api,
        address=WEST_LAKE["full_text"],
        place=WEST_LAKE["code"],
        category="municipal_facility",
    )
    assert response.status_code == 201, response.text
    [ticket] = _tickets(api)
    assert (ticket["hotline_type"], ticket["hotline_topic"]) == ("request", "municipal")
    [message] = _messages(runtime)
    assert message["place"] == {
        "address": WEST_LAKE["full_text"],
        "lon": float(WEST_LAKE["lon"]),
        "lat": float(WEST_LAKE["lat"]),
        "jurisdiction": "35010201",  # the point's station, not the answering centre
    }
    assert message["police"]["category"] == "municipal_facility"
    assert message["topic_zh"] == "城乡建设"
    with transaction(runtime.sessions) as session:
        event = session.scalars(
            select(Event).where(
                Event.subject_type == "call", Event.subject_id == str(response.json()["id"])
            )
        ).one()
        said = json.loads(event.payload)
    assert (said["place"], said["category"]) == (WEST_LAKE["code"], "municipal_facility")


def test_a_typed_address_is_geocoded_and_one_that_matches_nothing_is_kept_as_said(
    api: Api, runtime: Runtime
) -> None:
    assert _transfer(api, address="鼓楼区湖滨路西湖公园").status_code == 201
    assert _transfer(api, caller_phone="13911114444", address="鼓楼区无此路9号").status_code == 201
    found, kept = _messages(runtime)
    assert (found["place"]["lon"], found["place"]["lat"]) == (
        float(WEST_LAKE["lon"]),
        float(WEST_LAKE["lat"]),
    )
    assert kept["place"] == {
        "address": "鼓楼区无此路9号",
        "lon": None,
        "lat": None,
        "jurisdiction": "350102",  # the district the caller named
    }


@pytest.mark.parametrize(
    ("said", "field", "code"),
    [
        ({"category": "no_such_thing"}, "category", "unknown_category"),
        ({"place": "NO-SUCH-PLACE"}, "place", "unknown_place"),
        ({"lon": GULOU_WEST[0]}, None, None),
        ({"address": "鼓楼区湖滨路西湖公园", "lon": MINHOU[0], "lat": MINHOU[1]}, "address", None),
    ],
)
def test_what_the_desk_says_of_the_place_is_checked_as_at_intake(
    api: Api, runtime: Runtime, said: dict[str, object], field: str | None, code: str | None
) -> None:
    refused = _transfer(api, **said)
    assert refused.status_code == 422, refused.text
    item = refused.json()["detail"][0]
    if field is not None:
        assert item["loc"][-1] == field
    if code is not None:
        assert item["code"] == code
    assert _tickets(api) == []
    assert _messages(runtime) == []


def test_a_point_the_address_contradicts_goes_once_confirmed(api: Api, runtime: Runtime) -> None:
    said = {"address": "鼓楼区湖滨路西湖公园", "lon": MINHOU[0], "lat": MINHOU[1]}
    assert _transfer(api, **said).json()["detail"][0]["code"] == "place_contradiction"
    assert _transfer(api, **said, place_confirmed=True).status_code == 201
    [message] = _messages(runtime)
    assert message["place"]["jurisdiction"] == "35012101"


def test_an_attached_call_says_no_place_of_its_own(api: Api) -> None:
    number = new_incident(api)["number"]
    refused = api.post(
        "/calls",
        "calltaker",
        json={"outcome": "attached", "incident": number, "caller_phone": PHONE, "address": "x"},
    )
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"][-1] == "address"


def test_another_matter_from_the_same_number_opens_its_own_ticket(api: Api) -> None:
    first = {"category": "municipal_facility", "lon": GULOU_WEST[0], "lat": GULOU_WEST[1]}
    assert _transfer(api, **first).status_code == 201
    # The same matter rung in again (nothing new said, or the same category close by): linked.
    assert _transfer(api, note="还没修").status_code == 201
    assert _transfer(api, **first, note="还是不亮").status_code == 201
    [ticket] = _tickets(api)
    assert ticket["rang_again"] == 2

    # Another category, or the same one a kilometre and more away: a ticket of its own.
    other = {"category": "construction_noise", "lon": GULOU_WEST[0], "lat": GULOU_WEST[1]}
    assert _transfer(api, **other, note="工地夜间施工").status_code == 201
    elsewhere = {"category": "municipal_facility", "lon": GULOU_EAST[0], "lat": GULOU_EAST[1]}
    assert _transfer(api, **elsewhere, note="另一处路灯").status_code == 201
    tickets = _tickets(api)
    assert [(t["hotline_topic"], t["rang_again"]) for t in tickets] == [
        ("municipal", 2),
        ("environment", 0),
        ("municipal", 0),
    ]
