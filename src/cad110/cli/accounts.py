"""User accounts and API tokens: `cad110 user …` and `cad110 token …`.

The command line administers the whole tree. Every change is journaled on the user's chain
with the operating-system account that ran it, and a revocation reaches running servers
(PostgreSQL: at once through NOTIFY; SQLite: within half a second).
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.table import Table

from cad110.cli.common import console, err, sessions, token_app, user_app
from cad110.clock import SystemClock
from cad110.db.engine import transaction
from cad110.settings import get_settings

if TYPE_CHECKING:
    from cad110.accounts.admin import Acting

T = TypeVar("T")


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"[:64]
    except (KeyError, OSError):  # no name for this uid (a bare container)
        return "cli"


@contextmanager
def _acting() -> Iterator[Acting]:
    """One unit of work over the whole tree; a refused change prints why and exits 1."""
    from cad110.accounts.admin import Acting
    from cad110.errors import DomainError

    try:
        with transaction(sessions()) as session:
            yield Acting(session=session, scope_path="", actor=_actor(), now=SystemClock().now())
    except DomainError as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None


def _run(work: Callable[[Acting], T]) -> T:
    with _acting() as by:
        return work(by)


def _table(*columns: str) -> Table:
    # On a narrow terminal a name wraps rather than losing its end to an ellipsis.
    table = Table()
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _local(at: datetime | None) -> str:
    if at is None:
        return ""
    return at.astimezone(get_settings().tz).strftime("%Y-%m-%d %H:%M")


@user_app.command("add")
def user_add(
    username: str,
    role: Annotated[
        str, typer.Option(help="calltaker, dispatcher, officer, leader, analyst, admin or auditor")
    ],
    jurisdiction: Annotated[str, typer.Option(help="Home jurisdiction code, e.g. 350100")],
    unit: Annotated[str | None, typer.Option(help="Unit code (officers)")] = None,
    name: Annotated[str | None, typer.Option(help="Display name")] = None,
) -> None:
    """Create a user; the password is asked for (or read from CAD110_NEW_PASSWORD)."""
    from cad110.accounts.service import add_user
    from cad110.models.user import Role

    try:
        role_value = Role(role)
    except ValueError:
        err.print(f"[red]unknown role {role}[/red]")
        raise typer.Exit(2) from None
    password = os.environ.get("CAD110_NEW_PASSWORD") or getpass.getpass("password: ")
    _run(
        lambda by: add_user(
            by.session,
            username=username,
            password=password,
            role=role_value,
            jurisdiction_code=jurisdiction,
            unit_code=unit,
            display_name=name,
            now=by.now,
            actor=by.actor,
        )
    )
    console.print(f"[green]user {username} created[/green]")


@user_app.command("list")
def user_list(
    jurisdiction: Annotated[
        str | None, typer.Option(help="Only accounts at or below this jurisdiction")
    ] = None,
) -> None:
    """Accounts, with whether each is enabled and whether it is locked out."""
    from cad110.accounts.admin import list_users

    rows = _run(lambda by: list_users(by, jurisdiction=jurisdiction))
    table = _table("username", "name", "role", "jurisdiction", "unit", "state", "password changed")
    for r in rows:
        state = ("enabled" if r.active else "[red]disabled[/red]") + (
            " [yellow]locked[/yellow]" if r.locked else ""
        )
        table.add_row(
            r.username,
            r.display_name,
            r.role.value,
            r.jurisdiction,
            r.unit or "",
            state,
            _local(r.password_changed_at),
        )
    console.print(table)


@user_app.command("disable")
def user_disable(
    username: str,
    reason: Annotated[str, typer.Option(help="Why (kept in the journal)")] = "",
) -> None:
    """Disable an account: its console sessions, tokens and open live streams end now."""
    from cad110.accounts.admin import disable_user

    done = _run(lambda by: disable_user(by, username, reason=reason[:200]))
    console.print(
        f"[green]user {username} disabled[/green]: {done.sessions_ended} console session(s) "
        f"ended, {done.tokens_revoked} token(s) revoked"
    )


@user_app.command("enable")
def user_enable(username: str) -> None:
    """Let a disabled account log in again (its old tokens stay revoked)."""
    from cad110.accounts.admin import enable_user

    _run(lambda by: enable_user(by, username))
    console.print(f"[green]user {username} enabled[/green]")


@user_app.command("reset-password")
def user_reset_password(username: str) -> None:
    """Give the account a new generated password, printed once; its console sessions end."""
    from cad110.accounts.admin import reset_password

    settings = get_settings()
    password = _run(lambda by: reset_password(by, username, settings=settings))
    err.print(f"new password for {username} (shown once):")
    print(password)


@user_app.command("unlock")
def user_unlock(username: str) -> None:
    """Lift the lockout that too many failed logins put on the account."""
    from cad110.accounts.admin import unlock_user

    _run(lambda by: unlock_user(by, username))
    console.print(f"[green]user {username} unlocked[/green]")


@token_app.command("create")
def token_create(
    username: str,
    days: Annotated[
        int | None, typer.Option(min=1, max=3650, help="Valid for this many days")
    ] = None,
    label: Annotated[str, typer.Option(help="What the token is for")] = "",
) -> None:
    """Print a new bearer token for USERNAME (shown once)."""
    from cad110.accounts.admin import issue

    ttl = timedelta(days=days or get_settings().token_ttl_days)
    _row, token = _run(lambda by: issue(by, username, ttl=ttl, label=label[:64]))
    print(token)


@token_app.command("list")
def token_list(
    user: Annotated[str | None, typer.Option(help="Only this user's tokens")] = None,
) -> None:
    """Tokens (never the secret): id, user, label, created, expires, state."""
    from cad110.accounts.admin import list_tokens

    rows = _run(lambda by: list_tokens(by, username=user))
    table = _table("id", "user", "label", "created", "expires", "state")
    colour = {"active": "green", "revoked": "red", "expired": "yellow"}
    for r in rows:
        table.add_row(
            str(r.id),
            r.user,
            r.label,
            _local(r.created_at),
            _local(r.expires_at),
            f"[{colour[r.state]}]{r.state}[/{colour[r.state]}]"
            + (f" {_local(r.revoked_at)}" if r.revoked_at else ""),
        )
    console.print(table)


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[int, typer.Argument(min=1, max=2**31 - 1, help="The token's id")],
) -> None:
    """Revoke a token: its next request is refused and its open live streams end."""
    from cad110.accounts.admin import revoke

    row = _run(lambda by: revoke(by, token_id))
    console.print(f"[green]token {row.id} of {row.user} revoked[/green]")
