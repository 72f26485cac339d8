"""foundation

Revision ID: 0001
Revises:
Create Date: 2026-11-23 00:55:36.055112
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("subject_type", sa.String(length=24), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=48), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint(
            "subject_type", "subject_id", "seq", name=op.f("uq_events_subject_type_subject_id_seq")
        ),
    )
    op.create_table(
        "incident_sequences",
        sa.Column("prefix", sa.String(length=32), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("prefix", name=op.f("pk_incident_sequences")),
    )
    op.create_table(
        "jurisdictions",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("parent_code", sa.String(length=16), nullable=True),
        sa.Column(
            "level",
            sa.Enum(
                "city",
                "district",
                "station",
                name="level",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("name_zh", sa.String(length=64), nullable=False),
        sa.Column("name_en", sa.String(length=128), nullable=False),
        sa.Column("path", sa.String(length=255), nullable=False),
        sa.Column(
            "area_type",
            sa.Enum(
                "urban",
                "suburban",
                name="areatype",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("boundary", sa.Text(), nullable=True),
        sa.Column("label_lon", sa.Double(), nullable=True),
        sa.Column("label_lat", sa.Double(), nullable=True),
        sa.CheckConstraint("path LIKE '%/'", name=op.f("ck_jurisdictions_path_trailing_slash")),
        sa.ForeignKeyConstraint(
            ["parent_code"],
            ["jurisdictions.code"],
            name=op.f("fk_jurisdictions_parent_code_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_jurisdictions")),
        sa.UniqueConstraint("path", name=op.f("uq_jurisdictions_path")),
    )
    with op.batch_alter_table("jurisdictions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_jurisdictions_parent_code"), ["parent_code"], unique=False
        )

    op.create_table(
        "grids",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("station_code", sa.String(length=16), nullable=False),
        sa.Column("name_zh", sa.String(length=64), nullable=False),
        sa.Column("name_en", sa.String(length=128), nullable=False),
        sa.Column("boundary", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_code"],
            ["jurisdictions.code"],
            name=op.f("fk_grids_station_code_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_grids")),
    )
    with op.batch_alter_table("grids", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grids_station_code"), ["station_code"], unique=False)

    op.create_table(
        "units",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_zh", sa.String(length=64), nullable=False),
        sa.Column("name_en", sa.String(length=128), nullable=False),
        sa.Column("station_code", sa.String(length=16), nullable=False),
        sa.Column("jurisdiction_path", sa.String(length=255), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "off_duty",
                "available",
                "dispatched",
                "en_route",
                "on_scene",
                "unavailable",
                name="unitstatus",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_code"],
            ["jurisdictions.code"],
            name=op.f("fk_units_station_code_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_units")),
    )
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_units_jurisdiction_path"), ["jurisdiction_path"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_units_station_code"), ["station_code"], unique=False)

    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "call_110",
                "push_12345",
                "sms",
                "video_patrol",
                "walk_in",
                "alarm_device",
                "app",
                name="source",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("caller_name", sa.String(length=64), nullable=True),
        sa.Column("caller_phone", sa.String(length=32), nullable=True),
        sa.Column("address", sa.String(length=255), nullable=True),
        sa.Column("lon", sa.Double(), nullable=True),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("jurisdiction_code", sa.String(length=16), nullable=False),
        sa.Column("jurisdiction_path", sa.String(length=255), nullable=False),
        sa.Column("grid_code", sa.String(length=20), nullable=True),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("category_code", sa.String(length=48), nullable=True),
        sa.Column("grade", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "received",
                "accepted",
                "assessed",
                "dispatched",
                "acknowledged",
                "departed",
                "arrived",
                "handled",
                "reported",
                "closed",
                "callback",
                "archived",
                "merged",
                "transferred",
                "invalid",
                "cancelled",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("transferred_to", sa.String(length=32), nullable=True),
        sa.Column("invalid_reason", sa.String(length=32), nullable=True),
        sa.Column("outcome", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("departed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("callback_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "grade IS NULL OR grade BETWEEN 1 AND 4", name=op.f("ck_incidents_grade_range")
        ),
        sa.ForeignKeyConstraint(
            ["grid_code"], ["grids.code"], name=op.f("fk_incidents_grid_code_grids")
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdictions.code"],
            name=op.f("fk_incidents_jurisdiction_code_jurisdictions"),
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["incidents.id"], name=op.f("fk_incidents_merged_into_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
        sa.UniqueConstraint("number", name=op.f("uq_incidents_number")),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incidents_caller_phone"), ["caller_phone"], unique=False
        )
        batch_op.create_index("ix_incidents_received_at", ["received_at"], unique=False)
        batch_op.create_index(
            "ix_incidents_scope_status", ["jurisdiction_path", "status"], unique=False
        )

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "calltaker",
                "dispatcher",
                "officer",
                "leader",
                "analyst",
                "admin",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("jurisdiction_code", sa.String(length=16), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdictions.code"],
            name=op.f("fk_users_jurisdiction_code_jurisdictions"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_code"], ["units.code"], name=op.f("fk_users_unit_code_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_users_jurisdiction_code"), ["jurisdiction_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_users_unit_code"), ["unit_code"], unique=False)

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "dispatched",
                "acknowledged",
                "departed",
                "arrived",
                "released",
                name="assignmentstate",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("departed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dispatched_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_assignments_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["unit_code"], ["units.code"], name=op.f("fk_assignments_unit_code_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignments")),
    )
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assignments_incident_id"), ["incident_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_assignments_unit_code"), ["unit_code"], unique=False)
        batch_op.create_index(
            "uq_assignments_active_unit",
            ["unit_code"],
            unique=True,
            sqlite_where=sa.text("released_at IS NULL"),
            postgresql_where=sa.text("released_at IS NULL"),
        )

    op.create_table(
        "calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("caller_phone", sa.String(length=32), nullable=True),
        sa.Column("caller_name", sa.String(length=64), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_s", sa.Integer(), nullable=True),
        sa.Column("calltaker", sa.String(length=64), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "incident_created",
                "attached",
                "advice",
                "transferred_12345",
                "transferred_119",
                "transferred_120",
                "invalid_misdial",
                "invalid_silent",
                "invalid_harassment",
                "invalid_hoax",
                name="calloutcome",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("jurisdiction_path", sa.String(length=255), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_calls_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calls")),
    )
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.create_index(
            "ix_calls_caller_phone", ["caller_phone", "answered_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_calls_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index(
            "ix_calls_scope_answered", ["jurisdiction_path", "answered_at"], unique=False
        )

    op.create_table(
        "idempotency_keys",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("endpoint", sa.String(length=64), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_idempotency_keys_incident_id_incidents"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_idempotency_keys_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_table(
        "incident_links",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("related_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_incident_links_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["related_id"], ["incidents.id"], name=op.f("fk_incident_links_related_id_incidents")
        ),
        sa.PrimaryKeyConstraint("incident_id", "related_id", name=op.f("pk_incident_links")),
    )

    protect_event_log()


def downgrade() -> None:
    unprotect_event_log()

    op.drop_table("incident_links")
    op.drop_table("idempotency_keys")
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_index("ix_calls_scope_answered")
        batch_op.drop_index(batch_op.f("ix_calls_incident_id"))
        batch_op.drop_index("ix_calls_caller_phone")

    op.drop_table("calls")
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_assignments_active_unit",
            sqlite_where=sa.text("released_at IS NULL"),
            postgresql_where=sa.text("released_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_assignments_unit_code"))
        batch_op.drop_index(batch_op.f("ix_assignments_incident_id"))

    op.drop_table("assignments")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_user_id"))

    op.drop_table("api_tokens")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_unit_code"))
        batch_op.drop_index(batch_op.f("ix_users_jurisdiction_code"))

    op.drop_table("users")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index("ix_incidents_scope_status")
        batch_op.drop_index("ix_incidents_received_at")
        batch_op.drop_index(batch_op.f("ix_incidents_caller_phone"))

    op.drop_table("incidents")
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_units_station_code"))
        batch_op.drop_index(batch_op.f("ix_units_jurisdiction_path"))

    op.drop_table("units")
    with op.batch_alter_table("grids", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grids_station_code"))

    op.drop_table("grids")
    with op.batch_alter_table("jurisdictions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jurisdictions_parent_code"))

    op.drop_table("jurisdictions")
    op.drop_table("incident_sequences")
    op.drop_table("events")


# The event log is append-only: the database itself refuses UPDATE and DELETE on it, so
# neither a bug nor a careless operator can rewrite history without first dropping these.
def protect_event_log() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'the event log is append-only (% refused)', TG_OP;
            END $$
            """
        )
        op.execute(
            "CREATE TRIGGER events_no_update_delete BEFORE UPDATE OR DELETE ON events "
            "FOR EACH ROW EXECUTE FUNCTION events_append_only()"
        )
        op.execute(
            "CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events "
            "FOR EACH STATEMENT EXECUTE FUNCTION events_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER events_no_{verb.lower()} BEFORE {verb} ON events "
                f"BEGIN SELECT RAISE(ABORT, 'the event log is append-only ({verb} refused)'); END"
            )


def unprotect_event_log() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS events_no_truncate ON events")
        op.execute("DROP TRIGGER IF EXISTS events_no_update_delete ON events")
        op.execute("DROP FUNCTION IF EXISTS events_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS events_no_update")
        op.execute("DROP TRIGGER IF EXISTS events_no_delete")
