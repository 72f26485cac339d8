"""fraud: an incident opened by an anti-fraud warning has its own source (fraud_warning,
反诈预警推送) rather than `app`; one open warning per phone, held by the database so two
racing signals for one person cannot open two

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 02:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SOURCES_0001 = (
    "call_110",
    "push_12345",
    "sms",
    "video_patrol",
    "walk_in",
    "alarm_device",
    "app",
)
OPEN = sa.text("status = 'open'")


def _replace_source_check(sources: Sequence[str]) -> None:
    condition = f"source IN ({', '.join(repr(v) for v in sources)})"
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_incidents_source"), type_="check")
        batch_op.create_check_constraint(op.f("ck_incidents_source"), condition)


def upgrade() -> None:
    _replace_source_check((*SOURCES_0001, "fraud_warning"))
    # The visits opened so far came in as `app`: they are the warnings' incidents.
    op.execute(
        "UPDATE incidents SET source = 'fraud_warning' WHERE id IN "
        "(SELECT incident_id FROM fraud_warnings WHERE incident_id IS NOT NULL)"
    )
    with op.batch_alter_table("fraud_warnings", schema=None) as batch_op:
        batch_op.create_index(
            "uq_fraud_warnings_open_phone",
            ["phone"],
            unique=True,
            sqlite_where=OPEN,
            postgresql_where=OPEN,
        )


def downgrade() -> None:
    with op.batch_alter_table("fraud_warnings", schema=None) as batch_op:
        batch_op.drop_index("uq_fraud_warnings_open_phone")
    op.execute("UPDATE incidents SET source = 'app' WHERE source = 'fraud_warning'")
    _replace_source_check(SOURCES_0001)
