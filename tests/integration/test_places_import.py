"""`cad110 places import` and `export`: a file with good and bad rows, each bad row with its reason."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from cad110.auth.principal import SYSTEM
from cad110.cli import app as cli
from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.models.event import Event
from cad110.models.place import Place
from cad110.models.subjects import SubjectType
from cad110.places import repository
from cad110.places.importer import import_rows
from tests.places_seed import PLACES
from tests.world import GULOU_EAST, GULOU_WEST, MINHOU, OUTSIDE_CITY

HEADER = "code,kind,name,full_text,district,road,house_number,aliases,lon,lat,approximate"
W, E, M, O = (f"{p[0]},{p[1]}" for p in (GULOU_WEST, GULOU_EAST, MINHOU, OUTSIDE_CITY))
GOOD_AND_BAD = [
    HEADER,
    f"P1,poi,西湖公园,福州市鼓楼区西湖公园,鼓楼区,,,西湖公园南门|西湖,{W},0",  # line 2
    f"A1,address,五一北路1号,福州市鼓楼区五一北路1号,鼓楼区,五一北路,1号,,{E},1",
    f"P2,poi,甘蔗公园,闽侯县甘蔗公园,闽侯县,,,,{M},0",
    f"P1,poi,西湖公园,重复,鼓楼区,,,,{W},0",  # line 5: the code again
    f"X1,castle,城堡,某地,,,,,{W},0",  # line 6: kind
    f"X2,poi,某地,,,,,,{W},0",  # line 7: no full text
    "X3,poi,某地,某地,,,,,abc,26.08,0",  # line 8: lon
    f"X4,poi,北京,北京某地,,,,,{O},0",  # line 9: outside the city
    f"X5,poi,某地,某地,,,,,{W},maybe",  # line 10: approximate
    f"bad code!,poi,某地,某地,,,,,{W},0",  # line 11: code
]


def run(runner: CliRunner, *args: str, code: int = 0) -> str:
    result = runner.invoke(cli, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == code, result.output
    return result.output


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def events(runtime: Runtime, subject: SubjectType) -> list[tuple[str, str, dict[str, object]]]:
    with runtime.sessions() as session:
        rows = session.execute(
            select(Event.subject_id, Event.kind, Event.payload)
            .where(Event.subject_type == subject)
            .order_by(Event.id)
        ).all()
    return [(sid, kind, json.loads(payload)) for sid, kind, payload in rows]


def test_an_import_takes_the_good_rows_and_reports_each_bad_one(
    runtime: Runtime, command_line: CliRunner, tmp_path: Path
) -> None:
    source = write(tmp_path / "places.csv", GOOD_AND_BAD)
    rejected = tmp_path / "rejected.csv"
    output = run(command_line, "places", "import", str(source), "--rejections", str(rejected))
    assert "Rejected rows" in output
    with rejected.open(encoding="utf-8") as f:
        rows = {(int(r["line"]), r["field"]): r["reason"] for r in csv.DictReader(f)}
    assert set(rows) == {
        (5, "code"),
        (6, "kind"),
        (7, "full_text"),
        (8, "lon"),
        (9, "lon"),
        (10, "approximate"),
        (11, "code"),
    }
    assert rows[(5, "code")] == "repeats the code on line 2"
    assert rows[(9, "lon")] == "the point lies outside the city"
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Place)) == 3
        west_lake = repository.by_code(session, "P1")
        assert west_lake is not None
        assert west_lake.aliases == ["西湖公园南门", "西湖"]
        assert (west_lake.station_code, west_lake.grid_code) == ("35010201", "3501020101")
        assert [h.place.code for h in repository.search(session, "xhgy")] == ["P1"]
    # A first import is one event for the batch, none per place.
    [(_, kind, counts)] = events(runtime, SubjectType.PLACE_IMPORT)
    assert (kind, counts["added"], counts["rejected"]) == ("imported", 3, 7)
    assert events(runtime, SubjectType.PLACE) == []


def test_a_reimport_bumps_only_changed_places_each_with_its_event(
    runtime: Runtime, command_line: CliRunner, tmp_path: Path
) -> None:
    run(command_line, "places", "import", str(write(tmp_path / "a.csv", GOOD_AND_BAD[:4])))
    changed = [
        GOOD_AND_BAD[0],
        GOOD_AND_BAD[1].replace("西湖公园南门|西湖", "西湖"),
        *GOOD_AND_BAD[2:4],
    ]
    output = run(command_line, "places", "import", str(write(tmp_path / "b.csv", changed)))
    assert "Rejected rows" not in output
    with runtime.sessions() as session:
        versions = dict(session.execute(select(Place.code, Place.version)).all())
    assert versions == {"P1": 2, "A1": 1, "P2": 1}
    [(code, kind, payload)] = events(runtime, SubjectType.PLACE)
    assert (code, kind) == ("P1", "imported")
    assert payload["changes"] == {"aliases": [["西湖公园南门", "西湖"], ["西湖"]]}
    assert [c["changed"] for _, _, c in events(runtime, SubjectType.PLACE_IMPORT)] == [0, 1]


def test_geojson_points_are_imported_and_other_shapes_refused(
    runtime: Runtime, command_line: CliRunner, tmp_path: Path
) -> None:
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": list(GULOU_WEST)},
            "properties": {
                "code": "G1",
                "kind": "poi",
                "full_text": "鼓楼区某公园",
                "aliases": ["某园"],
            },
        },
        {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [list(GULOU_WEST), list(GULOU_EAST)]},
            "properties": {"code": "G2", "full_text": "某路"},
        },
    ]
    path = tmp_path / "places.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    output = run(command_line, "places", "import", str(path))
    assert "not a Point" in output
    with runtime.sessions() as session:
        imported = repository.by_code(session, "G1")
        assert imported is not None
        assert imported.aliases == ["某园"]


def test_a_file_that_is_not_in_the_import_format_is_refused_whole(
    command_line: CliRunner, tmp_path: Path
) -> None:
    no_header = write(tmp_path / "x.csv", ["a,b,c", "1,2,3"])
    assert "lacks code, full_text, lat, lon" in run(
        command_line, "places", "import", str(no_header), code=2
    )
    broken = tmp_path / "x.geojson"
    broken.write_text("{not json", "utf-8")
    assert "not GeoJSON" in run(command_line, "places", "import", str(broken), code=2)


def test_export_writes_what_import_reads_back(
    runtime: Runtime, command_line: CliRunner, tmp_path: Path
) -> None:
    run(command_line, "places", "import", str(write(tmp_path / "a.csv", GOOD_AND_BAD[:4])))
    exported = tmp_path / "out.csv"
    assert "3 places written" in run(command_line, "places", "export", str(exported))
    output = run(command_line, "places", "import", str(exported))
    assert "Rejected rows" not in output
    [_, again] = events(runtime, SubjectType.PLACE_IMPORT)
    assert (again[2]["unchanged"], again[2]["changed"]) == (3, 0)


def test_one_file_imported_twice_in_one_instant_is_two_batches(runtime: Runtime) -> None:
    # The virtual clock stands still: both batches share one moment and must still both land.
    with transaction(runtime.sessions) as session:
        ctx = runtime.ctx(session, SYSTEM)
        first = import_rows(ctx, [dict(p) for p in PLACES], source="same.csv")
        again = import_rows(ctx, [dict(p) for p in PLACES], source="same.csv")
    assert (first.added, again.added, again.unchanged) == (len(PLACES), 0, len(PLACES))
    batches = events(runtime, SubjectType.PLACE_IMPORT)
    assert [c["source"] for _, _, c in batches] == ["same.csv", "same.csv"]
    assert len({sid for sid, _, _ in batches}) == 2
