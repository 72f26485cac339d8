"""JSON routes: the repeat warning while a call is taken, and an incident's repeat links."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Response
from sqlalchemy import select

from cad110.api.deps import Context
from cad110.api.routing import Router, repeatable
from cad110.auth.permissions import Permission
from cad110.incidents.repository import get_incident
from cad110.models.repeats import RepeatLink
from cad110.privacy.deps import AccessLog
from cad110.privacy.policy import Subject
from cad110.repeats.detect import Earlier, load_earlier, warning_for
from cad110.repeats.rules import NOT_RECORDED, in_force, record_of
from cad110.repeats.schemas import (
    IncidentRepeats,
    ReasonOut,
    RepeatCheck,
    RepeatOut,
    RepeatWarning,
)

router = Router(tags=["repeats"])
Number = Annotated[str, Path(pattern=r"^[0-9A-Za-z_.-]{1,40}$")]


def _out(earlier: Earlier, score: int, reasons: list[dict[str, Any]]) -> RepeatOut:
    return RepeatOut(
        number=earlier.number,
        status=earlier.status,
        open=earlier.open,
        category=earlier.record.category,
        received_at=earlier.record.received_at,
        address=earlier.address,
        score=score,
        reasons=[ReasonOut(**r) for r in reasons],
    )


@router.post("/repeats/check", response_model=RepeatWarning)
@repeatable
def check(body: RepeatCheck, ctx: Context, log: AccessLog, response: Response) -> RepeatWarning:
    """重复警情 while the call is taken: the earlier incidents in the reader's jurisdiction that
    this call would be linked to, with reasons, and the open one to attach it to. A look-up by
    the caller's number or name is recorded in the access log. Nothing is stored."""
    ctx.by.require(Permission.RECEIVE)
    response.headers["Cache-Control"] = "no-store"
    rules = in_force(ctx)
    record = record_of(
        incident_id=NOT_RECORDED,
        received_at=ctx.at,
        caller_phone=body.caller_phone,
        caller_name=body.caller_name,
        place=body.place,
        lon=body.lon,
        lat=body.lat,
        category=body.category,
        narrative=body.narrative,
    )
    found = warning_for(ctx.session, record, rules, ctx.by)
    numbers = [e.number for _j, e in found.links]
    if body.caller_phone:
        log.search(Subject.INCIDENT, numbers, "caller_phone", body.caller_phone)
    if body.caller_name:
        log.search(Subject.INCIDENT, numbers, "caller_name", body.caller_name)
    links = [_out(e, j.score, [r.as_json() for r in j.reasons]) for j, e in found.links]
    return RepeatWarning(
        caller_calls=found.calls,
        caller_calls_more=found.more,
        caller_window_days=rules.signals["same_caller"].window_days,
        links=links,
        attach_to=next((link.number for link in links if link.open), None),
    )


@router.get("/incidents/{number}/repeats", response_model=IncidentRepeats)
def incident_repeats(number: Number, ctx: Context) -> IncidentRepeats:
    """An incident's repeat links: the earlier incidents it repeats and the later ones that
    repeat it, strongest first (those in the reader's jurisdiction)."""
    ctx.by.require(Permission.READ)
    incident = get_incident(ctx.session, number, by=ctx.by)
    earlier = list(
        ctx.session.scalars(select(RepeatLink).where(RepeatLink.incident_id == incident.id))
    )
    later = list(
        ctx.session.scalars(select(RepeatLink).where(RepeatLink.earlier_id == incident.id))
    )
    ids = {link.earlier_id for link in earlier} | {link.incident_id for link in later}
    seen = {
        e.record.incident_id: e
        for e in load_earlier(ctx.session, sorted(ids))
        if ctx.by.sees(e.jurisdiction_path)
    }

    def side(links: list[RepeatLink], other: str) -> list[RepeatOut]:
        shown = [
            _out(seen[getattr(link, other)], link.score, link.reasons)
            for link in links
            if getattr(link, other) in seen
        ]
        # Strongest first; among equals the most recent, as the warning lists them.
        return sorted(shown, key=lambda o: (-o.score, -o.received_at.timestamp()))

    return IncidentRepeats(
        number=incident.number,
        earlier=side(earlier, "earlier_id"),
        later=side(later, "incident_id"),
    )
