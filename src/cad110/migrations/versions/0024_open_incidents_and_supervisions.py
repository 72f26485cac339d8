"""partial indexes of the open incidents (by place and time received) and of the supervisions
not yet acknowledged (by the deadline missed): the board's and the wall's reads of what is open
now, a few hundred rows among a city's millions

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02 03:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_0024 = (
    "received",
    "accepted",
    "assessed",
    "queued",
    "dispatched",
    "acknowledged",
    "departed",
    "arrived",
    "handled",
    "reported",
)
OPEN_INCIDENTS = sa.text(f"status IN ({', '.join(repr(s) for s in OPEN_0024)})")
NOT_ACKNOWLEDGED = sa.text("acknowledged_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_incidents_open",
            ["jurisdiction_path", "received_at"],
            unique=False,
            sqlite_where=OPEN_INCIDENTS,
            postgresql_where=OPEN_INCIDENTS,
        )
    with op.batch_alter_table("supervisions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_supervisions_open",
            ["due_at"],
            unique=False,
            sqlite_where=NOT_ACKNOWLEDGED,
            postgresql_where=NOT_ACKNOWLEDGED,
        )


def downgrade() -> None:
    with op.batch_alter_table("supervisions", schema=None) as batch_op:
        batch_op.drop_index("ix_supervisions_open")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index("ix_incidents_open")
