"""The event log cannot be rewritten quietly: the database refuses, and the audit catches."""

from __future__ import annotations

import base64
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError
from typer.testing import CliRunner

from cad110.audit.verify import verify
from cad110.cli import app as cli
from cad110.clock import VirtualClock
from cad110.events.checkpoint import CheckpointTimer
from cad110.events.keys import KeyFileError, load_ring, parse_ring, use_ring
from cad110.events.log import append, chain_head
from cad110.kernel.runtime import Runtime
from cad110.kernel.ticks import run_jobs
from cad110.models.audit import EventHead
from cad110.models.event import Event
from cad110.runtime import build_runtime
from cad110.settings import Settings
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


def _checkpoints(runtime: Runtime) -> list[dict[str, object]]:
    path = Path(runtime.settings.audit_checkpoint_path)
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_database_refuses_to_update_or_delete_events(api: Api, runtime: Runtime) -> None:
    new_incident(api)
    for statement in ("UPDATE events SET actor = 'x'", "DELETE FROM events"):
        with pytest.raises(DatabaseError, match="append-only"), runtime.engine.begin() as conn:
            conn.execute(text(statement))


def test_audit_passes_on_an_untouched_log(api: Api, runtime: Runtime) -> None:
    walk_to_arrival(api, new_incident(api)["number"])
    with runtime.sessions() as session:
        result = verify(session)
    assert result.ok, [str(p) for p in result.problems]
    # 13 users + 1 call + incident events (received, accept, dispatch, acknowledge, depart,
    # arrive) + the unit's status changes (dispatched, en route, on scene)
    assert result.events == 13 + 1 + 6 + 3
    assert (result.incidents, result.calls) == (1, 1)


def test_every_event_is_signed_with_the_audit_key_and_moves_its_head(
    api: Api, runtime: Runtime
) -> None:
    number = walk_to_arrival(api, new_incident(api)["number"])["number"]
    with runtime.sessions() as session:
        keys = set(session.scalars(select(Event.key_id)))
        last = session.scalars(
            select(Event).where(Event.subject_id == number).order_by(Event.seq.desc()).limit(1)
        ).one()
        head = session.get(EventHead, ("incident", number))
    assert keys == {runtime.audit_keys.current.id}
    assert head is not None
    assert (head.seq, head.hash, head.updated_at) == (last.seq, last.hash, last.occurred_at)


def test_a_rolled_back_savepoint_takes_its_events_off_the_head(runtime: Runtime) -> None:
    at = runtime.clock.now()
    with runtime.sessions() as session, session.begin():
        kept = append(session, subject_type="test", subject_id="s", kind="one", at=at, actor="t")
        savepoint = session.begin_nested()
        append(session, subject_type="test", subject_id="s", kind="two", at=at, actor="t")
        savepoint.rollback()
        assert chain_head(session, "test", "s").seq == 1
        again = append(session, subject_type="test", subject_id="s", kind="three", at=at, actor="t")
    with runtime.sessions() as session:
        head = session.get(EventHead, ("test", "s"))
        assert head is not None
        assert (head.seq, head.hash) == (2, again.hash)
        assert again.prev_hash == kept.hash
        assert verify(session).ok


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
    altered = [p for p in result.problems if p.check == "chain"]
    assert [(p.event_id, p.seq) for p in altered] == [(target, 3)]
    assert "altered" in altered[0].detail
    # The replay then meets an acknowledgement by a unit the edited dispatch never sent.
    assert any(p.check == "record" and p.seq == 4 for p in result.problems)


def test_audit_catches_a_deleted_event_in_the_middle(api: Api, runtime: Runtime) -> None:
    number = walk_to_arrival(api, new_incident(api)["number"])["number"]
    _drop_guards(runtime)
    with runtime.engine.begin() as conn:
        conn.execute(text("DELETE FROM events WHERE subject_id = :n AND seq = 2"), {"n": number})
    with runtime.sessions() as session:
        result = verify(session)
    gaps = [p for p in result.problems if p.subject_id == number and "gap" in p.detail]
    assert [(p.seq, p.detail) for p in gaps] == [(3, "sequence gap: #2 missing before it")]


def test_the_server_tick_writes_checkpoints_of_the_heads_that_moved(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    first = new_incident(api)["number"]
    run_jobs(runtime)  # every job at each pass: the checkpoint's own timer decides
    [opening] = _checkpoints(runtime)
    assert ["incident", first] in [h[:2] for h in opening["heads"]]  # type: ignore[union-attr]
    run_jobs(runtime)
    assert len(_checkpoints(runtime)) == 1  # not due yet
    second = new_incident(api)["number"]
    clock.advance(timedelta(seconds=runtime.settings.audit_checkpoint_s))
    run_jobs(runtime)
    later = _checkpoints(runtime)[1]
    subjects = [h[:2] for h in later["heads"]]  # type: ignore[union-attr]
    assert ["incident", second] in subjects
    assert ["incident", first] not in subjects
    assert later["prev"] == opening["mac"]
    with runtime.readers() as session:
        result = verify(session, checkpoints=runtime.settings.audit_checkpoint_path)
    assert result.ok
    assert result.checkpoints == 2


def test_a_second_worker_leaves_a_fresh_checkpoint_alone(api: Api, runtime: Runtime) -> None:
    new_incident(api)
    every = timedelta(seconds=runtime.settings.audit_checkpoint_s)
    path = runtime.settings.audit_checkpoint_path
    one, two = (
        CheckpointTimer(runtime.readers, path, every),
        CheckpointTimer(runtime.readers, path, every),
    )
    assert one.tick(runtime.clock.now()) is not None
    assert two.tick(runtime.clock.now()) is None
    assert len(_checkpoints(runtime)) == 1


def test_cli_audit_verify_exits_non_zero_listing_every_problem(
    api: Api, runtime: Runtime, command_line: CliRunner
) -> None:
    number = new_incident(api)["number"]
    good = command_line.invoke(cli, ["audit", "verify"])
    assert good.exit_code == 0, good.output
    assert "nothing altered, nothing missing" in good.output
    _drop_guards(runtime)
    with runtime.engine.begin() as conn:
        conn.execute(
            text("UPDATE events SET actor = 'mallory' WHERE subject_id = :n"), {"n": number}
        )
    bad = command_line.invoke(cli, ["audit", "verify"])
    assert bad.exit_code == 1
    assert f"[chain] incident {number} #1" in bad.output
    assert f"[record] incident {number}: created_by differs" in bad.output
    assert "BROKEN: 2 problem(s)" in bad.output


def test_cli_checkpoint_then_verify_checks_the_database_against_it(
    api: Api, runtime: Runtime, command_line: CliRunner
) -> None:
    new_incident(api)
    written = command_line.invoke(cli, ["audit", "checkpoint"])
    assert written.exit_code == 0, written.output
    assert "checkpoint #1" in written.output
    verified = command_line.invoke(cli, ["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    assert "1 checkpoint line(s) checked" in verified.output


def test_a_rotated_key_signs_new_events_and_the_old_key_still_verifies(
    api: Api, runtime: Runtime, command_line: CliRunner
) -> None:
    before = new_incident(api)["number"]
    rotated = command_line.invoke(cli, ["audit", "rotate-key"])
    assert rotated.exit_code == 0, rotated.output
    assert "new audit key k2" in rotated.output
    restarted = build_runtime(Settings(database_url=str(runtime.settings.database_url)))
    try:
        assert restarted.audit_keys.current.id == "k2"
        after = new_incident(api)["number"]
        with runtime.sessions() as session:
            signers = {
                row.subject_id: row.key_id
                for row in session.execute(
                    select(Event.subject_id, Event.key_id).where(
                        Event.subject_type == "incident", Event.seq == 1
                    )
                )
            }
            assert signers == {before: "k1", after: "k2"}
            assert verify(session, ring=restarted.audit_keys).ok
            # Without the newer key, what it signed cannot be proven.
            result = verify(session, ring=load_ring(_only_first_key(runtime)))
        assert {p.subject_id for p in result.problems} >= {after}
        assert all("not in the key file" in p.detail for p in result.problems)
    finally:
        restarted.engine.dispose()
        use_ring(runtime.audit_keys)


def _only_first_key(runtime: Runtime) -> Path:
    source = Path(runtime.settings.audit_key_file)
    first = source.with_name("first.keys")
    first.write_text(source.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    first.chmod(0o600)
    return first


def test_a_missing_key_file_is_created_private_with_one_random_key(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "audit.keys"
    ring = load_ring(path)
    assert [k.id for k in ring.keys] == ["k1"]
    assert len(ring.current.secret) == 32
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_ring(path) == ring
    assert load_ring(tmp_path / "other.keys").current.secret != ring.current.secret


SECRET = base64.b64encode(b"s" * 32).decode()


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("k1\n", "line 1: expected key_id:base64secret"),
        ("k1:%%%\n", "line 1: the secret is not base64"),
        (f"k1:{base64.b64encode(b'short').decode()}\n", "line 1: the secret is shorter than 16"),
        (f"k1:{SECRET}\n\nk1:{SECRET}\n", "line 3: key id 'k1' is used twice"),
        ("# keys moved to the vault\n", "holds no key"),
    ],
)
def test_a_malformed_key_file_is_refused_naming_the_line(text: str, says: str) -> None:
    with pytest.raises(KeyFileError, match=re.escape(says)):
        parse_ring(text.splitlines(), "audit.keys")


def test_cli_audit_refuses_an_unusable_key_file_with_a_clear_message(
    runtime: Runtime, command_line: CliRunner
) -> None:
    Path(runtime.settings.audit_key_file).write_text("k1:%%%\n", encoding="utf-8")
    result = command_line.invoke(cli, ["audit", "verify"])
    assert result.exit_code == 2
    assert "audit key file unusable" in result.output
    assert "line 1: the secret is not base64" in result.output
