"""移交12345 only of what is plainly the hotline's: an incident of a police category, or one in a
repeat case still being worked, is refused until the call-taker or dispatcher confirms, and the
board's transfer dialog says why before it is sent (in Chinese and English)."""

from __future__ import annotations

import json

from sqlalchemy import select

from cad110.kernel.runtime import Runtime
from cad110.models.event import Event
from cad110.web.i18n import LANG_COOKIE
from tests.api.helpers import new_incident, ok
from tests.conftest import Api
from tests.world import PASSWORD


def _transfer(api: Api, number: str, **extra: object) -> tuple[int, dict[str, object]]:
    body = {"to": "12345", **extra}
    answer = api.post(f"/incidents/{number}/transfer", "calltaker", json=body)
    return answer.status_code, answer.json()


def _transfer_payload(runtime: Runtime, number: str) -> dict[str, object]:
    with runtime.readers() as session:
        [event] = session.scalars(
            select(Event).where(
                Event.subject_type == "incident",
                Event.subject_id == number,
                Event.kind == "transfer",
            )
        ).all()
        return json.loads(event.payload)  # type: ignore[no-any-return]


def _panel(api: Api, number: str, lang: str = "zh_CN") -> str:
    api.client.cookies.clear()
    login = {"username": "dispatcher", "password": PASSWORD}
    assert api.client.post("/login", data=login, follow_redirects=False).status_code == 303
    api.client.cookies.set(LANG_COOKIE, lang)
    response = api.client.get(f"/board/incident/{number}")
    assert response.status_code == 200, response.text
    return response.text


def test_a_police_matter_goes_to_12345_only_once_confirmed(api: Api, runtime: Runtime) -> None:
    number = new_incident(api, category="family_dispute", narrative="夫妻吵架")["number"]
    status, refused = _transfer(api, number)
    assert status == 409
    assert refused["code"] == "transfer_needs_confirm"
    assert refused["warnings"] == [
        {"code": "police_category", "category": "family_dispute", "case": None}
    ]
    still = ok(api.get(f"/incidents/{number}", "dispatcher"))
    assert still["status"] != "transferred"
    assert ok(api.get(f"/incidents/{number}/transfers", "dispatcher"))["items"] == []
    status, done = _transfer(api, number, confirm=True)
    assert status == 200, done
    assert done["transferred_to"] == "12345"
    assert len(ok(api.get(f"/incidents/{number}/transfers", "dispatcher"))["items"]) == 1
    # The record says the warning was overridden.
    assert _transfer_payload(runtime, number)["confirm"] is True


def test_a_non_police_call_in_an_open_repeat_case_needs_the_confirmation_too(api: Api) -> None:
    number = new_incident(api, category="move_car", narrative="楼下车辆堵门，又是那户")["number"]
    case = {"incident": number, "type": "neighbour", "owner": "officer-35010201-1"}
    opened = api.post("/repeat-cases", "dispatcher", json=case)
    assert opened.status_code == 201, opened.text
    status, refused = _transfer(api, number)
    assert status == 409
    assert refused["warnings"] == [
        {"code": "open_repeat_case", "category": None, "case": opened.json()["number"]}
    ]


def test_what_is_plainly_12345_s_goes_at_once_and_the_record_says_no_more(
    api: Api, runtime: Runtime
) -> None:
    number = new_incident(api, category="move_car", narrative="车辆堵住车库")["number"]
    status, done = _transfer(api, number)
    assert status == 200, done
    assert "confirm" not in _transfer_payload(runtime, number)


def test_the_board_s_transfer_dialog_warns_before_it_is_sent(api: Api) -> None:
    dispute = new_incident(api, category="family_dispute", narrative="夫妻吵架")["number"]
    zh = _panel(api, dispute)
    assert 'data-warning="police_category"' in zh
    assert "警情类别“家庭纠纷”属警务事项，应由110处置" in zh
    assert 'name="confirm"' in zh
    en = _panel(api, dispute, lang="en")
    assert "its category, Family dispute, is a police matter: 110 handles it" in en
    plain = new_incident(api, category="move_car", narrative="车辆堵住车库")["number"]
    assert "transfer-warning" not in _panel(api, plain)
