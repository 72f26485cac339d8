"""The demo city's key targets (重点目标): well-known places of Fuzhou, each guarded by a unit of
the station it falls in."""

from __future__ import annotations

from sqlalchemy.orm import Session

from cad110.jurisdictions.lookup import geo_index
from cad110.models.target import KeyTarget, TargetKind
from cad110.models.unit import Unit

# Well-known places of Fuzhou as key targets (approximate positions), each with a guard unit.
KEY_TARGETS = (
    (
        "KT-0001",
        "福州火车站",
        "Fuzhou Railway Station",
        TargetKind.TRANSPORT_HUB,
        119.3155,
        26.1125,
    ),
    (
        "KT-0002",
        "福建省立医院",
        "Fujian Provincial Hospital",
        TargetKind.HOSPITAL,
        119.2965,
        26.0905,
    ),
    ("KT-0003", "三坊七巷", "Three Lanes and Seven Alleys", TargetKind.SCENIC, 119.2930, 26.0840),
    ("KT-0004", "东街口", "Dongjiekou", TargetKind.MARKET, 119.2995, 26.0855),
    (
        "KT-0005",
        "福州南站",
        "Fuzhou South Railway Station",
        TargetKind.TRANSPORT_HUB,
        119.3830,
        25.9850,
    ),
    (
        "KT-0006",
        "福州大学旗山校区",
        "Fuzhou University, Qishan Campus",
        TargetKind.SCHOOL,
        119.1980,
        26.0580,
    ),
)


def seed_key_targets(session: Session, units: list[Unit]) -> int:
    """Key targets where they fall in the demo city, guarded by a unit of their station."""
    index = geo_index(session)
    count = 0
    for code, zh, en, kind, lon, lat in KEY_TARGETS:
        place = index.locate(lon, lat)
        if place is None:
            continue
        guard = next((u for u in units if u.station_code == place.jurisdiction_code), None)
        session.add(
            KeyTarget(
                code=code,
                name_zh=zh,
                name_en=en,
                kind=kind,
                lon=lon,
                lat=lat,
                station_code=place.jurisdiction_code,
                jurisdiction_path=place.jurisdiction_path,
                guard_unit_code=guard.code if guard else None,
            )
        )
        count += 1
    session.flush()
    return count
