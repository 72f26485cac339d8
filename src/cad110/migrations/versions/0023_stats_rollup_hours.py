"""stats rollups of today's completed hours, per jurisdiction, of its own facts and of its
subtree, with a mark per hour built: the live figures read them instead of the hours' rows

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 02:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cad110.db.base

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stats_rollup_hours",
        sa.Column("reach", sa.String(length=8), nullable=False),
        sa.Column("jurisdiction_path", sa.String(length=255), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hour", sa.SmallInteger(), nullable=False),
        sa.Column("tally", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint(
            "reach", "jurisdiction_path", "day", "hour", name=op.f("pk_stats_rollup_hours")
        ),
    )
    op.create_table(
        "stats_rollup_hour_marks",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hour", sa.SmallInteger(), nullable=False),
        sa.Column("basis", sa.String(length=64), nullable=False),
        sa.Column("built_at", cad110.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", "hour", name=op.f("pk_stats_rollup_hour_marks")),
    )


def downgrade() -> None:
    op.drop_table("stats_rollup_hour_marks")
    op.drop_table("stats_rollup_hours")
