"""stats rollups per day and month, of a jurisdiction's own facts and of its subtree, packed;
calls and phone calls indexed by their time (a span of the whole city's)

The rollups are a cache (models/rollup.py): the old per-day rows are dropped, not converted,
and every day is marked unbuilt, so the tick and `cad110 stats rollup` build them again.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cad110.db.base

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM stats_rollup_days")
    op.drop_table("stats_rollups")
    op.create_table(
        "stats_rollups",
        sa.Column("span", sa.String(length=8), nullable=False),
        sa.Column("reach", sa.String(length=8), nullable=False),
        sa.Column("jurisdiction_path", sa.String(length=255), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("tally", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint(
            "span", "reach", "jurisdiction_path", "first_day", name=op.f("pk_stats_rollups")
        ),
    )
    op.create_table(
        "stats_rollup_months",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("basis", sa.String(length=64), nullable=False),
        sa.Column("built_at", cad110.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_stats_rollup_months")),
    )
    op.create_index("ix_calls_answered_at", "calls", ["answered_at"], unique=False)
    op.create_index("ix_phone_calls_ringing_at", "phone_calls", ["ringing_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_phone_calls_ringing_at", table_name="phone_calls")
    op.drop_index("ix_calls_answered_at", table_name="calls")
    op.execute("DELETE FROM stats_rollup_days")
    op.drop_table("stats_rollup_months")
    op.drop_table("stats_rollups")
    op.create_table(
        "stats_rollups",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("jurisdiction_path", sa.String(length=255), nullable=False),
        sa.Column("tally", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("day", "jurisdiction_path", name=op.f("pk_stats_rollups")),
    )
