"""Accepting or declining an offered queued incident."""

from __future__ import annotations

from sqlalchemy import update

from cad110.auth.permissions import Permission
from cad110.dispatch.queue import offer_queued_incident, offer_to_free_unit
from cad110.errors import Conflict, Forbidden, NotFound
from cad110.incidents.actions import perform
from cad110.incidents.schemas import DispatchBody
from cad110.kernel.context import Ctx
from cad110.lifecycles.incident import Action
from cad110.models.incident import Incident
from cad110.models.supervision import OfferState, UnitOffer
from cad110.models.unit import Unit
from cad110.models.user import Role


def _load(ctx: Ctx, offer_id: int) -> tuple[UnitOffer, Incident]:
    """The offer, for a dispatcher in scope or the officer of the offered unit."""
    offer = ctx.session.get(UnitOffer, offer_id)
    incident = ctx.session.get(Incident, offer.incident_id) if offer is not None else None
    if offer is None or incident is None:
        raise NotFound(f"offer {offer_id} not found")
    own = ctx.by.role is Role.OFFICER and offer.unit_code == ctx.by.unit_code
    # Offers go district-wide: an officer of another station may be offered the incident.
    if not own and not ctx.by.sees(incident.jurisdiction_path):
        raise NotFound(f"offer {offer_id} not found")
    if ctx.by.role is Role.OFFICER:
        if not own:
            raise Forbidden("this offer is for another unit")
    else:
        ctx.by.require(Permission.DISPATCH)
    return offer, incident


def _decide(ctx: Ctx, offer: UnitOffer, state: OfferState) -> None:
    decided = ctx.session.execute(
        update(UnitOffer)
        .where(UnitOffer.id == offer.id, UnitOffer.state == OfferState.PENDING)
        .values(state=state, decided_at=ctx.at, decided_by=ctx.by.username)
        .execution_options(synchronize_session=False)
    )
    if decided.rowcount != 1:  # type: ignore[attr-defined]
        ctx.session.refresh(offer)
        raise Conflict(f"offer {offer.id} is already {offer.state.value}")
    ctx.session.refresh(offer)


def accept_offer(ctx: Ctx, offer_id: int) -> Incident:
    """The unit takes the queued incident: it is dispatched to it at once."""
    offer, incident = _load(ctx, offer_id)
    _decide(ctx, offer, OfferState.ACCEPTED)
    return perform(
        ctx, incident, Action.DISPATCH, DispatchBody(units=[offer.unit_code], note="接受待派推送")
    )


def decline_offer(ctx: Ctx, offer_id: int) -> UnitOffer:
    """The unit cannot take it: the incident is offered to the next suitable free unit."""
    offer, incident = _load(ctx, offer_id)
    _decide(ctx, offer, OfferState.DECLINED)
    offer_to_free_unit(ctx, incident)
    unit = ctx.session.get(Unit, offer.unit_code)
    if unit is not None:
        offer_queued_incident(ctx, unit)
    return offer
