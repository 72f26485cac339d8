"""Account queries. A user belongs where their home jurisdiction does, so every read joins the
home and starts from the scope helper on its path; `scope` is a principal or a path prefix
("" is the whole tree, as the command line administers it)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import NamedTuple

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cad110.auth.principal import Principal
from cad110.kernel.scope import covering, in_scope
from cad110.models.jurisdiction import Jurisdiction
from cad110.models.unit import Unit
from cad110.models.user import ApiToken, LoginThrottle, Role, User

# Lockouts are looked up this many accounts at a time (a bound on the IN list).
_LOCK_BATCH = 500

Scope = Principal | str


def find_user(session: Session, username: str, *, scope: Scope) -> User | None:
    """The user (by normalised username) if their home lies in `scope`."""
    return session.scalar(
        select(User)
        .join(Jurisdiction, Jurisdiction.code == User.jurisdiction_code)
        .where(User.username == username, in_scope(Jurisdiction.path, scope))
    )


def username_taken(session: Session, username: str) -> bool:
    """Whether any account, anywhere, has this username (they are unique city-wide)."""
    return session.scalar(select(User.id).where(User.username == username)) is not None


def home_path(session: Session, code: str, *, scope: Scope) -> str | None:
    """The path of jurisdiction `code` if it lies in `scope`."""
    return session.scalar(
        select(Jurisdiction.path).where(
            Jurisdiction.code == code, in_scope(Jurisdiction.path, scope)
        )
    )


def unit_path(session: Session, code: str, *, scope: Scope) -> str | None:
    """The path of unit `code` if it lies in `scope`."""
    return session.scalar(
        select(Unit.jurisdiction_path).where(
            Unit.code == code, in_scope(Unit.jurisdiction_path, scope)
        )
    )


def users_in(session: Session, *, scope: Scope) -> Sequence[User]:
    """Users whose home lies in `scope`, by home then username."""
    return session.scalars(
        select(User)
        .join(Jurisdiction, Jurisdiction.code == User.jurisdiction_code)
        .where(in_scope(Jurisdiction.path, scope))
        .order_by(Jurisdiction.path, User.username)
    ).all()


def locked_usernames(session: Session, usernames: Sequence[str]) -> set[str]:
    """Those of `usernames` locked out after too many failed logins."""
    keys = [f"account:{name}" for name in usernames]
    locked: set[str] = set()
    for start in range(0, len(keys), _LOCK_BATCH):
        rows = session.scalars(
            select(LoginThrottle.key).where(
                LoginThrottle.key.in_(keys[start : start + _LOCK_BATCH]),
                LoginThrottle.locked_at.is_not(None),
            )
        )
        locked.update(key.removeprefix("account:") for key in rows)
    return locked


def tokens_in(
    session: Session, *, scope: Scope, user_id: int | None = None
) -> list[tuple[ApiToken, str]]:
    """Tokens of the users whose home lies in `scope` (or of one of them), with the username,
    oldest first."""
    stmt = (
        select(ApiToken, User.username)
        .join(User, User.id == ApiToken.user_id)
        .join(Jurisdiction, Jurisdiction.code == User.jurisdiction_code)
        .where(in_scope(Jurisdiction.path, scope))
        .order_by(ApiToken.id)
    )
    if user_id is not None:
        stmt = stmt.where(User.id == user_id)
    return [(token, username) for token, username in session.execute(stmt)]


def find_token(session: Session, token_id: int, *, scope: Scope) -> tuple[ApiToken, User] | None:
    """The token and its user if the user's home lies in `scope`."""
    found = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .join(Jurisdiction, Jurisdiction.code == User.jurisdiction_code)
        .where(ApiToken.id == token_id, in_scope(Jurisdiction.path, scope))
    ).first()
    return None if found is None else (found[0], found[1])


class Staff(NamedTuple):
    username: str
    display_name: str
    role: Role


def staff_around(session: Session, path: str, roles: Collection[Role]) -> list[Staff]:
    """Active accounts of `roles` at `path`, in the chain above it or in the units below it
    (who may lead or work a case there), by username."""
    rows = session.execute(
        select(User.username, User.display_name, User.role)
        .join(Jurisdiction, Jurisdiction.code == User.jurisdiction_code)
        .where(
            User.active.is_(True),
            User.role.in_(list(roles)),
            or_(in_scope(Jurisdiction.path, path), covering(Jurisdiction.path, path)),
        )
        .order_by(User.username)
    ).all()
    return [Staff(username, display_name, role) for username, display_name, role in rows]
