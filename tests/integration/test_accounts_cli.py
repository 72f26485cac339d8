"""`cad110 user …` and `cad110 token …`: the administrator's command line, journaled."""

from __future__ import annotations

import json

from sqlalchemy import select
from typer.testing import CliRunner

from cad110.auth.passwords import verify_password
from cad110.auth.tokens import digest
from cad110.cli import app as cli
from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.models.event import Event
from cad110.models.user import ApiToken, LoginThrottle, User
from tests.world import START


def run(runner: CliRunner, *args: str, code: int = 0) -> str:
    # Wide enough that rich's tables keep every name on one line.
    result = runner.invoke(cli, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == code, result.output
    return result.output


def user_events(runtime: Runtime, username: str) -> list[tuple[str, str, dict[str, object]]]:
    with runtime.sessions() as session:
        rows = session.execute(
            select(Event.kind, Event.actor, Event.payload)
            .where(Event.subject_type == "user", Event.subject_id == username)
            .order_by(Event.seq)
        ).all()
    return [(kind, actor, json.loads(payload)) for kind, actor, payload in rows]


def test_the_command_line_disables_enables_and_resets_accounts(
    runtime: Runtime, command_line: CliRunner
) -> None:
    listed = run(command_line, "user", "list", "--jurisdiction", "350121")
    assert "minhou_dispatcher" in listed
    assert "gulou_leader" not in listed

    disabled = run(command_line, "user", "disable", "dispatcher", "--reason", "调岗")
    assert "0 console session(s) ended, 1 token(s) revoked" in disabled
    assert "already disabled" in run(command_line, "user", "disable", "dispatcher", code=1)
    assert "disabled" in run(command_line, "user", "list")
    run(command_line, "user", "enable", "dispatcher")

    password = run(command_line, "user", "reset-password", "dispatcher").strip().splitlines()[-1]
    with runtime.sessions() as session:
        user = session.scalars(select(User).where(User.username == "dispatcher")).one()
        assert user.active
        assert verify_password(user.password_hash, password)

    kinds = [(kind, actor.split(":")[0]) for kind, actor, _p in user_events(runtime, "dispatcher")]
    assert kinds == [
        ("user.created", "test"),
        ("user.disabled", "cli"),
        ("user.enabled", "cli"),
        ("user.password_reset", "cli"),
    ]
    assert user_events(runtime, "dispatcher")[1][2]["reason"] == "调岗"
    assert password not in json.dumps(user_events(runtime, "dispatcher"))
    assert "not found" in run(command_line, "user", "enable", "nobody", code=1)


def test_the_command_line_unlocks_an_account(runtime: Runtime, command_line: CliRunner) -> None:
    with transaction(runtime.sessions) as session:
        session.add(
            LoginThrottle(
                key="account:calltaker", failures=10, last_failure_at=START, locked_at=START
            )
        )
    assert "locked" in run(command_line, "user", "list")
    run(command_line, "user", "unlock", "calltaker")
    assert "not locked" in run(command_line, "user", "unlock", "calltaker", code=1)
    assert user_events(runtime, "calltaker")[-1][0] == "user.unlocked"


def test_the_command_line_creates_lists_and_revokes_tokens(
    runtime: Runtime, command_line: CliRunner
) -> None:
    token = run(command_line, "token", "create", "leader", "--label", "值班大屏").strip()
    with runtime.sessions() as session:
        row = session.scalars(select(ApiToken).where(ApiToken.token_hash == digest(token))).one()
    listed = run(command_line, "token", "list", "--user", "leader")
    assert "值班大屏" in listed
    assert token not in listed
    assert "active" in listed

    run(command_line, "token", "revoke", str(row.id))
    assert "revoked" in run(command_line, "token", "list", "--user", "leader")
    assert "already revoked" in run(command_line, "token", "revoke", str(row.id), code=1)
    assert "not found" in run(command_line, "token", "revoke", "424242", code=1)
    assert run(command_line, "token", "revoke", "0", code=2)
    kinds = [kind for kind, _a, _p in user_events(runtime, "leader")]
    assert kinds == ["user.created", "token.issued", "token.revoked"]
