"""The living demo's troubled households and the people behind the console.

- A person's login is seen right before the simulator's next step, not only on its heartbeat.
- Troubled households call again and again about one dispute: the repeat detection links the
  calls, a repeat case (重复警情档案) opens by rule at the third, and the simulated people work it
  through the same use cases as the screens, to solved after the rules' quiet days.

On the demo city (sim_city.py), in virtual time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from cad110.accounts.service import add_user
from cad110.audit.verify import verify
from cad110.db.engine import transaction
from cad110.lifecycles.incident import AssignmentState
from cad110.models.event import Event
from cad110.models.repeat_cases import OpenedHow, RepeatCase, RepeatCaseIncident
from cad110.models.unit import Assignment, Unit
from cad110.models.user import Role, User
from cad110.models.web_session import WebSession
from cad110.repeats.cases_lifecycle import CaseStatus
from cad110.sim import TrafficGenerator
from tests.integration.sim_city import SPEED, StartSim, seed_file, starter


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seed_file(tmp_path_factory.mktemp("sim-cases") / "demo.db")


@pytest.fixture
def start_sim(seeded: Path, tmp_path: Path) -> Iterator[StartSim]:
    yield from starter(seeded, tmp_path)


@pytest.mark.parametrize("account", ["own", "relief"])
def test_a_step_queued_before_an_officer_logged_in_is_not_taken(
    start_sim: StartSim, account: str
) -> None:
    """An officer of a unit logs in while the unit's sign-for is already queued — with the
    account the simulator acts as, or another account of the unit (`User.unit_code`): the
    simulator looks again right before the step and leaves the unit as it is, though its
    heartbeat has not come round."""
    # The heartbeat an hour away: only the look before each step can see the login.
    sim = start_sim("login-race", fix_interval_s=3600.0)
    runtime, clock = sim.runtime, sim.clock
    found: tuple[int, str] | None = None
    while found is None:
        sim.generator.step_until(clock.now() + timedelta(seconds=1))
        with runtime.readers() as session:
            row = session.execute(
                select(Assignment.id, Assignment.unit_code)
                .where(Assignment.state == AssignmentState.DISPATCHED)
                .order_by(Assignment.id)
            ).first()
        if row is not None:
            found = (row[0], row[1])
    assignment_id, code = found
    with transaction(runtime.sessions) as session:
        unit = session.get(Unit, code)
        assert unit is not None
        officer = session.scalars(select(User).where(User.username == code.lower())).one()
        if account == "relief":
            officer = add_user(
                session,
                username=f"relief-{code.lower()}",
                password_hash="not-a-login-password",
                role=Role.OFFICER,
                jurisdiction_code=unit.station_code,
                unit_code=code,
                now=clock.now(),
                actor="test",
            )
            session.flush()
        session.add(
            WebSession(
                id=f"test-{code}",
                user_id=officer.id,
                csrf_token="x",
                created_at=clock.now(),
                expires_at=clock.now() + timedelta(hours=8),
            )
        )

    sim.generator.step_until(clock.now() + timedelta(minutes=10))

    with runtime.readers() as session:
        assignment = session.get(Assignment, assignment_id)
        assert assignment is not None
        assert assignment.state is AssignmentState.DISPATCHED
        assert assignment.acknowledged_at is None
    assert sim.generator.stats["left_to_people"] >= 1


def test_troubled_households_open_repeat_cases_that_are_worked_to_solved(
    start_sim: StartSim,
) -> None:
    """Three households call again and again about their dispute in an otherwise quiet city:
    each third call opens a repeat case by rule; the station names an owner, who calls back or
    visits, mediates (and refers on), and once no call came for the rules' quiet days writes
    the closing report, which a leader approves. Everything through the cases' use cases; a
    restart of the demo in between takes the cases up where they stand."""
    quiet = {"calls_per_day": 2.0, "fix_interval_s": 1800.0, "household_every_h": 0.0}
    sim = start_sim("households", **quiet)
    runtime = sim.runtime
    sim.run(timedelta(days=2), every=timedelta(hours=1))
    first = sim.generator.stats
    assert first["households"] == 3
    assert first["mediations"] >= 1, first
    # The demo is started again (`make demo` keeps its database): the cases are taken up where
    # they stand, and no new household comes.
    sim.generator = TrafficGenerator(runtime, speed=SPEED, seed=8, households=0, **quiet)
    sim.run(timedelta(days=31), every=timedelta(hours=1))
    stats = sim.generator.stats
    assert stats["repeat_cases_taken_up"] == first["repeat_cases"]

    with runtime.readers() as session:
        cases = session.scalars(select(RepeatCase).order_by(RepeatCase.id)).all()
        linked = Counter(
            session.scalars(
                select(RepeatCase.number).join(
                    RepeatCaseIncident, RepeatCaseIncident.case_id == RepeatCase.id
                )
            )
        )
        journal = {
            c.number: [
                (e.kind, e.actor)
                for e in session.scalars(
                    select(Event)
                    .where(Event.subject_type == "repeat_case", Event.subject_id == c.number)
                    .order_by(Event.seq)
                )
            ]
            for c in cases
        }
        officers = set(session.scalars(select(User.username).where(User.role == Role.OFFICER)))
        audit = verify(session)

    assert cases, stats
    assert all(c.opened_how is OpenedHow.RULE for c in cases)
    assert all(linked[c.number] >= 3 for c in cases), linked
    solved = [c for c in cases if c.status is CaseStatus.SOLVED]
    assert solved, (stats, [(c.number, c.status) for c in cases])
    for case in solved:
        kinds = [kind for kind, _ in journal[case.number]]
        assert kinds[0] == "opened"
        for kind in ("owner_changed", "step_done", "mediation", "closing_reported", "solved"):
            assert kind in kinds, (case.number, kinds)
        # The owner is an officer of the station (包案), who wrote the closing report after the
        # quiet days; a leader approved it.
        assert case.owner in officers
        assert case.reported_by == case.owner
        assert case.reported_at is not None
        assert case.solved_at is not None
        assert case.reported_at >= case.last_incident_at + timedelta(days=30)
        assert case.solved_by is not None
        assert case.solved_by not in officers
    assert stats["repeat_cases_solved"] == len(solved)
    assert audit.ok, audit.first_break


def test_the_households_there_at_the_start_open_their_cases_within_the_first_hour(
    start_sim: StartSim,
) -> None:
    """Someone trying the demo finds repeat cases to work within its first hour: the troubled
    households it starts with call again within the half hour (a new one later takes its time),
    so each has called three times, and has its case, by then."""
    quiet = {"calls_per_day": 2.0, "fix_interval_s": 1800.0, "household_every_h": 0.0}
    sim = start_sim("households-start", **quiet)
    sim.run(timedelta(minutes=50), every=timedelta(minutes=5))
    assert sim.generator.stats["households"] == 3
    with sim.runtime.readers() as session:
        opened = session.scalars(
            select(RepeatCase.number).where(RepeatCase.opened_how == OpenedHow.RULE)
        ).all()
    assert len(opened) == 3, sim.generator.stats
