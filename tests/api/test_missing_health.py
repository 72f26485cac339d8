"""A missing person's health (医疗健康, sensitive personal information) is for those who look
for the person: the duty roles and officers see the conditions; the analyst, the admin and the
auditor, who only read records, are told they are withheld, in the case, its rules' reasons,
its journal and its page."""

from __future__ import annotations

import json

import pytest

from cad110.clock import VirtualClock
from tests.api.helpers import ok
from tests.conftest import Api
from tests.integration.missing_steps import open_case, person
from tests.world import PASSWORD


def _case(api: Api, clock: VirtualClock) -> str:
    details = {"mental_health": "阿尔茨海默病，记不清家庭住址", "clothing": "蓝色棉袄"}
    who = person("王秀英", "female", 78, conditions=["dementia"], details=details)
    number: str = open_case(api, clock, category="missing_elderly", who=who)["number"]
    # A correction of the record: the journal carries the conditions again.
    again = person(
        "王秀英", "female", 78, conditions=["dementia", "mental_illness"], details=details
    )
    ok(api.post(f"/missing/{number}/record", "dispatcher", json={"person": again}))
    return number


def _page(api: Api, user: str, number: str) -> str:
    api.client.cookies.clear()
    login = {"username": user, "password": PASSWORD}
    assert api.client.post("/login", data=login, follow_redirects=False).status_code == 303
    page = api.client.get(f"/missing/{number}")
    assert page.status_code == 200
    return page.text


@pytest.mark.parametrize("user", ["analyst", "admin", "auditor"])
def test_those_who_only_read_records_are_told_the_health_is_withheld(
    api: Api, clock: VirtualClock, user: str
) -> None:
    number = _case(api, clock)
    shown = ok(api.get(f"/missing/{number}", user))
    assert (shown["conditions"], shown["health_withheld"]) == ([], True)
    assert shown["details"] == {"clothing": "蓝色棉袄"}
    [vulnerable] = [f for f in shown["firings"] if f["rule"] == "vulnerable"]
    assert vulnerable["params"]["conditions"] == []
    assert vulnerable["reason"] == "易受伤害人员（78岁），一级紧急，黄金72小时"
    journal = api.get(f"/missing/{number}/journal", user)
    assert journal.status_code == 200
    said = json.dumps(journal.json(), ensure_ascii=False)
    assert "dementia" not in said
    assert "阿尔茨海默病" not in said
    assert "conditions" not in said
    assert "王秀英" in said  # the rest of the journal is there
    text = _page(api, user, number)
    assert "健康信息不予显示" in text
    assert "认知障碍" not in text
    assert "阿尔茨海默病" not in text
    assert "精神障碍" not in text


@pytest.mark.parametrize("user", ["dispatcher", "leader"])
def test_those_who_look_for_the_person_see_the_conditions(
    api: Api, clock: VirtualClock, user: str
) -> None:
    number = _case(api, clock)
    shown = ok(api.get(f"/missing/{number}", user))
    assert (shown["conditions"], shown["health_withheld"]) == (
        ["dementia", "mental_illness"],
        False,
    )
    journal = json.dumps(ok_list(api.get(f"/missing/{number}/journal", user)))
    assert "mental_illness" in journal
    assert shown["details"]["mental_health"] == "阿尔茨海默病，记不清家庭住址"
    text = _page(api, user, number)
    assert "认知障碍（老年痴呆）" in text
    assert "阿尔茨海默病" in text
    assert "健康信息不予显示" not in text


def ok_list(response: object) -> list[object]:
    assert getattr(response, "status_code", None) == 200
    items: list[object] = response.json()  # type: ignore[attr-defined]
    return items
