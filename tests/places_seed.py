"""A few standard addresses around the test city's points, imported as the importer would."""

from __future__ import annotations

from cad110.auth.principal import SYSTEM
from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.places.importer import import_rows

# 西湖公园 lies in grid 3501020101 (station 35010201, 鼓楼区), beside GULOU_WEST.
WEST_LAKE = {
    "code": "T-XHGY",
    "kind": "poi",
    "name": "西湖公园",
    "full_text": "鼓楼区湖滨路西湖公园",
    "district": "鼓楼区",
    "road": "湖滨路",
    "poi_type": "park",
    "aliases": "西湖公园南门|西湖",
    "lon": "119.2905",
    "lat": "26.0805",
}
WEST_LAKE_GATE = {
    **WEST_LAKE,
    "code": "T-XHGY-N",
    "name": "西湖公园北门",
    "full_text": "鼓楼区湖滨路西湖公园北门",
    "aliases": "",
    "lon": "119.2910",
    "lat": "26.0815",
}
# An address in 闽侯县 (grid 3501210101, station 35012101), beside MINHOU.
SHANGJIE = {
    "code": "T-MH-SJ8",
    "kind": "address",
    "name": "上街路8号",
    "full_text": "闽侯县甘蔗街道上街路8号",
    "district": "闽侯县",
    "town": "甘蔗街道",
    "road": "上街路",
    "house_number": "8号",
    "lon": "119.1505",
    "lat": "26.1505",
}
PLACES = (WEST_LAKE, WEST_LAKE_GATE, SHANGJIE)


def seed_places(runtime: Runtime) -> None:
    with transaction(runtime.sessions) as session:
        ctx = runtime.ctx(session, SYSTEM)
        report = import_rows(ctx, [dict(p) for p in PLACES], source="test")
    assert not report.rejected, report.rejected
