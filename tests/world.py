"""A small, explicit test city: two districts, three stations, grids, units and one user per role."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from cad110.accounts.service import add_user
from cad110.auth.tokens import issue_token
from cad110.models.jurisdiction import AreaType, Grid, Jurisdiction, Level
from cad110.models.unit import Unit, UnitGrid, UnitStatus
from cad110.models.user import Role

# The virtual clock of every test starts here (10:00 in Fuzhou).
START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"

# Points inside the test city, by grid.
GULOU_WEST = (119.29, 26.08)  # grid 3501020101, station 35010201
GULOU_EAST = (119.31, 26.08)  # grid 3501020201, station 35010202
MINHOU = (119.15, 26.15)  # grid 3501210101, station 35012101
OUTSIDE_CITY = (116.40, 39.90)  # Beijing: in China, outside every polygon here

# Units, their last known positions and capabilities. From GULOU_WEST the straight-line order
# is 35010201-2 (≈0.7 km), 35010201-1 (≈1.2 km), 35010202-1 (≈2 km); the Minhou unit is far.
UNITS: dict[str, tuple[tuple[float, float], list[str]]] = {
    "35010201-1": ((119.283, 26.071), []),
    "35010201-2": ((119.293, 26.086), []),
    "35010202-1": ((119.31, 26.08), ["female_officer"]),
    "35012101-1": ((119.15, 26.15), ["armed"]),
}


def _box(west: float, south: float, east: float, north: float) -> str:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


@dataclass
class World:
    tokens: dict[str, str] = field(default_factory=dict)


def build_world(session: Session) -> World:
    now = START
    nodes = [
        (
            "350100",
            None,
            Level.CITY,
            "测试市公安局",
            "Test City PSB",
            "350100/",
            AreaType.URBAN,
            None,
        ),
        (
            "350102",
            "350100",
            Level.DISTRICT,
            "鼓楼分局",
            "Gulou Sub-bureau",
            "350100/350102/",
            AreaType.URBAN,
            _box(119.28, 26.06, 119.32, 26.10),
        ),
        (
            "35010201",
            "350102",
            Level.STATION,
            "鼓东派出所",
            "Gudong Station",
            "350100/350102/35010201/",
            AreaType.URBAN,
            _box(119.28, 26.06, 119.30, 26.10),
        ),
        (
            "35010202",
            "350102",
            Level.STATION,
            "鼓楼区第二派出所",
            "Gulou No. 2 Station",
            "350100/350102/35010202/",
            AreaType.URBAN,
            _box(119.30, 26.06, 119.32, 26.10),
        ),
        (
            "350121",
            "350100",
            Level.DISTRICT,
            "闽侯县公安局",
            "Minhou County PSB",
            "350100/350121/",
            AreaType.SUBURBAN,
            _box(119.10, 26.10, 119.20, 26.20),
        ),
        (
            "35012101",
            "350121",
            Level.STATION,
            "闽侯县第一派出所",
            "Minhou No. 1 Station",
            "350100/350121/35012101/",
            AreaType.SUBURBAN,
            _box(119.10, 26.10, 119.20, 26.20),
        ),
    ]
    for code, parent, level, zh, en, path, area, boundary in nodes:
        session.add(
            Jurisdiction(
                code=code,
                parent_code=parent,
                level=level,
                name_zh=zh,
                name_en=en,
                path=path,
                area_type=area,
                boundary=boundary,
            )
        )
        session.flush()
    grids = [
        ("3501020101", "35010201", _box(119.28, 26.06, 119.30, 26.10)),
        ("3501020201", "35010202", _box(119.30, 26.06, 119.32, 26.10)),
        ("3501210101", "35012101", _box(119.10, 26.10, 119.20, 26.20)),
    ]
    for code, station, boundary in grids:
        session.add(
            Grid(
                code=code,
                station_code=station,
                name_zh=f"网格{code[-2:]}",
                name_en=f"Grid {code[-2:]}",
                boundary=boundary,
            )
        )
    for code, ((lon, lat), capabilities) in UNITS.items():
        station = code.split("-")[0]
        path = next(n[5] for n in nodes if n[0] == station)
        session.add(
            Unit(
                code=code,
                name_zh=f"巡逻{code}",
                name_en=f"Patrol {code}",
                station_code=station,
                jurisdiction_path=path,
                status=UnitStatus.AVAILABLE,
                status_reason="",
                capabilities=capabilities,
                last_lon=lon,
                last_lat=lat,
                last_fix_at=now,
                version=1,
            )
        )
    session.flush()
    session.add(UnitGrid(unit_code="35010201-1", grid_code="3501020101"))
    session.flush()
    units = list(UNITS)
    world = World()
    people: list[tuple[str, Role, str, str | None]] = [
        ("calltaker", Role.CALLTAKER, "350100", None),
        ("dispatcher", Role.DISPATCHER, "350100", None),
        ("leader", Role.LEADER, "350100", None),
        ("analyst", Role.ANALYST, "350100", None),
        ("admin", Role.ADMIN, "350100", None),
        ("auditor", Role.AUDITOR, "350100", None),
        ("minhou_dispatcher", Role.DISPATCHER, "350121", None),
        ("gulou_calltaker", Role.CALLTAKER, "350102", None),
        ("gulou_leader", Role.LEADER, "350102", None),
        *[(f"officer-{u}", Role.OFFICER, u.split("-")[0], u) for u in units],
    ]
    for username, role, home, unit in people:
        user = add_user(
            session,
            username=username,
            password=PASSWORD,
            role=role,
            jurisdiction_code=home,
            unit_code=unit,
            now=now,
            actor="test",
        )
        world.tokens[username] = issue_token(session, user=user, now=now, ttl=timedelta(days=365))
    session.flush()
    return world
