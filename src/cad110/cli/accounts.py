"""User accounts and API tokens."""

from __future__ import annotations

import getpass
from datetime import timedelta
from typing import Annotated

import typer
from sqlalchemy import select

from cad110.cli.common import console, err, sessions, token_app, user_app
from cad110.clock import SystemClock
from cad110.db.engine import transaction
from cad110.settings import get_settings


@user_app.command("add")
def user_add(
    username: str,
    role: Annotated[
        str, typer.Option(help="calltaker, dispatcher, officer, leader, analyst or admin")
    ],
    jurisdiction: Annotated[str, typer.Option(help="Home jurisdiction code, e.g. 350100")],
    unit: Annotated[str | None, typer.Option(help="Unit code (officers)")] = None,
    name: Annotated[str | None, typer.Option(help="Display name")] = None,
) -> None:
    """Create a user; the password is asked for (or read from CAD110_NEW_PASSWORD)."""
    import os

    from cad110.auth.service import add_user
    from cad110.errors import DomainError
    from cad110.models.user import Role

    try:
        role_value = Role(role)
    except ValueError:
        err.print(f"[red]unknown role {role}[/red]")
        raise typer.Exit(2) from None
    password = os.environ.get("CAD110_NEW_PASSWORD") or getpass.getpass("password: ")
    try:
        with transaction(sessions()) as session:
            add_user(
                session,
                username=username,
                password=password,
                role=role_value,
                jurisdiction_code=jurisdiction,
                unit_code=unit,
                display_name=name,
                now=SystemClock().now(),
                actor="cli",
            )
    except DomainError as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None
    console.print(f"[green]user {username} created[/green]")


@token_app.command("create")
def token_create(
    username: str,
    days: Annotated[int | None, typer.Option(help="Valid for this many days")] = None,
    label: Annotated[str, typer.Option(help="What the token is for")] = "",
) -> None:
    """Print a new bearer token for USERNAME (shown once)."""
    from cad110.auth.tokens import issue_token
    from cad110.models.user import User

    settings = get_settings()
    with transaction(sessions()) as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None or not user.active:
            err.print(f"[red]no active user {username}[/red]")
            raise typer.Exit(1)
        token = issue_token(
            session,
            user=user,
            now=SystemClock().now(),
            ttl=timedelta(days=days or settings.token_ttl_days),
            label=label,
        )
    print(token)
