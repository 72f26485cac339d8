"""telephony: calls as the phone system reports them, and every call event received

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cad110.db.base

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "phone_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("caller_number", sa.String(length=32), nullable=False),
        sa.Column("line", sa.String(length=32), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "ringing",
                "answered",
                "ended",
                name="phonecallstate",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("ringing_at", cad110.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", cad110.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", cad110.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("seat", sa.String(length=32), nullable=True),
        sa.Column("answered_by", sa.String(length=64), nullable=True),
        sa.Column("lon", sa.Double(), nullable=True),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("accuracy_m", sa.Integer(), nullable=True),
        sa.Column("location_source", sa.String(length=16), nullable=True),
        sa.Column("recording_url", sa.String(length=512), nullable=True),
        sa.Column("call_record_id", sa.Integer(), nullable=True),
        sa.Column("abandoned", sa.Boolean(), nullable=False),
        sa.Column("jurisdiction_path", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_record_id"], ["calls.id"], name=op.f("fk_phone_calls_call_record_id_calls")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phone_calls")),
        sa.UniqueConstraint("call_id", name=op.f("uq_phone_calls_call_id")),
    )
    with op.batch_alter_table("phone_calls", schema=None) as batch_op:
        batch_op.create_index(
            "ix_phone_calls_caller", ["caller_number", "ringing_at"], unique=False
        )
        batch_op.create_index(
            "ix_phone_calls_scope_ringing", ["jurisdiction_path", "ringing_at"], unique=False
        )
        batch_op.create_index("ix_phone_calls_seat_state", ["seat", "state"], unique=False)
        batch_op.create_index(
            "ix_phone_calls_answered_by", ["answered_by", "answered_at"], unique=False
        )

    op.create_table(
        "phone_events",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("occurred_at", cad110.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_at", cad110.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_phone_events")),
    )
    with op.batch_alter_table("phone_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_phone_events_call_id"), ["call_id"], unique=False)

    op.create_table(
        "phone_seats",
        sa.Column("seat", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("claimed_at", cad110.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_phone_seats_user_id_users")
        ),
        sa.PrimaryKeyConstraint("seat", name=op.f("pk_phone_seats")),
        sa.UniqueConstraint("user_id", name=op.f("uq_phone_seats_user_id")),
    )


def downgrade() -> None:
    op.drop_table("phone_seats")
    with op.batch_alter_table("phone_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_phone_events_call_id"))

    op.drop_table("phone_events")
    with op.batch_alter_table("phone_calls", schema=None) as batch_op:
        batch_op.drop_index("ix_phone_calls_answered_by")
        batch_op.drop_index("ix_phone_calls_seat_state")
        batch_op.drop_index("ix_phone_calls_scope_ringing")
        batch_op.drop_index("ix_phone_calls_caller")

    op.drop_table("phone_calls")
