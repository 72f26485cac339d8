"""deadlines and supervisions gain the dispatch step (派警时限: 受理 → first dispatch);
assignments keep the unit's position at dispatch (to judge a 到场)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 10:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


STEPS_0004 = ("acknowledge", "arrive", "report", "close", "callback", "case_callback")


def _replace_step_check(table: str, steps: Sequence[str]) -> None:
    condition = f"step IN ({', '.join(repr(v) for v in steps)})"
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(op.f(f"ck_{table}_step"), type_="check")
        batch_op.create_check_constraint(op.f(f"ck_{table}_step"), condition)


def upgrade() -> None:
    for table in ("deadlines", "supervisions"):
        _replace_step_check(table, ("dispatch", *STEPS_0004))
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dispatch_lon", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("dispatch_lat", sa.Double(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_column("dispatch_lat")
        batch_op.drop_column("dispatch_lon")
    # A dispatch deadline cannot outlive the step it names: drop them (their supervisions first).
    op.execute(
        "DELETE FROM notifications WHERE supervision_id IN "
        "(SELECT id FROM supervisions WHERE step = 'dispatch')"
    )
    op.execute("DELETE FROM supervisions WHERE step = 'dispatch'")
    op.execute("DELETE FROM deadlines WHERE step = 'dispatch'")
    for table in ("deadlines", "supervisions"):
        _replace_step_check(table, STEPS_0004)
