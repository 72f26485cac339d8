"""Someone with the database's rights rewrites the record; `audit verify` still finds it.

Each test acts as the database administrator would: append-only triggers off, foreign keys
off, rows edited with every hash recomputed that can be recomputed without the audit key.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, delete, select, update

from cad110.audit.verify import AuditResult, verify
from cad110.events.checkpoint import decode, encode, line_mac, write_checkpoint
from cad110.events.keys import AuditKey
from cad110.events.log import GENESIS, canonical_json, event_hash
from cad110.kernel.runtime import Runtime
from cad110.models.audit import EventHead
from cad110.models.call import Call
from cad110.models.event import Event
from cad110.models.incident import Incident
from tests.api.helpers import new_incident, walk_to_arrival
from tests.conftest import Api


@contextmanager
def as_dba(runtime: Runtime) -> Iterator[Connection]:
    """A connection with the database's guards off, as its administrator can have one."""
    with runtime.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            # Neither triggers (append-only) nor foreign keys fire for this session.
            conn.exec_driver_sql("SET session_replication_role = replica")
        else:
            # Before any transaction begins: SQLite ignores this pragma inside one.
            conn.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS events_no_update")
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS events_no_delete")
        yield conn
        conn.commit()
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET session_replication_role = origin")
            conn.commit()
        else:
            conn.connection.driver_connection.execute("PRAGMA foreign_keys = ON")  # type: ignore[union-attr]


def checkpoint(runtime: Runtime) -> None:
    with runtime.readers() as session:
        write_checkpoint(session, runtime.settings.audit_checkpoint_path, now=runtime.clock.now())


def audit(runtime: Runtime) -> AuditResult:
    with runtime.readers() as session:
        return verify(session, checkpoints=runtime.settings.audit_checkpoint_path)


def chain_of(conn: Connection, subject_type: str, subject_id: str) -> list[Any]:
    return list(
        conn.execute(
            select(Event)
            .where(Event.subject_type == subject_type, Event.subject_id == subject_id)
            .order_by(Event.seq)
        )
    )


def rehash(
    conn: Connection,
    number: str,
    *,
    edit: Callable[[dict[str, Any]], dict[str, Any]],
    key: AuditKey | None,
    key_id: str,
) -> int:
    """Edit the incident's first event, then recompute every hash of its chain and its head."""
    prev = GENESIS
    rows = chain_of(conn, "incident", number)
    for row in rows:
        payload = canonical_json(edit(json.loads(row.payload))) if row.seq == 1 else row.payload
        digest = event_hash(
            prev_hash=prev,
            subject_type=row.subject_type,
            subject_id=row.subject_id,
            seq=row.seq,
            kind=row.kind,
            occurred_at=row.occurred_at,
            actor=row.actor,
            payload=payload,
            key=key,
        )
        conn.execute(
            update(Event)
            .where(Event.id == row.id)
            .values(payload=payload, prev_hash=prev, hash=digest, key_id=key_id)
        )
        prev = digest
    conn.execute(
        update(EventHead)
        .where(EventHead.subject_type == "incident", EventHead.subject_id == number)
        .values(hash=prev)
    )
    return len(rows)


def problems_of(result: AuditResult, subject_id: str, check: str) -> list[Any]:
    return [p for p in result.problems if p.subject_id == subject_id and p.check == check]


def other_phone(payload: dict[str, Any]) -> dict[str, Any]:
    return {**payload, "caller_phone": "13999999999"}


@pytest.mark.parametrize(
    ("key", "key_id", "says"),
    [
        (None, "k1", "content does not match its hash"),
        (None, "", "hashed without a key although it was written after audit keys came in"),
        (AuditKey("k1", secrets.token_bytes(32)), "k1", "content does not match its hash"),
    ],
    ids=["plain-sha256", "plain-sha256-unkeyed", "guessed-key"],
)
def test_an_event_edited_and_its_chain_rehashed_without_the_key_is_caught(
    api: Api, runtime: Runtime, key: AuditKey | None, key_id: str, says: str
) -> None:
    number = walk_to_arrival(api, new_incident(api)["number"])["number"]
    with as_dba(runtime) as conn:
        length = rehash(conn, number, edit=other_phone, key=key, key_id=key_id)
        # The row is made to agree with the rewritten event, so only the hashes can tell.
        conn.execute(
            update(Incident).where(Incident.number == number).values(caller_phone="13999999999")
        )
    result = audit(runtime)
    chain = problems_of(result, number, "chain")
    assert {p.seq for p in chain} == set(range(1, length + 1))
    assert all(says in p.detail for p in chain)
    assert problems_of(result, number, "record") == []


def test_the_last_event_deleted_is_caught_by_its_head_and_the_row(
    api: Api, runtime: Runtime
) -> None:
    number = walk_to_arrival(api, new_incident(api)["number"])["number"]
    with as_dba(runtime) as conn:
        last = chain_of(conn, "incident", number)[-1]
        assert last.kind == "arrive"
        conn.execute(delete(Event).where(Event.id == last.id))
    result = audit(runtime)
    [head] = problems_of(result, number, "head")
    assert head.seq == last.seq
    assert "not in the log" in head.detail
    assert {p.field for p in problems_of(result, number, "record")} == {"status", "arrived_at"}


def test_the_last_event_deleted_with_its_head_rewound_is_caught_by_the_checkpoint(
    api: Api, runtime: Runtime
) -> None:
    number = new_incident(api)["number"]
    attached = api.post(
        f"/incidents/{number}/calls", "calltaker", json={"caller_phone": "13700000000"}
    )
    assert attached.status_code == 201, attached.text
    checkpoint(runtime)
    with as_dba(runtime) as conn:
        *kept, last = chain_of(conn, "incident", number)
        assert last.kind == "call_attached"
        conn.execute(delete(Event).where(Event.id == last.id))
        conn.execute(
            update(EventHead)
            .where(EventHead.subject_type == "incident", EventHead.subject_id == number)
            .values(seq=kept[-1].seq, hash=kept[-1].hash)
        )
    result = audit(runtime)
    [found] = result.problems
    assert (found.check, found.subject_id, found.seq) == ("checkpoint", number, last.seq)
    assert "no event" in found.detail


def test_every_event_of_an_incident_deleted_is_caught(api: Api, runtime: Runtime) -> None:
    number = walk_to_arrival(api, new_incident(api)["number"])["number"]
    checkpoint(runtime)
    with as_dba(runtime) as conn:
        conn.execute(
            delete(Event).where(Event.subject_type == "incident", Event.subject_id == number)
        )
    result = audit(runtime)
    [record] = problems_of(result, number, "record")
    assert "no events" in record.detail
    assert problems_of(result, number, "head")
    assert problems_of(result, number, "checkpoint")


def test_an_incident_erased_with_its_calls_events_and_heads_is_caught_by_the_checkpoint(
    api: Api, runtime: Runtime
) -> None:
    number = new_incident(api)["number"]
    checkpoint(runtime)
    with as_dba(runtime) as conn:
        incident_id = conn.scalar(select(Incident.id).where(Incident.number == number))
        calls = [
            str(c) for c in conn.scalars(select(Call.id).where(Call.incident_id == incident_id))
        ]
        subjects = [("incident", number)] + [("call", c) for c in calls]
        for subject_type, subject_id in subjects:
            conn.execute(
                delete(Event).where(
                    Event.subject_type == subject_type, Event.subject_id == subject_id
                )
            )
            conn.execute(
                delete(EventHead).where(
                    EventHead.subject_type == subject_type, EventHead.subject_id == subject_id
                )
            )
        conn.execute(delete(Call).where(Call.incident_id == incident_id))
        conn.execute(delete(Incident).where(Incident.id == incident_id))
    result = audit(runtime)
    assert calls
    assert {(p.check, p.subject_type, p.subject_id) for p in result.problems} == {
        ("checkpoint", "incident", number),
        *(("checkpoint", "call", c) for c in calls),
    }


def test_an_edited_incident_row_is_reported_field_by_field(api: Api, runtime: Runtime) -> None:
    number = new_incident(api, accept=True, grade=1)["number"]
    with runtime.engine.begin() as conn:
        conn.execute(
            update(Incident)
            .where(Incident.number == number)
            .values(caller_phone="13900000000", grade=4, narrative="无事")
        )
    result = audit(runtime)
    found = {p.field: p.detail for p in problems_of(result, number, "record")}
    assert set(found) == {"caller_phone", "grade", "narrative"}
    assert found["caller_phone"] == 'caller_phone differs: row "13900000000", events "13800138000"'
    assert found["grade"] == "grade differs: row 4, events 1"
    assert found["narrative"] == 'narrative differs: row "无事", events "电动车被盗"'
    assert len(result.problems) == 3


def _two_checkpoints(api: Api, runtime: Runtime) -> Path:
    new_incident(api)
    checkpoint(runtime)
    new_incident(api)
    checkpoint(runtime)
    return Path(runtime.settings.audit_checkpoint_path)


def test_a_checkpoint_line_altered_is_caught(api: Api, runtime: Runtime) -> None:
    path = _two_checkpoints(api, runtime)
    first, second = path.read_text(encoding="utf-8").splitlines()
    line = json.loads(first)
    line["heads"] = [h for h in line["heads"] if h[0] != "incident"]
    path.write_text(canonical_json(line) + "\n" + second + "\n", encoding="utf-8")
    result = audit(runtime)
    assert [str(p) for p in result.problems] == [
        "[checkpoint] checkpoint audit-checkpoints.jsonl line 1: "
        "checkpoint #1 does not match its MAC (the line was altered)"
    ]


def test_a_checkpoint_line_removed_is_caught(api: Api, runtime: Runtime) -> None:
    path = _two_checkpoints(api, runtime)
    second = path.read_text(encoding="utf-8").splitlines()[1]
    path.write_text(second + "\n", encoding="utf-8")
    result = audit(runtime)
    assert {p.detail for p in result.problems} == {
        "checkpoint #2 where #1 was due",
        "checkpoint #2 does not follow the line before it",
    }


def test_a_checkpoint_forged_with_a_guessed_key_is_caught(api: Api, runtime: Runtime) -> None:
    path = _two_checkpoints(api, runtime)
    lines = path.read_text(encoding="utf-8").splitlines()
    emptied = replace(decode(lines[1]), heads=())
    forged = replace(emptied, mac=line_mac(emptied, AuditKey("k1", secrets.token_bytes(32))))
    path.write_text(lines[0] + "\n" + encode(forged), encoding="utf-8")
    result = audit(runtime)
    assert [p.detail for p in result.problems] == [
        "checkpoint #2 does not match its MAC (the line was altered)"
    ]
