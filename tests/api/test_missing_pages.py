"""The 寻人 screens on the server side: the case desk, one case, opening a case, cluster alerts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from tests.api.helpers import new_incident, ok
from tests.conftest import Api
from tests.integration.missing_steps import advance, open_case, person
from tests.world import GULOU_EAST, PASSWORD


def _login(api: Api, username: str) -> None:
    response = api.client.post(
        "/login", data={"username": username, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def _elderly(api: Api, clock: VirtualClock, **extra: object) -> dict[str, object]:
    return open_case(
        api,
        clock,
        category="missing_elderly",
        who=person(
            "王秀英",
            "female",
            78,
            conditions=["dementia"],
            details={"clothing": "蓝色棉袄，黑色裤子", "height_cm": 155},
        ),
        **extra,
    )


def test_the_desk_needs_a_login(api: Api) -> None:
    response = api.client.get("/missing", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/missing"


def test_the_desk_lists_open_cases_urgent_first_with_the_golden_clock(
    api: Api, clock: VirtualClock
) -> None:
    adult = open_case(api, clock, category="missing_person", who=person("赵建国", "male", 41))
    elderly = _elderly(api, clock, case_officer="officer-35010201-1", lost_hours_ago=2)
    _login(api, "dispatcher")
    page = api.client.get("/missing")
    assert page.status_code == 200
    text = page.text
    assert "寻人台账" in text
    assert 'href="/missing"' in text  # the nav link
    assert text.index(str(elderly["number"])) < text.index(str(adult["number"]))
    # Golden 72 hours counted from last seen two hours ago; the browser ticks it down.
    assert 'data-left="252000"' in text
    assert text.count('data-left="') == 1  # the adult's case has no clock, and says why
    assert "非紧急，不计时" in text
    assert "王秀英" in text
    assert "女 · 78岁" in text
    assert "鼓楼区西湖公园" in text
    assert "officer-35010201-1" in text
    assert "派出所" in text
    assert "24小时" in text  # the next callback
    assert "聚集预警" in text


def test_the_desk_filters_ledger_callbacks_due_and_closed(api: Api, clock: VirtualClock) -> None:
    kept = _elderly(api, clock)
    found = open_case(api, clock, category="missing_person", who=person("周敏", "female", 25))
    ok(
        api.post(
            f"/missing/{found['number']}/close",
            "dispatcher",
            json={"outcome": "returned", "note": "已自行回家"},
        )
    )
    _login(api, "dispatcher")
    closed = api.client.get("/missing?view=closed").text
    assert str(found["number"]) in closed
    assert str(kept["number"]) not in closed
    assert "已自行返回" in closed
    record = api.client.get(f"/missing/{found['number']}").text
    assert "已自行回家" in record  # the outcome's note
    assert f"/api/v1/missing/{found['number']}/close" not in record
    assert f"/api/v1/missing/{found['number']}/group" not in record  # nothing left to do
    assert str(kept["number"]) not in api.client.get("/missing?view=ledger").text
    assert str(kept["number"]) not in api.client.get("/missing?view=due").text

    clock.advance(timedelta(hours=25))  # the next day: on the ledger, the 24 h callback due
    _login(api, "dispatcher")  # a new shift
    ledger = api.client.get("/missing?view=ledger").text
    assert str(kept["number"]) in ledger
    assert "ledger-mark" in ledger
    due = api.client.get("/missing?view=due").text
    assert str(kept["number"]) in due
    assert "已到期" in due
    assert api.client.get("/missing?view=nonsense").status_code == 200  # falls back to open


def test_the_case_page_shows_the_record_clock_rules_and_journal(
    api: Api, clock: VirtualClock
) -> None:
    opened = _elderly(api, clock, leader="leader", case_officer="officer-35010201-1")
    number = opened["number"]
    _login(api, "dispatcher")
    page = api.client.get(f"/missing/{number}")
    assert page.status_code == 200
    text = page.text
    for expected in (
        "王秀英",
        "认知障碍（老年痴呆）",  # the condition in Chinese
        "蓝色棉袄，黑色裤子",
        "155",
        "李芳",  # the informant
        "黄金72小时",
        'data-left="255600"',
        "易受伤害人员",  # the rule's reason
        "一键建群",
        "推送周边警组",
        "微信群",  # an appeal channel from the settings
        "24小时",
        f"/api/v1/missing/{number}/pfif",
        "建档",  # the journal's first entry
        "结案",  # dispatchers may close
        "包干领导",
        "专管员",
    ):
        assert expected in text, expected
    assert "decision" not in text  # no request, no approval buttons
    photo = api.post(
        f"/missing/{number}/photos",
        "dispatcher",
        content=b"\x89PNG\r\n\x1a\n" + b"\0" * 64,
        headers={"Content-Type": "image/png"},
    )
    assert photo.status_code == 201, photo.text
    with_photo = api.client.get(f"/missing/{number}").text
    assert f'src="/api/v1/missing/{number}/photos/{photo.json()["id"]}"' in with_photo


def test_leaders_approve_requests_and_others_do_not_see_the_buttons(
    api: Api, clock: VirtualClock
) -> None:
    child = open_case(
        api,
        clock,
        category="missing_child",
        who=person("陈小明", "male", 12, signs=["harm_at_scene"]),
    )
    number = child["number"]
    [request] = child["requests"]
    _login(api, "leader")
    text = api.client.get(f"/missing/{number}").text
    assert f"/requests/{request['id']}/decision" in text
    assert "移交刑侦" in text
    assert "待审批" in text
    assert "立案" in text  # the child rule filed a criminal case at once
    assert "现场有被侵害迹象" in text
    _login(api, "officer-35010201-1")
    officer = api.client.get(f"/missing/{number}").text
    assert "/decision" not in officer
    assert f"/api/v1/missing/{number}/close" not in officer  # officers do not close
    assert f"/api/v1/missing/{number}/appeals" not in officer  # nor publish appeals
    assert f"/api/v1/missing/{number}/group" in officer  # but they work the case


def test_a_case_outside_the_jurisdiction_or_unknown_is_the_not_found_page(
    api: Api, clock: VirtualClock
) -> None:
    number = _elderly(api, clock)["number"]
    _login(api, "minhou_dispatcher")
    outside = api.client.get(f"/missing/{number}")
    assert outside.status_code == 404
    assert f"在您的辖区内未找到寻人档案 {number}" in outside.text
    assert number not in api.client.get("/missing").text
    _login(api, "dispatcher")
    unknown = api.client.get("/missing/XR-35010201-20261123-9999")
    assert unknown.status_code == 404
    assert "未找到寻人档案" in unknown.text


def test_the_screens_switch_to_english(api: Api, clock: VirtualClock) -> None:
    number = _elderly(api, clock)["number"]
    _login(api, "dispatcher")
    api.client.get("/lang/en", follow_redirects=False)
    desk = api.client.get("/missing").text
    assert "Missing-person ledger" in desk
    assert "Missing persons" in desk
    case = api.client.get(f"/missing/{number}").text
    assert "Golden 72 hours" in case
    assert "Form the task group in one click" in case
    assert "Dementia" in case
    assert "一键建群" not in case


def test_the_opening_form_is_prefilled_from_the_incident(api: Api, clock: VirtualClock) -> None:
    incident = new_incident(
        api,
        category="missing_elderly",
        address="鼓楼区温泉公园",
        lon=GULOU_EAST[0],
        lat=GULOU_EAST[1],
        caller_name="李芳",
    )
    number = incident["number"]
    _login(api, "dispatcher")
    panel = api.client.get(f"/board/incident/{number}").text
    assert f'href="/missing/new?incident={number}"' in panel
    assert "寻人建档" in panel
    form = api.client.get(f"/missing/new?incident={number}")
    assert form.status_code == 200
    text = form.text
    assert 'value="鼓楼区温泉公园"' in text
    assert f'value="{GULOU_EAST[0]}"' in text
    assert 'value="李芳"' in text
    assert 'value="2026-11-23T10:00"' in text  # received at 10:00 in Fuzhou
    assert "认知障碍（老年痴呆）" in text
    assert "现场有被侵害迹象" in text
    assert "回访发现人员失踪" not in text  # a missing-person category needs no reason
    # Once the case exists, the panel and the form lead to it.
    body = {
        "incident": number,
        "person": {"name": "王秀英", "sex": "female", "age": 78},
        "informant": {"name": "李芳", "phone": "13900139000", "relation": "女儿"},
        "last_seen": {"at": clock.now().isoformat(), "place": "鼓楼区温泉公园"},
    }
    case_number = api.post("/missing", "dispatcher", json=body).json()["number"]
    assert "查看寻人档案" in api.client.get(f"/board/incident/{number}").text
    again = api.client.get(f"/missing/new?incident={number}", follow_redirects=False)
    assert again.status_code == 303
    assert again.headers["location"] == f"/missing/{case_number}"


def test_the_opening_form_refuses_unknown_incidents_and_roles_that_cannot_open(
    api: Api,
) -> None:
    theft = new_incident(api)["number"]
    _login(api, "dispatcher")
    assert "寻人建档" not in api.client.get(f"/board/incident/{theft}").text
    other = api.client.get(f"/missing/new?incident={theft}").text
    assert "回访发现人员失踪" in other  # another category: only from a callback
    assert api.client.get("/missing/new?incident=nope").status_code == 404
    _login(api, "analyst")
    assert api.client.get(f"/missing/new?incident={theft}").status_code == 403


def test_cluster_alerts_list_their_cases_and_leaders_acknowledge(
    api: Api, clock: VirtualClock
) -> None:
    numbers = []
    for i, name in enumerate(("林一", "林二", "林三")):
        c = open_case(
            api,
            clock,
            category="missing_person",
            who=person(name, "male", 15, school_or_work="鼓楼实验中学"),
            informant_phone=f"1390013900{i}",
        )
        numbers.append(c["number"])
        clock.advance(timedelta(days=1))
    _login(api, "gulou_leader")
    # One grid and one school: two alerts for the district.
    assert "2条未签阅" in api.client.get("/missing").text
    page = api.client.get("/missing/clusters")
    assert page.status_code == 200
    text = page.text
    assert "同一学校或单位" in text
    assert "鼓楼实验中学" in text
    assert "鼓楼分局" in text
    assert "同一网格" in text
    assert all(n in text for n in numbers)
    assert "/acknowledge" in text
    case_text = api.client.get(f"/missing/{numbers[0]}").text
    assert "/missing/clusters#cluster-" in case_text
    _login(api, "dispatcher")
    assert "/acknowledge" not in api.client.get("/missing/clusters").text


def test_the_unit_view_lists_who_to_look_out_for(api: Api, clock: VirtualClock) -> None:
    opened = open_case(
        api,
        clock,
        category="missing_elderly",
        who=person("吴桂芳", "female", 84, details={"clothing": "红色毛衣"}),
    )
    ok(api.post(f"/missing/{opened['number']}/push", "dispatcher", json={"radius_km": 5}))
    _login(api, "officer-35010202-1")
    page = api.client.get("/unit").text
    assert "查找协查" in page
    assert "吴桂芳" in page
    assert "红色毛衣" in page
    assert "mark-read" in page
    _login(api, "officer-35012101-1")  # Minhou, outside the radius
    assert "吴桂芳" not in api.client.get("/unit").text


def test_the_unit_view_links_a_lookout_only_where_the_officer_may_open_its_case(
    api: Api, clock: VirtualClock
) -> None:
    # A case of station 35010201, pushed 5 km round: the radius reaches a unit of 35010202,
    # whose officer looks out for the person but may not open the case (outside their station).
    opened = open_case(
        api,
        clock,
        category="missing_person",
        who=person("林雨欣", "female", 13, details={"clothing": "蓝白校服"}),
    )
    number = str(opened["number"])
    photos = f"/api/v1/missing/{number}/photos"
    headers = {**api.as_("dispatcher"), "Content-Type": "image/png"}
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    photo = api.client.post(photos, content=png, headers=headers).json()["id"]
    ok(api.post(f"/missing/{number}/push", "dispatcher", json={"radius_km": 5}))
    for officer, opens in (("officer-35010201-1", True), ("officer-35010202-1", False)):
        _login(api, officer)
        page = api.client.get("/unit").text
        # What to look out for is there either way, with the button to say it was seen.
        assert "林雨欣" in page
        assert "蓝白校服" in page
        assert "mark-read" in page
        # A link where the case page opens, plain text where it would be 404.
        assert (f'href="/missing/{number}"' in page) is opens
        assert (api.client.get(f"/missing/{number}").status_code == 200) is opens
        # The photo is what the officer looks for: shown to both.
        assert f'src="{photos}/{photo}"' in page
        assert api.client.get(f"{photos}/{photo}").status_code == 200
    # Not to an officer whose unit (far away in Minhou) was not asked to look out for the person.
    _login(api, "officer-35012101-1")
    assert api.client.get(f"{photos}/{photo}").status_code == 404


def test_the_incident_record_links_its_case(api: Api, clock: VirtualClock) -> None:
    opened = _elderly(api, clock)
    _login(api, "dispatcher")
    page = api.client.get(f"/incidents/{opened['incident']}").text
    assert f'href="/missing/{opened["number"]}"' in page
    assert "寻人档案" in page


def test_the_desk_pages_a_long_ledger(
    api: Api, clock: VirtualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cad110.web import missing_views

    monkeypatch.setattr(missing_views, "PAGE_SIZE", 2)
    numbers = [
        open_case(api, clock, category="missing_person", who=person(f"页{i}", "male", 30 + i))[
            "number"
        ]
        for i in range(3)
    ]
    _login(api, "dispatcher")
    first = api.client.get("/missing").text
    second = api.client.get("/missing?view=open&page_no=2").text
    assert "第1–2条，共3条" in first
    assert "page_no=2" in first
    assert "第3–3条，共3条" in second
    assert "page_no=1" in second
    shown = [n for n in numbers if n in first] + [n for n in numbers if n in second]
    assert sorted(shown) == sorted(numbers)
    assert api.client.get("/missing?page_no=abc").status_code == 200


def test_an_officer_sent_to_the_incident_across_a_station_line_opens_its_case(
    api: Api, clock: VirtualClock
) -> None:
    opened = open_case(api, clock, category="missing_person", who=person("林雨欣", "female", 13))
    number, incident = str(opened["number"]), str(opened["incident"])
    _login(api, "officer-35010202-1")
    assert api.client.get(f"/missing/{number}").status_code == 404
    if ok(api.get(f"/incidents/{incident}", "dispatcher"))["status"] == "received":
        ok(api.post(f"/incidents/{incident}/accept", "dispatcher", json={}))
    ok(api.post(f"/incidents/{incident}/dispatch", "dispatcher", json={"units": ["35010202-1"]}))
    # Sent there, the unit works the case as it works the incident: the page opens and the
    # phone links it.
    assert api.client.get(f"/missing/{number}").status_code == 200
    assert f'href="/missing/{number}"' in api.client.get("/unit").text


def test_the_journal_names_the_system_for_the_steps_it_took(
    api: Api, clock: VirtualClock, runtime: Runtime
) -> None:
    number = str(_elderly(api, clock)["number"])
    ok(api.post(f"/missing/{number}/appeals", "dispatcher", json={"channels": ["wechat_groups"]}))
    # The tick widens the appeal as the hours go by: a step of the system's own.
    advance(runtime, clock, timedelta(hours=30))
    journal = ok(api.get(f"/missing/{number}/journal", "dispatcher"))
    assert "system" in {e["actor"] for e in journal}, "the tick took a step"
    _login(api, "dispatcher")
    page = api.client.get(f"/missing/{number}").text
    assert '<td title="system">系统</td>' in page
    assert '<td title="system">system</td>' not in page
