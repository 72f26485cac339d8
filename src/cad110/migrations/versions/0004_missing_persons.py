"""missing persons: case file, requests, rule firings, tasks, notices, appeals, outbox,
callbacks, links and cluster alerts; deadlines gain the case-callback step

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 03:37:06.680776
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


STEPS_0002 = ("acknowledge", "arrive", "report", "close", "callback")


def _replace_step_check(table: str, steps: Sequence[str]) -> None:
    condition = f"step IN ({', '.join(repr(v) for v in steps)})"
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(op.f(f"ck_{table}_step"), type_="check")
        batch_op.create_check_constraint(op.f(f"ck_{table}_step"), condition)


def upgrade() -> None:
    for table in ("deadlines", "supervisions"):
        _replace_step_check(table, (*STEPS_0002, "case_callback"))
    op.create_table(
        "missing_clusters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "grid",
                "school_or_work",
                name="clusterkind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("district_code", sa.String(length=16), nullable=False),
        sa.Column("district_path", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_code"],
            ["jurisdictions.code"],
            name=op.f("fk_missing_clusters_district_code_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_missing_clusters")),
    )
    with op.batch_alter_table("missing_clusters", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_missing_clusters_district_path"), ["district_path"], unique=False
        )

    op.create_table(
        "missing_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=48), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=16), nullable=False),
        sa.Column("jurisdiction_path", sa.String(length=255), nullable=False),
        sa.Column("grid_code", sa.String(length=20), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "closed",
                name="casestatus",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "outcome",
            sa.Enum(
                "found_safe",
                "found_injured",
                "found_dead",
                "returned",
                "closed_other",
                name="caseoutcome",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=True,
        ),
        sa.Column("outcome_note", sa.Text(), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column(
            "handling_unit",
            sa.Enum(
                "station",
                "criminal",
                name="handlingunit",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column(
            "sex",
            sa.Enum(
                "male",
                "female",
                "unknown",
                name="sex",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("age", sa.Integer(), nullable=True),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("school_or_work", sa.String(length=128), nullable=True),
        sa.Column("school_key", sa.String(length=128), nullable=True),
        sa.Column("home_address", sa.String(length=255), nullable=True),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("signs", sa.JSON(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("informant_name", sa.String(length=64), nullable=False),
        sa.Column("informant_phone", sa.String(length=32), nullable=False),
        sa.Column("informant_relation", sa.String(length=32), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_place", sa.String(length=255), nullable=False),
        sa.Column("last_seen_lon", sa.Double(), nullable=True),
        sa.Column("last_seen_lat", sa.Double(), nullable=True),
        sa.Column("first_station_code", sa.String(length=16), nullable=False),
        sa.Column("first_officer", sa.String(length=64), nullable=False),
        sa.Column("leader", sa.String(length=64), nullable=True),
        sa.Column("case_officer", sa.String(length=64), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.String(length=64), nullable=False),
        sa.Column("criminal_case_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("investigation_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("group_formed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("commander", sa.String(length=64), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("grade BETWEEN 1 AND 3", name=op.f("ck_missing_cases_grade_range")),
        sa.ForeignKeyConstraint(
            ["first_station_code"],
            ["jurisdictions.code"],
            name=op.f("fk_missing_cases_first_station_code_jurisdictions"),
        ),
        sa.ForeignKeyConstraint(
            ["grid_code"], ["grids.code"], name=op.f("fk_missing_cases_grid_code_grids")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_missing_cases_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdictions.code"],
            name=op.f("fk_missing_cases_jurisdiction_code_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_missing_cases")),
        sa.UniqueConstraint("incident_id", name=op.f("uq_missing_cases_incident_id")),
        sa.UniqueConstraint("number", name=op.f("uq_missing_cases_number")),
    )
    with op.batch_alter_table("missing_cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_missing_cases_id_number"), ["id_number"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_missing_cases_jurisdiction_path"), ["jurisdiction_path"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_missing_cases_phone"), ["phone"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_missing_cases_school_key"), ["school_key"], unique=False
        )
        batch_op.create_index(
            "ix_missing_cases_status_opened", ["status", "opened_at"], unique=False
        )

    op.create_table(
        "missing_appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("radius_km", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "active",
                "withdrawn",
                name="appealstate",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["missing_cases.id"], name=op.f("fk_missing_appeals_case_id_missing_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_missing_appeals")),
        sa.UniqueConstraint("case_id", "channel", name=op.f("uq_missing_appeals_case_id_channel")),
    )
    with op.batch_alter_table("missing_appeals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_missing_appeals_case_id"), ["case_id"], unique=False)

    op.create_table(
        "missing_callbacks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline_id", sa.Integer(), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.String(length=64), nullable=True),
        sa.Column("reached", sa.Boolean(), nullable=True),
        sa.Column("family_said", sa.Text(), nullable=False),
        sa.Column("new_lead", sa.Text(), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["missing_cases.id"],
            name=op.f("fk_missing_callbacks_case_id_missing_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["deadline_id"],
            ["deadlines.id"],
            name=op.f("fk_missing_callbacks_deadline_id_deadlines"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_missing_callbacks")),
        sa.UniqueConstraint("case_id", "seq", name=op.f("uq_missing_callbacks_case_id_seq")),
    )
    with op.batch_alter_table("missing_callbacks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_missing_callbacks_case_id"), ["case_id"], unique=False)

    op.create_table(
        "missing_cluster_members",
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["missing_cases.id"],
            name=op.f("fk_missing_cluster_members_case_id_missing_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["cluster_id"],
            ["missing_clusters.id"],
            name=op.f("fk_missing_cluster_members_cluster_id_missing_clusters"),
        ),
        sa.PrimaryKeyConstraint("cluster_id", "case_id", name=op.f("pk_missing_cluster_members")),
    )
    op.create_table(
        "missing_links",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("duplicate_of_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["missing_cases.id"], name=op.f("fk_missing_links_case_id_missing_cases")
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id"],
            ["missing_cases.id"],
            name=op.f("fk_missing_links_duplicate_of_id_missing_cases"),
        ),
        sa.PrimaryKeyConstraint("case_id", "duplicate_of_id", name=op.f("pk_missing_links")),
    )
    op.create_table(
        "missing_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=32), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("caption", sa.String(length=255), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["missing_cases.id"], name=op.f("fk_missing_photos_case_id_missing_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_missing_photos")),
    )
    with op.batch_alter_table("missing_photos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_missing_photos_case_id"), ["case_id"], unique=False)

    op.create_table(
        "missing_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "grade_change",
                "transfer_criminal",
                name="requestkind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("grade", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("rule", sa.String(length=48), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "approved",
                "rejected",
                name="requeststate",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["missing_cases.id"],
            name=op.f("fk_missing_requests_case_id_missing_cases"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_missing_requests")),
    )
    with op.batch_alter_table("missing_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_missing_requests_case_id"), ["case_id"], unique=False)

    op.create_table(
        "missing_rule_firings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=48), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["missing_cases.id"],
            name=op.f("fk_missing_rule_firings_case_id_missing_cases"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_missing_rule_firings")),
        sa.UniqueConstraint("case_id", "rule", name=op.f("uq_missing_rule_firings_case_id_rule")),
    )
    with op.batch_alter_table("missing_rule_firings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_missing_rule_firings_case_id"), ["case_id"], unique=False
        )

    op.create_table(
        "missing_search_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.Column("distance_m", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["missing_cases.id"],
            name=op.f("fk_missing_search_notices_case_id_missing_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_code"], ["units.code"], name=op.f("fk_missing_search_notices_unit_code_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_missing_search_notices")),
        sa.UniqueConstraint(
            "case_id", "unit_code", name=op.f("uq_missing_search_notices_case_id_unit_code")
        ),
    )
    with op.batch_alter_table("missing_search_notices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_missing_search_notices_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_missing_search_notices_unit_code"), ["unit_code"], unique=False
        )

    op.create_table(
        "missing_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "team",
            sa.Enum(
                "command",
                "intelligence",
                "criminal",
                "cyber",
                "patrol",
                name="team",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("assignee", sa.String(length=64), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "todo",
                "doing",
                "done",
                name="taskstate",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["missing_cases.id"], name=op.f("fk_missing_tasks_case_id_missing_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_missing_tasks")),
    )
    with op.batch_alter_table("missing_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_missing_tasks_case_id"), ["case_id"], unique=False)

    op.create_table(
        "missing_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "appeal_publish",
                "appeal_widen",
                "appeal_withdraw",
                "inform",
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
            sqlite_where=sa.text("sent_at IS NULL"),
            postgresql_where=sa.text("sent_at IS NULL"),
        )


def downgrade() -> None:
    for table in ("deadlines", "supervisions"):
        _replace_step_check(table, STEPS_0002)
    with op.batch_alter_table("missing_outbox", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_missing_outbox_pending",
            sqlite_where=sa.text("sent_at IS NULL"),
            postgresql_where=sa.text("sent_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_missing_outbox_case_id"))

    op.drop_table("missing_outbox")
    with op.batch_alter_table("missing_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_missing_tasks_case_id"))

    op.drop_table("missing_tasks")
    with op.batch_alter_table("missing_search_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_missing_search_notices_unit_code"))
        batch_op.drop_index(batch_op.f("ix_missing_search_notices_case_id"))

    op.drop_table("missing_search_notices")
    with op.batch_alter_table("missing_rule_firings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_missing_rule_firings_case_id"))

    op.drop_table("missing_rule_firings")
    with op.batch_alter_table("missing_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_missing_requests_case_id"))

    op.drop_table("missing_requests")
    with op.batch_alter_table("missing_photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_missing_photos_case_id"))

    op.drop_table("missing_photos")
    op.drop_table("missing_links")
    op.drop_table("missing_cluster_members")
    with op.batch_alter_table("missing_callbacks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_missing_callbacks_case_id"))

    op.drop_table("missing_callbacks")
    with op.batch_alter_table("missing_appeals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_missing_appeals_case_id"))

    op.drop_table("missing_appeals")
    with op.batch_alter_table("missing_cases", schema=None) as batch_op:
        batch_op.drop_index("ix_missing_cases_status_opened")
        batch_op.drop_index(batch_op.f("ix_missing_cases_school_key"))
        batch_op.drop_index(batch_op.f("ix_missing_cases_phone"))
        batch_op.drop_index(batch_op.f("ix_missing_cases_jurisdiction_path"))
        batch_op.drop_index(batch_op.f("ix_missing_cases_id_number"))

    op.drop_table("missing_cases")
    with op.batch_alter_table("missing_clusters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_missing_clusters_district_path"))

    op.drop_table("missing_clusters")
