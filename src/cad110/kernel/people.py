"""People by name: what every screen and answer shows of an account."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from cad110.models.user import User


def display_names(session: Session, usernames: Iterable[str | None]) -> dict[str, str]:
    """Each account's display name by username (its username where it has none), in one
    query; a username with no account (the system, an outside system) is left out, so a
    caller shows what it has (`.get(u, u)`)."""
    wanted = sorted({u for u in usernames if u})
    if not wanted:
        return {}
    rows = session.execute(
        select(User.username, User.display_name).where(User.username.in_(wanted))
    )
    return {username: name or username for username, name in rows}
