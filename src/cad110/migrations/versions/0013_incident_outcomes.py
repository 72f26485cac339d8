"""incident outcomes (处警结果): entries struck never edited, and each incident's totals

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cad110.db.base

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "incident_outcome_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "arrest",
                "case_opened",
                "loss",
                "recovery",
                "property_returned",
                name="outcomekind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("occurred_at", cad110.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("arrested", sa.Integer(), nullable=True),
        sa.Column("in_the_act", sa.Boolean(), nullable=True),
        sa.Column("amount_fen", sa.BigInteger(), nullable=True),
        sa.Column("case_number", sa.String(length=48), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("above_loss_confirmed", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", cad110.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=True),
        sa.Column("struck_at", cad110.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("struck_by", sa.String(length=64), nullable=True),
        sa.Column("strike_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "amount_fen IS NULL OR amount_fen > 0",
            name=op.f("ck_incident_outcome_entries_amount_positive"),
        ),
        sa.CheckConstraint(
            "arrested IS NULL OR arrested > 0",
            name=op.f("ck_incident_outcome_entries_arrested_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_outcome_entries_incident_id_incidents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_outcome_entries")),
    )
    with op.batch_alter_table("incident_outcome_entries", schema=None) as batch_op:
        batch_op.create_index("ix_incident_outcome_entries_incident", ["incident_id"], unique=False)

    op.create_table(
        "incident_outcomes",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("arrested", sa.Integer(), nullable=False),
        sa.Column("arrested_in_the_act", sa.Integer(), nullable=False),
        sa.Column("first_arrest_at", cad110.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("case_opened_at", cad110.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("case_number", sa.String(length=48), nullable=True),
        sa.Column("loss_fen", sa.BigInteger(), nullable=False),
        sa.Column("recovered_fen", sa.BigInteger(), nullable=False),
        sa.Column("last_recovered_at", cad110.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("property_returned_at", cad110.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("updated_at", cad110.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_outcomes_incident_id_incidents"),
        ),
        sa.PrimaryKeyConstraint("incident_id", name=op.f("pk_incident_outcomes")),
    )
    with op.batch_alter_table("incident_outcomes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_incident_outcomes_case_opened_at", ["case_opened_at"], unique=False
        )
        batch_op.create_index(
            "ix_incident_outcomes_first_arrest_at", ["first_arrest_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("incident_outcomes", schema=None) as batch_op:
        batch_op.drop_index("ix_incident_outcomes_first_arrest_at")
        batch_op.drop_index("ix_incident_outcomes_case_opened_at")
    op.drop_table("incident_outcomes")
    with op.batch_alter_table("incident_outcome_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_incident_outcome_entries_incident")
    op.drop_table("incident_outcome_entries")
