"""The demo seed loads the Fuzhou address set through the importer, on both databases."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from cad110.db.engine import make_engine, make_sessionmaker, transaction
from cad110.db.migrate import upgrade
from cad110.jurisdictions.cityplan import fuzhou_plan
from cad110.models.event import Event
from cad110.models.place import Place, PlaceKind
from cad110.models.subjects import SubjectType
from cad110.places import repository
from cad110.seed.demo import seed_city
from cad110.seed.places_demo import SOURCE, demo_place_rows, seed_demo_places
from tests.conftest import PG_URL, _admin

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def city_database(backend: str, tmp_path: Path) -> Iterator[str]:
    """A migrated database with the demo city's districts, stations and grids, no places."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'city.db'}"
        name = None
    else:
        name = f"cad110_p_{uuid.uuid4().hex[:12]}"
        _admin(f'CREATE DATABASE "{name}"')
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        engine = make_engine(url)
        try:
            with transaction(make_sessionmaker(engine)) as session:
                seed_city(session, fuzhou_plan(), now=NOW)
        finally:
            engine.dispose()
        yield url
    finally:
        if name is not None:
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_seed_loads_every_address_into_its_district_once(city_database: str) -> None:
    engine = make_engine(city_database)
    sessions = make_sessionmaker(engine)
    try:
        with transaction(sessions) as session:
            report = seed_demo_places(session, now=NOW)
        assert report.rejected == []
        assert report.added == len(demo_place_rows())
        with transaction(sessions) as session:
            again = seed_demo_places(session, now=NOW + timedelta(minutes=1))
        assert (again.added, again.changed, again.unchanged) == (0, 0, report.added)
        with transaction(sessions) as session:
            name_of = {d.area_name_zh: d.code for d in fuzhou_plan().districts}
            wrong = session.execute(
                select(Place.code, Place.district, Place.jurisdiction_path).where(
                    Place.grid_code.is_(None)
                )
            ).all()
            assert wrong == []  # every point fell inside a grid
            for code, district, path in session.execute(
                select(Place.code, Place.district, Place.jurisdiction_path)
            ):
                assert f"/{name_of[district]}/" in path, code
            assert session.scalar(select(func.count()).where(Place.source == SOURCE)) == len(
                demo_place_rows()
            )
            imports = session.scalar(
                select(func.count()).where(Event.subject_type == SubjectType.PLACE_IMPORT)
            )
            assert imports == 2
            hospital = repository.by_code(session, "350102P012")
            assert hospital is not None
            assert (hospital.name, hospital.kind) == ("福建省立医院", PlaceKind.POI)
            assert "省立医院" in hospital.aliases
            assert hospital.approximate
            gate = repository.by_code(session, "350102P002")
            assert gate is not None
            hit = repository.nearest(session, gate.lon, gate.lat, within_m=5)
            assert hit is not None
            assert hit.place.name == "西湖公园南门"
            # A road and a house number, as a caller says it, finds that house.
            [house, *_] = repository.search(session, "五四路88号", limit=3)
            assert (house.place.road, house.place.house_number) == ("五四路", "88号")
            assert house.score == 100.0
    finally:
        engine.dispose()
