"""Account administration: users and tokens within the administrator's jurisdiction.

Every change appends an event on the user's chain (subject "user", the username) in the same
transaction, and every change that ends credentials announces it (auth/revocation.py), so
that it bites at once on every worker. The command line acts on the whole tree (scope "").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy.orm import Session

from cad110.accounts import repository
from cad110.accounts.service import add_user
from cad110.auth.passwords import generate_password, hash_password
from cad110.auth.policy import check_password
from cad110.auth.revocation import announce, end_sessions_of
from cad110.auth.throttle import unlock
from cad110.auth.tokens import new_token, revoke_tokens_of
from cad110.errors import Conflict, InvalidInput, NotFound
from cad110.events.log import append
from cad110.models.subjects import SubjectType
from cad110.models.user import ApiToken, Role, User
from cad110.settings import Settings

# A generated password that the policy refuses is drawn again, this many times at most.
_PASSWORD_DRAWS = 5


@dataclass(frozen=True)
class Acting:
    """Who administers, over which subtree, when."""

    session: Session
    # Jurisdiction path prefix the administrator may see; "" is the whole tree (command line).
    scope_path: str
    actor: str
    now: datetime
    # The administrator's own username (an administrator may not disable themself).
    username: str | None = None


@dataclass(frozen=True)
class UserRow:
    username: str
    display_name: str
    role: Role
    jurisdiction: str
    unit: str | None
    active: bool
    # Locked out after too many failed logins, until an administrator unlocks it.
    locked: bool
    created_at: datetime
    password_changed_at: datetime | None


TokenState = Literal["active", "revoked", "expired"]


@dataclass(frozen=True)
class TokenRow:
    id: int
    user: str
    label: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    state: TokenState


@dataclass(frozen=True)
class Disabled:
    user: User
    sessions_ended: int
    tokens_revoked: int


def _journal(by: Acting, user: User, kind: str, payload: dict[str, Any]) -> None:
    append(
        by.session,
        subject_type=SubjectType.USER,
        subject_id=user.username,
        kind=kind,
        at=by.now,
        actor=by.actor,
        payload=payload,
    )


def get_user(by: Acting, username: str) -> User:
    """The user, if their home jurisdiction lies in the administrator's subtree."""
    user = repository.find_user(by.session, username.strip().lower(), scope=by.scope_path)
    if user is None:
        raise NotFound(f"user {username} not found")
    return user


def list_users(by: Acting, *, jurisdiction: str | None = None) -> list[UserRow]:
    """Users whose home is in the subtree (or in `jurisdiction`'s, itself in the subtree)."""
    scope = by.scope_path
    if jurisdiction is not None:
        home = repository.home_path(by.session, jurisdiction, scope=by.scope_path)
        if home is None:
            raise NotFound(f"jurisdiction {jurisdiction} not found")
        scope = home
    return user_rows(by.session, repository.users_in(by.session, scope=scope))


def user_rows(session: Session, users: Sequence[User]) -> list[UserRow]:
    locked = repository.locked_usernames(session, [u.username for u in users])
    return [
        UserRow(
            username=u.username,
            display_name=u.display_name,
            role=u.role,
            jurisdiction=u.jurisdiction_code,
            unit=u.unit_code,
            active=u.active,
            locked=u.username in locked,
            created_at=u.created_at,
            password_changed_at=u.password_changed_at,
        )
        for u in users
    ]


def disable_user(by: Acting, username: str, *, reason: str = "") -> Disabled:
    """Disable an account: it can no longer log in, and every console session and token it
    holds ends now (its open live streams with them)."""
    user = get_user(by, username)
    if by.username is not None and user.username == by.username:
        raise Conflict("an administrator cannot disable their own account")
    if not user.active:
        raise Conflict(f"user {user.username} is already disabled")
    user.active = False
    announce(by.session, user.id)
    done = Disabled(
        user=user,
        sessions_ended=end_sessions_of(by.session, user.id, now=by.now),
        tokens_revoked=revoke_tokens_of(by.session, user.id, now=by.now),
    )
    payload: dict[str, Any] = {
        "sessions_ended": done.sessions_ended,
        "tokens_revoked": done.tokens_revoked,
    }
    if reason:
        payload["reason"] = reason
    _journal(by, user, "user.disabled", payload)
    return done


def enable_user(by: Acting, username: str) -> User:
    """Let a disabled account log in again. Its old tokens stay revoked: issue new ones."""
    user = get_user(by, username)
    if user.active:
        raise Conflict(f"user {user.username} is already enabled")
    user.active = True
    _journal(by, user, "user.enabled", {})
    return user


def reset_password(by: Acting, username: str, *, settings: Settings) -> str:
    """Give the account a new generated password (returned once, never stored in clear) and
    end its console sessions, which were opened with the old one. Its tokens stay."""
    user = get_user(by, username)
    password = _generated_password(user, settings)
    user.password_hash = hash_password(password)
    user.password_changed_at = by.now
    ended = end_sessions_of(by.session, user.id, now=by.now)
    _journal(by, user, "user.password_reset", {"sessions_ended": ended})
    return password


def _generated_password(user: User, settings: Settings) -> str:
    refused: InvalidInput | None = None
    for _ in range(_PASSWORD_DRAWS):
        password = generate_password()
        try:
            check_password(
                password,
                username=user.username,
                display_name=user.display_name,
                settings=settings,
            )
        except InvalidInput as exc:
            refused = exc
            continue
        return password
    assert refused is not None
    raise refused


def unlock_user(by: Acting, username: str) -> User:
    """Lift a lockout after too many failed logins."""
    user = get_user(by, username)
    if not unlock(by.session, username=user.username, now=by.now, actor=by.actor):
        raise Conflict(f"user {user.username} is not locked")
    return user


def _token_state(token: ApiToken, now: datetime) -> TokenState:
    if token.revoked_at is not None:
        return "revoked"
    return "expired" if token.expires_at <= now else "active"


def _token_row(token: ApiToken, username: str, now: datetime) -> TokenRow:
    return TokenRow(
        id=token.id,
        user=username,
        label=token.label,
        created_at=token.created_at,
        expires_at=token.expires_at,
        revoked_at=token.revoked_at,
        state=_token_state(token, now),
    )


def list_tokens(by: Acting, *, username: str | None = None) -> list[TokenRow]:
    """Tokens of the users in the subtree (or of one of them); never the secret."""
    user_id = get_user(by, username).id if username is not None else None
    rows = repository.tokens_in(by.session, scope=by.scope_path, user_id=user_id)
    return [_token_row(token, name, by.now) for token, name in rows]


def issue(by: Acting, username: str, *, ttl: timedelta, label: str = "") -> tuple[TokenRow, str]:
    """A new bearer token for an active user: its row and the token, shown once."""
    user = get_user(by, username)
    if not user.active:
        raise Conflict(f"user {user.username} is disabled")
    token, secret = new_token(by.session, user=user, now=by.now, ttl=ttl, label=label)
    _journal(
        by,
        user,
        "token.issued",
        {"token_id": token.id, "label": label, "expires_at": token.expires_at.isoformat()},
    )
    return _token_row(token, user.username, by.now), secret


def revoke(by: Acting, token_id: int) -> TokenRow:
    """Revoke a token: its next request is refused, its open live streams end."""
    found = repository.find_token(by.session, token_id, scope=by.scope_path)
    if found is None:
        raise NotFound(f"token {token_id} not found")
    token, user = found
    if token.revoked_at is not None:
        raise Conflict(f"token {token_id} is already revoked")
    token.revoked_at = by.now
    announce(by.session, user.id)
    _journal(by, user, "token.revoked", {"token_id": token.id, "label": token.label})
    return _token_row(token, user.username, by.now)


def create_user(
    by: Acting,
    *,
    username: str,
    role: Role,
    jurisdiction: str,
    display_name: str,
    unit: str | None,
    settings: Settings,
) -> tuple[User, str]:
    """A new account at a home in the administrator's subtree, with a generated password
    (returned once)."""
    if repository.home_path(by.session, jurisdiction, scope=by.scope_path) is None:
        raise InvalidInput("jurisdiction", f"unknown jurisdiction {jurisdiction}")
    _check_unit(by, role, unit)
    probe = User(username=username, display_name=display_name or username)
    password = _generated_password(probe, settings)
    user = add_user(
        by.session,
        username=username,
        password_hash=hash_password(password),
        role=role,
        jurisdiction_code=jurisdiction,
        display_name=display_name or None,
        unit_code=unit,
        now=by.now,
        actor=by.actor,
    )
    return user, password


def _check_unit(by: Acting, role: Role, unit: str | None) -> None:
    if role is Role.OFFICER and unit is None:
        raise InvalidInput("unit", "an officer account belongs to a unit")
    if unit is not None and repository.unit_path(by.session, unit, scope=by.scope_path) is None:
        raise InvalidInput("unit", f"unknown unit {unit}")


def change_user(
    by: Acting,
    username: str,
    *,
    role: Role | None = None,
    jurisdiction: str | None = None,
    unit: str | None = None,
    display_name: str | None = None,
) -> User:
    """Another role, home, unit or name. A change of role, home or unit ends the account's
    sessions and tokens' live streams at once (they carry the old scope), journaled."""
    user = get_user(by, username)
    if by.username is not None and user.username == by.username and role not in (None, user.role):
        raise Conflict("an administrator cannot change their own role")
    new_role = role or user.role
    new_home = jurisdiction or user.jurisdiction_code
    if (
        jurisdiction is not None
        and repository.home_path(by.session, jurisdiction, scope=by.scope_path) is None
    ):
        raise InvalidInput("jurisdiction", f"unknown jurisdiction {jurisdiction}")
    new_unit = unit if new_role is Role.OFFICER else None
    if new_role is Role.OFFICER and new_unit is None:
        new_unit = user.unit_code
    _check_unit(by, new_role, new_unit)
    before = {
        "role": user.role.value,
        "jurisdiction": user.jurisdiction_code,
        "unit": user.unit_code,
        "display_name": user.display_name,
    }
    after = {
        "role": new_role.value,
        "jurisdiction": new_home,
        "unit": new_unit,
        "display_name": display_name or user.display_name,
    }
    if before == after:
        return user
    user.role, user.jurisdiction_code, user.unit_code = new_role, new_home, new_unit
    user.display_name = after["display_name"] or user.display_name
    ended = 0
    if {k: v for k, v in before.items() if k != "display_name"} != {
        k: v for k, v in after.items() if k != "display_name"
    }:
        announce(by.session, user.id)
        ended = end_sessions_of(by.session, user.id, now=by.now)
    changed = {k: after[k] for k in after if after[k] != before[k]}
    _journal(by, user, "user.changed", {**changed, "sessions_ended": ended})
    return user
