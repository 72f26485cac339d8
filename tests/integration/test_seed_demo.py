"""`cad110 seed demo` on a fresh database: Fuzhou, with people, units and missing-person cases,
once."""

from __future__ import annotations

import re
import stat
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from cad110.auth.passwords import verify_password
from cad110.cli import app as cli
from cad110.db.engine import make_engine, make_sessionmaker, transaction
from cad110.db.migrate import upgrade
from cad110.jurisdictions.lookup import geo_index
from cad110.jurisdictions.roster import duty_leader
from cad110.models.event import Event
from cad110.models.incident import Incident
from cad110.models.jurisdiction import Jurisdiction, Level
from cad110.models.missing import (
    Appeal,
    CaseCallback,
    CaseLink,
    CaseRequest,
    MissingCase,
    SearchNotice,
)
from cad110.models.place import Place
from cad110.models.roster import DutyDay
from cad110.models.target import KeyTarget
from cad110.models.unit import Unit
from cad110.models.user import User
from cad110.seed import demo
from cad110.seed.places_demo import demo_place_rows
from cad110.settings import get_settings
from cad110.sim import actors


def users_home(session: Session, username: str) -> str | None:
    user = session.scalars(select(User).where(User.username == username)).one()
    return user.jurisdiction_code


COUNTED = (MissingCase, Incident, CaseCallback, CaseRequest, Event)


def counts(url: str) -> tuple[int, ...]:
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as session:
        found = tuple(
            session.scalar(select(func.count()).select_from(model)) or 0 for model in COUNTED
        )
    engine.dispose()
    return found


@dataclass(frozen=True)
class Seeded:
    """One demo city seeded three times in a row, shared by this file's tests (a seed hashes
    every account's password and takes a minute): the first as a version before the living demo
    had its own call-taker was, then twice as now."""

    url: str
    home: Path
    first: Result
    written: str  # the accounts file after the first seed
    again: Result
    added: str  # …after the second
    before_once_more: tuple[int, ...]
    once_more: Result
    after_once_more: tuple[int, ...]
    accounts_after: str  # …after the third


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    home = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{home / 'demo.db'}"
    upgrade(url)
    accounts_file = home / "var" / "demo-accounts.txt"
    runner = CliRunner()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CAD110_DATABASE_URL", url)
        patch.chdir(home)
        get_settings.cache_clear()
        try:
            with pytest.MonkeyPatch.context() as older:
                older.setattr(demo, "SIMULATOR", ())
                older.setattr(actors, "CALLTAKER", "calltaker")
                first = runner.invoke(cli, ["seed", "demo"])
            written = accounts_file.read_text("utf-8") if accounts_file.exists() else ""
            again = runner.invoke(cli, ["seed", "demo"])
            added = accounts_file.read_text("utf-8") if accounts_file.exists() else ""
            before = counts(url)
            once_more = runner.invoke(cli, ["seed", "demo"])
            after = counts(url)
            accounts_after = accounts_file.read_text("utf-8") if accounts_file.exists() else ""
        finally:
            get_settings.cache_clear()
    return Seeded(url, home, first, written, again, added, before, once_more, after, accounts_after)


@pytest.fixture
def on_seeded(seeded: Seeded, monkeypatch: pytest.MonkeyPatch) -> Iterator[Seeded]:
    """The shared city as the command line's database."""
    monkeypatch.setenv("CAD110_DATABASE_URL", seeded.url)
    monkeypatch.chdir(seeded.home)
    get_settings.cache_clear()
    yield seeded
    get_settings.cache_clear()


def test_seed_demo_builds_fuzhou_once_with_a_password_for_each_account_and_tokens_work(
    on_seeded: Seeded,
) -> None:
    url, first, again = on_seeded.url, on_seeded.first, on_seeded.again
    runner = CliRunner()
    assert first.exit_code == 0, first.output
    assert "dispatcher" in first.output
    accounts_file = on_seeded.home / "var" / "demo-accounts.txt"
    written = on_seeded.written
    assert "sim-calltaker" not in written
    # The next seed adds it, and its password to the accounts file; nothing else.
    assert again.exit_code == 0, again.output
    assert "already seeded" in again.output
    assert "sim-calltaker" in again.output
    assert str(accounts_file) in again.output.replace("\n", "")
    added = on_seeded.added
    assert added.startswith(written)
    assert added.removeprefix(written).startswith("sim-calltaker\t")
    assert on_seeded.once_more.exit_code == 0, on_seeded.once_more.output
    assert "sim-calltaker" not in on_seeded.once_more.output
    assert on_seeded.accounts_after == added
    token = runner.invoke(cli, ["token", "create", "dispatcher"])
    assert token.exit_code == 0
    assert token.output.strip().startswith("cad110_")
    missing = runner.invoke(cli, ["token", "create", "nobody"])
    assert missing.exit_code == 1

    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as session:
        levels = Counter(j.level for j in session.scalars(select(Jurisdiction)))
        assert levels[Level.CITY] == 1
        assert levels[Level.DISTRICT] == 13
        stations_per_district = Counter(
            j.parent_code
            for j in session.scalars(
                select(Jurisdiction).where(Jurisdiction.level == Level.STATION)
            )
        )
        assert all(2 <= n <= 4 for n in stations_per_district.values())
        units = session.scalars(select(Unit)).all()
        assert 90 <= len(units) <= 130
        # The demo address set, once: the second seed added nothing.
        places = session.scalar(select(func.count()).select_from(Place))
        assert places == len(demo_place_rows())
        assert "addresses and places" in first.output
        officers = session.scalars(select(User).where(User.role == "officer")).all()
        assert {o.unit_code for o in officers} == {u.code for u in units}
        staff = {u.username for u in session.scalars(select(User).where(User.role != "officer"))}
        leaders = {u for u in staff if u.startswith("leader-")}
        assert staff - leaders == {
            "admin",
            "calltaker",
            "dispatcher",
            "leader",
            "analyst",
            "auditor",
            "sim-calltaker",
        }
        # Each station has its duty leaders: named people, at home at their station, who take
        # turns on the roster this week and the next; a case opened today gets one.
        stations = {
            j.code
            for j in session.scalars(
                select(Jurisdiction).where(Jurisdiction.level == Level.STATION)
            )
        }
        station_leaders = session.scalars(select(User).where(User.username.in_(leaders))).all()
        assert {u.jurisdiction_code for u in station_leaders} == stations
        assert all(u.role == "leader" for u in station_leaders)
        assert all(u.display_name and not u.display_name.isascii() for u in station_leaders)
        today = datetime.now(get_settings().tz).date()
        monday = today - timedelta(days=today.weekday())
        for station in stations:
            days = {
                d.day: d.leader
                for d in session.scalars(select(DutyDay).where(DutyDay.station_code == station))
            }
            assert set(days) == {monday + timedelta(days=n) for n in range(14)}
            assert {users_home(session, u) for u in days.values()} == {station}
            assert len(set(days.values())) == 2  # two leaders, day about
            assert duty_leader(session, station, today) in leaders
        # Every account its own password, all in a file only its owner may read; the staff
        # passwords are also shown once, the officers' only in the file.
        assert str(accounts_file) in first.output.replace("\n", "")
        assert stat.S_IMODE(accounts_file.stat().st_mode) == 0o600
        passwords = dict(
            line.split("\t")[:2] for line in added.splitlines() if not line.startswith("#")
        )
        users = {u.username: u for u in session.scalars(select(User))}
        assert set(passwords) == set(users)
        assert len(set(passwords.values())) == len(passwords)
        for username in ("admin", "dispatcher", "auditor"):
            assert re.search(rf"{username}\s*│\s*{re.escape(passwords[username])}", first.output)
        assert passwords["35010201-1"] not in first.output
        for username in ("dispatcher", "35010201-1", "35012101-1"):
            assert verify_password(users[username].password_hash, passwords[username])
        assert not verify_password(users["35010201-2"].password_hash, passwords["35010201-1"])
        targets = session.scalars(select(KeyTarget)).all()
        assert len(targets) >= 5
        assert all(t.guard_unit_code is not None for t in targets)
        # A point in Gulou's Dongjiekou lands in a Gulou station and one of its grids.
        place = geo_index(session).locate(119.296, 26.08)
        assert place is not None
        assert place.jurisdiction_path.startswith("350100/350102/")
        assert place.grid_code is not None
        assert place.grid_code.startswith(place.jurisdiction_code)
    engine.dispose()


def test_seed_demo_adds_missing_person_cases_in_every_stage_once(on_seeded: Seeded) -> None:
    engine = make_engine(on_seeded.url)
    sessions = make_sessionmaker(engine)
    runner = CliRunner()
    assert on_seeded.before_once_more[0] > 0
    assert on_seeded.after_once_more == on_seeded.before_once_more  # a re-run adds nothing
    assert runner.invoke(cli, ["audit", "verify"]).exit_code == 0

    report = runner.invoke(cli, ["report", "missing-daily"])
    assert report.exit_code == 0, report.output
    assert "全市接报失踪人员" in report.output
    assert "合计" in report.output
    assert runner.invoke(cli, ["report", "missing-daily", "--date", "23/11"]).exit_code == 2
    unknown = runner.invoke(cli, ["report", "missing-daily", "--jurisdiction", "999999"])
    assert unknown.exit_code == 1

    now = datetime.now(UTC)
    with transaction(sessions) as session:
        by_name: dict[str, list[MissingCase]] = {}
        for case in session.scalars(select(MissingCase).order_by(MissingCase.opened_at)):
            by_name.setdefault(case.name, []).append(case)
        assert {n: [c.status.value for c in cs] for n, cs in by_name.items()} == {
            "郑志明": ["open"],
            "林雨欣": ["open"],
            "张子豪": ["closed"],
            "吴建平": ["open", "open"],
            "陈金水": ["open"],
        }

        def callbacks(case: MissingCase) -> list[CaseCallback]:
            return list(
                session.scalars(
                    select(CaseCallback)
                    .where(CaseCallback.case_id == case.id)
                    .order_by(CaseCallback.seq)
                )
            )

        # The elderly man: urgent, the golden hours running, the group, appeals and a unit out.
        [elderly] = by_name["陈金水"]
        assert elderly.urgent
        assert elderly.group_formed_at is not None
        assert now < elderly.last_seen_at + timedelta(hours=72)
        assert session.scalar(
            select(func.count()).where(Appeal.case_id == elderly.id, Appeal.state == "active")
        )
        assert session.scalar(select(func.count()).where(SearchNotice.case_id == elderly.id))
        incident = session.get(Incident, elderly.incident_id)
        assert incident is not None
        assert incident.status.value == "arrived"

        # The girl: a criminal case at once; past 48 hours a transfer waits for the leader.
        [girl] = by_name["林雨欣"]
        assert girl.criminal_case_at is not None
        assert girl.handling_unit.value == "criminal"
        [request] = session.scalars(select(CaseRequest).where(CaseRequest.case_id == girl.id))
        assert (request.kind.value, request.state.value) == ("transfer_criminal", "pending")

        # On the ledger ten days: 24 h, 3 d and 7 d recorded, 15 d still to come.
        [adult] = by_name["郑志明"]
        assert timedelta(days=9) < now - adult.opened_at < timedelta(days=11)
        assert [(c.label, c.done_at is not None) for c in callbacks(adult)[:4]] == [
            ("24h", True),
            ("3d", True),
            ("7d", True),
            ("15d", False),
        ]
        assert callbacks(adult)[3].due_at > now

        # Found safe yesterday: closed, its callbacks cancelled.
        [found] = by_name["张子豪"]
        assert found.outcome is not None
        assert found.outcome.value == "found_safe"
        assert all(c.cancelled_at is not None for c in callbacks(found))

        # Reported twice: the second report linked to the first, whose first callback is due.
        first, second = by_name["吴建平"]
        [link] = session.scalars(select(CaseLink))
        assert (link.case_id, link.duplicate_of_id) == (second.id, first.id)
        due = callbacks(first)[0]
        assert due.due_at <= now
        assert (due.done_at, due.cancelled_at) == (None, None)
    engine.dispose()
