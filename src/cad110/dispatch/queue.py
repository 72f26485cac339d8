"""待派: incidents waiting for a unit, offered to the first suitable unit that frees up."""

from __future__ import annotations

from sqlalchemy import select, update

from cad110.dispatch.suitability import district_path, suits
from cad110.events.log import append
from cad110.incidents.context import Ctx
from cad110.incidents.lifecycle import Status
from cad110.models.incident import Incident
from cad110.models.jurisdiction import Jurisdiction
from cad110.models.supervision import Notification, OfferState, UnitOffer
from cad110.models.unit import Unit
from cad110.units.lifecycle import DISPATCHABLE


def _pending_offer_exists(
    ctx: Ctx, *, incident_id: int | None = None, unit: str | None = None
) -> bool:
    stmt = select(UnitOffer.id).where(UnitOffer.state == OfferState.PENDING)
    if incident_id is not None:
        stmt = stmt.where(UnitOffer.incident_id == incident_id)
    if unit is not None:
        stmt = stmt.where(UnitOffer.unit_code == unit)
    return ctx.session.scalar(stmt.limit(1)) is not None


def offer_queued_incident(ctx: Ctx, unit: Unit) -> UnitOffer | None:
    """Offer the most urgent, oldest queued incident this unit suits (one offer per unit)."""
    if _pending_offer_exists(ctx, unit=unit.code):
        return None
    queued = ctx.session.scalars(
        select(Incident)
        .where(
            Incident.status == Status.QUEUED,
            Incident.jurisdiction_path.startswith(
                district_path(unit.jurisdiction_path), autoescape=True
            ),
        )
        .order_by(Incident.grade.asc().nulls_last(), Incident.received_at, Incident.id)
        .limit(50)
    ).all()
    for incident in queued:
        if suits(ctx.catalog, unit, incident) and not _pending_offer_exists(
            ctx, incident_id=incident.id
        ):
            return _offer(ctx, incident, unit)
    return None


def offer_to_free_unit(
    ctx: Ctx, incident: Incident, *, exclude: set[str] | None = None
) -> UnitOffer | None:
    """Offer a queued incident to a suitable unit that is free right now, if any."""
    candidates = ctx.session.scalars(
        select(Unit)
        .where(
            Unit.status.in_(list(DISPATCHABLE)),
            Unit.jurisdiction_path.startswith(
                district_path(incident.jurisdiction_path), autoescape=True
            ),
        )
        .order_by(Unit.code)
    ).all()
    for unit in candidates:
        if unit.code in (exclude or set()) or _pending_offer_exists(ctx, unit=unit.code):
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
    append(
        ctx.session,
        subject_type="incident",
        subject_id=incident.number,
        kind="offered",
        at=ctx.at,
        actor=ctx.by.username,
        payload={"offer": offer.id, "unit": unit.code},
    )
    station = ctx.session.get(Jurisdiction, unit.station_code)
    assert station is not None
    ctx.session.add(
        Notification(
            target_code=station.code,
            target_path=station.path,
            kind="offer",
            incident_id=incident.id,
            message=f"待派警情 {incident.number} 推送给空闲警组 {unit.name_zh}",
            created_at=ctx.at,
        )
    )
    return offer


def withdraw_offers(ctx: Ctx, incident: Incident) -> None:
    """The incident no longer waits (dispatched, cancelled…): its pending offers lapse."""
    ctx.session.execute(
        update(UnitOffer)
        .where(UnitOffer.incident_id == incident.id, UnitOffer.state == OfferState.PENDING)
        .values(state=OfferState.WITHDRAWN, decided_at=ctx.at, decided_by=ctx.by.username)
        .execution_options(synchronize_session=False)
    )
