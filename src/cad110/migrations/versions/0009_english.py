"""rule firings keep the parameters of their reason and tasks a code, so that a screen says
them in the reader's language (the Chinese reason and title stay the record)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The first task of each team of a task group, as missing/search.py::GROUP_TASKS wrote them:
# such a task gets the group's code, so earlier groups read in the reader's language too.
GROUP_TASKS = (
    ("command", "统一指挥，研判查找方向，每日汇总进展"),
    ("intelligence", "调取沿途视频监控，研判活动轨迹"),
    ("criminal", "排查矛盾纠纷，研判有无被侵害可能"),
    ("cyber", "查询手机号及社交账号轨迹"),
    ("patrol", "组织巡逻警力及社会救援力量重点区域查找"),
)


def upgrade() -> None:
    with op.batch_alter_table("missing_rule_firings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("params", sa.JSON(), nullable=True))
    with op.batch_alter_table("missing_tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("code", sa.String(length=48), nullable=True))
    tasks = sa.table(
        "missing_tasks",
        sa.column("team", sa.String),
        sa.column("title", sa.String),
        sa.column("code", sa.String),
    )
    for team, title in GROUP_TASKS:
        op.execute(
            tasks.update()
            .where(tasks.c.team == team, tasks.c.title == title, tasks.c.code.is_(None))
            .values(code=f"group_{team}")
        )


def downgrade() -> None:
    with op.batch_alter_table("missing_tasks", schema=None) as batch_op:
        batch_op.drop_column("code")
    with op.batch_alter_table("missing_rule_firings", schema=None) as batch_op:
        batch_op.drop_column("params")
