"""The wall's 源头治理 block (GET /stats/wall → source) on SQLite and PostgreSQL, from a history
made through the use cases: repeat links found at intake, a case opened by rule and raised by a
threat, cases opened by hand, one solved; 12345 tickets sent, handled, returned and left past
their limit. The block agrees with the statistics' own figure, is scoped like every read and
carries no personal data."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from cad110.kernel.signing import signed_headers
from tests.api.helpers import new_incident, ok
from tests.conftest import Api
from tests.hotline_fake import SECRET
from tests.world import GULOU_EAST, GULOU_WEST, MINHOU

OFFICER = "officer-35010201-1"
EVENTS = "/api/v1/transfers/events"
# The repeat caller of today's dispute, and the person named in the threat.
CALLER = "13911112222"
THREATENER = ("李四", "13700137000")


def _at(point: tuple[float, float]) -> dict[str, object]:
    return {"lon": point[0], "lat": point[1]}


def _case(
    api: Api, incident: str, type_code: str, tier: str | None = None, owner: str = OFFICER
) -> str:
    body: dict[str, object] = {"incident": incident, "type": type_code, "owner": owner}
    if tier is not None:
        body["tier"] = tier
    response = api.post("/repeat-cases", "dispatcher", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["number"])


def _transfer(api: Api, phone: str, point: tuple[float, float]) -> str:
    """A non-police call handed to 12345 from the board; the ticket's reference."""
    number = new_incident(api, category="consultation", caller_phone=phone, **_at(point))["number"]
    ok(api.post(f"/incidents/{number}/transfer", "calltaker", json={"to": "12345"}))
    [ticket] = ok(api.get(f"/incidents/{number}/transfers", "leader"))["items"]
    return str(ticket["ref"])


def _hotline_says(
    api: Api, clock: VirtualClock, ref: str, event_id: str, kind: str, **extra: object
) -> None:
    """The 12345 platform posts a ticket's step, signed, as it does over HTTP."""
    event = {"event_id": event_id, "type": kind, "ticket_id": ref, "at": clock.now().isoformat()}
    body = json.dumps(event | extra, ensure_ascii=False).encode()
    headers = signed_headers(SECRET, int(clock.now().timestamp()), body)
    answer = api.client.post(EVENTS, content=body, headers=headers)
    assert answer.status_code == 200, answer.text


def _history(api: Api, runtime: Runtime, clock: VirtualClock) -> dict[str, str]:
    """From Monday 23 November 2026 to today, Thursday 31 December, 10:00 in Fuzhou."""
    runtime.settings.hotline_secret = SECRET
    made: dict[str, str] = {}
    # A neighbours' quarrel made a case on the 23rd; quiet for 31 days, reported and solved.
    quarrel = new_incident(api, category="neighbour_dispute", caller_phone="13900000011")
    made["solved"] = _case(api, quarrel["number"], "neighbour")
    clock.advance(timedelta(days=31))
    report = {"report": "双方已调解，签订协议"}
    ok(api.post(f"/repeat-cases/{made['solved']}/report", OFFICER, json=report))
    ok(api.post(f"/repeat-cases/{made['solved']}/approve", "leader", json={"comment": "同意"}))
    # Thursday 24 December: three inquiries to 12345 (two working days each). One is handled,
    # one is sent back to 110; the third is never handled: past its limit a week later.
    late, handled, returned = (
        _transfer(api, phone, GULOU_WEST) for phone in ("13900000021", "13900000022", "13900000023")
    )
    _hotline_says(api, clock, handled, "w-1", "done", result="已电话答复")
    _hotline_says(api, clock, returned, "w-2", "returned")
    made["late"] = late
    # Wednesday 30 December: a family dispute from the repeat caller.
    clock.advance(timedelta(days=6))
    new_incident(api, category="family_dispute", caller_phone=CALLER, **_at(GULOU_EAST))
    # Today. The caller rings twice more: both repeats, and with the first the three make a
    # case by rule (family, tier C); a threat raises it to A.
    clock.advance(timedelta(days=1))
    for _ in range(2):
        new_incident(api, category="family_dispute", caller_phone=CALLER, **_at(GULOU_EAST))
    [by_rule] = ok(api.get("/repeat-cases", "leader", params={"status": "open"}))["items"]
    made["by_rule"] = by_rule["number"]
    threat = {"note": "扬言同归于尽", "persons": [{"name": THREATENER[0], "phone": THREATENER[1]}]}
    ok(api.post(f"/repeat-cases/{made['by_rule']}/threat", "dispatcher", json=threat))
    # A theft in Minhou, no repeat of anything, made a case by hand at tier D; a noise
    # complaint in Gulou made one at tier B.
    theft = new_incident(api, caller_phone="13900000031", **_at(MINHOU))["number"]
    made["minhou"] = _case(api, theft, "noise", "D", owner="minhou_dispatcher")
    noise = new_incident(
        api, category="noise_nuisance", caller_phone="13900000032", **_at(GULOU_WEST)
    )["number"]
    made["noise"] = _case(api, noise, "noise", "B")
    # Two more to 12345 today, one handled at once.
    today = [_transfer(api, phone, MINHOU) for phone in ("13900000041", "13900000042")]
    _hotline_says(api, clock, today[0], "w-3", "done", result="已转交街道")
    return made


def _tiers(source: dict[str, Any]) -> dict[str, tuple[int, bool]]:
    return {t["tier"]: (t["cases"], t["high"]) for t in source["tiers"]}


def test_the_source_block_counts_repeats_cases_and_tickets(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    _history(api, runtime, clock)
    wall = ok(api.get("/stats/wall", "leader"))
    assert wall["day"] == "2026-12-31"
    source = wall["source"]
    # Today: the two disputes, the theft, the noise complaint and two inquiries. The disputes
    # repeat the caller's; the noise complaint the inquiries at its place a week ago; the
    # inquiries in Minhou the theft there (and the second the first); the theft, first at its
    # place, is nobody's repeat.
    assert wall["counters"]["incidents"] == 6
    repeats = source["repeats"]
    assert (repeats["numerator"], repeats["denominator"], repeats["percent"]) == (5, 6, 83.33)
    day = ok(api.get("/stats/summary", "leader", params={"since": "2026-12-31"}))
    [figure] = [f for f in day["figures"] if f["key"] == "repeat_incident_share"]
    assert figure["value"] == repeats
    # Still worked: the case by rule at A with its threat, the noise case at B, Minhou's at D;
    # the solved one is not. Every tier shown, A and B marked.
    assert source["open_cases"] == 3
    assert _tiers(source) == {"A": (1, True), "B": (1, True), "C": (0, False), "D": (1, False)}
    assert source["extreme"] == 1
    # 12345: two sent today, one handled; of the week-old three, one is past its limit and
    # neither handled nor sent back.
    assert (source["tickets_out"], source["tickets_done"], source["tickets_overdue"]) == (2, 1, 1)
    tickets = ok(api.get("/stats/summary", "leader", params={"since": "2026-12-31"}))["figures"]
    [sent] = [f for f in tickets if f["key"] == "tickets_12345"]
    assert sent["value"]["count"] == source["tickets_out"]


def test_the_source_block_is_scoped_and_carries_no_personal_data(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    made = _history(api, runtime, clock)
    gulou = ok(api.get("/stats/wall", "gulou_leader"))["source"]
    # Minhou's D case and its two inquiries of today are not Gulou's.
    assert _tiers(gulou) == {"A": (1, True), "B": (1, True), "C": (0, False), "D": (0, False)}
    assert (gulou["tickets_out"], gulou["tickets_done"], gulou["tickets_overdue"]) == (0, 0, 1)
    minhou = ok(api.get("/stats/wall", "leader", params={"jurisdiction": "350121"}))["source"]
    assert (minhou["open_cases"], minhou["extreme"], minhou["tickets_out"]) == (1, 0, 2)
    # The late ticket handled at last: no longer overdue, wherever the wall looks from.
    _hotline_says(api, clock, made["late"], "w-9", "done", result="已办结")
    assert ok(api.get("/stats/wall", "leader"))["source"]["tickets_overdue"] == 0
    text = api.get("/stats/wall", "analyst").text
    for personal in (CALLER, *THREATENER, "13900000021", "扬言同归于尽"):
        assert personal not in text
