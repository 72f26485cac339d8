"""What a unit in the field is asked to look out for: the search details of open cases.

A unit sees a case when its details were pushed to it (inside the search radius) or when the
unit is on the case's incident: the search details go with the dispatch.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import update

from cad110.errors import NotFound
from cad110.kernel.context import Ctx
from cad110.missing import repository
from cad110.missing.search import describe
from cad110.models.missing import SearchNotice
from cad110.units.service import get_unit


class LookoutOut(BaseModel):
    notice: int | None
    case: str
    name: str
    description: str
    urgent: bool
    last_seen_at: datetime
    last_seen_place: str
    last_seen_lon: float | None
    last_seen_lat: float | None
    photos: list[int]
    via: str  # "push" (inside the radius) or "dispatch" (the unit is on the incident)
    distance_m: int | None
    sent_at: datetime | None
    read_at: datetime | None


def lookouts(ctx: Ctx, unit_code: str) -> list[LookoutOut]:
    """Open cases this unit is asked to look out for, most urgent and newest first."""
    unit = get_unit(ctx, unit_code, field="unit")
    pushed = repository.notices_to_unit(ctx.session, unit.code)
    cases = repository.lookout_cases(ctx.session, unit.code, pushed)
    photos = repository.photos_by_case(ctx.session, [c.id for c in cases])
    out = []
    for case in cases:
        notice = pushed.get(case.id)
        out.append(
            LookoutOut(
                notice=notice.id if notice else None,
                case=case.number,
                name=case.name,
                description=describe(case),
                urgent=case.urgent,
                last_seen_at=case.last_seen_at,
                last_seen_place=case.last_seen_place,
                last_seen_lon=case.last_seen_lon,
                last_seen_lat=case.last_seen_lat,
                photos=photos[case.id],
                via="push" if notice else "dispatch",
                distance_m=notice.distance_m if notice else None,
                sent_at=notice.sent_at if notice else None,
                read_at=notice.read_at if notice else None,
            )
        )
    return out


def mark_read(ctx: Ctx, notice_id: int) -> None:
    """The officer has seen the search details (the dispatcher sees who has)."""
    notice = ctx.session.get(SearchNotice, notice_id)
    if notice is None:
        raise NotFound(f"notice {notice_id} not found")
    get_unit(ctx, notice.unit_code)  # 404 outside the caller's scope or unit
    if ctx.by.unit_code is not None and ctx.by.unit_code != notice.unit_code:
        raise NotFound(f"notice {notice_id} not found")
    ctx.session.execute(
        update(SearchNotice)
        .where(SearchNotice.id == notice_id, SearchNotice.read_at.is_(None))
        .values(read_at=ctx.at)
        .execution_options(synchronize_session=False)
    )
