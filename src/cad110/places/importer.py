"""Importing standard addresses: rows in the import format, each accepted or rejected with why.

The import format (CSV header, or GeoJSON Point features with these properties):
    code, kind (address|poi|road), name, full_text, district, town, community, road,
    house_number, building, unit, poi_type, aliases ('|'-separated), lon, lat, approximate (0|1)
A point must fall inside the city's grids or districts: that gives its station, grid and scope.

A batch is one PLACE_IMPORT event (its counts); a place already in the library that the batch
changes gets its own event on its chain naming each change, so a first import of half a
million addresses writes one event, and a re-import writes one per real change.
"""

from __future__ import annotations

import csv
import json
import math
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from cad110.events.log import NEW_SUBJECT
from cad110.jurisdictions.lookup import GeoIndex, geo_index
from cad110.kernel.context import Ctx
from cad110.models.place import Place, PlaceKind
from cad110.models.subjects import SubjectType
from cad110.places.schemas import CODE_PATTERN
from cad110.places.service import refresh_after_commit

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
# The longest text each column holds (the table's column sizes).
_LENGTHS = {
    "name": 128,
    "full_text": 255,
    "district": 32,
    "town": 64,
    "community": 64,
    "road": 64,
    "house_number": 16,
    "building": 32,
    "unit": 16,
    "poi_type": 24,
}
_ALIAS_MAX, _ALIASES_MAX = 64, 20
_CODE = re.compile(CODE_PATTERN)
_TRUE, _FALSE = {"1", "true", "yes"}, {"", "0", "false", "no"}
# Rows checked against the table and written together.
BATCH = 5000


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


class _Rejected(Exception):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column, self.reason = column, reason


def _text(row: Mapping[str, Any], column: str) -> str:
    value = row.get(column)
    return "" if value is None else str(value).strip()


def _number(row: Mapping[str, Any], column: str) -> float:
    raw = _text(row, column)
    if not raw:
        raise _Rejected(column, "missing")
    try:
        value = float(raw)
    except ValueError:
        raise _Rejected(column, f"not a number: {raw[:20]}") from None
    if not math.isfinite(value):
        raise _Rejected(column, "not a finite number")
    return value


def _check(row: Mapping[str, Any], geo: GeoIndex) -> dict[str, Any]:
    """The row's values as the table holds them, or _Rejected naming the first bad field."""
    if row.get("_geometry"):
        raise _Rejected("geometry", str(row["_geometry"]))
    code = _text(row, "code")
    if not code:
        raise _Rejected("code", "missing")
    if not _CODE.match(code):
        raise _Rejected("code", "only letters, digits, '.', '_' and '-', at most 32")
    try:
        kind = PlaceKind(_text(row, "kind") or "address")
    except ValueError:
        raise _Rejected("kind", "not address, poi or road") from None
    texts = {c: _text(row, c) for c in _LENGTHS}
    if not texts["full_text"]:
        raise _Rejected("full_text", "missing")
    for column, most in _LENGTHS.items():
        if len(texts[column]) > most:
            raise _Rejected(column, f"longer than {most} characters")
    aliases = [a.strip() for a in _text(row, "aliases").split("|") if a.strip()]
    if len(aliases) > _ALIASES_MAX:
        raise _Rejected("aliases", f"more than {_ALIASES_MAX}")
    if any(len(a) > _ALIAS_MAX for a in aliases):
        raise _Rejected("aliases", f"an alias longer than {_ALIAS_MAX} characters")
    lon, lat = _number(row, "lon"), _number(row, "lat")
    if not (-180.0 <= lon <= 180.0):
        raise _Rejected("lon", "not a longitude")
    if not (-90.0 <= lat <= 90.0):
        raise _Rejected("lat", "not a latitude")
    approximate = _text(row, "approximate").lower()
    if approximate not in _TRUE | _FALSE:
        raise _Rejected("approximate", "not 0 or 1")
    where = geo.locate(lon, lat)
    if where is None:
        raise _Rejected("lon", "the point lies outside the city")
    return {
        "code": code,
        "kind": kind,
        **texts,
        "name": texts["name"] or texts["full_text"],
        "aliases": list(dict.fromkeys(aliases)),
        "lon": lon,
        "lat": lat,
        "approximate": approximate in _TRUE,
        "grid_code": where.grid_code,
        "station_code": where.jurisdiction_code,
        "jurisdiction_path": where.jurisdiction_path,
    }


def _comparable(value: Any) -> Any:
    return value.value if isinstance(value, PlaceKind) else value


def _write(ctx: Ctx, batch: list[dict[str, Any]], source: str, report: ImportReport) -> None:
    codes = [v["code"] for v in batch]
    known = {p.code: p for p in ctx.session.scalars(select(Place).where(Place.code.in_(codes)))}
    new = []
    for values in batch:
        place = known.get(values["code"])
        if place is None:
            new.append(
                {**values, "version": 1, "source": source, "updated_at": ctx.at, "active": True}
            )
            continue
        changes = {
            k: [_comparable(getattr(place, k)), _comparable(v)]
            for k, v in values.items()
            if k != "code" and getattr(place, k) != v
        }
        if not place.active:
            changes["active"] = [False, True]  # an import that lists a retired place restores it
        if not changes:
            report.unchanged += 1
            continue
        for k, v in values.items():
            setattr(place, k, v)
        place.active = True
        place.version += 1
        place.source = source
        place.updated_at = ctx.at
        ctx.record(
            SubjectType.PLACE,
            place.code,
            "imported",
            {"version": place.version, "source": source, "changes": changes},
        )
        report.changed += 1
    if new:
        ctx.session.execute(insert(Place), new)
        report.added += len(new)
    ctx.session.flush()


def import_rows(
    ctx: Ctx, rows: Iterable[Mapping[str, Any]], *, source: str, first_line: int = 1
) -> ImportReport:
    """Add or update the places in `rows` (the first on line `first_line`), in batches; one
    event for the batch and one per existing place it changes."""
    report = ImportReport(source)
    geo = geo_index(ctx.session)
    seen: dict[str, int] = {}
    numbered = enumerate(rows, start=first_line)
    while chunk := list(islice(numbered, BATCH)):
        batch = []
        for line, row in chunk:
            try:
                values = _check(row, geo)
            except _Rejected as bad:
                report.rejected.append(Rejection(line, bad.column, bad.reason))
                continue
            first = seen.get(values["code"])
            if first is not None:
                report.rejected.append(Rejection(line, "code", f"repeats the code on line {first}"))
                continue
            seen[values["code"]] = line
            batch.append(values)
        _write(ctx, batch, source, report)
    ctx.record(
        SubjectType.PLACE_IMPORT,
        # Its own chain per batch: the same file imported twice in one instant is two batches.
        f"{source[:40]}@{uuid.uuid4().hex[:16]}",
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
    refresh_after_commit(ctx.session)
    return report


class UnreadableFile(ValueError):
    """The file is not CSV or GeoJSON in the import format at all (no row can be read)."""


def read_file(path: Path) -> tuple[Iterator[Mapping[str, Any]], int]:
    """(rows, line of the first row) of a CSV file with the import header, or of a GeoJSON
    FeatureCollection of Point features (the feature's number stands for its line)."""
    if path.suffix.lower() in {".geojson", ".json"}:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise UnreadableFile(f"not GeoJSON: {exc}") from None
        features = data.get("features") if isinstance(data, dict) else None
        if not isinstance(features, list):
            raise UnreadableFile("not a GeoJSON FeatureCollection")
        return (_feature_row(f) for f in features), 1
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
        header = next(csv.reader(handle), [])
    except UnicodeDecodeError:
        raise UnreadableFile("not UTF-8 text") from None
    missing = {"code", "full_text", "lon", "lat"} - {h.strip() for h in header}
    if missing:
        raise UnreadableFile(f"the header lacks {', '.join(sorted(missing))}")
    reader = csv.DictReader(handle, fieldnames=[h.strip() for h in header])
    return iter(reader), 2


def _feature_row(feature: Any) -> Mapping[str, Any]:
    if not isinstance(feature, dict):
        return {}
    props = feature.get("properties")
    row = {k: v for k, v in props.items() if k in COLUMNS} if isinstance(props, dict) else {}
    if isinstance(row.get("aliases"), list):
        row["aliases"] = "|".join(str(a) for a in row["aliases"])
    geometry = feature.get("geometry")
    coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if (
        isinstance(geometry, dict)
        and geometry.get("type") == "Point"
        and isinstance(coords, list)
        and len(coords) >= 2
    ):
        row["lon"], row["lat"] = coords[0], coords[1]
    else:
        row["_geometry"] = "not a Point"  # only a Point feature is a place
    return row
