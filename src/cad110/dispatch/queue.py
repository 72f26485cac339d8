"""待派: incidents waiting for a unit, offered to the first suitable unit that frees up.

Rules: a unit holds at most one pending offer and an incident at most one; a unit that
declined an incident is not offered it again; whenever an offer lapses (the incident no
longer waits, or the unit was taken for something else) both sides are matched again.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import update

from cad110.dispatch.repository import declined, free_units_in, pending_offers, queued_in
from cad110.dispatch.suitability import district_path, suits
from cad110.events.subjects import SubjectType
from cad110.kernel.context import Ctx
from cad110.lifecycles.incident import Status
from cad110.lifecycles.unit import DISPATCHABLE
from cad110.models.incident import Incident
from cad110.models.jurisdiction import Jurisdiction
from cad110.models.supervision import Notification, OfferState, UnitOffer
from cad110.models.unit import Unit


def offer_queued_incident(ctx: Ctx, unit: Unit) -> UnitOffer | None:
    """Offer the free `unit` the most urgent, oldest queued incident it suits."""
    if unit.status not in DISPATCHABLE or pending_offers(ctx.session, unit=unit.code):
        return None
    refused = declined(ctx.session, unit=unit.code)
    for incident in queued_in(ctx.session, district_path(unit.jurisdiction_path)):
        if incident.id in refused or pending_offers(ctx.session, incident_id=incident.id):
            continue
        if suits(ctx.catalog, unit, incident):
            return _offer(ctx, incident, unit)
    return None


def offer_to_free_unit(ctx: Ctx, incident: Incident) -> UnitOffer | None:
    """Offer a queued incident to a suitable unit that is free now (not one that declined it)."""
    if incident.status is not Status.QUEUED or pending_offers(ctx.session, incident_id=incident.id):
        return None
    refused = declined(ctx.session, incident_id=incident.id)
    for unit in free_units_in(ctx.session, district_path(incident.jurisdiction_path)):
        if unit.code in refused or pending_offers(ctx.session, unit=unit.code):
            continue
        if suits(ctx.catalog, unit, incident):
            return _offer(ctx, incident, unit)
    return None


def _offer(ctx: Ctx, incident: Incident, unit: Unit) -> UnitOffer:
    offer = UnitOffer(
        incident_id=incident.id, unit_code=unit.code, state=OfferState.PENDING, offered_at=ctx.at
    )
    ctx.session.add(offer)
    ctx.session.flush()
    ctx.record(
        SubjectType.INCIDENT, incident.number, "offered", {"offer": offer.id, "unit": unit.code}
    )
    station = ctx.session.get(Jurisdiction, unit.station_code)
    assert station is not None
    ctx.session.add(
        Notification.to(
            station,
            kind="offer",
            message=f"待派警情 {incident.number} 推送给空闲警组 {unit.name_zh}",
            at=ctx.at,
            incident_id=incident.id,
        )
    )
    return offer


def _lapse(ctx: Ctx, offers: Sequence[UnitOffer]) -> None:
    if not offers:
        return
    ctx.session.execute(
        update(UnitOffer)
        .where(UnitOffer.id.in_([o.id for o in offers]), UnitOffer.state == OfferState.PENDING)
        .values(state=OfferState.WITHDRAWN, decided_at=ctx.at, decided_by=ctx.by.username)
        .execution_options(synchronize_session=False)
    )
    for offer in offers:
        ctx.session.refresh(offer)


def withdraw_offers(ctx: Ctx, incident: Incident) -> None:
    """The incident no longer waits: its offer lapses and the unit is matched again."""
    offers = pending_offers(ctx.session, incident_id=incident.id)
    _lapse(ctx, offers)
    for offer in offers:
        unit = ctx.session.get(Unit, offer.unit_code)
        if unit is not None:
            offer_queued_incident(ctx, unit)


def withdraw_unit_offers(ctx: Ctx, unit: Unit, *, keep_incident: int | None = None) -> None:
    """The unit was taken for something else: its offer lapses and the incident waits for another."""
    offers = [
        o for o in pending_offers(ctx.session, unit=unit.code) if o.incident_id != keep_incident
    ]
    _lapse(ctx, offers)
    for offer in offers:
        incident = ctx.session.get(Incident, offer.incident_id)
        if incident is not None:
            offer_to_free_unit(ctx, incident)
