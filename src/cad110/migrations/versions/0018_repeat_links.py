"""repeat links: the values each incident is found again by (repeat_keys) and the links found
between a later incident and the earlier ones it repeats (repeat_links), with score and reasons

The intake looks each key up by (kind, value, received_at): one index range per look-up, so a
new call is checked against ten million past incidents in a few milliseconds.

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-01 00:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cad110.db.base

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str) -> sa.Column[object]:
    return sa.Column(name, cad110.db.base.UTCDateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "repeat_keys",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        _when("received_at"),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_repeat_keys_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("incident_id", "kind", "value", name=op.f("pk_repeat_keys")),
    )
    with op.batch_alter_table("repeat_keys", schema=None) as batch_op:
        batch_op.create_index(
            "ix_repeat_keys_lookup", ["kind", "value", "received_at"], unique=False
        )
    op.create_table(
        "repeat_links",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("earlier_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        _when("received_at"),
        _when("linked_at"),
        sa.Column("found_by", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_repeat_links_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["earlier_id"], ["incidents.id"], name=op.f("fk_repeat_links_earlier_id_incidents")
        ),
        sa.PrimaryKeyConstraint("incident_id", "earlier_id", name=op.f("pk_repeat_links")),
    )
    with op.batch_alter_table("repeat_links", schema=None) as batch_op:
        batch_op.create_index("ix_repeat_links_earlier", ["earlier_id"], unique=False)
        batch_op.create_index("ix_repeat_links_received_at", ["received_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("repeat_links", schema=None) as batch_op:
        batch_op.drop_index("ix_repeat_links_received_at")
        batch_op.drop_index("ix_repeat_links_earlier")
    op.drop_table("repeat_links")
    with op.batch_alter_table("repeat_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_repeat_keys_lookup")
    op.drop_table("repeat_keys")
