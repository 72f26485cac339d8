"""User accounts."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.orm import Session

from cad110.accounts.repository import username_taken
from cad110.auth.passwords import hash_password
from cad110.auth.policy import check_password
from cad110.errors import Conflict, InvalidInput
from cad110.events.log import NEW_SUBJECT, append
from cad110.jurisdictions.repository import get_jurisdiction
from cad110.models.subjects import SubjectType
from cad110.models.unit import Unit
from cad110.models.user import Role, User
from cad110.settings import Settings, get_settings

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


class UsernameTaken(Conflict):
    """Another account has the username (disabled accounts keep theirs: their records name it)."""

    code = "username_taken"


def add_user(
    session: Session,
    *,
    username: str,
    password: str | None = None,
    password_hash: str | None = None,
    role: Role,
    jurisdiction_code: str,
    display_name: str | None = None,
    unit_code: str | None = None,
    now: datetime,
    actor: str,
    settings: Settings | None = None,
) -> User:
    """Create an account; officers must name their unit.

    Give `password`, which must pass the password policy (auth/policy.py, with `settings`,
    default the process's), or `password_hash` for accounts whose passwords were generated
    and hashed together (seeding).
    """
    if not USERNAME.match(username):
        raise InvalidInput("username", "username: 2–64 lowercase letters, digits, '.', '_' or '-'")
    if password_hash is None:
        if password is None:
            raise InvalidInput("password", "give a password")
        check_password(
            password,
            username=username,
            display_name=display_name,
            settings=settings or get_settings(),
        )
        password_hash = hash_password(password)
    if username_taken(session, username):
        raise UsernameTaken(f"user {username} already exists")
    get_jurisdiction(session, jurisdiction_code)
    if role is Role.OFFICER and unit_code is None:
        raise InvalidInput("unit_code", "an officer account belongs to a unit")
    if unit_code is not None and session.get(Unit, unit_code) is None:
        raise InvalidInput("unit_code", f"unknown unit {unit_code}")
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=password_hash,
        role=role,
        jurisdiction_code=jurisdiction_code,
        unit_code=unit_code,
        active=True,
        created_at=now,
    )
    session.add(user)
    session.flush()
    append(
        session,
        subject_type=SubjectType.USER,
        subject_id=username,
        kind="user.created",
        at=now,
        actor=actor,
        payload={"role": role.value, "jurisdiction": jurisdiction_code, "unit": unit_code},
        head=NEW_SUBJECT,
    )
    return user
