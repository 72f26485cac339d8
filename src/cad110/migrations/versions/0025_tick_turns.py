"""whose turn the background tick is: one row per tick, claimed by the serving process that
runs it, so that several workers run each tick once between them

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-02 06:00:00.000000
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import cad110.db.base

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    turns = op.create_table(
        "tick_turns",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("due_at", cad110.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_tick_turns")),
    )
    # Due from the start: the first worker to look runs the first tick.
    op.bulk_insert(turns, [{"name": "tick", "due_at": datetime(2000, 1, 1, tzinfo=UTC)}])


def downgrade() -> None:
    op.drop_table("tick_turns")
