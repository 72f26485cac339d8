"""The source-governance figures (源头治理) through the use cases on both databases: repeat
cases opened, still open, solved and reopened, by type and tier; the calls of a solved case's
matter before and after, compared only once the days after have passed; the emergencies 12345
pushed in — exact raw, and the same from the rollups, also once a solve's days after pass with
no event to say so."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.stats import rollups, service
from cad110.stats.report.content import build_content
from cad110.stats.report.text import overall, source_governance
from cad110.stats.rollup_job import build_days
from cad110.stats.rules import load_rules
from cad110.stats.schemas import Summary
from cad110.transfers.intake import receive_emergency
from cad110.transfers.schemas import EmergencyIn
from tests.api.helpers import new_incident, ok
from tests.api.rollup_steps import CITY
from tests.conftest import Api
from tests.world import MINHOU

OFFICER = "officer-35010201-1"
REPORT = {"report": "双方已离婚，财产分割完毕，三次回访无异常"}
FIRST = date(2026, 11, 23)  # START's local day
# What each case is about, from numbers and places apart, so that the detection links none of
# them to another: the second family call joins its case only by hand.
FAMILY_AGAIN = {
    "caller_phone": "13700000009",
    "caller_name": "李四",
    "lon": 119.287,
    "lat": 26.083,
    "address": "鼓楼区杨桥路",
}
NOISE = {"caller_phone": "13700000003", "caller_name": "赵六", "lon": MINHOU[0], "lat": MINHOU[1]}


def _open(api: Api, case_type: str, tier: str, owner: str, **incident: object) -> str:
    number = new_incident(api, **incident)["number"]
    body = {"incident": number, "type": case_type, "tier": tier, "owner": owner}
    response = api.post("/repeat-cases", "dispatcher", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["number"])


def _solve(api: Api, number: str, owner: str = OFFICER) -> None:
    ok(api.post(f"/repeat-cases/{number}/report", owner, json=REPORT))
    assert ok(api.post(f"/repeat-cases/{number}/approve", "leader", json={}))["status"] == "solved"


def _history(api: Api, runtime: Runtime, clock: VirtualClock) -> tuple[datetime, datetime, str]:
    """A family case opened on START, solved 31 days on, brought back 5 days later by a call
    linked by hand, solved again 31 days after that; a noise case opened on START and still
    worked; an emergency pushed in by 12345 on START. The two solves' times and the noise
    case's number."""
    family = _open(api, "family", "C", OFFICER, category="family_dispute", narrative="夫妻吵架")
    noise = _open(
        api,
        "noise",
        "D",
        "minhou_dispatcher",
        category="noise_nuisance",
        narrative="楼上噪音",
        **NOISE,
    )
    with transaction(runtime.sessions) as session:
        pushed = EmergencyIn(
            event_id="em-1",
            at=clock.now(),
            hotline_id="12345-1",
            lon=119.29,
            lat=26.08,
            narrative="来电称邻居家中传出呼救声",
        )
        receive_emergency(runtime.system_ctx(session), pushed)
    clock.advance(timedelta(days=31))
    first = clock.now()
    _solve(api, family)
    clock.advance(timedelta(days=5))
    again = new_incident(api, category="family_dispute", narrative="又吵起来了", **FAMILY_AGAIN)
    back = ok(
        api.post(f"/repeat-cases/{family}/incidents", OFFICER, json={"incident": again["number"]})
    )
    assert (back["status"], back["reopened"]) == ("open", 1)
    clock.advance(timedelta(days=31))
    second = clock.now()
    _solve(api, family)
    return first, second, noise


def _local_day(at: datetime, runtime: Runtime) -> date:
    return at.astimezone(runtime.settings.tz).date()


def _values(summary: Summary) -> dict[str, Any]:
    return {f.key: f.value for f in summary.figures}


def _count(values: dict[str, Any], key: str) -> int | None:
    value = values[key]
    return None if value is None else value.count


KEYS = (
    "repeat_cases_opened",
    "repeat_cases_open",
    "repeat_cases_solved",
    "repeat_cases_reopened",
    "repeat_solves_observed",
    "repeat_calls_before_solved",
    "repeat_calls_after_solved",
    "transfers_in_12345",
)


def _counts(summary: Summary) -> tuple[int | None, ...]:
    values = _values(summary)
    return tuple(_count(values, k) for k in KEYS)


def _both(runtime: Runtime, f: service.Filters, group_by: Any = None) -> tuple[Summary, Summary]:
    with transaction(runtime.sessions) as session:
        ctx = runtime.ctx(session, CITY)
        return (
            service.summary(ctx, f, group_by, rolled=False),
            service.summary(ctx, f, group_by),
        )


def test_repeat_cases_and_pushed_emergencies_counted_exactly_raw_and_rolled(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    first, second, noise = _history(api, runtime, clock)
    until = _local_day(second, runtime) + timedelta(days=1)
    whole = service.Filters(FIRST, until)
    clock.advance(timedelta(days=10))
    # The second solve's 30 days after have not passed: only the first is compared — its
    # opening call before, the call that brought it back after.
    raw, _ = _both(runtime, whole)
    assert _counts(raw) == (2, 1, 2, 1, 1, 1, 1, 1)
    # Rollups of every day, built now; the same figures.
    tz = runtime.settings.tz
    days = rollups.days_of(FIRST, until)
    build_days(runtime.sessions, runtime.catalog, load_rules(), tz, days, clock.now())
    raw, rolled = _both(runtime, whole)
    assert rolled == raw
    # 21 days on, the second solve is compared too (its episode began with the call linked,
    # and no call came after): no event says so, yet the rolled figures move with the raw.
    clock.advance(timedelta(days=21))
    raw, rolled = _both(runtime, whole)
    assert _counts(raw) == (2, 1, 2, 1, 2, 2, 1, 1)
    assert rolled == raw
    # The noise case solved today: START's rollup, where it was still open, is stale at once
    # (its chain changed after the rollups' mark) and read raw until the tick rebuilds it.
    _solve(api, noise, "minhou_dispatcher")
    raw, rolled = _both(runtime, whole)
    assert _counts(raw) == (2, 0, 2, 1, 2, 2, 1, 1)  # today's solve is after the period
    assert rolled == raw
    # Each figure on its own day: opened and pushed in on START, solved and reopened later.
    day = service.Filters(_local_day(first, runtime), _local_day(first, runtime) + timedelta(1))
    assert _counts(_both(runtime, day)[0]) == (0, 0, 1, 0, 1, 1, 1, 0)
    opened_day = service.Filters(FIRST, FIRST + timedelta(days=1))
    assert _counts(_both(runtime, opened_day)[1]) == (2, 0, 0, 0, 0, 0, 0, 1)
    # By type and tier (read raw), and by station: the cases' own.
    by_type, _ = _both(runtime, whole, "case_type")
    assert {g.key: _counts_of(g.figures) for g in by_type.groups} == {
        "family": (1, 0, 2, 1),
        "noise": (1, 0, 0, 0),
    }
    assert all(f.value is None for g in by_type.groups for f in g.figures if f.key == "calls_total")
    by_tier, _ = _both(runtime, whole, "case_tier")
    assert [(g.key, g.label) for g in by_tier.groups] == [("C", "C级"), ("D", "D级")]
    # A category filter: a case has a type, no category.
    filtered, _ = _both(runtime, service.Filters(FIRST, until, category="family_dispute"))
    assert _values(filtered)["repeat_cases_opened"] is None
    # Through the API and in the 通报.
    answer = ok(api.get(f"/stats/summary?since={FIRST}&until={until}", "analyst"))
    figures = {f["key"]: f["value"] for f in answer["figures"]}
    assert figures["repeat_calls_after_solved"]["count"] == 1
    assert figures["transfers_in_12345"]["count"] == 1
    # A case figure under a category: no groups, and no series (refused naming the field).
    query = f"since={FIRST}&until={until}&category=family_dispute"
    assert ok(api.get(f"/stats/summary?{query}&group_by=case_tier", "analyst"))["groups"] == []
    refused = api.get(f"/stats/series?{query}&figure=repeat_cases_opened", "analyst")
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["query", "category"]
    with transaction(runtime.sessions) as session:
        content = build_content(runtime.ctx(session, CITY), whole)
    assert "12345平台推送警情1起" in overall(content)
    assert source_governance(content) == (
        "本期新建重复警情档案2件，目前仍在办0件；经审批化解2件次，化解后反弹1次。"
        "化解满30日的2件次，化解前30日内报警2起，化解后30日内报警1起，下降50.00%。"
    )


def _counts_of(figures: Any) -> tuple[int | None, ...]:
    values = {f.key: f.value for f in figures}
    return tuple(
        _count(values, k)
        for k in (
            "repeat_cases_opened",
            "repeat_cases_open",
            "repeat_cases_solved",
            "repeat_cases_reopened",
        )
    )


def test_a_solve_whose_case_came_back_is_compared_from_the_rollups_once_its_days_pass(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    family = _open(api, "family", "C", OFFICER, category="family_dispute", narrative="夫妻吵架")
    clock.advance(timedelta(days=31))
    solved = clock.now()
    _solve(api, family)
    clock.advance(timedelta(days=5))
    again = new_incident(api, category="family_dispute", narrative="又吵起来了", **FAMILY_AGAIN)
    ok(api.post(f"/repeat-cases/{family}/incidents", OFFICER, json={"incident": again["number"]}))
    tz = runtime.settings.tz
    days = rollups.days_of(FIRST, _local_day(clock.now(), runtime))
    build_days(runtime.sessions, runtime.catalog, load_rules(), tz, days, clock.now())
    day = service.Filters(_local_day(solved, runtime), _local_day(solved, runtime) + timedelta(1))
    raw, rolled = _both(runtime, day)
    assert _counts(raw)[2:7] == (1, 0, 0, 0, 0)  # solved; its 30 days after not yet over
    assert rolled == raw
    # Its row no longer says when it was solved (it was reopened); its journal does, and the
    # solve's day is read afresh once its 30 days are over.
    clock.set(solved + timedelta(days=30, seconds=1))
    raw, rolled = _both(runtime, day)
    assert _counts(raw)[2:7] == (1, 0, 1, 1, 1)
    assert rolled == raw
