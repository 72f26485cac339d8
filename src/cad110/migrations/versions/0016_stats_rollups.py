"""stats rollups: per-day tallies by jurisdiction, the days built, the tick's mark in the log

Revision ID: 0016
Revises: 0014
Create Date: 2026-11-30 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cad110.db.base

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stats_rollups",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("jurisdiction_path", sa.String(length=255), nullable=False),
        sa.Column("tally", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("day", "jurisdiction_path", name=op.f("pk_stats_rollups")),
    )
    op.create_table(
        "stats_rollup_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("basis", sa.String(length=64), nullable=False),
        sa.Column("built_at", cad110.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_stats_rollup_days")),
    )
    op.create_table(
        "stats_rollup_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("previous", sa.BigInteger(), nullable=False),
        sa.Column("watermark", sa.BigInteger(), nullable=False),
        sa.Column("scanned_at", cad110.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_rollup_marks")),
    )


def downgrade() -> None:
    op.drop_table("stats_rollup_marks")
    op.drop_table("stats_rollup_days")
    op.drop_table("stats_rollups")
