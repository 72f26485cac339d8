"""The living demo's traffic generator on the real demo city (Fuzhou, 101 units).

SQLite ONLY: each test copies one migrated and seeded SQLite file. The generator calls the
same service code on PostgreSQL, so the second backend would only double the run time.

Virtual time throughout except the last test: the test moves a VirtualClock with
`step_until` and runs the supervision tick every 30 simulated seconds, as the server does.
"""

from __future__ import annotations

import random
import shutil
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
import shapely
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cad110.app import create_app
from cad110.audit.verify import verify
from cad110.clock import VirtualClock
from cad110.db.engine import make_engine, make_sessionmaker, transaction
from cad110.dispatch.recommend import recommend
from cad110.incidents.actions import act
from cad110.incidents.schemas import DispatchBody
from cad110.incidents.snapshot import snapshot_of
from cad110.kernel.inputs import normalize_phone
from cad110.lifecycles.incident import Action, AssignmentState, Status
from cad110.lifecycles.unit import UnitEvent, UnitStatus
from cad110.live import Notice
from cad110.models.call import Call
from cad110.models.event import Event
from cad110.models.incident import Incident
from cad110.models.missing import MissingCase
from cad110.models.repeat_cases import OpenedHow, RepeatCase
from cad110.models.supervision import Supervision, UnitOffer
from cad110.models.telephony import PhoneCall
from cad110.models.transfers import TransferTicket
from cad110.models.unit import Assignment, Unit
from cad110.models.user import User
from cad110.models.web_session import WebSession
from cad110.runtime import build_runtime
from cad110.seed.places_demo import demo_place_rows
from cad110.settings import Settings
from cad110.sim import TrafficGenerator, run_demo_traffic
from cad110.sim.geography import CityMap
from cad110.sim.rhythm import HOURLY, factor
from cad110.units.service import change_status
from tests.integration.sim_city import (
    SPEED,
    START,
    TICK,
    TZ,
    StartSim,
    ctx_of,
    fingerprint,
    from_the_library,
    seed_file,
    sim_runtime,
    starter,
)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with the demo city, copied by each test."""
    return seed_file(tmp_path_factory.mktemp("sim") / "demo.db")


@pytest.fixture
def start_sim(seeded: Path, tmp_path: Path) -> Iterator[StartSim]:
    yield from starter(seeded, tmp_path)


def test_calls_come_from_library_addresses_of_the_kind_the_trouble_asks(seeded: Path) -> None:
    engine = make_engine(f"sqlite:///{seeded}")
    try:
        with make_sessionmaker(engine)() as session:
            city = CityMap(session)
    finally:
        engine.dispose()
    assert city.addresses == len(demo_place_rows())
    rng = random.Random(3)
    spots = [city.sample(rng, "home") for _ in range(400)]
    again = random.Random(3)
    assert [city.sample(again, "home") for _ in range(400)] == spots
    placed = [s for s in spots if s.address is not None]
    assert len(placed) / len(spots) >= 0.7
    assert sum(1 for s in placed if s.address and s.address.building) / len(placed) >= 0.8
    for spot in placed:
        assert (spot.lon, spot.lat) == (spot.address.lon, spot.address.lat)  # type: ignore[union-attr]
        assert shapely.contains_xy(spot.area.polygon, spot.lon, spot.lat)


def test_rhythm_is_low_at_night_and_peaks_late_morning_and_evening() -> None:
    assert sum(HOURLY) / 24 == pytest.approx(1.0)
    at = {h: factor(START.replace(hour=h, minute=30), TZ) for h in range(24)}
    night = max(at[h] for h in (3, 4, 5))
    assert night < 0.4
    assert at[11] > 1.3
    assert at[20] > 1.4
    assert at[14] < at[11]


def test_two_simulated_hours_of_a_living_city(start_sim: StartSim) -> None:
    sim = start_sim("two-hours")
    sim.run(timedelta(hours=2))
    runtime = sim.runtime
    stats = sim.generator.stats

    with runtime.readers() as session:
        calls = session.scalars(select(Call)).all()
        incidents = session.scalars(select(Incident)).all()
        assignments = session.scalars(select(Assignment)).all()
        units = {u.code: u for u in session.scalars(select(Unit))}
        supervisions = session.scalars(select(Supervision)).all()
        audit = verify(session)

    # Calls: a realistic volume (2,000 a day × speed 2 × the morning rhythm) and valid share.
    assert 250 <= len(calls) <= 700, len(calls)
    valid = sum(1 for c in calls if c.incident_id is not None)
    assert 0.30 <= valid / len(calls) <= 0.60, valid / len(calls)
    outcomes = Counter(c.outcome.value for c in calls)
    for outcome in ("advice", "transferred_12345", "invalid_misdial", "invalid_silent"):
        assert outcomes[outcome] > 0, outcomes
    assert outcomes["attached"] > 0  # second callers about the same incident
    for call in calls:
        if call.caller_phone is not None:
            assert normalize_phone(call.caller_phone) == call.caller_phone
    # Repeat callers: the same number twice within an hour.
    by_phone: dict[str, list[datetime]] = {}
    for call in calls:
        if call.caller_phone:
            by_phone.setdefault(call.caller_phone, []).append(call.answered_at)
    assert any(
        any(b - a <= timedelta(hours=1) for a, b in pairwise(ts))
        for ts in (sorted(v) for v in by_phone.values())
    )

    # Incidents: a category mix, placed in the city's grids, mostly in the urban core.
    assert len(incidents) >= 80
    assert len({i.category_code for i in incidents}) >= 12
    assert all(i.grid_code is not None and i.lon is not None for i in incidents)
    assert all(i.address for i in incidents)
    # Callers call from the address library: at an address's point, naming it as people do.
    assert from_the_library(runtime, incidents) >= 0.6
    urban = sum(1 for i in incidents if i.jurisdiction_path.split("/")[1] in URBAN_DISTRICTS)
    assert urban / len(incidents) > 0.5

    # They moved along the time axis: dispatched, signed for, on scene, reported, closed, …
    statuses = Counter(i.status for i in incidents)
    done = [i for i in incidents if i.closed_at is not None]
    assert len(done) >= 0.5 * len(incidents), statuses
    assert statuses[Status.CALLED_BACK] + statuses[Status.ARCHIVED] > 0, statuses
    for i in done:
        stages = [
            i.received_at,
            i.accepted_at,
            i.dispatched_at,
            i.acknowledged_at,
            i.departed_at,
            i.arrived_at,
            i.handled_at,
            i.reported_at,
            i.closed_at,
        ]
        # Closed with its missing-person case, an incident ends from wherever it stood (the
        # person may come home before a unit arrives); the stages it reached are in order.
        by_case = str(i.outcome.get("close", {}).get("summary", "")).startswith("寻人结案")
        if by_case:
            stages = [s for s in stages if s is not None]
        assert all(s is not None for s in stages), i.number
        assert stages == sorted(stages), i.number  # type: ignore[type-var]
        if by_case:
            continue  # the guide was answered by the case
        report = i.outcome["report"]
        category = runtime.catalog.categories[i.category_code or ""]
        assert {g["code"] for g in report["guide"] if g["done"]} == {g.code for g in category.guide}
    assert stats["back_at_base"] > 0

    # Units: never on two active assignments; each unit's status matches its assignment.
    active = [a for a in assignments if a.released_at is None]
    per_unit = Counter(a.unit_code for a in active)
    assert max(per_unit.values(), default=0) <= 1
    expected = {
        AssignmentState.DISPATCHED: UnitStatus.DISPATCHED,
        AssignmentState.ACKNOWLEDGED: UnitStatus.DISPATCHED,
        AssignmentState.DEPARTED: UnitStatus.EN_ROUTE,
        AssignmentState.ARRIVED: UnitStatus.ON_SCENE,
    }
    for a in active:
        assert units[a.unit_code].status is expected[a.state], (a.unit_code, a.state)
    idle = set(units) - set(per_unit)
    assert {units[c].status for c in idle} <= {UnitStatus.AVAILABLE, UnitStatus.RETURNING}
    # Units on the road reported positions (AVL) after the seed's.
    assert any(u.last_fix_at is not None and u.last_fix_at > START for u in units.values())

    # Late steps on purpose (~10% of sign-fors) opened supervisions (督办).
    assert stats["late_acks"] > 0
    assert sim.supervisions_opened >= 1
    assert any(s.step.value == "acknowledge" for s in supervisions)

    # Missing-person incidents get their case file a minute later (首接), and people are found.
    missing = [
        i
        for i in incidents
        if runtime.catalog.categories[i.category_code or ""].missing_person
        and i.received_at <= sim.runtime.clock.now() - timedelta(minutes=2)
    ]
    with runtime.readers() as session:
        cases = {c.incident_id: c for c in session.scalars(select(MissingCase))}
    assert missing
    assert {i.id for i in missing} <= set(cases)
    assert stats["missing_cases"] == len(cases)
    closed = [c for c in cases.values() if c.status.value == "closed"]
    assert closed
    assert stats["missing_found"] == len(closed)
    assert all(c.outcome is not None for c in closed)

    # The callers' calls came through the phone system first: each record is linked to the
    # phone call it records, and some calls rang out unanswered (abandoned).
    with runtime.readers() as session:
        phone_calls = session.scalars(select(PhoneCall)).all()
    linked = {p.call_record_id for p in phone_calls if p.call_record_id is not None}
    assert linked == {c.id for c in calls}
    abandoned = sum(1 for p in phone_calls if p.abandoned)
    assert abandoned == stats["abandoned_calls"] > 0
    assert any(p.lon is not None for p in phone_calls)

    # Non-police calls go to 12345 (转12345): each opens a ticket for the platform, unless the
    # caller's earlier ticket is still open (then it joins that one).
    with runtime.readers() as session:
        ticketed = set(session.scalars(select(TransferTicket.call_id)))
    transferred = {c.id for c in calls if c.outcome.value == "transferred_12345"}
    assert ticketed
    assert ticketed <= transferred
    assert len(ticketed) >= 0.9 * len(transferred)

    # Troubled households call again and again about one dispute (sim/households.py): the
    # third call opens a repeat case by rule, and the station names its owner (包案).
    assert stats["household_calls"] >= 3, stats
    with runtime.readers() as session:
        cases = session.scalars(select(RepeatCase)).all()
    assert cases, stats
    assert all(c.opened_how is OpenedHow.RULE for c in cases)
    assert 1 <= stats["repeat_cases"] <= len(cases)

    # Every simulated step is an audited event, and the chains hold.
    assert audit.ok, audit.first_break
    with runtime.readers() as session:
        actors = set(session.scalars(select(Event.actor).distinct()))
    assert {"sim-calltaker", "dispatcher", "system"} <= actors
    assert any(a.startswith("3501") for a in actors)  # unit officer accounts


URBAN_DISTRICTS = {"350102", "350103", "350104", "350105", "350111"}


def test_a_seed_gives_the_same_run(start_sim: StartSim) -> None:
    prints = []
    for name in ("first", "second"):
        sim = start_sim(name, seed=42)
        sim.run(timedelta(minutes=20))
        prints.append(fingerprint(sim.runtime))
        assert sim.generator.stats["incidents"] > 0
    assert prints[0] == prints[1]
    other = start_sim("other", seed=43)
    other.run(timedelta(minutes=20))
    assert fingerprint(other.runtime) != prints[0]


def test_the_simulator_leaves_alone_what_a_person_touched(start_sim: StartSim) -> None:
    """A person at the console — even logged in with the seeded account the simulator also
    acts as — owns what they touch: the simulator neither signs for, drives nor closes it."""
    sim = start_sim("console")
    runtime, clock = sim.runtime, sim.clock
    # Up to the first incident: the simulated dispatcher waits 8–90 s before dispatching.
    while sim.generator.stats["incidents"] == 0:
        sim.generator.step_until(clock.now() + timedelta(seconds=1))
    with transaction(runtime.sessions) as session:
        number = session.scalars(select(Incident.number).order_by(Incident.id)).first()
        assert number is not None
        ctx = ctx_of(runtime, session, "dispatcher")
        incident = session.scalars(select(Incident).where(Incident.number == number)).one()
        assert incident.status is Status.ACCEPTED
        advice = recommend(ctx, incident, eta=ctx.eta, k=5)
        mine = advice.items[1].unit.code
        act(ctx, number, Action.DISPATCH, DispatchBody(units=[mine], override_reason="人工"))

    # An officer logs in to the console while the simulator drives their unit.
    logged_in: tuple[str, AssignmentState] | None = None
    while logged_in is None:
        sim.run(TICK)
        with transaction(runtime.sessions) as session:
            driven = session.execute(
                select(Assignment.unit_code, Assignment.state)
                .where(
                    Assignment.state.in_(
                        [AssignmentState.DISPATCHED, AssignmentState.ACKNOWLEDGED]
                    ),
                    Assignment.unit_code != mine,
                )
                .order_by(Assignment.id)
            ).first()
            if driven is not None:
                code, state = driven
                officer = session.scalars(select(User).where(User.unit_code == code)).first()
                assert officer is not None
                session.add(
                    WebSession(
                        id=f"test-{code}",
                        user_id=officer.id,
                        csrf_token="x",
                        created_at=clock.now(),
                        expires_at=clock.now() + timedelta(hours=8),
                    )
                )
                logged_in = (code, state)
    sim.run(timedelta(minutes=40))

    with runtime.readers() as session:
        ours = session.scalars(select(Incident).where(Incident.number == number)).one()
        assignments = session.scalars(
            select(Assignment).where(Assignment.incident_id == ours.id)
        ).all()
        officer_unit, state_at_login = logged_in
        officers = session.scalars(
            select(Assignment).where(
                Assignment.unit_code == officer_unit, Assignment.released_at.is_(None)
            )
        ).all()
        audit = verify(session)
    # The person's incident and unit are as the person left them: no unit added, none signed.
    assert [a.unit_code for a in assignments] == [mine]
    assert assignments[0].acknowledged_at is None
    assert ours.status is Status.DISPATCHED
    # The logged-in officer's unit did not move on by itself either.
    assert [a.state for a in officers] == [state_at_login]
    assert sim.generator.stats["left_to_people"] >= 1
    # The rest of the city lives on.
    assert sim.generator.stats["reported"] >= 1
    assert audit.ok


def test_every_incident_whose_catalog_asks_for_a_callback_is_called_back_before_its_archive(
    start_sim: StartSim,
) -> None:
    """回访 before 归档 where the catalog asks for it (grades 1–2, missing persons): the desk
    calls every such caller back within its usual wait, so no archive is refused and none
    waits for a callback that never comes; elsewhere only a share of callers is called."""
    sim = start_sim("callbacks")
    sim.run(timedelta(hours=2, minutes=30))
    runtime, stats, now = sim.runtime, sim.generator.stats, sim.clock.now()
    with runtime.readers() as session:
        incidents = session.scalars(select(Incident)).all()  # the seed's, adopted, too
    due = [i for i in incidents if snapshot_of(runtime.catalog, i, {}).callback_due]
    optional = [i for i in incidents if i not in due and i.closed_at is not None]
    # The longest wait the desk takes before a callback (90 min squeezed by the speed), and
    # two retries of a busy database two minutes apart.
    longest_wait = timedelta(minutes=90) / SPEED + timedelta(minutes=5)
    stuck = [
        i.number
        for i in due
        if i.status is Status.CLOSED
        and i.closed_at is not None
        and i.closed_at < now - longest_wait
    ]
    assert stuck == []
    called = [i for i in due if i.callback_at is not None]
    assert len(called) >= 10, len(called)
    archived = [i for i in incidents if i.status is Status.ARCHIVED]
    assert archived
    assert all(i.callback_at is not None for i in archived if i in due)
    # A realistic mix of what callers say, some of them not reached.
    said = Counter(i.outcome["callback"]["satisfaction"] for i in called)
    assert said["satisfied"] > said["basically_satisfied"] + said["unreachable"] > 0, said
    # Where the catalog leaves it to the desk, some are archived without a callback.
    assert any(i.status is Status.ARCHIVED and i.callback_at is None for i in optional)
    # No archive was refused, and what the generator counts as archived was archived.
    assert stats["refused archive"] == 0, stats
    assert stats["archived"] == len(archived)


def test_with_few_units_free_incidents_queue_and_offered_units_take_them(
    start_sim: StartSim,
) -> None:
    """待派: with all but three units paused, incidents queue and are offered to freed units."""
    # A seed whose first calls come from the core: with seed 7 the three 鼓楼 patrols are first
    # sent to 马尾 and 晋安, 40 minutes' drive, and none is free again within the 45 minutes.
    sim = start_sim("queue", seed=8)
    runtime = sim.runtime
    keep = {"35010201-1", "35010202-1", "35010203-1"}  # three patrols of 鼓楼
    with transaction(runtime.sessions) as session:
        ctx = ctx_of(runtime, session, "dispatcher")
        for unit in session.scalars(select(Unit).order_by(Unit.code)):
            if unit.code not in keep:
                change_status(ctx, unit, UnitEvent.PAUSE, reason="演示测试：暂停")
    sim.run(timedelta(minutes=45))

    stats = sim.generator.stats
    assert stats["queued"] >= 3, stats
    assert stats["offers_accepted"] >= 1, stats
    with runtime.readers() as session:
        assignments = session.scalars(select(Assignment)).all()
        offers = Counter(o.state.value for o in session.scalars(select(UnitOffer)))
        units = {u.code: u for u in session.scalars(select(Unit))}
        audit = verify(session)
    assert offers["accepted"] >= 1, offers
    assert {a.unit_code for a in assignments} <= keep  # paused units were never sent
    active = Counter(a.unit_code for a in assignments if a.released_at is None)
    assert max(active.values(), default=0) <= 1
    assert all(units[c].status is UnitStatus.UNAVAILABLE for c in set(units) - keep)
    assert audit.ok, audit.first_break


def test_screens_follow_the_simulator_only_through_the_apps_own_runtime(
    seeded: Path, tmp_path: Path
) -> None:
    """Live pushes come from the commits of the app's runtime: run the simulator on it."""
    clock = VirtualClock(START)
    runtime = sim_runtime(seeded, tmp_path, "live", clock)
    app = create_app(runtime)
    delivered: list[Notice] = []
    with TestClient(app):  # the lifespan starts the live bus and hooks runtime's sessions
        bus = app.state.live.bus
        bus.hub.deliver = delivered.extend  # runs on the app's loop, after each commit
        # A simulator on a runtime of its own writes the same rows, but nothing is pushed.
        apart = build_runtime(runtime.settings, clock=clock)
        TrafficGenerator(apart, speed=SPEED, seed=3).step_until(START + timedelta(minutes=3))
        apart.engine.dispose()
        time.sleep(0.2)
        assert delivered == []
        # On the app's runtime, every simulated step reaches the screens.
        generator = TrafficGenerator(runtime, speed=SPEED, seed=3)
        generator.step_until(clock.now() + timedelta(minutes=5))
        deadline = time.monotonic() + 5
        while not any(n.kind == "unit" for n in delivered) and time.monotonic() < deadline:
            time.sleep(0.05)
    kinds = Counter(n.kind for n in delivered)
    assert kinds["call"] > 0, kinds
    assert kinds["incident"] > 0, kinds
    assert kinds["unit"] > 0, kinds
    runtime.engine.dispose()


def test_run_forever_by_the_wall_clock(seeded: Path, tmp_path: Path) -> None:
    """`run_demo_traffic` runs on the system clock and stops promptly when told."""
    path = tmp_path / "wall.db"
    shutil.copy(seeded, path)
    settings = Settings(
        database_url=f"sqlite:///{path}", supervision_loop=False, sqlite_synchronous="OFF"
    )
    stop = threading.Event()
    result: dict[str, Counter[str]] = {}

    def run() -> None:
        result["stats"] = run_demo_traffic(
            settings, speed=200, seed=1, stop_event=stop, warm_calls=3
        )

    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)

    def calls() -> int:
        with sessions() as session:
            return session.scalar(select(func.count()).select_from(Call)) or 0

    thread = threading.Thread(target=run)
    thread.start()
    try:
        # Until the warm calls are in (the wall clock runs on, however busy the machine is).
        deadline = time.monotonic() + 60
        while calls() < 3 and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.2)
        stopped_at = time.monotonic()
        stop.set()
        thread.join(timeout=10)
        assert not thread.is_alive()
        assert time.monotonic() - stopped_at < 3
        assert result["stats"]["calls"] >= 3
        assert calls() >= 3
    finally:
        stop.set()
        engine.dispose()
