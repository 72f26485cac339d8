"""repeat cases: the repeat case file (重复警情档案) and its linked incidents; deadlines and
supervisions gain its two steps (电话回访 for tiers C/D, 上门走访 for A/B)

Revision ID: 0019
Revises: 0016
Create Date: 2026-12-01 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cad110.db.base

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STEPS_0015 = (
    "dispatch",
    "acknowledge",
    "arrive",
    "report",
    "close",
    "callback",
    "case_callback",
    "follow_up",
)
NEW_STEPS = ("repeat_callback", "repeat_visit")


def _replace_step_check(table: str, steps: Sequence[str]) -> None:
    condition = f"step IN ({', '.join(repr(v) for v in steps)})"
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(op.f(f"ck_{table}_step"), type_="check")
        batch_op.create_check_constraint(op.f(f"ck_{table}_step"), condition)


def _when(name: str, nullable: bool) -> sa.Column[object]:
    return sa.Column(name, cad110.db.base.UTCDateTime(timezone=True), nullable=nullable)


def _enum(name: str, length: int, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=length)


def upgrade() -> None:
    for table in ("deadlines", "supervisions"):
        _replace_step_check(table, (*STEPS_0015, *NEW_STEPS))
    op.create_table(
        "repeat_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=48), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("tier", sa.String(length=1), nullable=False),
        sa.Column(
            "status", _enum("repeatcasestatus", 16, "open", "reported", "solved"), nullable=False
        ),
        sa.Column("opened_how", _enum("openedhow", 8, "hand", "rule"), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("origin_incident_id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=16), nullable=False),
        sa.Column("jurisdiction_path", sa.String(length=255), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        _when("extreme_at", True),
        _when("last_incident_at", False),
        sa.Column("step_kind", sa.String(length=16), nullable=True),
        _when("step_due_at", True),
        sa.Column("step_deadline_id", sa.Integer(), nullable=True),
        sa.Column("closing_report", sa.Text(), nullable=True),
        _when("reported_at", True),
        sa.Column("reported_by", sa.String(length=64), nullable=True),
        _when("solved_at", True),
        sa.Column("solved_by", sa.String(length=64), nullable=True),
        sa.Column("reopened", sa.Integer(), nullable=False),
        _when("opened_at", False),
        sa.Column("opened_by", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["origin_incident_id"],
            ["incidents.id"],
            name=op.f("fk_repeat_cases_origin_incident_id_incidents"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdictions.code"],
            name=op.f("fk_repeat_cases_jurisdiction_code_jurisdictions"),
        ),
        sa.ForeignKeyConstraint(
            ["step_deadline_id"],
            ["deadlines.id"],
            name=op.f("fk_repeat_cases_step_deadline_id_deadlines"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_repeat_cases")),
        sa.UniqueConstraint("number", name=op.f("uq_repeat_cases_number")),
    )
    with op.batch_alter_table("repeat_cases", schema=None) as batch_op:
        batch_op.create_index("ix_repeat_cases_path", ["jurisdiction_path"], unique=False)
        batch_op.create_index("ix_repeat_cases_status", ["status", "type", "tier"], unique=False)
    op.create_table(
        "repeat_case_incidents",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        _when("linked_at", False),
        sa.Column("linked_by", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["repeat_cases.id"],
            name=op.f("fk_repeat_case_incidents_case_id_repeat_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_repeat_case_incidents_incident_id_incidents"),
        ),
        sa.PrimaryKeyConstraint("incident_id", name=op.f("pk_repeat_case_incidents")),
    )
    with op.batch_alter_table("repeat_case_incidents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_repeat_case_incidents_case_id"), ["case_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("repeat_case_incidents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_repeat_case_incidents_case_id"))
    op.drop_table("repeat_case_incidents")
    with op.batch_alter_table("repeat_cases", schema=None) as batch_op:
        batch_op.drop_index("ix_repeat_cases_status")
        batch_op.drop_index("ix_repeat_cases_path")
    op.drop_table("repeat_cases")
    # A repeat case's deadline cannot outlive the steps it names: drop them (supervisions first).
    op.execute(
        "DELETE FROM notifications WHERE supervision_id IN (SELECT id FROM supervisions "
        "WHERE step IN ('repeat_callback', 'repeat_visit'))"
    )
    op.execute("DELETE FROM supervisions WHERE step IN ('repeat_callback', 'repeat_visit')")
    op.execute("DELETE FROM deadlines WHERE step IN ('repeat_callback', 'repeat_visit')")
    for table in ("deadlines", "supervisions"):
        _replace_step_check(table, STEPS_0015)
