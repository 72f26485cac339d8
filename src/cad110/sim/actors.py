"""The people the simulator acts as: the seeded desk staff and every unit's officer account."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cad110.auth.principal import Principal, principal_of
from cad110.models.jurisdiction import Jurisdiction
from cad110.models.unit import Unit
from cad110.models.user import Role, User

# The simulator's own call-taker (seeded with the demo): its calls pop on no person's desk.
CALLTAKER = "sim-calltaker"
DISPATCHER = "dispatcher"
LEADER = "leader"


class MissingActor(LookupError):
    """A seeded account the simulator needs is absent (the demo city was not seeded)."""


def acting_as(session: Session, user: User) -> Principal:
    home = session.get(Jurisdiction, user.jurisdiction_code)
    assert home is not None
    return principal_of(user, home)


@dataclass(frozen=True)
class SimUnit:
    """A unit the simulator drives, with its officer account and base."""

    code: str
    officer: Principal
    home: tuple[float, float] | None


@dataclass(frozen=True)
class Actors:
    calltaker: Principal
    dispatcher: Principal
    leader: Principal
    units: dict[str, SimUnit]

    @classmethod
    def load(cls, session: Session) -> Actors:
        desk: dict[str, Principal] = {}
        for username, role in ((CALLTAKER, Role.CALLTAKER), (DISPATCHER, Role.DISPATCHER)):
            desk[username] = _staff(session, username, role)
        desk[LEADER] = _staff(session, LEADER, Role.LEADER)
        accounts = session.scalars(
            select(User)
            .where(User.role == Role.OFFICER, User.active.is_(True), User.unit_code.is_not(None))
            .order_by(User.id)
        ).all()
        by_name = {u.username: u for u in accounts}
        by_unit: dict[str | None, User] = {}
        for account in accounts:
            by_unit.setdefault(account.unit_code, account)
        units: dict[str, SimUnit] = {}
        for unit in session.scalars(select(Unit).order_by(Unit.code)):
            # The demo seeds one officer account per unit, named by its code in lower case.
            user = by_name.get(unit.code.lower())
            if user is None or user.unit_code != unit.code:
                user = by_unit.get(unit.code)
            if user is None:
                continue
            home = (
                (unit.home_lon, unit.home_lat)
                if unit.home_lon is not None and unit.home_lat is not None
                else None
            )
            units[unit.code] = SimUnit(unit.code, acting_as(session, user), home)
        if not units:
            raise MissingActor("no unit has an officer account: run `cad110 seed demo` first")
        return cls(desk[CALLTAKER], desk[DISPATCHER], desk[LEADER], units)


def _staff(session: Session, username: str, role: Role) -> Principal:
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or user.role is not role:
        raise MissingActor(
            f"the simulator acts as the seeded {role.value} account {username!r}, which is "
            "missing or inactive: run `cad110 seed demo` first"
        )
    return acting_as(session, user)
