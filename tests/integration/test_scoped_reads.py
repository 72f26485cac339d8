"""The repositories' scope rules, read straight from the database on SQLite and PostgreSQL.

A record outside the caller's subtree is not returned; the reads that reach further (an
officer sent across a boundary, a district's cluster alert seen from below, the staff who may
work a case) reach exactly as far as they say.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cad110.accounts.repository import staff_around
from cad110.auth.principal import Principal, principal_of
from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.errors import NotFound
from cad110.incidents.repository import get_incident
from cad110.kernel.context import Ctx
from cad110.kernel.runtime import Runtime
from cad110.missing import repository as cases
from cad110.models.jurisdiction import Jurisdiction
from cad110.models.missing import ClusterAlert, ClusterKind
from cad110.models.user import Role, User
from tests.api.helpers import new_incident, ok
from tests.conftest import Api
from tests.integration.missing_steps import open_case, person
from tests.world import MINHOU, START

GUDONG_STATION = "350100/350102/35010201/"


def _principal(session: Session, username: str) -> Principal:
    user = session.scalars(select(User).where(User.username == username)).one()
    home = session.get(Jurisdiction, user.jurisdiction_code)
    assert home is not None
    return principal_of(user, home)


@contextmanager
def reading_as(runtime: Runtime, username: str) -> Iterator[Ctx]:
    with runtime.readers() as session:
        yield runtime.ctx(session, _principal(session, username))


def test_a_case_outside_the_callers_subtree_is_neither_listed_counted_nor_found(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    gulou = open_case(api, clock, category="missing_person", who=person("张伟", "male", 30))
    minhou = open_case(
        api,
        clock,
        category="missing_person",
        who=person("李明", "male", 40),
        place="闽侯县甘蔗街道",
        point=MINHOU,
    )
    with reading_as(runtime, "minhou_dispatcher") as ctx:
        everything = cases.CaseFilter()
        rows, total = cases.list_cases(ctx.session, everything, by=ctx.by, limit=10, offset=0)
        assert ([c.number for c in rows], total) == ([minhou["number"]], 1)
        assert cases.count_cases(ctx.session, everything, by=ctx.by) == 1
        assert cases.get_case(ctx, minhou["number"]).number == minhou["number"]
        with pytest.raises(NotFound):
            cases.get_case(ctx, gulou["number"])
    with reading_as(runtime, "dispatcher") as ctx:
        rows, total = cases.list_cases(ctx.session, everything, by=ctx.by, limit=10, offset=0)
        assert total == 2


def test_only_missing_person_incidents_in_scope_without_a_case_wait_for_one(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    here = new_incident(api, category="missing_person", lon=MINHOU[0], lat=MINHOU[1])
    new_incident(api, category="missing_person")  # in Gulou: another subtree
    new_incident(api, category="theft", lon=MINHOU[0], lat=MINHOU[1])  # not a missing person
    with reading_as(runtime, "minhou_dispatcher") as ctx:
        waiting = cases.waiting_incidents(ctx.session, by=ctx.by, categories=["missing_person"])
        assert [i.number for i in waiting] == [here["number"]]


def _alert(session: Session, district: str, path: str) -> int:
    alert = ClusterAlert(
        kind=ClusterKind.GRID,
        key=f"grid-of-{district}",
        district_code=district,
        district_path=path,
        created_at=START,
        updated_at=START,
    )
    session.add(alert)
    session.flush()
    return alert.id


def test_a_district_cluster_alert_is_seen_below_and_above_it_but_acted_on_only_from_above(
    runtime: Runtime,
) -> None:
    with transaction(runtime.sessions) as session:
        gulou = _alert(session, "350102", "350100/350102/")
        minhou = _alert(session, "350121", "350100/350121/")
    # A station under Gulou sees its district's alert, and not Minhou's.
    with reading_as(runtime, "officer-35010201-1") as ctx:
        seen = cases.clusters_in_view(ctx.session, by=ctx.by, limit=10)
        assert [a.id for a in seen] == [gulou]
        assert cases.open_cluster_count(ctx.session, by=ctx.by) == 1
        with pytest.raises(NotFound):
            cases.get_cluster(ctx.session, gulou, by=ctx.by)
    # The district itself, and the city above both districts.
    with reading_as(runtime, "gulou_leader") as ctx:
        assert cases.get_cluster(ctx.session, gulou, by=ctx.by).id == gulou
        with pytest.raises(NotFound):
            cases.get_cluster(ctx.session, minhou, by=ctx.by)
    with reading_as(runtime, "leader") as ctx:
        seen = cases.clusters_in_view(ctx.session, by=ctx.by, limit=10)
        assert {a.id for a in seen} == {gulou, minhou}
    with reading_as(runtime, "minhou_dispatcher") as ctx:
        seen = cases.clusters_in_view(ctx.session, by=ctx.by, limit=10)
        assert [a.id for a in seen] == [minhou]


def test_the_staff_of_a_case_are_the_chain_above_its_station_and_the_station_itself(
    runtime: Runtime,
) -> None:
    with runtime.readers() as session:
        staff = staff_around(session, GUDONG_STATION, (Role.LEADER, Role.OFFICER, Role.DISPATCHER))
    # Not the sibling station's officer, not Minhou's, and not the call-takers.
    assert [s.username for s in staff] == [
        "dispatcher",
        "gulou_leader",
        "leader",
        "officer-35010201-1",
        "officer-35010201-2",
    ]


def test_an_officer_sent_across_a_boundary_reaches_that_incident_and_no_other(
    api: Api, runtime: Runtime
) -> None:
    sent = new_incident(api)["number"]  # Gudong station; the unit is from the next station
    ok(api.post(f"/incidents/{sent}/accept", "calltaker", json={}))
    ok(api.post(f"/incidents/{sent}/dispatch", "dispatcher", json={"units": ["35010202-1"]}))
    other = new_incident(api)["number"]
    with reading_as(runtime, "officer-35010202-1") as ctx:
        assert not ctx.by.sees(GUDONG_STATION)
        assert get_incident(ctx.session, sent, by=ctx.by).number == sent
        with pytest.raises(NotFound):
            get_incident(ctx.session, other, by=ctx.by)
    # The same rule where a use case locks the row it acts on.
    with transaction(runtime.sessions) as session:
        minhou_officer = _principal(session, "officer-35012101-1")
        with pytest.raises(NotFound):
            get_incident(session, sent, by=minhou_officer, for_update=True)
        sent_officer = _principal(session, "officer-35010202-1")
        assert get_incident(session, sent, by=sent_officer, for_update=True).number == sent
