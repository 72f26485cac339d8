"""重复警情档案 through the API on both databases: opened by hand (建档) and by rule, the tier's
step supervised like any other, the journal, 扬言极端 escalating to the district, and a case
worked to solved — then reopened when the matter comes back."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from cad110.audit.verify import verify
from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.kernel.ticks import run_jobs
from cad110.models.hazard import HazardFlag
from cad110.models.supervision import Deadline, Notification, Step, Supervision
from cad110.repeats import cases_rules
from cad110.repeats.cases_service import open_by_rule
from tests.api.helpers import new_incident, ok
from tests.conftest import Api
from tests.world import MINHOU

OFFICER = "officer-35010201-1"


def dispute(api: Api, **overrides: object) -> str:
    body: dict[str, object] = {"category": "family_dispute", "narrative": "夫妻吵架，扬言离婚"}
    return str(new_incident(api, **(body | overrides))["number"])


def opened(
    api: Api, *, tier: str | None = None, owner: str = OFFICER, **incident: object
) -> dict[str, Any]:
    body: dict[str, object] = {
        "incident": dispute(api, **incident),
        "type": "family",
        "owner": owner,
    }
    if tier:
        body["tier"] = tier
    response = api.post("/repeat-cases", "dispatcher", json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_a_case_opened_from_an_incident_has_its_tiers_step_due_and_opening_again_is_the_same(
    api: Api, runtime: Runtime
) -> None:
    incident = dispute(api)
    body = {"incident": incident, "type": "family", "owner": OFFICER, "reason": "五次报警"}
    case = api.post("/repeat-cases", "dispatcher", json=body)
    assert case.status_code == 201, case.text
    out = case.json()
    assert out["number"] == f"CF-{incident}"
    assert (out["type"], out["type_zh"], out["tier"], out["status"]) == (
        "family",
        "家庭纠纷",
        "C",
        "open",
    )
    assert (out["owner"], out["station"], out["incidents"]) == (OFFICER, "35010201", 1)
    assert out["step_kind"] == "callback"  # C: a phone callback within 72 hours
    assert [e["kind"] for e in out["journal"]] == ["opened"]
    again = api.post("/repeat-cases", "dispatcher", json=body)
    assert again.status_code == 200
    assert again.json()["number"] == out["number"]
    other = api.post("/repeat-cases", "dispatcher", json=body | {"type": "noise"})
    assert other.status_code == 409
    with transaction(runtime.sessions) as session:
        [deadline] = session.scalars(
            select(Deadline).where(Deadline.step == Step.REPEAT_CALLBACK)
        ).all()
        assert deadline.due_at - deadline.created_at == timedelta(hours=72)


def test_bad_input_names_the_field_and_roles_and_scope_hold(api: Api) -> None:
    incident = dispute(api)
    bad = api.post("/repeat-cases", "dispatcher", json={"incident": incident, "type": "hobby"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "type"]
    owner = {"incident": incident, "type": "family", "owner": "analyst"}
    bad = api.post("/repeat-cases", "dispatcher", json=owner)
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "owner"]
    body = {"incident": incident, "type": "family"}
    assert api.post("/repeat-cases", "calltaker", json=body).status_code == 403
    number = api.post("/repeat-cases", "dispatcher", json=body).json()["number"]
    # Another district's dispatcher does not see the case at all.
    assert api.get(f"/repeat-cases/{number}", "minhou_dispatcher").status_code == 404
    assert ok(api.get("/repeat-cases", "minhou_dispatcher"))["total"] == 0
    mediation = {"kind": "mediation", "text": "双方到场调解"}
    bad = api.post(f"/repeat-cases/{number}/journal", "dispatcher", json=mediation)
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "result"]


def test_the_journal_keeps_mediations_and_referrals_and_masks_the_callers_phone_typed_in(
    api: Api,
) -> None:
    number = opened(api)["number"]
    entries = [
        {"kind": "mediation", "text": "会同社区调解，约定分居", "result": "partly"},
        {
            "kind": "referral",
            "text": "移交综治中心跟进，报警人电话13800138000",
            "to": "zongzhi_centre",
        },
        {"kind": "referral", "text": "告知当事人向法院起诉离婚", "to": "court"},
    ]
    for entry in entries:
        ok(api.post(f"/repeat-cases/{number}/journal", OFFICER, json=entry))
    journal = ok(api.get(f"/repeat-cases/{number}", "analyst"))["journal"]
    assert [e["kind"] for e in journal] == ["opened", "mediation", "referral", "referral"]
    assert journal[1]["payload"]["result"] == "partly"
    assert journal[2]["payload"]["to"] == "zongzhi_centre"
    assert "13800138000" not in str(journal)  # the caller's phone, known to the case


def test_an_overdue_step_is_supervised_and_doing_it_makes_the_next_due(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    number = opened(api, tier="A")["number"]
    clock.advance(timedelta(hours=25))  # A: a visit within 24 hours
    run_jobs(runtime)
    with transaction(runtime.sessions) as session:
        supervision = session.scalars(
            select(Supervision).where(Supervision.step == Step.REPEAT_VISIT)
        ).one()
        assert supervision.step_done_at is None
    listed = ok(api.get("/repeat-cases?tier=A", "leader"))["items"]
    assert [(c["number"], c["step_overdue"]) for c in listed] == [(number, True)]
    done = ok(
        api.post(
            f"/repeat-cases/{number}/steps",
            OFFICER,
            json={"note": "会同社区干部上门走访", "with_whom": "社区主任"},
        )
    )
    assert (done["step_kind"], done["step_overdue"]) == ("visit", False)
    step = done["journal"][-1]
    assert (step["kind"], step["payload"]["in_time"]) == ("step_done", False)
    with transaction(runtime.sessions) as session:
        supervision = session.scalars(
            select(Supervision).where(Supervision.step == Step.REPEAT_VISIT)
        ).one()
        assert supervision.step_done_at is not None
        pending = session.scalars(
            select(Deadline).where(Deadline.step == Step.REPEAT_VISIT, Deadline.met_at.is_(None))
        ).one()
        assert pending.due_at - pending.created_at == timedelta(days=7)


def test_a_threat_raises_the_case_to_a_tells_the_district_and_flags_the_person(
    api: Api, runtime: Runtime
) -> None:
    number = opened(api)["number"]
    threat = {
        "note": "男方扬言要同归于尽",
        "persons": [{"name": "李四", "phone": "13700137000"}],
    }
    out = ok(api.post(f"/repeat-cases/{number}/threat", OFFICER, json=threat))
    assert (out["tier"], out["extreme"], out["step_kind"]) == ("A", True, "visit")
    assert "13700137000" not in str(out)
    assert "李四" not in str(out)
    nobody = {"note": "扬言", "persons": [{}]}
    bad = api.post(f"/repeat-cases/{number}/threat", OFFICER, json=nobody)
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "persons", "0"]
    with transaction(runtime.sessions) as session:
        [flag] = session.scalars(select(HazardFlag)).all()
        assert (flag.person_phone, flag.kind) == ("13700137000", "violent")
        notice = session.scalars(
            select(Notification).where(Notification.kind == "repeat_extreme")
        ).one()
        assert notice.target_code == "350102"  # the district above the station
        assert "13700137000" not in notice.message


def test_a_case_is_solved_only_after_quiet_days_a_report_by_its_owner_and_approval_and_reopens(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    number = opened(api)["number"]
    report = {"report": "双方已离婚，财产分割完毕，三次回访无异常"}
    early = api.post(f"/repeat-cases/{number}/report", OFFICER, json=report)
    assert early.status_code == 409
    assert early.json()["code"] == "not_yet"
    clock.advance(timedelta(days=31))
    assert api.post(f"/repeat-cases/{number}/report", "dispatcher", json=report).status_code == 403
    reported = ok(api.post(f"/repeat-cases/{number}/report", OFFICER, json=report))
    assert reported["status"] == "reported"
    assert api.post(f"/repeat-cases/{number}/approve", OFFICER, json={}).status_code == 403
    solved = ok(api.post(f"/repeat-cases/{number}/approve", "leader", json={"comment": "同意"}))
    assert (solved["status"], solved["solved_by"], solved["step_kind"]) == (
        "solved",
        "leader",
        None,
    )
    again = api.post(f"/repeat-cases/{number}/approve", "leader", json={"comment": "同意"})
    assert again.status_code == 200  # a retried approval
    assert api.post(f"/repeat-cases/{number}/steps", OFFICER, json={"note": "x"}).status_code == 409
    # The matter comes back: a new call linked reopens the case with its step due again.
    back = dispute(api)
    reopened = ok(api.post(f"/repeat-cases/{number}/incidents", OFFICER, json={"incident": back}))
    assert (reopened["status"], reopened["reopened"], reopened["incidents"]) == ("open", 1, 2)
    assert reopened["step_kind"] == "callback"
    assert reopened["closing_report"] is None
    assert [e["kind"] for e in reopened["journal"]][-2:] == ["incident_linked", "reopened"]
    with transaction(runtime.sessions) as session:
        assert verify(session).ok


def test_linked_incidents_open_a_case_by_rule_and_a_fourth_joins_it(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    numbers = []
    for _ in range(3):
        numbers.append(dispute(api))
        clock.advance(timedelta(days=2))
    fourth = dispute(api, category="threat_extreme_behaviour")
    with transaction(runtime.sessions) as session:
        ctx = runtime.system_ctx(session)
        rules = cases_rules.in_force(ctx)
        group = [
            cases_rules.LinkedIncident(n, clock.now() - timedelta(days=6 - 2 * i), "family_dispute")
            for i, n in enumerate(numbers)
        ]
        proposal = cases_rules.should_open(group, rules, now=clock.now())
        assert proposal is not None
        case = open_by_rule(ctx, proposal, owner=OFFICER)
        assert case.number == f"CF-{numbers[0]}"
        more = cases_rules.Proposal("family", "C", False, (numbers[0], fourth), 30)
        assert open_by_rule(ctx, more).id == case.id
    out = ok(api.get(f"/repeat-cases/{case.number}", "leader"))
    assert (out["opened_how"], out["incidents"], out["tier"], out["extreme"]) == (
        "rule",
        4,
        "A",  # the fourth call was a threat of extreme behaviour
        True,
    )


def test_the_list_filters_and_the_figures_count_by_type_tier_station_and_status(
    api: Api,
) -> None:
    first = opened(api)["number"]
    # Another family's dispute, from another number and a street away: from the same number or
    # the same spot it would be the first case's matter again (一人多报, 一地多报).
    elsewhere = {"lon": 119.287, "lat": 26.083, "address": "鼓楼区杨桥路"}
    opened(api, tier="B", caller_phone="13700000002", caller_name="王芳", **elsewhere)
    incident = str(
        new_incident(
            api, category="noise_nuisance", narrative="楼上噪音", lon=MINHOU[0], lat=MINHOU[1]
        )["number"]
    )
    body = {"incident": incident, "type": "noise", "owner": "minhou_dispatcher"}
    assert api.post("/repeat-cases", "dispatcher", json=body).status_code == 201
    ok(api.post(f"/repeat-cases/{first}/tier", OFFICER, json={"tier": "B", "reason": "矛盾升级"}))
    assert ok(api.get("/repeat-cases?type=noise", "leader"))["total"] == 1
    assert ok(api.get("/repeat-cases?tier=B&station=35010201", "leader"))["total"] == 2
    assert ok(api.get("/repeat-cases?status=solved", "leader"))["total"] == 0
    bad = api.get("/repeat-cases?type=hobby", "leader")
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["query", "type"]
    figures = ok(api.get("/repeat-cases/figures", "analyst"))
    assert figures["total"] == 3
    assert {c["key"]: c["count"] for c in figures["by_type"]} == {"family": 2, "noise": 1}
    assert {c["key"]: c["count"] for c in figures["by_tier"]} == {"B": 2, "D": 1}
    assert {c["key"]: c["count"] for c in figures["by_status"]} == {"open": 3}
    stations = {c["key"]: c["zh"] for c in figures["by_station"]}
    assert set(stations) == {"35010201", "35012101"}
    assert api.get("/repeat-cases/figures", OFFICER).status_code == 403
    with_minhou = ok(api.get("/repeat-cases/figures", "minhou_dispatcher"))
    assert with_minhou["total"] == 1
