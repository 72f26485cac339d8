"""Statistics from a small known history, built through the real use cases on the virtual clock:
every figure exactly, on SQLite and PostgreSQL; scope; refused ranges and fields."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from tests.api.helpers import new_incident, ok
from tests.api.stats_history import BEFORE, DAY, PERIOD, build_history, figures
from tests.conftest import Api
from tests.integration.missing_steps import open_case, person


def rate(value: dict[str, Any]) -> tuple[int, int, float | None]:
    return value["numerator"], value["denominator"], value["percent"]


def test_every_figure_of_a_known_day_and_the_day_before(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    build_history(api, runtime, clock)
    answer = ok(api.get("/stats/summary", "analyst", params=PERIOD))
    assert (answer["since"], answer["until"], answer["days"]) == (DAY, "2026-11-25", 1)
    assert (answer["previous_since"], answer["previous_until"]) == (BEFORE, DAY)
    assert answer["jurisdiction"] == "350100"
    got = figures(answer)
    value = {k: f["value"] for k, f in got.items()}
    before = {k: f["previous"] for k, f in got.items()}

    # I1–I6 received; I3 a hoax and I4 merged are not valid.
    assert value["incidents_total"]["count"] == 6
    assert value["valid_incidents"]["count"] == 4
    # One call record per incident, and three without one.
    assert value["calls_total"]["count"] == 9
    assert rate(value["valid_rate"]) == (4, 9, 44.44)
    assert (value["daily_average"]["numerator"], value["daily_average"]["average"]) == (4, 4.0)
    # The move_car call (non-police category) and the call handed to 12345.
    assert rate(value["non_police_share"]) == (2, 9, 22.22)
    assert value["transfers_12345"]["count"] == 2  # one call, one incident (I5)
    assert value["transfers_120"]["count"] == 1
    assert value["transfers_119"]["count"] == 0
    assert value["transfers_agency"]["count"] == 0
    assert (value["phone_calls"]["count"], value["abandoned_calls"]["count"]) == (2, 1)
    assert rate(value["abandoned_rate"]) == (1, 2, 50.0)

    # Durations: I1 and I2 (seconds from the history above).
    def pair(key: str) -> tuple[int, int | None, int | None]:
        v = value[key]
        return v["measured"], v["p50_s"], v["p90_s"]

    assert pair("dispatch_time") == (2, 20, 40)
    assert pair("sign_for_time") == (2, 30, 1510)
    assert pair("turnout_time") == (2, 60, 1510)
    assert pair("travel_time") == (2, 10, 300)
    assert pair("arrival_time") == (2, 360, 1520)
    assert pair("response_time") == (2, 400, 1540)
    assert pair("feedback_time") == (1, 600, 600)
    assert pair("close_time") == (1, 1200, 1200)
    # Theft is grade 2: 派警 180 s from 受理, 签收 60 s, 到场 600 s urban / 1200 s suburban.
    assert rate(value["dispatch_within_limit"]) == (2, 2, 100.0)
    assert rate(value["sign_for_within_limit"]) == (1, 2, 50.0)
    assert rate(value["arrival_within_limit"]) == (1, 2, 50.0)
    assert rate(value["feedback_within_limit"]) == (1, 1, 100.0)
    assert rate(value["close_within_limit"]) == (1, 1, 100.0)
    # Accepted: I1 and I2 (the others were never 受理); I2 has both 督办, escalated.
    assert rate(value["overdue_rate"]) == (1, 2, 50.0)
    assert value["supervisions_opened"]["count"] == 2
    assert value["supervisions_escalated"]["count"] == 2
    # Calls with a number: 8; repeats of 13800138000 (first called on the 23rd): I1, I4, the
    # silent call and I6.
    assert rate(value["repeat_caller_share"]) == (4, 8, 50.0)
    # Incidents linked to an earlier one (repeats/): I1 (B1's number), I4 and I6 (I1's), and
    # I5 (another number, but I1's point and caller name 张三); not I2 or I3 (the name alone).
    assert rate(value["repeat_incident_share"]) == (4, 6, 66.67)
    assert rate(value["missing_found_rate"]) == (1, 1, 100.0)

    # The day before: B1 alone.
    assert before["calls_total"]["count"] == 1
    assert before["valid_incidents"]["count"] == 1
    assert before["sign_for_time"]["p50_s"] == 90
    assert before["repeat_caller_share"]["numerator"] == 0
    assert before["abandoned_rate"]["percent"] is None
    assert got["calls_total"]["change"] == {"difference": 8, "words": "增加8起"}
    assert got["sign_for_time"]["change"] == {"difference": -60, "words": "缩短1分钟"}
    assert got["valid_rate"]["change"] == {"difference": -55.56, "words": "下降55.56个百分点"}
    assert got["abandoned_rate"]["change"] is None
    # I1 closed, its callback required (theft at grade 2) but its time not come yet: not
    # counted as missed (test_stats_callbacks.py counts it once its time has come).
    assert rate(value["callback_coverage"]) == (0, 0, None)
    assert rate(value["satisfaction_rate"]) == (0, 0, None)


def test_groups_by_jurisdiction_category_and_hour(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    build_history(api, runtime, clock)
    by_place = ok(
        api.get("/stats/summary", "leader", params={**PERIOD, "group_by": "jurisdiction"})
    )
    groups = {g["key"]: figures(g) for g in by_place["groups"]}
    # Calls answered without an incident stay at the centre's own level.
    assert set(groups) == {"350100", "350102", "350121"}
    assert groups["350121"]["valid_incidents"]["value"]["count"] == 1  # I2
    assert groups["350102"]["incidents_total"]["value"]["count"] == 5
    assert groups["350100"]["calls_total"]["value"]["count"] == 3
    assert groups["350100"]["phone_calls"]["value"]["count"] == 2
    labels = {g["key"]: g["label"] for g in by_place["groups"]}
    assert labels["350121"] == "闽侯县公安局"
    assert labels["350100"] == "测试市公安局（本级）"  # the level asked about, its own row

    by_category = ok(api.get("/stats/summary", "leader", params={**PERIOD, "group_by": "category"}))
    groups = {g["key"]: figures(g) for g in by_category["groups"]}
    assert set(groups) == {"", "theft", "move_car", "missing_person"}
    assert groups["theft"]["incidents_total"]["value"]["count"] == 4
    assert groups["theft"]["valid_incidents"]["value"]["count"] == 2
    assert groups[""]["calls_total"]["value"]["count"] == 3
    assert groups["theft"]["phone_calls"]["value"] is None  # a phone call has no category

    by_hour = ok(api.get("/stats/summary", "leader", params={**PERIOD, "group_by": "hour"}))
    hours = {g["key"]: figures(g)["incidents_total"]["value"]["count"] for g in by_hour["groups"]}
    assert hours == {"09": 2, "10": 4}

    by_day_type = ok(api.get("/stats/summary", "leader", params={**PERIOD, "group_by": "day_type"}))
    [workday] = by_day_type["groups"]
    assert (workday["key"], workday["label"]) == ("workday", "工作日")


def test_filters_by_category_and_grade(api: Api, runtime: Runtime, clock: VirtualClock) -> None:
    build_history(api, runtime, clock)
    theft = figures(
        ok(api.get("/stats/summary", "analyst", params={**PERIOD, "category": "theft"}))
    )
    assert theft["incidents_total"]["value"]["count"] == 4
    assert theft["calls_total"]["value"]["count"] == 4
    assert theft["phone_calls"]["value"] is None
    assert theft["missing_found_rate"]["value"]["denominator"] == 0
    grade_4 = figures(ok(api.get("/stats/summary", "analyst", params={**PERIOD, "grade": 4})))
    assert grade_4["incidents_total"]["value"]["count"] == 1  # the car to move


def test_a_series_has_every_bucket(api: Api, runtime: Runtime, clock: VirtualClock) -> None:
    build_history(api, runtime, clock)
    days = ok(
        api.get(
            "/stats/series",
            "analyst",
            params={"figure": "valid_incidents", "since": BEFORE, "until": "2026-11-26"},
        )
    )
    assert days["figure"]["zh"] == "有效警情"
    assert [(p["start"][:10], p["value"]["count"]) for p in days["points"]] == [
        (BEFORE, 1),
        (DAY, 4),
        ("2026-11-25", 0),
    ]
    hours = ok(
        api.get(
            "/stats/series",
            "analyst",
            params={"figure": "sign_for_time", "interval": "hour", **PERIOD},
        )
    )
    assert len(hours["points"]) == 24
    nine = hours["points"][9]
    assert nine["start"] == "2026-11-24T09:00:00+08:00"
    assert (nine["value"]["measured"], nine["value"]["p50_s"]) == (2, 30)
    average = ok(
        api.get(
            "/stats/series",
            "analyst",
            params={"figure": "daily_average", "interval": "week", "since": BEFORE, "until": DAY},
        )
    )
    [week] = average["points"]
    assert (week["value"]["numerator"], week["value"]["denominator"]) == (1, 1)


def test_a_station_sees_its_own_subtree_only(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    build_history(api, runtime, clock)
    gulou = ok(api.get("/stats/summary", "gulou_leader", params=PERIOD))
    assert gulou["jurisdiction"] == "350102"
    got = figures(gulou)
    assert got["incidents_total"]["value"]["count"] == 5  # I1, I3, I4, I5, I6: all but I2
    minhou = figures(ok(api.get("/stats/summary", "minhou_dispatcher", params=PERIOD)))
    assert minhou["incidents_total"]["value"]["count"] == 1
    assert minhou["phone_calls"]["value"]["count"] == 0
    outside = api.get("/stats/summary", "gulou_leader", params={**PERIOD, "jurisdiction": "350121"})
    assert outside.status_code == 404
    series = api.get(
        "/stats/series", "gulou_leader", params={"figure": "calls_total", "jurisdiction": "350100"}
    )
    assert series.status_code == 404


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": DAY, "until": DAY}, "until"),
        ({"since": "2025-01-01", "until": "2026-01-03"}, "until"),
        ({"since": "2026-13-01"}, "since"),
        ({"category": "no_such_thing"}, "category"),
        ({"category": "Theft!"}, "category"),
        ({"grade": 5}, "grade"),
        ({"group_by": "weekday"}, "group_by"),
        ({"jurisdiction": "35 01"}, "jurisdiction"),
    ],
)
def test_a_bad_summary_query_is_422_naming_the_field(
    api: Api, params: dict[str, Any], field: str
) -> None:
    response = api.get("/stats/summary", "analyst", params=params)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["query", field]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"figure": "no_such_figure"}, "figure"),
        ({"figure": "calls_total", "interval": "year"}, "interval"),
        ({"figure": "daily_average", "interval": "hour"}, "interval"),
        ({"figure": "phone_calls", "category": "theft"}, "category"),
        (
            {"figure": "calls_total", "interval": "hour", "since": "2026-10-01", "until": DAY},
            "until",
        ),
    ],
)
def test_a_bad_series_query_is_422_naming_the_field(
    api: Api, params: dict[str, Any], field: str
) -> None:
    response = api.get("/stats/series", "analyst", params=params)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["query", field]


def test_figures_are_defined_for_every_reader_of_statistics(api: Api) -> None:
    answer = ok(api.get("/stats/figures", "leader"))
    keys = [f["key"] for f in answer["figures"]]
    assert "sign_for_time" in keys
    sign_for = next(f for f in answer["figures"] if f["key"] == "sign_for_time")
    assert sign_for["stages"] == "dispatched → acknowledged"
    assert {"callback_coverage", "satisfaction_rate"} <= set(keys)
    assert "in_the_act_arrest_rate" in keys  # computed from the outcomes now
    assert api.get("/stats/figures", "calltaker").status_code == 403
    assert api.get("/stats/summary", "officer-35010201-1").status_code == 403


def test_the_found_rate_is_the_missing_person_reports_own(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    first = open_case(api, clock, category="missing_elderly", who=person("王秀英", "female", 80))
    open_case(api, clock, category="missing_person", who=person("马丽", "female", 45))
    open_case(api, clock, category="missing_person", who=person("陈明", "male", 30))
    found = {"outcome": "returned", "note": "自行回家"}
    ok(api.post(f"/missing/{first['number']}/close", "dispatcher", json=found))
    period = {"since": BEFORE, "until": DAY}
    report = ok(api.get("/reports/missing/recovery", "leader", params=period))["overall"]
    stats = figures(ok(api.get("/stats/summary", "leader", params=period)))
    value = stats["missing_found_rate"]["value"]
    assert (value["numerator"], value["denominator"]) == (report["found"], report["total"])
    assert f"{value['percent']:.2f}%" == report["recovery_rate"] == "33.33%"


def test_an_incident_found_a_hoax_later_counts_invalid_on_the_day_it_came_in(
    api: Api, clock: VirtualClock
) -> None:
    number = new_incident(api, accept=True)["number"]
    period = {"since": BEFORE, "until": DAY}
    on_the_day = figures(ok(api.get("/stats/summary", "analyst", params=period)))
    assert on_the_day["valid_incidents"]["value"]["count"] == 1
    clock.advance(timedelta(days=1))
    ok(api.post(f"/incidents/{number}/invalidate", "dispatcher", json={"reason": "hoax"}))
    later = figures(ok(api.get("/stats/summary", "analyst", params=period)))
    assert later["valid_incidents"]["value"]["count"] == 0
    assert later["incidents_total"]["value"]["count"] == 1
