"""Recommendations and offers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Path, Query
from pydantic import BaseModel, Field

from cad110.api.deps import Context
from cad110.api.routing import Router
from cad110.auth.permissions import Permission
from cad110.dispatch.candidates import candidates
from cad110.dispatch.offers import accept_offer, decline_offer
from cad110.dispatch.recommend import recommend
from cad110.dispatch.repository import offers_seen_by
from cad110.incidents.repository import get_incident
from cad110.incidents.schemas import IncidentOut
from cad110.incidents.views import incident_out
from cad110.models.incident import Incident
from cad110.models.supervision import OfferState, UnitOffer

router = Router(tags=["dispatch"])
Number = Annotated[str, Path(pattern=r"^[0-9A-Za-z_.-]{1,40}$")]


class RecommendedUnit(BaseModel):
    unit: str
    name_zh: str
    name_en: str
    status: str
    station: str
    eta_s: float
    distance_m: float
    lon: float | None
    lat: float | None
    reasons: list[str]


class RecommendationsOut(BaseModel):
    incident: str
    eta_model: str
    min_units: int
    required_capabilities: list[str]
    lacking_capability: list[str]
    approximate_location: bool
    no_point: bool = Field(
        description="The incident has no point yet (无定位): with no items, locate it first; "
        "it does not mean that no unit is free"
    )
    items: list[RecommendedUnit]


@router.get("/incidents/{number}/recommendations", response_model=RecommendationsOut)
def recommendations(
    number: Number, ctx: Context, k: Annotated[int, Query(ge=1, le=50)] = 5
) -> RecommendationsOut:
    """Free, on-duty units ranked by estimated travel time, each with why it is there."""
    ctx.by.require(Permission.READ)
    incident = get_incident(ctx.session, number, by=ctx.by)
    advice = recommend(ctx, incident, eta=ctx.eta, k=k)
    return RecommendationsOut(
        incident=incident.number,
        eta_model=type(ctx.eta).__name__,
        min_units=advice.min_units,
        required_capabilities=sorted(advice.required_capabilities),
        lacking_capability=advice.lacking,
        approximate_location=advice.approximate_location,
        no_point=advice.no_point,
        items=[
            RecommendedUnit(
                unit=r.unit.code,
                name_zh=r.unit.name_zh,
                name_en=r.unit.name_en,
                status=r.unit.status.value,
                station=r.unit.station_code,
                eta_s=round(r.eta_s, 1),
                distance_m=round(r.distance_m, 1),
                lon=r.unit.position[0] if r.unit.position else None,
                lat=r.unit.position[1] if r.unit.position else None,
                reasons=list(r.reasons),
            )
            for r in advice.items
        ],
    )


class OfferOut(BaseModel):
    id: int
    incident: str
    unit: str
    state: OfferState
    offered_at: datetime
    decided_at: datetime | None
    decided_by: str | None


def _offer_out(o: UnitOffer, number: str) -> OfferOut:
    return OfferOut(
        id=o.id,
        incident=number,
        unit=o.unit_code,
        state=o.state,
        offered_at=o.offered_at,
        decided_at=o.decided_at,
        decided_by=o.decided_by,
    )


@router.get("/offers", response_model=list[OfferOut])
def list_offers(ctx: Context, state: OfferState = OfferState.PENDING) -> list[OfferOut]:
    """Offers of queued incidents to units (an officer sees their own unit's)."""
    ctx.by.require(Permission.READ)
    return [_offer_out(o, n) for o, n in offers_seen_by(ctx.session, ctx.by, state)]


@router.post("/offers/{offer_id}/accept", response_model=IncidentOut)
def accept(offer_id: Annotated[int, Path(ge=1, le=2**62)], ctx: Context) -> IncidentOut:
    """The offered unit takes the incident: it is dispatched at once."""
    return incident_out(ctx.session, accept_offer(ctx, offer_id), ctx.catalog)


@router.post("/offers/{offer_id}/decline", response_model=OfferOut)
def decline(offer_id: Annotated[int, Path(ge=1, le=2**62)], ctx: Context) -> OfferOut:
    """The unit cannot take it; the next suitable free unit is offered it."""
    offer = decline_offer(ctx, offer_id)
    incident = ctx.session.get(Incident, offer.incident_id)
    assert incident is not None
    return _offer_out(offer, incident.number)


class CandidateUnit(BaseModel):
    unit: str
    name_zh: str
    name_en: str
    kind: str
    status: str
    free: bool
    station: str
    eta_s: float | None
    distance_m: float | None
    suitable: bool = Field(
        description="Its kind serves the category and it has every required capability"
    )
    unsuitable: list[str] = Field(
        description='Why not: "kind" (its kind does not serve the category), "lacks:<capability>"'
    )
    recommended: bool = Field(
        description="Among the units the recommendation would send now; another is an override"
    )


class CandidatesOut(BaseModel):
    incident: str
    no_point: bool = Field(
        description="The incident has no point yet (无定位): ETAs are missing or approximate"
    )
    items: list[CandidateUnit]


@router.get("/incidents/{number}/candidates", response_model=CandidatesOut)
def unit_candidates(
    number: Number,
    ctx: Context,
    q: Annotated[str, Query(max_length=64, description="Code, name, kind or status")] = "",
    limit: Annotated[int, Query(ge=1, le=200)] = 30,
) -> CandidatesOut:
    """手动选警: on-duty units in scope matching `q`, free first, each with its ETA; busy
    units are listed too (`free` false) so that the dispatcher sees what is near."""
    ctx.by.require(Permission.READ)
    incident = get_incident(ctx.session, number, by=ctx.by)
    picks = candidates(ctx, incident, eta=ctx.eta, q=q, limit=limit)
    return CandidatesOut(
        incident=incident.number,
        no_point=incident.lon is None or incident.lat is None,
        items=[
            CandidateUnit(
                unit=p.unit.code,
                name_zh=p.unit.name_zh,
                name_en=p.unit.name_en,
                kind=p.unit.kind.value,
                status=p.unit.status.value,
                free=p.free,
                station=p.unit.station_code,
                eta_s=None if p.eta_s is None else round(p.eta_s, 1),
                distance_m=None if p.distance_m is None else round(p.distance_m, 1),
                suitable=p.suitable,
                unsuitable=list(p.unsuitable),
                recommended=p.recommended,
            )
            for p in picks
        ],
    )
