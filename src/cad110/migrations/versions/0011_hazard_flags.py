"""hazard flags (警示标记) on places and persons

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cad110.db.base

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hazard_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "subject",
            sa.Enum(
                "place",
                "person",
                name="flagsubject",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("place_code", sa.String(length=32), nullable=True),
        sa.Column("person_id_number", sa.String(length=18), nullable=True),
        sa.Column("person_phone", sa.String(length=32), nullable=True),
        sa.Column("person_name", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("set_by", sa.String(length=64), nullable=False),
        sa.Column("set_at", cad110.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", cad110.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", cad110.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=64), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=True),
        sa.Column("jurisdiction_path", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["place_code"], ["places.code"], name=op.f("fk_hazard_flags_place_code_places")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hazard_flags")),
    )
    with op.batch_alter_table("hazard_flags", schema=None) as batch_op:
        batch_op.create_index("ix_hazard_flags_id_number", ["person_id_number"], unique=False)
        batch_op.create_index("ix_hazard_flags_phone", ["person_phone"], unique=False)
        batch_op.create_index("ix_hazard_flags_place", ["place_code"], unique=False)
        batch_op.create_index("ix_hazard_flags_scope", ["jurisdiction_path"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("hazard_flags", schema=None) as batch_op:
        batch_op.drop_index("ix_hazard_flags_scope")
        batch_op.drop_index("ix_hazard_flags_place")
        batch_op.drop_index("ix_hazard_flags_phone")
        batch_op.drop_index("ix_hazard_flags_id_number")

    op.drop_table("hazard_flags")
