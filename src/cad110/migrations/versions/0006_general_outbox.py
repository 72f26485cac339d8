"""general outbox: one `outbox` table for every package, its messages named by typed subject
(as the event log's chains), replacing the missing-person `missing_outbox`

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 02:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cad110.db.base

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


PENDING = sa.text("sent_at IS NULL")
# The missing-person message kinds of 0004, the only ones `missing_outbox` can hold.
KINDS_0004 = ("appeal_publish", "appeal_widen", "appeal_withdraw", "inform")


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        # No CHECK on the subject type (as in the event log): a new SubjectType needs no
        # migration here.
        sa.Column("subject_type", sa.String(length=24), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", cad110.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_at", cad110.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", cad110.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_subject", ["subject_type", "subject_id"], unique=False)
        batch_op.create_index(
            "ix_outbox_pending",
            ["next_at"],
            unique=False,
            sqlite_where=PENDING,
            postgresql_where=PENDING,
        )
    # Every message keeps its id (delivery goes in id order) and its state: a case becomes its
    # subject by number (the id of its journal's chain), an appeal the producer's reference.
    # An appeal's reference is 'appeal:<id>' (missing/search.py::appeal_ref).
    op.execute(
        """
        INSERT INTO outbox (id, subject_type, subject_id, ref, kind, channel, payload,
                            created_at, attempts, next_at, sent_at, error)
        SELECT o.id, 'missing_case', c.number,
               CASE WHEN o.appeal_id IS NULL THEN NULL
                    ELSE 'appeal:' || CAST(o.appeal_id AS VARCHAR(20)) END,
               o.kind, o.channel, o.payload, o.created_at, o.attempts, o.next_at, o.sent_at,
               o.error
        FROM missing_outbox o JOIN missing_cases c ON c.id = o.case_id
        """
    )
    _continue_ids("outbox")
    _drop_missing_outbox()


def downgrade() -> None:
    _create_missing_outbox()
    # Only missing-person messages of the kinds 0004 knows can go back; at this revision no
    # package writes any other, so nothing is left behind.
    op.execute(
        """
        INSERT INTO missing_outbox (id, case_id, appeal_id, kind, channel, payload, created_at,
                                    attempts, next_at, sent_at, error)
        SELECT o.id, c.id,
               CASE WHEN o.ref LIKE 'appeal:%' THEN CAST(SUBSTR(o.ref, 8) AS INTEGER) END,
               o.kind, o.channel, o.payload, o.created_at, o.attempts, o.next_at, o.sent_at,
               o.error
        FROM outbox o JOIN missing_cases c ON c.number = o.subject_id
        WHERE o.subject_type = 'missing_case'
          AND o.kind IN ('appeal_publish', 'appeal_widen', 'appeal_withdraw', 'inform')
        """
    )
    _continue_ids("missing_outbox")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_pending", sqlite_where=PENDING, postgresql_where=PENDING)
        batch_op.drop_index("ix_outbox_subject")
    op.drop_table("outbox")


def _continue_ids(table: str) -> None:
    """Rows were copied with their ids: PostgreSQL's sequence must go on after the last one
    (SQLite takes the next rowid after the largest anyway)."""
    if op.get_bind().dialect.name == "postgresql":
        last = sa.select(sa.func.max(sa.column("id", sa.Integer))).select_from(sa.table(table))
        after = sa.func.coalesce(last.scalar_subquery(), 0) + 1
        sequence = sa.func.pg_get_serial_sequence(table, "id")
        op.get_bind().execute(sa.select(sa.func.setval(sequence, after, sa.false())))


def _drop_missing_outbox() -> None:
    with op.batch_alter_table("missing_outbox", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_missing_outbox_pending", sqlite_where=PENDING, postgresql_where=PENDING
        )
        batch_op.drop_index(batch_op.f("ix_missing_outbox_case_id"))
    op.drop_table("missing_outbox")


def _create_missing_outbox() -> None:
    """The table as 0004 made it."""
    op.create_table(
        "missing_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                *KINDS_0004,
                name="outboxkind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"],
            ["missing_appeals.id"],
            name=op.f("fk_missing_outbox_appeal_id_missing_appeals"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["missing_cases.id"], name=op.f("fk_missing_outbox_case_id_missing_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_missing_outbox")),
    )
    with op.batch_alter_table("missing_outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_missing_outbox_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            "ix_missing_outbox_pending",
            ["next_at"],
            unique=False,
            sqlite_where=PENDING,
            postgresql_where=PENDING,
        )
