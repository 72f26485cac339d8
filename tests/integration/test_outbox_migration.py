"""Revision 0006 moves the missing-person outbox into the general one, and back, keeping every
message: its id, its state and what it is about."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import command
from sqlalchemy import select

from cad110.clock import VirtualClock
from cad110.db.base import UTCDateTime
from cad110.db.engine import make_engine, make_sessionmaker, transaction
from cad110.db.migrate import alembic_config, upgrade
from cad110.kernel.outbox import deliver
from cad110.kernel.runtime import Runtime
from cad110.models.missing import Appeal, MissingCase
from cad110.models.outbox import OutboxMessage
from cad110.models.subjects import SubjectType
from tests.api.helpers import ok
from tests.conftest import Api
from tests.integration.missing_steps import FakeChannel, open_case, person

# missing_outbox as revision 0004 made it, to read it after a downgrade.
OLD = sa.table(
    "missing_outbox",
    sa.column("id", sa.Integer),
    sa.column("case_id", sa.Integer),
    sa.column("appeal_id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("channel", sa.String),
    sa.column("payload", sa.JSON),
    sa.column("created_at", UTCDateTime()),
    sa.column("attempts", sa.Integer),
    sa.column("next_at", UTCDateTime()),
    sa.column("sent_at", UTCDateTime()),
    sa.column("error", sa.Text),
)
STATE = ("payload", "created_at", "attempts", "next_at", "sent_at", "error")


def _messages(url: str) -> list[dict[str, Any]]:
    engine = make_engine(url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
            return [
                {c.key: getattr(m, c.key) for c in OutboxMessage.__table__.columns} for m in rows
            ]
    finally:
        engine.dispose()


def _old_messages(url: str) -> list[dict[str, Any]]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(OLD).order_by(OLD.c.id)).mappings()
            return [dict(r) for r in rows]
    finally:
        engine.dispose()


def _ids(runtime: Runtime, number: str) -> tuple[int, dict[str, int]]:
    with transaction(runtime.sessions) as session:
        case = session.scalars(select(MissingCase).where(MissingCase.number == number)).one()
        appeals = session.scalars(select(Appeal).where(Appeal.case_id == case.id))
        return case.id, {a.channel: a.id for a in appeals}


def _a_case_with_messages_in_every_state(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> tuple[str, list[dict[str, Any]]]:
    """Appeals to two channels (one taken, one with no adapter), then the case closed: the
    appeals withdrawn, the informant's SMS refused once by the gateway."""
    wechat, sms = FakeChannel(), FakeChannel()
    runtime.outbox_channels = {"wechat_groups": wechat}
    number = open_case(api, clock, category="missing_person", who=person("林海", "male", 40))[
        "number"
    ]
    channels = {"channels": ["wechat_groups", "weibo"]}
    ok(api.post(f"/missing/{number}/appeals", "dispatcher", json=channels))
    assert deliver(runtime.sessions, runtime.outbox_channels, clock.now()) == (1, 0)
    closing = {"outcome": "found_safe", "note": "已找到"}
    ok(api.post(f"/missing/{number}/close", "dispatcher", json=closing))
    sms.failing = True
    runtime.outbox_channels = {"wechat_groups": wechat, "sms": sms}
    assert deliver(runtime.sessions, runtime.outbox_channels, clock.now()) == (1, 1)
    url = runtime.engine.url.render_as_string(hide_password=False)
    messages = _messages(url)
    assert [(m["kind"], m["channel"], m["sent_at"] is not None) for m in messages] == [
        ("appeal_publish", "wechat_groups", True),
        ("appeal_publish", "weibo", False),
        ("appeal_withdraw", "wechat_groups", True),
        ("appeal_withdraw", "weibo", False),
        ("inform", "sms", False),
    ]
    assert messages[-1]["error"] == "gateway down"
    return number, messages


def test_messages_go_down_to_the_missing_outbox_and_up_again_unchanged(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    number, before = _a_case_with_messages_in_every_state(api, runtime, clock)
    case_id, appeals = _ids(runtime, number)
    url = runtime.engine.url.render_as_string(hide_password=False)
    runtime.engine.dispose()

    command.downgrade(alembic_config(url), "0005")
    old = _old_messages(url)
    assert [m["id"] for m in old] == [m["id"] for m in before]
    assert {m["case_id"] for m in old} == {case_id}
    assert [(m["kind"], m["channel"], m["appeal_id"]) for m in old] == [
        ("appeal_publish", "wechat_groups", appeals["wechat_groups"]),
        ("appeal_publish", "weibo", appeals["weibo"]),
        ("appeal_withdraw", "wechat_groups", appeals["wechat_groups"]),
        ("appeal_withdraw", "weibo", appeals["weibo"]),
        ("inform", "sms", None),
    ]
    assert [{k: m[k] for k in STATE} for m in old] == [{k: m[k] for k in STATE} for m in before]

    upgrade(url)
    after = _messages(url)
    assert after == before
    assert {(m["subject_type"], m["subject_id"]) for m in after} == {
        (SubjectType.MISSING_CASE, number)
    }
    assert [m["ref"] for m in after] == [
        f"appeal:{appeals['wechat_groups']}",
        f"appeal:{appeals['weibo']}",
        f"appeal:{appeals['wechat_groups']}",
        f"appeal:{appeals['weibo']}",
        None,
    ]


def test_ids_go_on_after_the_copied_messages(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    """PostgreSQL's sequences start again with a new table: each side of the migration must
    carry on after the messages it copied, or the next message would take a used id."""
    number, before = _a_case_with_messages_in_every_state(api, runtime, clock)
    case_id, _ = _ids(runtime, number)
    url = runtime.engine.url.render_as_string(hide_password=False)
    runtime.engine.dispose()
    last = before[-1]["id"]
    fields = {k: before[-1][k] for k in ("kind", "channel", *STATE)}

    command.downgrade(alembic_config(url), "0005")
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            added = connection.execute(
                sa.insert(OLD).values(case_id=case_id, **fields).returning(OLD.c.id)
            ).scalar_one()
    finally:
        engine.dispose()
    assert added == last + 1

    upgrade(url)
    engine = make_engine(url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            message = OutboxMessage(
                subject_type=SubjectType.MISSING_CASE, subject_id=number, **fields
            )
            session.add(message)
            session.flush()
            assert message.id == added + 1
    finally:
        engine.dispose()
