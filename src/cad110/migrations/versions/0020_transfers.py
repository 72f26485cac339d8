"""transfers: 12345 tickets (工单), the calls that ring again about one, the platform's events

Revision ID: 0020
Revises: 0016
Create Date: 2026-12-01 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cad110.db.base

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = cad110.db.base.UTCDateTime(timezone=True)
PENDING = "done_at IS NULL AND returned_at IS NULL AND escalated_at IS NULL"


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=16)


def upgrade() -> None:
    op.create_table(
        "transfer_tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("call_id", sa.Integer(), nullable=True),
        sa.Column("jurisdiction_code", sa.String(length=16), nullable=False),
        sa.Column("jurisdiction_path", sa.String(length=255), nullable=False),
        sa.Column("caller_phone", sa.String(length=32), nullable=True),
        sa.Column("caller_name", sa.String(length=64), nullable=True),
        sa.Column("words", sa.Text(), nullable=False),
        sa.Column("address", sa.String(length=255), nullable=True),
        sa.Column("lon", sa.Double(), nullable=True),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("category_code", sa.String(length=48), nullable=True),
        sa.Column("hotline_type", sa.String(length=24), nullable=False),
        sa.Column("hotline_topic", sa.String(length=24), nullable=False),
        sa.Column(
            "status",
            _enum(
                "ticketstatus",
                "sent",
                "received",
                "accepted",
                "handling",
                "done",
                "replied",
                "closed",
                "returned",
            ),
            nullable=False,
        ),
        sa.Column("hotline_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("due_at", UTC, nullable=False),
        sa.Column("received_at", UTC, nullable=True),
        sa.Column("accepted_at", UTC, nullable=True),
        sa.Column("handling_at", UTC, nullable=True),
        sa.Column("done_at", UTC, nullable=True),
        sa.Column("replied_at", UTC, nullable=True),
        sa.Column("rated_at", UTC, nullable=True),
        sa.Column("returned_at", UTC, nullable=True),
        sa.Column("escalated_at", UTC, nullable=True),
        sa.Column("department", sa.String(length=64), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("photo", sa.String(length=255), nullable=False),
        sa.Column("satisfied", sa.Boolean(), nullable=True),
        sa.Column("three_way", sa.Boolean(), nullable=False),
        sa.Column("rang_again", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_transfer_tickets_incident_id_incidents"),
        ),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_transfer_tickets_call_id_calls")
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdictions.code"],
            name=op.f("fk_transfer_tickets_jurisdiction_code_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_tickets")),
    )
    with op.batch_alter_table("transfer_tickets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_transfer_tickets_incident_id"), ["incident_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_transfer_tickets_call_id"), ["call_id"], unique=False)
        batch_op.create_index(
            "ix_transfer_tickets_scope_created", ["jurisdiction_path", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_transfer_tickets_caller", ["caller_phone", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_transfer_tickets_pending_due",
            ["due_at"],
            unique=False,
            sqlite_where=sa.text(PENDING),
            postgresql_where=sa.text(PENDING),
        )

    op.create_table(
        "transfer_calls",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["transfer_tickets.id"],
            name=op.f("fk_transfer_calls_ticket_id_transfer_tickets"),
        ),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_transfer_calls_call_id_calls")
        ),
        sa.PrimaryKeyConstraint("ticket_id", "call_id", name=op.f("pk_transfer_calls")),
    )
    with op.batch_alter_table("transfer_calls", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transfer_calls_call_id"), ["call_id"], unique=False)

    op.create_table(
        "hotline_events",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column(
            "kind",
            _enum(
                "hotlineeventkind",
                "received",
                "accepted",
                "handling",
                "done",
                "replied",
                "rated",
                "returned",
                "emergency",
            ),
            nullable=False,
        ),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("occurred_at", UTC, nullable=False),
        sa.Column("received_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["transfer_tickets.id"],
            name=op.f("fk_hotline_events_ticket_id_transfer_tickets"),
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_hotline_events_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_hotline_events")),
    )
    with op.batch_alter_table("hotline_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hotline_events_ticket_id"), ["ticket_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_hotline_events_received_at"), ["received_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("hotline_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hotline_events_received_at"))
        batch_op.drop_index(batch_op.f("ix_hotline_events_ticket_id"))
    op.drop_table("hotline_events")
    with op.batch_alter_table("transfer_calls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transfer_calls_call_id"))
    op.drop_table("transfer_calls")
    with op.batch_alter_table("transfer_tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_transfer_tickets_pending_due")
        batch_op.drop_index("ix_transfer_tickets_caller")
        batch_op.drop_index("ix_transfer_tickets_scope_created")
        batch_op.drop_index(batch_op.f("ix_transfer_tickets_call_id"))
        batch_op.drop_index(batch_op.f("ix_transfer_tickets_incident_id"))
    op.drop_table("transfer_tickets")
