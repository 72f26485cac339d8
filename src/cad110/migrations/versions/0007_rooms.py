"""rooms: the duty roster (值班表) per station and day, and shift handover notes (交接班)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-10 02:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cad110.db.base

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "duty_roster",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("station_code", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("leader", sa.String(length=64), nullable=False),
        sa.Column("set_by", sa.String(length=64), nullable=False),
        sa.Column("set_at", cad110.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_code"],
            ["jurisdictions.code"],
            name=op.f("fk_duty_roster_station_code_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_roster")),
        sa.UniqueConstraint("station_code", "day", name="uq_duty_roster_station_day"),
    )
    op.create_table(
        "handover_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "position",
            sa.Enum("desk", "board", "station", name="position", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("jurisdiction_code", sa.String(length=16), nullable=False),
        sa.Column("jurisdiction_path", sa.String(length=255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("written_by", sa.String(length=64), nullable=False),
        sa.Column("written_at", cad110.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_by", sa.String(length=64), nullable=True),
        sa.Column("read_at", cad110.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "position IN ('desk', 'board', 'station')", name=op.f("ck_handover_notes_position")
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdictions.code"],
            name=op.f("fk_handover_notes_jurisdiction_code_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handover_notes")),
    )
    with op.batch_alter_table("handover_notes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_handover_notes_place",
            ["jurisdiction_path", "position", "written_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("handover_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_handover_notes_place")
    op.drop_table("handover_notes")
    op.drop_table("duty_roster")
