"""sms: the SMS gateway's delivery receipts and replies, each kept once

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cad110.db.base

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sms_events",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "delivered",
                "failed",
                "reply",
                name="smseventkind",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("occurred_at", cad110.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_at", cad110.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_sms_events")),
    )
    with op.batch_alter_table("sms_events", schema=None) as batch_op:
        batch_op.create_index("ix_sms_events_outbox", ["outbox_id"], unique=False)
        batch_op.create_index("ix_sms_events_phone", ["phone", "occurred_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sms_events", schema=None) as batch_op:
        batch_op.drop_index("ix_sms_events_phone")
        batch_op.drop_index("ix_sms_events_outbox")
    op.drop_table("sms_events")
