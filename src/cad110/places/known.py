"""What is known at a place (地址关联信息): earlier incidents at the address and near it, open
missing-person cases near it, key targets near it, and the hazard flags on it and on the
people of the call.

Places sit below incidents and the features, so this reads the shared tables (incidents, key
targets) through the models, and asks for what a feature knows (open missing-person cases)
through `Neighbours`, which the composition root fills in (`runtime.py::parts`): places never
imports a feature package.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from cad110.auth.permissions import Permission, allowed
from cad110.auth.principal import Principal
from cad110.geo.distance import haversine_m
from cad110.kernel.context import Ctx
from cad110.kernel.scope import in_scope
from cad110.models.hazard import HazardFlag
from cad110.models.incident import Incident
from cad110.models.place import Place
from cad110.models.target import KeyTarget
from cad110.places import flags
from cad110.places.flags import Persons, Radii
from cad110.places.repository import nearest

# At most this many of each list: the newest incidents, the nearest of the others.
LIMIT = 20


@dataclass(frozen=True)
class KnownIncident:
    number: str
    category: str | None
    status: str
    received_at: datetime
    address: str | None
    distance_m: float | None
    # Filed with the same address text as the place (even where its point differs).
    same_address: bool


@dataclass(frozen=True)
class KnownCase:
    """An open missing-person case last seen near the place (its name is public on purpose:
    it goes out in lookouts and appeals)."""

    number: str
    name: str
    age: int | None
    last_seen_at: datetime
    last_seen_place: str
    distance_m: float
    urgent: bool


@dataclass(frozen=True)
class KnownTarget:
    code: str
    name_zh: str
    name_en: str
    kind: str
    distance_m: float


NearbyCases = Callable[[Session, Principal, float, float, float], list[KnownCase]]


def _no_cases(_s: Session, _by: Principal, _lon: float, _lat: float, _m: float) -> list[KnownCase]:
    return []


@dataclass(frozen=True)
class Neighbours:
    """What feature packages know near a point, plugged in at the composition root."""

    missing: NearbyCases = _no_cases


@dataclass
class Known:
    place: Place | None
    lon: float | None
    lat: float | None
    incidents: list[KnownIncident] = field(default_factory=list)
    missing: list[KnownCase] = field(default_factory=list)
    targets: list[KnownTarget] = field(default_factory=list)
    # None where the reader's role may not read flags (not an empty list: "none" would lie).
    flags: list[HazardFlag] | None = None


def place_at(session: Session, lon: float, lat: float, address: str | None = None) -> Place | None:
    """The standard address a point (and the address text filed with it) stands for: the
    place of that exact text near the point, else the nearest within `same_place_m`."""
    r = flags.radii()
    if address:
        d = r.incident_m / 100_000
        exact = session.scalars(
            select(Place).where(
                Place.active,
                Place.full_text == address,
                Place.lon.between(lon - 2 * d, lon + 2 * d),
                Place.lat.between(lat - d, lat + d),
            )
        ).first()
        if exact is not None:
            return exact
    hit = nearest(session, lon, lat, within_m=r.same_place_m)
    return hit.place if hit else None


def _incidents(
    session: Session,
    by: Principal,
    at: datetime,
    r: Radii,
    lon: float | None,
    lat: float | None,
    address: str | None,
    exclude: str | None,
) -> list[KnownIncident]:
    near: list[ColumnElement[bool]] = []
    if lon is not None and lat is not None:
        d = r.incident_m / 100_000
        near.append(
            Incident.lon.between(lon - 2 * d, lon + 2 * d) & Incident.lat.between(lat - d, lat + d)
        )
    if address:
        near.append(Incident.address == address)
    if not near:
        return []
    # The columns shown, not whole incidents: a busy place has its 200 rows read at each
    # dispatch. Up to `at`: a place's history is what came before the moment worked (a past
    # year written later must not show the incidents after it).
    query = (
        select(
            Incident.number,
            Incident.category_code,
            Incident.status,
            Incident.received_at,
            Incident.address,
            Incident.lon,
            Incident.lat,
        )
        .where(
            in_scope(Incident.jurisdiction_path, by),
            Incident.received_at >= at - timedelta(days=r.history_days),
            Incident.received_at <= at,
            or_(*near),
        )
        .order_by(Incident.received_at.desc())
        .limit(200)
    )
    if exclude:
        query = query.where(Incident.number != exclude)
    found: list[KnownIncident] = []
    for i in session.execute(query):
        m = None
        if lon is not None and lat is not None and i.lon is not None and i.lat is not None:
            m = float(haversine_m(lon, lat, i.lon, i.lat))
        same = bool(address) and i.address == address
        if same or (m is not None and m <= r.incident_m):
            found.append(
                KnownIncident(
                    number=i.number,
                    category=i.category_code,
                    status=i.status.value,
                    received_at=i.received_at,
                    address=i.address,
                    distance_m=m,
                    same_address=same,
                )
            )
    return found[:LIMIT]


def _targets(
    session: Session, by: Principal, r: Radii, lon: float, lat: float
) -> list[KnownTarget]:
    d = r.target_m / 100_000
    rows = session.scalars(
        select(KeyTarget).where(
            in_scope(KeyTarget.jurisdiction_path, by),
            KeyTarget.lon.between(lon - 2 * d, lon + 2 * d),
            KeyTarget.lat.between(lat - d, lat + d),
        )
    ).all()
    found = [
        KnownTarget(
            t.code, t.name_zh, t.name_en, t.kind.value, float(haversine_m(lon, lat, t.lon, t.lat))
        )
        for t in rows
    ]
    return sorted((t for t in found if t.distance_m <= r.target_m), key=lambda t: t.distance_m)[
        :LIMIT
    ]


def known_at(
    ctx: Ctx,
    *,
    place: Place | None,
    lon: float | None,
    lat: float | None,
    address: str | None = None,
    person: Persons = Persons(),
    exclude: str | None = None,
) -> Known:
    """Everything known at `place` (or the point, or the address text) in the caller's scope.
    `exclude` leaves out the incident being worked (it is not its own history)."""
    by, r = ctx.by, flags.radii()
    if place is not None:
        lon, lat = (place.lon, place.lat) if lon is None or lat is None else (lon, lat)
        address = address or place.full_text
    known = Known(place=place, lon=lon, lat=lat)
    known.incidents = _incidents(ctx.session, by, ctx.at, r, lon, lat, address, exclude)
    if lon is not None and lat is not None:
        cases = ctx.part(Neighbours, Neighbours).missing(ctx.session, by, lon, lat, r.missing_m)
        known.missing = cases[:LIMIT]
        known.targets = _targets(ctx.session, by, r, lon, lat)
    if allowed(by.role, Permission.FLAGS):
        known.flags = flags.find(
            ctx.session,
            by,
            ctx.at,
            place_codes=[place.code] if place is not None else [],
            person=person,
        )
    return known
