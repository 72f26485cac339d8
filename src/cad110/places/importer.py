"""Importing standard addresses: rows in the import format, each accepted or rejected with why.

The import format (CSV header, or GeoJSON Point features with these properties):
    code, kind (address|poi|road), name, full_text, district, town, community, road,
    house_number, building, unit, poi_type, aliases ('|'-separated), lon, lat, approximate (0|1)
A point must fall inside the city's grids or districts: that gives its station, grid and scope.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select

from cad110.events.log import NEW_SUBJECT
from cad110.jurisdictions.lookup import geo_index
from cad110.kernel.context import Ctx
from cad110.models.place import Place, PlaceKind
from cad110.models.subjects import SubjectType

COLUMNS = (
    "code",
    "kind",
    "name",
    "full_text",
    "district",
    "town",
    "community",
    "road",
    "house_number",
    "building",
    "unit",
    "poi_type",
    "aliases",
    "lon",
    "lat",
    "approximate",
)


@dataclass(frozen=True)
class Rejection:
    line: int
    field: str
    reason: str


@dataclass
class ImportReport:
    source: str
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)


def import_rows(ctx: Ctx, rows: Iterable[Mapping[str, str]], *, source: str) -> ImportReport:
    """Add or update the places in `rows` (line numbers count from 1); one event for the batch."""
    report = ImportReport(source)
    index = geo_index(ctx.session)
    known = {p.code: p for p in ctx.session.scalars(select(Place))}
    for line, row in enumerate(rows, start=1):
        code = (row.get("code") or "").strip()
        if not code:
            report.rejected.append(Rejection(line, "code", "missing"))
            continue
        try:
            kind = PlaceKind((row.get("kind") or "address").strip())
        except ValueError:
            report.rejected.append(Rejection(line, "kind", "unknown kind"))
            continue
        try:
            lon, lat = float(row.get("lon") or ""), float(row.get("lat") or "")
        except ValueError:
            report.rejected.append(Rejection(line, "lon", "not a number"))
            continue
        where = index.locate(lon, lat)
        if where is None:
            report.rejected.append(Rejection(line, "lon", "outside the city"))
            continue
        full_text = (row.get("full_text") or "").strip()
        if not full_text:
            report.rejected.append(Rejection(line, "full_text", "missing"))
            continue
        values = {
            "kind": kind,
            "name": (row.get("name") or full_text).strip(),
            "full_text": full_text,
            **{k: (row.get(k) or "").strip() for k in COLUMNS[4:12]},
            "aliases": [a for a in (row.get("aliases") or "").split("|") if a],
            "lon": lon,
            "lat": lat,
            "approximate": (row.get("approximate") or "0").strip() in {"1", "true", "yes"},
            "grid_code": where.grid_code,
            "station_code": where.jurisdiction_code,
            "jurisdiction_path": where.jurisdiction_path,
        }
        place = known.get(code)
        if place is None:
            place = Place(code=code, version=1, source=source, updated_at=ctx.at, **values)
            ctx.session.add(place)
            known[code] = place
            report.added += 1
        elif any(getattr(place, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(place, k, v)
            place.version += 1
            place.source = source
            place.updated_at = ctx.at
            report.changed += 1
        else:
            report.unchanged += 1
    ctx.session.flush()
    ctx.record(
        SubjectType.PLACE_IMPORT,
        f"{source}@{ctx.at.isoformat()}"[:64],
        "imported",
        {
            "source": source,
            "added": report.added,
            "changed": report.changed,
            "unchanged": report.unchanged,
            "rejected": len(report.rejected),
        },
        head=NEW_SUBJECT,
    )
    return report
