"""Hostile text planted through the API in every field a client can set, for tests/browser/
test_xss.py: markup, attribute and script breakouts, javascript: URLs and template syntax.

Each payload calls `xss("<tag>")` if it ever runs, so a failure names the field it came from;
`src=x` images also reveal injected markup by the request they make for ".../x".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from cad110.auth.principal import SYSTEM
from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.kernel.ticks import TickLoop
from cad110.models.incident import Incident
from cad110.places.importer import import_rows
from cad110.transfers.intake import HOTLINE, receive_step
from cad110.transfers.repository import tickets_of_incident
from cad110.transfers.schemas import TicketEventIn
from tests.api.helpers import ok
from tests.conftest import Api
from tests.integration.missing_steps import ok_list

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _vectors(tag: str) -> list[str]:
    call = f'xss("{tag}")'
    return [
        f"<img src=x onerror={call}>",
        f'"><svg onload={call}>',
        f"</script><script>{call}</script>",
        f"javascript:{call}",
        "{{7*7}}",
        f"'><svg onload='{call}'>",
        f"'-{call}-'",
        f"</textarea><img src=x onerror={call}>",
    ]


def attack(tag: str, limit: int, start: int = 0) -> str:
    """As many of the vectors as fit in `limit` characters, beginning with vector `start`."""
    vectors = _vectors(tag)
    vectors = vectors[start % len(vectors) :] + vectors[: start % len(vectors)]
    chosen: list[str] = []
    for vector in vectors:
        if len(" ".join([*chosen, vector])) <= limit:
            chosen.append(vector)
    assert chosen, f"no vector fits {limit} characters"
    return " ".join(chosen)


# Points in grid 3501020101 (鼓东派出所), apart from each other and from the units, so that
# every marker can be hovered on its own.
POINTS = {
    "A": (119.2865, 26.0905),
    "C": (119.2965, 26.0665),
    "M0": (119.2815, 26.0985),
    "M1": (119.2885, 26.0795),
    "M2": (119.2945, 26.0945),
    "M3": (119.2825, 26.0625),
    "D": (119.2905, 26.0635),
    "E": (119.2985, 26.0755),
    "F": (119.2835, 26.0845),
    "G": (119.2975, 26.0885),
    "B": (119.2915, 26.0985),
    "M4": (119.2995, 26.0705),
}


@dataclass
class Planted:
    """What was planted where: numbers of incidents and cases, and the texts to look for."""

    incidents: dict[str, dict[str, Any]] = field(default_factory=dict)
    cases: dict[str, str] = field(default_factory=dict)
    repeat_case: str = ""
    names: dict[str, str] = field(default_factory=dict)
    unit_name_zh: str = ""
    unit_name_en: str = ""
    school: str = ""
    clothing: str = ""
    place: dict[str, str] = field(default_factory=dict)

    def number(self, label: str) -> str:
        return str(self.incidents[label]["number"])


def hostile_incident(api: Api, label: str, user: str = "calltaker", **body: Any) -> dict[str, Any]:
    lon, lat = POINTS[label]
    created = api.post(
        "/incidents",
        user,
        json={
            "caller_phone": "13800138000",
            "caller_name": attack(f"{label}-caller", 64),
            "address": attack(f"{label}-address", 255),
            "narrative": attack(f"{label}-narrative", 4000),
            "tags": [attack(f"{label}-tag{i}", 32, start=i) for i in range(8)],
            "lon": lon,
            "lat": lat,
            "category": "theft",
            **body,
        },
    )
    assert created.status_code == 201, created.text
    return created.json()  # type: ignore[no-any-return]


def _act(api: Api, number: str, action: str, user: str, body: dict[str, Any]) -> None:
    ok(api.post(f"/incidents/{number}/{action}", user, json=body))


def _unit_steps(api: Api, number: str, unit: str) -> None:
    for step in ("acknowledge", "depart"):
        ok(api.post(f"/incidents/{number}/units/{unit}/{step}", f"officer-{unit}"))
    # The reason an arrival far from the scene needs is free text too.
    reason = {"reason": attack(f"{unit}-arrive", 500)}
    ok(api.post(f"/incidents/{number}/units/{unit}/arrive", f"officer-{unit}", json=reason))


def plant_incidents(api: Api, planted: Planted) -> None:
    """Incidents in every state a screen shows, each action with its own hostile note."""
    note = attack
    # A hazard flag on the callers' number: its reason shows in every incident panel and, from
    # A's dispatch event, on the unit's phone.
    flagged = api.post(
        "/flags",
        "dispatcher",
        json={
            "subject": "person",
            "kind": "violent",
            "person": {"phone": "13800138000", "name": note("flag-person", 64)},
            "reason": note("flag-reason", 500),
        },
    )
    assert flagged.status_code == 201, flagged.text
    a = hostile_incident(
        api, "A", accept=True, call={"note": note("A-call", 4000), "duration_s": 60}
    )
    planted.incidents["A"] = a
    number = a["number"]
    attached = api.post(
        f"/incidents/{number}/calls",
        "calltaker",
        json={"caller_name": note("A-call2-name", 64), "note": note("A-call2-note", 4000)},
    )
    assert attached.status_code in (200, 201), attached.text
    _act(
        api,
        number,
        "dispatch",
        "dispatcher",
        {
            "units": ["35010201-1"],
            "note": note("A-dispatch", 4000),
            "override_reason": note("A-override", 4000),
        },
    )
    _unit_steps(api, number, "35010201-1")

    b = hostile_incident(api, "B", accept=True)
    planted.incidents["B"] = b
    number = b["number"]
    _act(api, number, "dispatch", "dispatcher", {"units": ["35010201-2"]})
    _unit_steps(api, number, "35010201-2")
    _act(api, number, "handle", "officer-35010201-2", {"note": note("B-handle", 4000)})
    guide = [
        {"code": g["code"], "done": False, "note": note(f"B-guide{i}", 4000, start=i)}
        for i, g in enumerate(b["guide"])
    ]
    _act(
        api,
        number,
        "report",
        "officer-35010201-2",
        {"summary": note("B-report", 4000), "guide": guide},
    )
    # 处警结果: every text of an entry and of a strike is written by a person.
    at = b["stages"]["received"]
    outcomes = [
        {
            "kind": "arrest",
            "arrested": 1,
            "at": at,
            "in_the_act": True,
            "note": note("B-arrest", 500),
        },
        {
            "kind": "case_opened",
            "at": at,
            "case_number": note("B-case", 48),
            "note": note("B-case-note", 500),
        },
        {"kind": "loss", "amount_fen": 5000, "note": note("B-loss", 500)},
        {"kind": "property_returned", "at": at, "description": note("B-returned", 500)},
    ]
    for body in outcomes:
        made = api.post(f"/incidents/{number}/outcomes", "officer-35010201-2", json=body)
        assert made.status_code == 201, made.text
    first = made.json()["entries"][0]["id"]
    struck = {"reason": note("B-strike", 500)}
    ok(api.post(f"/incidents/{number}/outcomes/{first}/strike", "officer-35010201-2", json=struck))
    ok(api.post(f"/incidents/{number}/units/35010201-2/release", "officer-35010201-2"))
    _act(api, number, "close", "dispatcher", {"summary": note("B-close", 4000)})
    _act(
        api,
        number,
        "callback",
        "calltaker",
        {"satisfaction": "dissatisfied", "note": note("B-callback", 4000)},
    )
    _act(api, number, "archive", "leader", {"note": note("B-archive", 4000)})

    c = hostile_incident(api, "C")
    planted.incidents["C"] = c
    number = c["number"]
    _act(
        api,
        number,
        "accept",
        "calltaker",
        {"note": note("C-accept", 4000), "address": note("C-address2", 255)},
    )
    _act(api, number, "assess", "dispatcher", {"note": note("C-assess", 4000), "risk": "high"})
    _act(api, number, "queue", "dispatcher", {"note": note("C-queue", 4000)})
    _act(api, number, "reclassify", "dispatcher", {"grade": 1, "reason": note("C-reclassify", 500)})
    lon, lat = POINTS["C"]
    relocate = {"address": note("C-address3", 255), "lon": lon + 0.0002, "lat": lat}
    _act(api, number, "relocate", "dispatcher", {**relocate, "reason": note("C-relocate", 500)})
    planted.incidents["C"] = ok(api.get(f"/incidents/{number}", "dispatcher"))

    d = hostile_incident(api, "D")
    planted.incidents["D"] = d
    _act(
        api,
        d["number"],
        "transfer",
        "calltaker",
        {
            "to": "12345",
            "agency": note("D-agency", 64),
            "note": note("D-transfer", 4000),
            "confirm": True,  # whatever its category: the texts are what is tested here
        },
    )
    e = hostile_incident(api, "E")
    planted.incidents["E"] = e
    _act(api, e["number"], "invalidate", "calltaker", {"reason": "hoax", "note": note("E", 4000)})
    f = hostile_incident(api, "F", accept=True)
    planted.incidents["F"] = f
    _act(api, f["number"], "cancel", "dispatcher", {"note": note("F-cancel", 4000)})
    g = hostile_incident(api, "G")
    planted.incidents["G"] = g
    _act(
        api,
        g["number"],
        "merge",
        "calltaker",
        {"into": planted.number("A"), "note": note("G-merge", 4000)},
    )

    call = api.post(
        "/calls",
        "calltaker",
        json={
            "caller_phone": "13800138000",
            "caller_name": note("call-name", 64),
            "outcome": "advice",
            "note": note("call-note", 4000),
        },
    )
    assert call.status_code == 201, call.text


def plant_units(api: Api, planted: Planted) -> None:
    """A unit renamed by the administrator, a pause with a reason, a key target."""
    unit = ok(api.get("/units/35010201-1", "admin"))
    planted.unit_name_zh = attack("unit-zh", 64)
    planted.unit_name_en = attack("unit-en", 128, start=1)
    renamed = api.client.put(
        "/api/v1/units/35010201-1",
        headers=api.as_("admin"),
        json={
            "name_zh": planted.unit_name_zh,
            "name_en": planted.unit_name_en,
            "station": unit["station"],
            "kind": unit["kind"],
            "patrol_level": unit["patrol_level"],
            "duty_mode": unit["duty_mode"],
            "capabilities": unit["capabilities"],
            "grids": unit["grids"],
        },
    )
    assert renamed.status_code == 200, renamed.text
    ok(api.post("/units/35012101-1/pause", "dispatcher", json={"reason": attack("pause", 64)}))
    target = api.client.put(
        "/api/v1/key-targets/KT-XSS",
        headers=api.as_("admin"),
        json={
            "name_zh": attack("target-zh", 128),
            "name_en": attack("target-en", 128, start=2),
            "kind": "school",
            "lon": 119.2895,
            "lat": 26.0715,
        },
    )
    assert target.status_code in (200, 201), target.text


def plant_later(api: Api, runtime: Runtime, clock: VirtualClock, planted: Planted) -> None:
    """A day on: steps are overdue (督办, acknowledged with a comment) and the family's first
    callback is due."""
    clock.advance(timedelta(hours=25))
    TickLoop(runtime).run_once()
    open_rows = ok_list(api.get("/supervision?state=open", "leader"))
    assert len(open_rows) >= 2, "overdue steps open supervisions"
    ok(
        api.post(
            f"/supervision/{open_rows[-1]['id']}/acknowledge",
            "leader",
            json={"comment": attack("supervision", 2000)},
        )
    )
    m1 = planted.cases["M1"]
    due = [cb for cb in ok(api.get(f"/missing/{m1}", "dispatcher"))["callbacks"] if cb["overdue"]]
    assert due, "the 24-hour callback is due"
    ok(
        api.post(
            f"/missing/{m1}/callbacks/{due[0]['seq']}",
            "dispatcher",
            json={
                "reached": True,
                "family_said": attack("M1-family", 4000),
                "new_lead": attack("M1-lead", 4000, start=4),
            },
        )
    )


def plant_places(runtime: Runtime, planted: Planted) -> None:
    """A standard address whose every text is hostile, as an import file could bring it."""
    lon, lat = POINTS["A"]
    planted.place = {
        "code": "XSS-PLACE",
        "kind": "poi",
        "name": "标准地址" + attack("place-name", 100),
        "full_text": "标准地址" + attack("place-text", 240, start=2),
        "district": attack("place-district", 32, start=6),
        "road": attack("place-road", 64, start=6),
        "aliases": "",
        "lon": str(lon + 0.0004),
        "lat": str(lat + 0.0004),
    }
    with transaction(runtime.sessions) as session:
        report = import_rows(runtime.ctx(session, SYSTEM), [planted.place], source="xss")
    assert not report.rejected, report.rejected


def plant_transfers(runtime: Runtime, clock: VirtualClock, planted: Planted) -> None:
    """What 12345 posts back about D's ticket, hostile in every text it can carry."""
    number = planted.number("D")
    with transaction(runtime.sessions) as session:
        ctx = runtime.ctx(session, HOTLINE)
        incident = session.scalars(select(Incident).where(Incident.number == number)).one()
        [ticket] = tickets_of_incident(session, incident.id)
        ref, at = f"gd-{ticket.id}", clock.now()
        steps = [
            {"type": "accepted", "department": attack("D-department", 64)},
            {"type": "done", "result": attack("D-result", 2000), "note": attack("D-note", 500)},
        ]
        for n, step in enumerate(steps):
            event = {"event_id": f"xss-{n}", "ticket_id": ref, "at": at, **step}
            receive_step(ctx, TicketEventIn.model_validate(event))


def plant_repeat_case(api: Api, planted: Planted) -> None:
    """C becomes a repeat case (重复警情档案): hostile text in its reason, a step, each kind
    of journal entry, a new tier and a threat."""
    body = {
        "incident": planted.number("C"),
        "type": "neighbour",
        "owner": "officer-35010201-1",
        "reason": attack("R-reason", 500),
    }
    created = api.post("/repeat-cases", "dispatcher", json=body)
    assert created.status_code == 201, created.text
    base = f"/repeat-cases/{created.json()['number']}"
    planted.repeat_case = created.json()["number"]
    officer = "officer-35010201-1"
    step = {"note": attack("R-step", 2000), "with_whom": attack("R-with", 500, start=2)}
    ok(api.post(f"{base}/steps", officer, json=step))
    for kind, extra in (("mediation", {"result": "partly"}), ("referral", {"to": "court"})):
        entry = {"kind": kind, "text": attack(f"R-{kind}", 2000), **extra}
        ok(api.post(f"{base}/journal", officer, json=entry))
    ok(api.post(f"{base}/tier", officer, json={"tier": "B", "reason": attack("R-tier", 2000)}))
    ok(api.post(f"{base}/threat", officer, json={"note": attack("R-threat", 2000)}))
