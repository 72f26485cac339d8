"""The missing-person reports on a small history built through the API, on both databases.

Five days in the test city (times are Fuzhou local, UTC+8; the clock starts 23 Nov 10:00):

| case | station (district)   | last seen     | opened        | end                               |
|------|----------------------|---------------|---------------|-----------------------------------|
| A    | 35010201 (鼓楼)       | 23 Nov 02:00  | 23 Nov 10:00  | found safe 23 Nov 12:00 (10 h)    |
| B    | 35010202 (鼓楼)       | 23 Nov 09:00  | 23 Nov 11:00  | found dead 27 Nov 11:00 (98 h)    |
| F    | 35012101 (闽侯), urgent | 21 Nov 02:00  | 23 Nov 14:00  | still open (golden end 24 Nov 02:00) |
| D    | 35012101 (闽侯)         | 23 Nov 13:00  | 23 Nov 16:00  | returned 24 Nov 19:00 (30 h)      |
| E    | 35010201 (鼓楼)         | 24 Nov 15:00  | 24 Nov 20:00  | still open (on the ledger)        |
| G    | 35010202 (鼓楼)         | 25 Nov 07:00  | 25 Nov 09:00  | found injured 25 Nov 14:00 (7 h)  |
| H    | 35012101 (闽侯)         | 25 Nov 09:00  | 25 Nov 10:00  | closed, not found, 25 Nov 11:00   |

Callbacks fall due 24 h, 3 d… after opening, with 8 h of grace. B's first (24 Nov 11:00) is
recorded on time at 12:00; F's first (24 Nov 14:00) is recorded late, 25 Nov 08:00; D's first
(24 Nov 16:00) is cancelled when D returns at 19:00, inside its grace; E's first (25 Nov 20:00)
is never recorded. The reports are read on 27 Nov at 12:00.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from cad110.missing.reports import percent
from tests.api.helpers import ok
from tests.conftest import Api
from tests.integration.missing_steps import open_case, person
from tests.world import GULOU_EAST, GULOU_WEST, MINHOU

CST = timezone(timedelta(hours=8))
DAILY = "/reports/missing/daily"
RECOVERY = "/reports/missing/recovery"


def _local(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=CST)


def _close(api: Api, number: str, outcome: str, note: str) -> None:
    ok(api.post(f"/missing/{number}/close", "dispatcher", json={"outcome": outcome, "note": note}))


def _callback(api: Api, number: str, seq: int) -> None:
    body = {"reached": True, "family_said": "仍无消息"}
    ok(api.post(f"/missing/{number}/callbacks/{seq}", "dispatcher", json=body))


def _history(api: Api, clock: VirtualClock) -> dict[str, str]:
    def at(day: int, hour: int) -> None:
        clock.set(_local(day, hour))

    def opened(key: str, **kw: Any) -> None:
        cases[key] = open_case(api, clock, **kw)["number"]

    cases: dict[str, str] = {}
    at(23, 10)
    opened(
        "A",
        category="missing_elderly",
        who=person("王秀英", "female", 78, conditions=["dementia"]),
        lost_hours_ago=8,
        place="鼓楼区西湖公园",
        point=GULOU_WEST,
    )
    at(23, 11)
    opened(
        "B",
        category="missing_person",
        who=person("赵建国", "male", 41),
        lost_hours_ago=2,
        place="鼓楼区五一广场",
        point=GULOU_EAST,
    )
    at(23, 12)
    _close(api, cases["A"], "found_safe", "在闽江公园长椅找到，身体无恙")
    at(23, 14)
    opened(
        "F",
        category="missing_elderly",
        who=person("林建华", "male", 80, conditions=["dementia"]),
        lost_hours_ago=60,
        place="闽侯县甘蔗街道",
        point=MINHOU,
    )
    at(23, 16)
    opened(
        "D",
        category="missing_person",
        who=person("周敏", "female", 25),
        lost_hours_ago=3,
        place="闽侯县上街镇",
        point=MINHOU,
    )
    at(24, 12)
    _callback(api, cases["B"], 1)
    at(24, 19)
    _close(api, cases["D"], "returned", "已自行回家")
    at(24, 20)
    opened(
        "E",
        category="missing_person",
        who=person("陈刚", "male", 35),
        lost_hours_ago=5,
        place="鼓楼区三坊七巷",
        point=GULOU_WEST,
    )
    at(25, 8)
    _callback(api, cases["F"], 1)
    at(25, 9)
    opened(
        "G",
        category="missing_person",
        who=person("刘洋", "male", 19),
        lost_hours_ago=2,
        place="鼓楼区东街口",
        point=GULOU_EAST,
    )
    at(25, 10)
    opened(
        "H",
        category="missing_person",
        who=person("吴芳", "female", 30),
        lost_hours_ago=1,
        place="闽侯县青口镇",
        point=MINHOU,
    )
    at(25, 11)
    _close(api, cases["H"], "closed_other", "经核实不属于失踪，报警人撤回")
    at(25, 14)
    _close(api, cases["G"], "found_injured", "在闽江边找到，腿部擦伤，已送医")
    at(27, 11)
    _close(api, cases["B"], "found_dead", "在闽江下游发现遗体，经家属辨认")
    at(27, 12)
    return cases


def _figures(**given: int) -> dict[str, Any]:
    """A day's figures: every count 0 unless given; outcomes as closed_by_outcome."""
    outcomes = {
        o: given.pop(o, 0)
        for o in ("found_safe", "found_injured", "found_dead", "returned", "closed_other")
    }
    base = {
        "opened": 0,
        "closed": 0,
        "found": 0,
        "still_open": 0,
        "on_ledger": 0,
        "urgent_open": 0,
        "past_golden": 0,
        "callbacks_due": 0,
        "callbacks_done": 0,
        "callbacks_missed": 0,
    }
    return {**base, **given, "closed_by_outcome": outcomes}


def _blocks(report: dict[str, Any]) -> dict[str, Any]:
    """{district: (figures, {station: figures})}"""
    return {
        d["jurisdiction"]: (d["figures"], {s["jurisdiction"]: s["figures"] for s in d["stations"]})
        for d in report["districts"]
    }


def test_the_daily_report_counts_each_station_district_and_the_city_and_writes_the_paragraph(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    _history(api, clock)

    # 24 Nov: E opened; D returned; B, F and E open at midnight, B and F from earlier days;
    # F (urgent) was past its golden hours at 02:00. Callbacks due: B's (done on time), F's
    # (done late, so missed too), D's (cancelled inside its grace: neither).
    day = ok(api.get(f"{DAILY}?date=2026-11-24", "leader"))
    assert (day["date"], day["jurisdiction"], day["golden_hours"]) == ("2026-11-24", "350100", 72)
    assert datetime.fromisoformat(day["as_of"]) == _local(25, 0)
    assert day["figures"] == _figures(
        opened=1,
        closed=1,
        found=1,
        returned=1,
        still_open=3,
        on_ledger=2,
        urgent_open=1,
        past_golden=1,
        callbacks_due=3,
        callbacks_done=2,
        callbacks_missed=1,
    )
    assert _blocks(day) == {
        "350102": (
            _figures(opened=1, still_open=2, on_ledger=1, callbacks_due=1, callbacks_done=1),
            {
                "35010201": _figures(opened=1, still_open=1),
                "35010202": _figures(still_open=1, on_ledger=1, callbacks_due=1, callbacks_done=1),
            },
        ),
        "350121": (
            minhou := _figures(
                closed=1,
                found=1,
                returned=1,
                still_open=1,
                on_ledger=1,
                urgent_open=1,
                past_golden=1,
                callbacks_due=2,
                callbacks_done=1,
                callbacks_missed=1,
            ),
            {"35012101": minhou},
        ),
    }
    assert [d["name"] for d in day["districts"]] == ["鼓楼分局", "闽侯县公安局"]
    assert day["text"] == (
        "11月24日，全市接报失踪人员1起，找回1起（自行返回1起），尚在查找3起，其中列入台账2起；"
        "一级紧急1起，其中超过黄金72小时1起。当日应回访3次，已回访2次，超时未回访1次。"
    )

    # 23 Nov: four opened, A found the same day; at midnight F's golden hours had 2 h to run.
    first = ok(api.get(f"{DAILY}?date=2026-11-23", "leader"))
    assert first["figures"] == _figures(
        opened=4, closed=1, found=1, found_safe=1, still_open=3, urgent_open=1
    )
    assert _blocks(first)["350102"][1] == {
        "35010201": _figures(opened=1, closed=1, found=1, found_safe=1),
        "35010202": _figures(opened=1, still_open=1),
    }
    assert first["text"] == (
        "11月23日，全市接报失踪人员4起，找回1起（平安1起），尚在查找3起，其中列入台账0起；"
        "一级紧急1起，其中超过黄金72小时0起。当日无到期回访。"
    )

    # 25 Nov: G found injured, H closed without finding anyone; E's first callback never made.
    third = ok(api.get(f"{DAILY}?date=2026-11-25", "leader"))
    assert third["figures"] == _figures(
        opened=2,
        closed=2,
        found=1,
        found_injured=1,
        closed_other=1,
        still_open=3,
        on_ledger=3,
        urgent_open=1,
        past_golden=1,
        callbacks_due=1,
        callbacks_missed=1,
    )
    assert third["text"] == (
        "11月25日，全市接报失踪人员2起，找回1起（受伤1起），其他原因结案1起，尚在查找3起，"
        "其中列入台账3起；一级紧急1起，其中超过黄金72小时1起。当日应回访1次，已回访0次，"
        "超时未回访1次。"
    )

    # Today, for Gulou's leader by default: B found dead this morning; E's 3-day callback is
    # due tonight at 20:00, not yet missed.
    today = ok(api.get(DAILY, "gulou_leader"))
    assert (today["date"], today["jurisdiction"]) == ("2026-11-27", "350102")
    assert datetime.fromisoformat(today["as_of"]) == clock.now()
    assert today["figures"] == _figures(
        closed=1, found=1, found_dead=1, still_open=1, on_ledger=1, callbacks_due=1
    )
    assert set(_blocks(today)["350102"][1]) == {"35010201", "35010202"}
    assert today["text"] == (
        "11月27日，鼓楼分局接报失踪人员0起，找回1起（死亡1起），尚在查找1起，其中列入台账1起。"
        "当日应回访1次，已回访0次，超时未回访0次。"
    )

    # A quiet day lists nobody.
    quiet = ok(api.get(f"{DAILY}?date=2026-11-22&jurisdiction=35010201", "leader"))
    assert (quiet["districts"], quiet["figures"]) == ([], _figures())
    assert quiet["text"] == (
        "11月22日，鼓东派出所接报失踪人员0起，找回0起，尚在查找0起，其中列入台账0起。"
        "当日无到期回访。"
    )


def _recovery(**given: Any) -> dict[str, Any]:
    return {
        "still_open": 0,
        "closed_not_found": 0,
        **given,
    }


def test_recovery_statistics_give_the_rate_the_time_to_find_and_the_golden_hours_shares(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    _history(api, clock)
    # Opened 23–25 Nov: all seven. Found: A 10 h, D 30 h, G 7 h, B 98 h (4 of 7); F and E
    # are open, H closed unfound. Median of 7, 10, 30, 98 = 20; mean 145 / 4 = 36.25;
    # within 72 h: A, D, G — 3 of the 4 found, 3 of all 7.
    city = ok(api.get(f"{RECOVERY}?since=2026-11-23&until=2026-11-26", "analyst"))
    assert (city["jurisdiction"], city["group_by"], city["golden_hours"]) == (
        "350100",
        "district",
        72,
    )
    assert city["overall"] == _recovery(
        total=7,
        found=4,
        still_open=2,
        closed_not_found=1,
        recovery_rate="57.14%",
        hours_to_find_median=20.0,
        hours_to_find_mean=36.25,
        found_within_golden=3,
        within_golden_of_found="75.00%",
        within_golden_of_total="42.86%",
    )
    # Gulou: A, B, E, G — found A 10 h, B 98 h, G 7 h: median 10, mean 115 / 3 = 38.33.
    # Minhou: F, D, H — found D 30 h.
    assert [(g["jurisdiction"], g["name"], g["level"], g["figures"]) for g in city["groups"]] == [
        (
            "350102",
            "鼓楼分局",
            "district",
            _recovery(
                total=4,
                found=3,
                still_open=1,
                recovery_rate="75.00%",
                hours_to_find_median=10.0,
                hours_to_find_mean=38.33,
                found_within_golden=2,
                within_golden_of_found="66.67%",
                within_golden_of_total="50.00%",
            ),
        ),
        (
            "350121",
            "闽侯县公安局",
            "district",
            _recovery(
                total=3,
                found=1,
                still_open=1,
                closed_not_found=1,
                recovery_rate="33.33%",
                hours_to_find_median=30.0,
                hours_to_find_mean=30.0,
                found_within_golden=1,
                within_golden_of_found="100.00%",
                within_golden_of_total="33.33%",
            ),
        ),
    ]

    # Gulou's leader, by station: 35010201 has A (10 h) and E; 35010202 has G (7 h) and B (98 h).
    gulou = ok(
        api.get(f"{RECOVERY}?since=2026-11-23&until=2026-11-26&group_by=station", "gulou_leader")
    )
    assert gulou["jurisdiction"] == "350102"
    assert gulou["overall"]["recovery_rate"] == "75.00%"
    assert {g["jurisdiction"]: g["figures"] for g in gulou["groups"]} == {
        "35010201": _recovery(
            total=2,
            found=1,
            still_open=1,
            recovery_rate="50.00%",
            hours_to_find_median=10.0,
            hours_to_find_mean=10.0,
            found_within_golden=1,
            within_golden_of_found="100.00%",
            within_golden_of_total="50.00%",
        ),
        "35010202": _recovery(
            total=2,
            found=2,
            recovery_rate="100.00%",
            hours_to_find_median=52.5,
            hours_to_find_mean=52.5,
            found_within_golden=1,
            within_golden_of_found="50.00%",
            within_golden_of_total="50.00%",
        ),
    }

    # The period counts cases by the day they were opened: 25 Nov alone holds G and H.
    one_day = ok(api.get(f"{RECOVERY}?since=2026-11-25&until=2026-11-26", "leader"))
    assert (one_day["overall"]["total"], one_day["overall"]["recovery_rate"]) == (2, "50.00%")
    # Before anything happened: nothing to divide by.
    empty = ok(api.get(f"{RECOVERY}?since=2026-11-01&until=2026-11-23", "leader"))
    assert empty["groups"] == []
    assert empty["overall"] == _recovery(
        total=0,
        found=0,
        recovery_rate=None,
        hours_to_find_median=None,
        hours_to_find_mean=None,
        found_within_golden=0,
        within_golden_of_found=None,
        within_golden_of_total=None,
    )


def test_reports_are_scoped_to_the_callers_subtree(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    _history(api, clock)
    # An officer of 鼓东派出所 sees the station: on 24 Nov, E opened there.
    officer = ok(api.get(f"{DAILY}?date=2026-11-24", "officer-35010201-1"))
    assert officer["jurisdiction"] == "35010201"
    assert officer["figures"] == _figures(opened=1, still_open=1)
    assert [s["jurisdiction"] for d in officer["districts"] for s in d["stations"]] == ["35010201"]
    # Minhou's dispatcher: a Gulou station, Gulou or the city do not exist; Minhou does.
    for code in ("35010201", "350102", "350100", "999999"):
        for path in (
            f"{DAILY}?date=2026-11-24&jurisdiction={code}",
            f"{RECOVERY}?since=2026-11-23&until=2026-11-26&jurisdiction={code}",
        ):
            assert api.get(path, "minhou_dispatcher").status_code == 404, path
    minhou = ok(api.get(f"{RECOVERY}?since=2026-11-23&until=2026-11-26", "minhou_dispatcher"))
    assert [g["jurisdiction"] for g in minhou["groups"]] == ["350121"]
    assert minhou["overall"]["total"] == 3
    # Gulou's leader asking about one of its stations gets that station only.
    station = ok(
        api.get(
            f"{RECOVERY}?since=2026-11-23&until=2026-11-26&jurisdiction=35010202", "gulou_leader"
        )
    )
    assert (station["overall"]["total"], station["overall"]["found"]) == (2, 2)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (f"{DAILY}?date=2026-13-01", "date"),
        (f"{DAILY}?date=0001-01-01", "date"),
        (f"{DAILY}?date=2026-11-24&jurisdiction=350100;drop", "jurisdiction"),
        (f"{DAILY}?date=2026-11-23", None),
        (f"{DAILY}?date=2026-11-24", "date"),
        (f"{RECOVERY}?until=2026-11-26", "since"),
        (f"{RECOVERY}?since=0001-01-01&until=2026-11-01", "since"),
        (f"{RECOVERY}?since=2026-11-01&until=9999-12-31", "until"),
        (f"{RECOVERY}?since=2026-11-26&until=2026-11-26", "until"),
        (f"{RECOVERY}?since=2026-11-27&until=2026-11-26", "until"),
        (f"{RECOVERY}?since=2023-11-22&until=2026-11-23", "until"),
        (f"{RECOVERY}?since=2023-11-23&until=2026-11-23", None),
        (f"{RECOVERY}?since=2026-11-01&until=2026-11-26&group_by=county", "group_by"),
    ],
)
def test_bad_report_parameters_are_refused_naming_the_field(
    api: Api, clock: VirtualClock, path: str, field: str | None
) -> None:
    # The clock stands at 23 Nov: the 24th has not happened yet. Three years to the day is
    # the longest period.
    response = api.get(path, "dispatcher")
    if field is None:
        assert response.status_code == 200, response.text
        return
    assert response.status_code == 422, response.text
    assert [e["loc"] for e in response.json()["detail"]] == [["query", field]]


def test_percentages_carry_two_decimals_rounded_half_up() -> None:
    assert percent(12_988, 13_036) == "99.63%"  # the centre's recovery rate
    assert percent(1, 800) == "0.13%"  # 0.125: half up, not to even
    assert percent(2, 3) == "66.67%"
    assert percent(5, 5) == "100.00%"
    assert percent(0, 7) == "0.00%"
    assert percent(0, 0) is None
