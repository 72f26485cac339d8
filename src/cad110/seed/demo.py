"""The demo city: Fuzhou's real district boundaries, generated stations, grids, units, users."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from shapely.geometry import shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from cad110.accounts.service import add_user
from cad110.auth.passwords import generate_password, hash_many
from cad110.auth.principal import Principal
from cad110.catalog.loader import default_catalog
from cad110.events.log import NEW_SUBJECT, append
from cad110.jurisdictions.cityplan import CityPlan, DistrictPlan, StationPlan, fuzhou_plan
from cad110.jurisdictions.lookup import invalidate
from cad110.jurisdictions.roster import set_duty
from cad110.kernel.context import Ctx
from cad110.missing.rules import load_rules
from cad110.models.jurisdiction import AreaType, Grid, Jurisdiction, Level
from cad110.models.subjects import SubjectType
from cad110.models.unit import DutyMode, PatrolLevel, Unit, UnitGrid, UnitKind, UnitStatus
from cad110.models.user import Role, User
from cad110.seed.key_targets import seed_key_targets
from cad110.seed.missing_demo import seed_missing_demo
from cad110.seed.places_demo import seed_demo_places
from cad110.settings import Settings, get_settings

UNITS_PER_CITY = 100
CHINESE_NUMERALS = "一二三四五六七八九十"
STAFF = (
    ("admin", Role.ADMIN, "系统管理员"),
    ("calltaker", Role.CALLTAKER, "接警员"),
    ("dispatcher", Role.DISPATCHER, "调度员"),
    ("leader", Role.LEADER, "值班领导"),
    ("analyst", Role.ANALYST, "研判员"),
    ("auditor", Role.AUDITOR, "督察"),
)
# The living demo's own staff (sim/actors.py): the simulated calls ring at its seat and are
# recorded by it, so a person at the desk as `calltaker` pops only the calls of their own seat.
SIMULATOR = (("sim-calltaker", Role.CALLTAKER, "模拟接警员"),)


# Each station's duty leaders (值班所长), two who take turns, day about: a surname and a given
# name each, made up, so the roster and a case's 包干领导 read as people.
SURNAMES = "陈林黄张吴刘王郑李杨何罗许谢郭"
GIVEN_NAMES = (
    "建华", "志强", "国平", "秀英", "明辉", "丽华", "海峰", "永福", "晓东", "春生",
    "文斌", "桂英", "德明", "振宇", "雪梅", "金龙", "瑞芳", "立新", "少华", "玉兰",
)  # fmt: skip
LEADERS_PER_STATION = 2


@dataclass(frozen=True)
class SeededAccount:
    username: str
    # Generated for this account alone; shown once and never stored in clear.
    password: str
    role: Role
    display_name: str


@dataclass(frozen=True)
class SeedReport:
    created: bool
    jurisdictions: int
    grids: int
    units: int
    # Every account made: staff, one officer per unit, then the stations' duty leaders (empty
    # when nothing was made).
    accounts: tuple[SeededAccount, ...] = ()
    missing_cases: int = 0
    # Standard addresses, roads and places of the demo address set (places_demo.py).
    places: int = 0

    @property
    def staff(self) -> tuple[SeededAccount, ...]:
        """The centre's own accounts (shown once on the console); station leaders and officers
        are in the accounts file."""
        return tuple(a for a in self.accounts if a.username in {u for u, _, _ in STAFF})


def _geometry(value: dict[str, Any]) -> str:
    return json.dumps(value, separators=(",", ":"))


def _record(
    session: Session, kind: str, subject: str, at: datetime, payload: dict[str, Any]
) -> None:
    append(
        session,
        subject_type=SubjectType.JURISDICTION,
        subject_id=subject,
        kind=kind,
        at=at,
        actor="seed",
        payload=payload,
        head=NEW_SUBJECT,
    )


def _node(
    session: Session,
    *,
    at: datetime,
    code: str,
    parent: str | None,
    level: Level,
    name_zh: str,
    name_en: str,
    path: str,
    area_type: str = "urban",
    boundary: dict[str, Any] | None = None,
    label: tuple[float, float] | None = None,
) -> None:
    """One jurisdiction of the tree, with its creation event."""
    session.add(
        Jurisdiction(
            code=code,
            parent_code=parent,
            level=level,
            name_zh=name_zh,
            name_en=name_en,
            path=path,
            area_type=AreaType(area_type),
            boundary=_geometry(boundary) if boundary is not None else None,
            label_lon=label[0] if label else None,
            label_lat=label[1] if label else None,
        )
    )
    _record(session, "jurisdiction.created", code, at, {"level": level.value, "name": name_zh})
    session.flush()


def seed_city(session: Session, plan: CityPlan, *, now: datetime) -> tuple[int, int]:
    """Insert the command tree and grids of `plan`; returns (jurisdictions, grids)."""
    city_path = f"{plan.code}/"
    _node(
        session,
        at=now,
        code=plan.code,
        parent=None,
        level=Level.CITY,
        name_zh=plan.name_zh,
        name_en=plan.name_en,
        path=city_path,
    )
    jurisdictions, grids = 1, 0
    for d in plan.districts:
        d_path = f"{city_path}{d.code}/"
        _node(
            session,
            at=now,
            code=d.code,
            parent=plan.code,
            level=Level.DISTRICT,
            name_zh=d.name_zh,
            name_en=d.name_en,
            path=d_path,
            area_type=d.area_type,
            boundary=d.boundary,
            label=d.label,
        )
        jurisdictions += 1
        for s in d.stations:
            _node(
                session,
                at=now,
                code=s.code,
                parent=d.code,
                level=Level.STATION,
                name_zh=s.name_zh,
                name_en=s.name_en,
                path=f"{d_path}{s.code}/",
                area_type=d.area_type,
                boundary=s.boundary,
                label=s.label,
            )
            jurisdictions += 1
            for g in s.grids:
                session.add(
                    Grid(
                        code=g.code,
                        station_code=s.code,
                        name_zh=g.name_zh,
                        name_en=g.name_en,
                        boundary=_geometry(g.boundary),
                    )
                )
                grids += 1
    session.flush()
    invalidate()
    return jurisdictions, grids


def seed_units(
    session: Session, plan: CityPlan, *, now: datetime, total: int = UNITS_PER_CITY
) -> list[Unit]:
    """About `total` units over the four patrol levels, on duty, each parked at its base.

    Every station has station patrols (派出所巡逻) covering its grids and, in the urban core, a
    community unit (社区110); each district adds a 巡特警 group (county level, armed) and a
    traffic unit; the city keeps two armed 巡特警 groups in the centre (city level).
    """
    units: list[Unit] = []
    grid_links: list[UnitGrid] = []

    def add(code: str, zh: str, en: str, d: DistrictPlan, s: StationPlan, **kw: Any) -> Unit:
        unit = Unit(
            code=code,
            name_zh=zh,
            name_en=en,
            station_code=s.code,
            jurisdiction_path=f"{plan.code}/{d.code}/{s.code}/",
            status=UnitStatus.AVAILABLE,
            status_reason="",
            home_lon=s.label[0],
            home_lat=s.label[1],
            version=1,
            **kw,
        )
        session.add(unit)
        units.append(unit)
        return unit

    stations = [(d, s) for d in plan.districts for s in d.stations]
    weights = [2 if d.area_type == "urban" else 1 for d, _ in stations]
    patrols = max(1, total - 2 - 2 * len(plan.districts))
    per_weight = patrols / sum(weights)
    for (d, s), w in zip(stations, weights, strict=True):
        count = max(1, round(w * per_weight))
        grids = [g.code for g in s.grids]
        for n in range(1, count + 1):
            numeral = CHINESE_NUMERALS[n - 1] if n <= len(CHINESE_NUMERALS) else str(n)
            community = d.area_type == "urban" and n == count and count > 1
            unit = add(
                f"{s.code}-{n}",
                f"{s.name_zh}{'社区警务' if community else '巡逻'}{numeral}组",
                f"{s.name_en} {'community' if community else 'patrol'} {n}",
                d,
                s,
                kind=UnitKind.COMMUNITY if community else UnitKind.STATION,
                patrol_level=PatrolLevel.COMMUNITY if community else PatrolLevel.STATION,
                duty_mode=DutyMode.ROUTINE,
                capabilities=["female_officer"] if community else [],
            )
            # Patrols share the station's grids round-robin; the community unit walks them all.
            patrols_here = count - 1 if d.area_type == "urban" and count > 1 else count
            mine = grids if community else grids[n - 1 :: patrols_here]
            grid_links += [UnitGrid(unit_code=unit.code, grid_code=g) for g in mine]
            # On patrol: last seen inside the first grid it covers.
            first_grid = next((g for g in s.grids if g.code in mine), None)
            if first_grid is not None:
                spot = shape(first_grid.boundary).representative_point()
                unit.last_lon, unit.last_lat, unit.last_fix_at = (
                    round(spot.x, 6),
                    round(spot.y, 6),
                    now,
                )
    for d in plan.districts:
        # Parked at different stations of the district, so that no two start in one spot.
        first, other = d.stations[0], d.stations[-1]
        add(
            f"{d.code}-T1",
            f"{d.name_zh}巡特警一组",
            f"{d.name_en} SWAT patrol 1",
            d,
            other,
            kind=UnitKind.PATROL_SPECIAL,
            patrol_level=PatrolLevel.COUNTY,
            duty_mode=DutyMode.DYNAMIC,
            capabilities=["armed", "negotiator"],
        )
        add(
            f"{d.code}-J1",
            f"{d.name_zh}交警一组",
            f"{d.name_en} traffic 1",
            d,
            first,
            kind=UnitKind.TRAFFIC,
            patrol_level=PatrolLevel.COUNTY,
            duty_mode=DutyMode.DYNAMIC,
            capabilities=["traffic"],
        )
    core = [d for d in plan.districts if d.area_type == "urban"][:2]
    for n, d in enumerate(core, start=1):
        add(
            f"{plan.code}-T{n}",
            f"市局巡特警支队{CHINESE_NUMERALS[n - 1]}大队",
            f"City SWAT group {n}",
            d,
            d.stations[len(d.stations) // 2],
            kind=UnitKind.PATROL_SPECIAL,
            patrol_level=PatrolLevel.CITY,
            duty_mode=DutyMode.EMERGENCY,
            capabilities=["armed", "negotiator"],
        )
    session.flush()
    session.add_all(grid_links)
    session.flush()
    return units


def seed_demo(
    session: Session,
    *,
    now: datetime,
    missing_cases: bool = False,
    settings: Settings | None = None,
    hash_passwords: Callable[[Sequence[str]], list[str]] = hash_many,
) -> SeedReport:
    """Seed the demo city once; a second call changes nothing but adding an account a newer
    version seeds and the city lacks (the simulator's own).

    With `missing_cases` (as `cad110 seed demo` does), the city also gets missing-person cases
    in every stage of the loop, with their incidents and one unit on scene. The simulator's
    tests and the board benchmark leave them out: they count on a city with no history.
    """
    plan = fuzhou_plan()
    if session.get(Jurisdiction, plan.code) is not None:
        counts = (
            len(session.scalars(select(Jurisdiction.code)).all()),
            len(session.scalars(select(Grid.code)).all()),
            len(session.scalars(select(Unit.code)).all()),
        )
        return SeedReport(False, *counts, accounts=_simulator_accounts(session, plan, now=now))
    jurisdictions, grids = seed_city(session, plan, now=now)
    units = seed_units(session, plan, now=now)
    seed_key_targets(session, units)
    places = seed_demo_places(session, now=now).added
    accounts = [
        SeededAccount(username, generate_password(), role, display)
        for username, role, display in STAFF + SIMULATOR
    ] + [
        SeededAccount(unit.code.lower(), generate_password(), Role.OFFICER, unit.name_zh)
        for unit in units
    ]
    # The demo's station duty leaders, at home at their station (the roster names them).
    leaders = station_leaders(plan) if missing_cases else []
    accounts += [
        SeededAccount(username, generate_password(), Role.LEADER, name)
        for username, name, _ in leaders
    ]
    home_of = {username: station for username, _, station in leaders}
    # Each account its own password: a hundred argon2 hashes, made on every core at once.
    hashes = hash_passwords([a.password for a in accounts])
    unit_of = {unit.code.lower(): unit for unit in units}
    for account, password_hash in zip(accounts, hashes, strict=True):
        unit = unit_of.get(account.username) if account.role is Role.OFFICER else None
        add_user(
            session,
            username=account.username,
            password_hash=password_hash,
            role=account.role,
            jurisdiction_code=unit.station_code
            if unit
            else home_of.get(account.username, plan.code),
            display_name=account.display_name,
            unit_code=unit.code if unit else None,
            now=now,
            actor="seed",
        )
    report = SeedReport(True, jurisdictions, grids, len(units), tuple(accounts), places=places)
    if not missing_cases:
        return report
    # With the city, once: the cases are created as of `now` so that they look live.
    settings = settings or get_settings()
    fill_roster(session, leaders, now=now, tz=settings.tz)
    channels = frozenset(filter(None, (c.strip() for c in settings.appeal_channels.split(","))))
    cases = seed_missing_demo(
        session,
        now=now,
        tz=settings.tz,
        catalog=default_catalog(),
        rules=load_rules(settings.missing_rules_path),
        appeal_channels=channels,
    )
    return replace(report, missing_cases=len(cases))


def _simulator_accounts(
    session: Session, plan: CityPlan, *, now: datetime
) -> tuple[SeededAccount, ...]:
    """The simulator's accounts a city seeded before they existed lacks, made now."""
    have = set(session.scalars(select(User.username)))
    made = tuple(
        SeededAccount(username, generate_password(), role, display)
        for username, role, display in SIMULATOR
        if username not in have
    )
    for account in made:
        add_user(
            session,
            username=account.username,
            password=account.password,
            role=account.role,
            jurisdiction_code=plan.code,
            display_name=account.display_name,
            now=now,
            actor="seed",
        )
    return made


def station_leaders(plan: CityPlan) -> list[tuple[str, str, str]]:
    """(username, display name, station code) of each station's duty leaders."""
    stations = [s for d in plan.districts for s in d.stations]
    found = []
    for n, station in enumerate(stations):
        for k in range(LEADERS_PER_STATION):
            i = n * LEADERS_PER_STATION + k
            name = SURNAMES[i % len(SURNAMES)] + GIVEN_NAMES[(i * 7) % len(GIVEN_NAMES)]
            found.append((f"leader-{station.code}-{k + 1}", name, station.code))
    return found


def fill_roster(
    session: Session, leaders: list[tuple[str, str, str]], *, now: datetime, tz: ZoneInfo
) -> int:
    """The duty roster of this week and the next (Monday to Sunday, the centre's days): each
    station's leaders day about, set as an administrator sets it (journaled on the station's
    roster chain), so a missing-person case opened in the demo gets its 包干领导."""
    by_station: dict[str, list[str]] = {}
    for username, _, station in leaders:
        by_station.setdefault(station, []).append(username)
    ctx = Ctx(
        session=session,
        by=Principal.acting_for("", username="seed", role=Role.ADMIN),
        at=now,
        catalog=default_catalog(),
        tz=tz,
    )
    today = now.astimezone(tz).date()
    monday = today - timedelta(days=today.weekday())
    days = [monday + timedelta(days=n) for n in range(14)]
    for station, names in by_station.items():
        for day in days:
            set_duty(ctx, station, day, names[day.toordinal() % len(names)])
    return len(by_station) * len(days)
