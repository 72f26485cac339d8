"""The event log cannot be rewritten quietly: the database refuses, and the audit catches."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from typer.testing import CliRunner

from cad110.cli import app as cli
from cad110.events.audit import verify
from cad110.runtime import Runtime
from cad110.settings import get_settings
from tests.api.helpers import new_incident, walk_to_arrival
from tests.conftest import Api


def _drop_guards(runtime: Runtime) -> None:
    """What an intruder with database rights would do first."""
    with runtime.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP TRIGGER events_no_update_delete ON events"))
        else:
            conn.execute(text("DROP TRIGGER events_no_update"))
            conn.execute(text("DROP TRIGGER events_no_delete"))


def test_database_refuses_to_update_or_delete_events(api: Api, runtime: Runtime) -> None:
    new_incident(api)
    for statement in ("UPDATE events SET actor = 'x'", "DELETE FROM events"):
        with pytest.raises(DatabaseError, match="append-only"), runtime.engine.begin() as conn:
            conn.execute(text(statement))


def test_audit_passes_on_an_untouched_log(api: Api, runtime: Runtime) -> None:
    walk_to_arrival(api, new_incident(api)["number"])
    with runtime.sessions() as session:
        result = verify(session)
    assert result.ok
    # 13 users + 1 call + incident events (received, accept, dispatch, acknowledge, depart,
    # arrive) + the unit's status changes (dispatched, en route, on scene)
    assert result.events == 13 + 1 + 6 + 3


def test_audit_names_the_altered_event(api: Api, runtime: Runtime) -> None:
    number = walk_to_arrival(api, new_incident(api)["number"])["number"]
    _drop_guards(runtime)
    with runtime.engine.begin() as conn:
        target = conn.execute(
            text("SELECT id FROM events WHERE subject_id = :n AND kind = 'dispatch'"), {"n": number}
        ).scalar_one()
        conn.execute(
            text(
                "UPDATE events SET payload = REPLACE(payload, '35010201-1', '35010201-2') WHERE id = :i"
            ),
            {"i": target},
        )
    with runtime.sessions() as session:
        result = verify(session)
    assert not result.ok
    assert result.first_break is not None
    assert result.first_break.event_id == target
    assert result.first_break.seq == 3
    assert "altered" in result.first_break.reason


def test_audit_catches_a_deleted_event_in_the_middle(api: Api, runtime: Runtime) -> None:
    number = walk_to_arrival(api, new_incident(api)["number"])["number"]
    _drop_guards(runtime)
    with runtime.engine.begin() as conn:
        conn.execute(text("DELETE FROM events WHERE subject_id = :n AND seq = 2"), {"n": number})
    with runtime.sessions() as session:
        result = verify(session)
    assert result.first_break is not None
    assert result.first_break.subject_id == number
    assert "gap" in result.first_break.reason


def test_cli_audit_verify_exits_non_zero_naming_the_event(
    api: Api, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = new_incident(api)["number"]
    monkeypatch.setenv(
        "CAD110_DATABASE_URL", str(runtime.engine.url.render_as_string(hide_password=False))
    )
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        good = runner.invoke(cli, ["audit", "verify"])
        assert good.exit_code == 0, good.output
        assert "none altered" in good.output
        _drop_guards(runtime)
        with runtime.engine.begin() as conn:
            conn.execute(
                text("UPDATE events SET actor = 'mallory' WHERE subject_id = :n"), {"n": number}
            )
        bad = runner.invoke(cli, ["audit", "verify"])
        assert bad.exit_code == 1
        assert number in bad.output
    finally:
        get_settings.cache_clear()
