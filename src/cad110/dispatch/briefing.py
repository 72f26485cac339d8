"""What the units sent are told of the place (出警提示): the hazard flags on it and on the
caller, and its recent history, kept in the dispatch event itself.

The unit's phone shows the briefing from the event, not a fresh query: the record then says
what the officer was told when sent, and a flag set or revoked later does not rewrite it.
The flags read for the briefing are recorded in the access log as read by the dispatcher,
who sends them out.
"""

from __future__ import annotations

from typing import Any

from cad110.incidents.facts import ActionDecided
from cad110.kernel.context import Ctx
from cad110.lifecycles.incident import Action
from cad110.models.hazard import FlagSubject
from cad110.places.flags import Persons, flag_reads, kinds
from cad110.places.known import Known, known_at, place_at
from cad110.privacy import record
from cad110.privacy.record import Where

# The unit's phone shows at most this many earlier incidents (the newest).
HISTORY_SHOWN = 5


def briefing(known: Known) -> dict[str, Any]:
    """The briefing as the event keeps it: no phone, name or ID number of anyone (a person
    flag says it is about the caller), only what the officer needs before arriving."""
    all_kinds = kinds()
    flags = []
    for f in known.flags or []:
        kind = all_kinds.get(f.kind)
        flags.append(
            {
                "id": f.id,
                "about": "place" if f.subject is FlagSubject.PLACE else "caller",
                "kind": f.kind,
                "zh": kind.zh if kind else f.kind,
                "en": kind.en if kind else f.kind,
                "severity": kind.severity if kind else 1,
                "reason": f.reason,
                "set_by": f.set_by,
                "set_at": f.set_at.isoformat(),
                "expires_at": f.expires_at.isoformat() if f.expires_at else None,
            }
        )
    return {
        "place": known.place.code if known.place else None,
        "flags": flags,
        "history": [
            {
                "number": i.number,
                "category": i.category,
                "status": i.status,
                "received_at": i.received_at.isoformat(),
                "same_address": i.same_address,
                "distance_m": round(i.distance_m) if i.distance_m is not None else None,
            }
            for i in known.incidents[:HISTORY_SHOWN]
        ],
        "history_count": len(known.incidents),
        "missing": [
            {"number": c.number, "name": c.name, "distance_m": round(c.distance_m)}
            for c in known.missing[:HISTORY_SHOWN]
        ],
    }


def brief_dispatched_units(ctx: Ctx, fact: ActionDecided) -> None:
    """派警 carries the briefing of the place to the units sent (each dispatch, so a unit
    added later is told what is known then)."""
    if fact.action is not Action.DISPATCH:
        return
    incident = fact.incident
    place = None
    if incident.lon is not None and incident.lat is not None:
        place = place_at(ctx.session, incident.lon, incident.lat, incident.address)
    person = Persons(phone=incident.caller_phone, name=incident.caller_name)
    known = known_at(
        ctx,
        place=place,
        lon=incident.lon,
        lat=incident.lat,
        address=incident.address,
        person=person,
        exclude=incident.number,
    )
    fact.payload["briefing"] = briefing(known)
    if known.flags:
        where = Where(channel=f"dispatch {incident.number}")
        record.add(ctx.session, ctx.by, ctx.at, where, flag_reads(ctx.by, known.flags))
