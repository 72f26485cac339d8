"""Names for the codes a screen shows: units, people, places and categories, in one query each."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cad110.catalog.loader import Catalog
from cad110.kernel.people import display_names
from cad110.models.jurisdiction import Jurisdiction
from cad110.models.unit import Unit
from cad110.web.sentences import Names, units_named


def unit_names(session: Session, codes: Collection[str], locale: str) -> dict[str, str]:
    """Each unit's name in `locale` (a code not found is left out: the screen shows the code)."""
    if not codes:
        return {}
    rows = session.execute(
        select(Unit.code, Unit.name_zh, Unit.name_en).where(Unit.code.in_(list(codes)))
    )
    return {code: zh if locale == "zh_CN" else en for code, zh, en in rows}


def names_of_events(
    session: Session,
    events: Iterable[tuple[str, Mapping[str, Any]]],
    catalog: Catalog,
    locale: str,
) -> Names:
    """What the (actor, payload) pairs of an event log mention, named."""
    actors: set[str] = set()
    units: set[str] = set()
    places: set[str] = set()
    categories: set[str] = set()
    for actor, payload in events:
        actors.add(actor)
        units |= units_named(payload)
        places |= {str(payload[k]) for k in ("owner", "from", "to", "station") if payload.get(k)}
        for side in (payload, payload.get("before"), payload.get("after")):
            if isinstance(side, Mapping) and isinstance(side.get("category"), str):
                categories.add(side["category"])
    people = display_names(session, actors)
    place_names = {
        code: zh if locale == "zh_CN" else en
        for code, zh, en in session.execute(
            select(Jurisdiction.code, Jurisdiction.name_zh, Jurisdiction.name_en).where(
                Jurisdiction.code.in_(list(places))
            )
        )
    }
    named = {}
    for code in categories:
        category = catalog.get(code)
        if category is not None:
            named[code] = category.zh if locale == "zh_CN" else category.en
    return Names(
        units=unit_names(session, units, locale),
        people=people,
        places=place_names,
        categories=named,
    )
