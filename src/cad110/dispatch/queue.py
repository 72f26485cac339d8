"""待派: incidents waiting for a unit, offered to the first suitable unit that frees up.

Rules: a unit holds at most one pending offer and an incident at most one; a unit that
declined an incident is not offered it again; whenever an offer lapses (the incident no
longer waits, or the unit was taken for something else) both sides are matched again.

The queue follows what incidents and units announce (subscribed in `cad110/runtime.py`):
the `follow_…` functions at the end.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import update

from cad110.dispatch.repository import declined, free_units_in, pending_offers, queued_in
from cad110.dispatch.suitability import district_path, suits
from cad110.incidents.facts import IncidentActed
from cad110.kernel.context import Ctx
from cad110.lifecycles.incident import Action, AssignmentState, Status
from cad110.lifecycles.unit import DISPATCHABLE
from cad110.models.incident import Incident
from cad110.models.jurisdiction import Jurisdiction
from cad110.models.subjects import SubjectType
from cad110.models.supervision import Notification, OfferState, UnitOffer
from cad110.models.unit import Unit
from cad110.units.facts import UnitStatusChanged


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


def withdraw_unit_offers(ctx: Ctx, unit: Unit, *, keep: str | None = None) -> None:
    """The unit was taken for something else: its offers lapse (but one of incident `keep`,
    the incident it was taken for) and each incident waits for another unit."""
    lapsing = [
        (offer, incident)
        for offer in pending_offers(ctx.session, unit=unit.code)
        for incident in [ctx.session.get(Incident, offer.incident_id)]
        if keep is None or incident is None or incident.number != keep
    ]
    _lapse(ctx, [offer for offer, _ in lapsing])
    for _, incident in lapsing:
        if incident is not None:
            offer_to_free_unit(ctx, incident)


# --- following incidents and units -----------------------------------------------------------


def follow_unit_status(ctx: Ctx, fact: UnitStatusChanged) -> None:
    """A unit set free by hand is offered the queue; a unit no longer free loses its offers.

    A unit set free by an incident's action (released) is offered the queue once that action
    is recorded (`offer_queue_to_freed_units`); one dispatched keeps the offer of the incident
    it was dispatched to, which that incident withdraws or has accepted itself."""
    if fact.after not in DISPATCHABLE:
        # Offers go to free units only and lapse when a unit stops being free, so a unit that
        # was not free has none: its steps on scene (depart, arrive) cost no query here.
        if fact.before in DISPATCHABLE:
            withdraw_unit_offers(ctx, fact.unit, keep=fact.incident)
    elif fact.incident is None:
        offer_queued_incident(ctx, fact.unit)


def withdraw_offers_when_no_longer_queued(ctx: Ctx, fact: IncidentActed) -> None:
    """An incident that leaves 待派 (dispatched, closed, cancelled…) withdraws its offer."""
    if fact.before is Status.QUEUED:
        withdraw_offers(ctx, fact.incident)


def offer_when_queued(ctx: Ctx, fact: IncidentActed) -> None:
    """An incident put in 待派 is offered at once to a suitable unit that is free."""
    if fact.action is Action.QUEUE:
        offer_to_free_unit(ctx, fact.incident)


def reoffer_when_relocated(ctx: Ctx, fact: IncidentActed) -> None:
    """更正地点 of a queued incident: an offer to a unit it no longer suits (another district)
    lapses, and a unit that suits the new place is offered it."""
    incident = fact.incident
    if fact.action is not Action.RELOCATE or incident.status is not Status.QUEUED:
        return
    for offer in pending_offers(ctx.session, incident_id=incident.id):
        unit = ctx.session.get(Unit, offer.unit_code)
        if unit is None or not suits(ctx.catalog, unit, incident):
            withdraw_offers(ctx, incident)
            break
    offer_to_free_unit(ctx, incident)


def offer_queue_to_freed_units(ctx: Ctx, fact: IncidentActed) -> None:
    """Each unit the action set free (released) is offered the queue's next incident."""
    for code, state in fact.outcome.unit_changes:
        if state is AssignmentState.DISPATCHED:
            continue
        unit = ctx.session.get(Unit, code)
        if unit is not None and unit.status in DISPATCHABLE:
            offer_queued_incident(ctx, unit)
