"""callbacks: the 回访 due from each close, unreachable attempts, the SMS survey, and the
follow-up (不满意整改) a dissatisfied answer opens; deadlines and supervisions gain its step

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cad110.db.base

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STEPS_0008 = ("dispatch", "acknowledge", "arrive", "report", "close", "callback", "case_callback")


def _replace_step_check(table: str, steps: Sequence[str]) -> None:
    condition = f"step IN ({', '.join(repr(v) for v in steps)})"
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(op.f(f"ck_{table}_step"), type_="check")
        batch_op.create_check_constraint(op.f(f"ck_{table}_step"), condition)


def _when(name: str, nullable: bool) -> sa.Column[object]:
    return sa.Column(name, cad110.db.base.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    for table in ("deadlines", "supervisions"):
        _replace_step_check(table, (*STEPS_0008, "follow_up"))
    op.create_table(
        "callback_dues",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_path", sa.String(length=255), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "required",
                "sampled",
                "asked",
                name="duereason",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        _when("closed_at", False),
        _when("due_at", False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _when("next_try_at", True),
        sa.Column("survey_outbox_id", sa.Integer(), nullable=True),
        _when("survey_sent_at", True),
        sa.Column("survey_reply", sa.String(length=500), nullable=True),
        _when("survey_replied_at", True),
        _when("done_at", True),
        sa.Column("satisfaction", sa.String(length=24), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_callback_dues_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["survey_outbox_id"],
            ["outbox.id"],
            name=op.f("fk_callback_dues_survey_outbox_id_outbox"),
        ),
        sa.PrimaryKeyConstraint("incident_id", name=op.f("pk_callback_dues")),
    )
    with op.batch_alter_table("callback_dues", schema=None) as batch_op:
        batch_op.create_index(
            "ix_callback_dues_open",
            ["due_at"],
            unique=False,
            sqlite_where=sa.text("done_at IS NULL"),
            postgresql_where=sa.text("done_at IS NULL"),
        )
        batch_op.create_index("ix_callback_dues_path", ["jurisdiction_path"], unique=False)
    op.create_table(
        "callback_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        _when("at", False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_callback_attempts_incident_id_incidents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callback_attempts")),
        sa.UniqueConstraint(
            "incident_id", "seq", name=op.f("uq_callback_attempts_incident_id_seq")
        ),
    )
    op.create_table(
        "callback_follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("station_code", sa.String(length=16), nullable=False),
        sa.Column("station_path", sa.String(length=255), nullable=False),
        sa.Column("deadline_id", sa.Integer(), nullable=False),
        sa.Column("complaint", sa.Text(), nullable=False),
        _when("opened_at", False),
        _when("due_at", False),
        sa.Column("reply", sa.Text(), nullable=True),
        _when("replied_at", True),
        sa.Column("replied_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["deadline_id"],
            ["deadlines.id"],
            name=op.f("fk_callback_follow_ups_deadline_id_deadlines"),
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_callback_follow_ups_incident_id_incidents"),
        ),
        sa.ForeignKeyConstraint(
            ["station_code"],
            ["jurisdictions.code"],
            name=op.f("fk_callback_follow_ups_station_code_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callback_follow_ups")),
        sa.UniqueConstraint("incident_id", name=op.f("uq_callback_follow_ups_incident_id")),
    )
    with op.batch_alter_table("callback_follow_ups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_callback_follow_ups_station_path"), ["station_path"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("callback_follow_ups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_callback_follow_ups_station_path"))
    op.drop_table("callback_follow_ups")
    op.drop_table("callback_attempts")
    with op.batch_alter_table("callback_dues", schema=None) as batch_op:
        batch_op.drop_index("ix_callback_dues_path")
        batch_op.drop_index("ix_callback_dues_open")
    op.drop_table("callback_dues")
    # A follow-up deadline cannot outlive the step it names: drop them (supervisions first).
    op.execute(
        "DELETE FROM notifications WHERE supervision_id IN "
        "(SELECT id FROM supervisions WHERE step = 'follow_up')"
    )
    op.execute("DELETE FROM supervisions WHERE step = 'follow_up'")
    op.execute("DELETE FROM deadlines WHERE step = 'follow_up'")
    for table in ("deadlines", "supervisions"):
        _replace_step_check(table, STEPS_0008)
