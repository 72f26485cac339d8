"""fraud: anti-fraud warnings (反诈预警), their signals, ladder steps, freeze requests and the
platforms' events

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 03:34:45.833289
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cad110.db.base

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fraud_warnings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("fraud_type", sa.String(length=32), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=True),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.Column("address", sa.String(length=255), nullable=True),
        sa.Column("lon", sa.Double(), nullable=True),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("jurisdiction_code", sa.String(length=16), nullable=False),
        sa.Column("jurisdiction_path", sa.String(length=255), nullable=False),
        sa.Column("amount_at_risk_fen", sa.BigInteger(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column(
            "level",
            sa.Enum(
                "low",
                "medium",
                "high",
                "urgent",
                name="fraudlevel",
                native_enum=False,
                create_constraint=True,
                length=8,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "closed",
                name="warningstatus",
                native_enum=False,
                create_constraint=True,
                length=8,
            ),
            nullable=False,
        ),
        sa.Column("signals", sa.Integer(), nullable=False),
        sa.Column("next_step", sa.Integer(), nullable=False),
        sa.Column("next_step_at", cad110.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", cad110.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", cad110.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "dissuaded",
                "lost",
                "unreachable",
                "false_alarm",
                name="fraudoutcome",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=True,
        ),
        sa.Column("closed_at", cad110.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.Column("amount_protected_fen", sa.BigInteger(), nullable=True),
        sa.Column("amount_lost_fen", sa.BigInteger(), nullable=True),
        sa.Column("outcome_note", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_fraud_warnings_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdictions.code"],
            name=op.f("fk_fraud_warnings_jurisdiction_code_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fraud_warnings")),
    )
    with op.batch_alter_table("fraud_warnings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_fraud_warnings_next",
            ["next_step_at"],
            unique=False,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )
        batch_op.create_index(batch_op.f("ix_fraud_warnings_phone"), ["phone"], unique=False)
        batch_op.create_index(
            "ix_fraud_warnings_scope_created", ["jurisdiction_path", "created_at"], unique=False
        )

    op.create_table(
        "fraud_events",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("fraud_warning_id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", cad110.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_at", cad110.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["fraud_warning_id"],
            ["fraud_warnings.id"],
            name=op.f("fk_fraud_events_fraud_warning_id_fraud_warnings"),
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_fraud_events")),
    )
    with op.batch_alter_table("fraud_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fraud_events_fraud_warning_id"), ["fraud_warning_id"], unique=False
        )

    op.create_table(
        "fraud_freezes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fraud_warning_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("bank", sa.String(length=64), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("paid_at", cad110.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("requested_at", cad110.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "requested",
                "accepted",
                "done",
                "refused",
                name="freezestatus",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            nullable=False,
        ),
        sa.Column("frozen_fen", sa.BigInteger(), nullable=True),
        sa.Column("answered_at", cad110.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["fraud_warning_id"],
            ["fraud_warnings.id"],
            name=op.f("fk_fraud_freezes_fraud_warning_id_fraud_warnings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fraud_freezes")),
        sa.UniqueConstraint("request_id", name=op.f("uq_fraud_freezes_request_id")),
    )
    with op.batch_alter_table("fraud_freezes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fraud_freezes_fraud_warning_id"), ["fraud_warning_id"], unique=False
        )

    op.create_table(
        "fraud_signals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("warning_id_at_source", sa.String(length=64), nullable=False),
        sa.Column("fraud_warning_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("fraud_type", sa.String(length=32), nullable=False),
        sa.Column("amount_at_risk_fen", sa.BigInteger(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("occurred_at", cad110.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_at", cad110.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "level",
            sa.Enum(
                "low",
                "medium",
                "high",
                "urgent",
                name="fraudlevel",
                native_enum=False,
                create_constraint=True,
                length=8,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["fraud_warning_id"],
            ["fraud_warnings.id"],
            name=op.f("fk_fraud_signals_fraud_warning_id_fraud_warnings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fraud_signals")),
        sa.UniqueConstraint(
            "source",
            "warning_id_at_source",
            name=op.f("uq_fraud_signals_source_warning_id_at_source"),
        ),
    )
    with op.batch_alter_table("fraud_signals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fraud_signals_fraud_warning_id"), ["fraud_warning_id"], unique=False
        )

    op.create_table(
        "fraud_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fraud_warning_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "sms",
                "call",
                "visit",
                name="stepkind",
                native_enum=False,
                create_constraint=True,
                length=8,
            ),
            nullable=False,
        ),
        sa.Column(
            "level",
            sa.Enum(
                "low",
                "medium",
                "high",
                "urgent",
                name="fraudlevel",
                native_enum=False,
                create_constraint=True,
                length=8,
            ),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "done",
                "failed",
                "overdue",
                "dropped",
                name="stepstate",
                native_enum=False,
                create_constraint=True,
                length=8,
            ),
            nullable=False,
        ),
        sa.Column("started_at", cad110.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", cad110.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", cad110.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("task_id", sa.String(length=64), nullable=True),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fraud_warning_id"],
            ["fraud_warnings.id"],
            name=op.f("fk_fraud_steps_fraud_warning_id_fraud_warnings"),
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_fraud_steps_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fraud_steps")),
        sa.UniqueConstraint("task_id", name=op.f("uq_fraud_steps_task_id")),
    )
    with op.batch_alter_table("fraud_steps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fraud_steps_fraud_warning_id"), ["fraud_warning_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_fraud_steps_incident_id"), ["incident_id"], unique=False
        )
        batch_op.create_index(
            "ix_fraud_steps_pending_due",
            ["due_at"],
            unique=False,
            sqlite_where=sa.text("state = 'pending'"),
            postgresql_where=sa.text("state = 'pending'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("fraud_steps", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_fraud_steps_pending_due",
            sqlite_where=sa.text("state = 'pending'"),
            postgresql_where=sa.text("state = 'pending'"),
        )
        batch_op.drop_index(batch_op.f("ix_fraud_steps_incident_id"))
        batch_op.drop_index(batch_op.f("ix_fraud_steps_fraud_warning_id"))

    op.drop_table("fraud_steps")
    with op.batch_alter_table("fraud_signals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fraud_signals_fraud_warning_id"))

    op.drop_table("fraud_signals")
    with op.batch_alter_table("fraud_freezes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fraud_freezes_fraud_warning_id"))

    op.drop_table("fraud_freezes")
    with op.batch_alter_table("fraud_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fraud_events_fraud_warning_id"))

    op.drop_table("fraud_events")
    with op.batch_alter_table("fraud_warnings", schema=None) as batch_op:
        batch_op.drop_index("ix_fraud_warnings_scope_created")
        batch_op.drop_index(batch_op.f("ix_fraud_warnings_phone"))
        batch_op.drop_index(
            "ix_fraud_warnings_next",
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )

    op.drop_table("fraud_warnings")
