"""dispatch and supervision

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 01:13:27.535687
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "key_targets",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_zh", sa.String(length=128), nullable=False),
        sa.Column("name_en", sa.String(length=128), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "school",
                "hospital",
                "market",
                "transport_hub",
                "government",
                "financial",
                "scenic",
                "other",
                name="targetkind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("lon", sa.Double(), nullable=False),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("station_code", sa.String(length=16), nullable=False),
        sa.Column("jurisdiction_path", sa.String(length=255), nullable=False),
        sa.Column("guard_unit_code", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["guard_unit_code"], ["units.code"], name=op.f("fk_key_targets_guard_unit_code_units")
        ),
        sa.ForeignKeyConstraint(
            ["station_code"],
            ["jurisdictions.code"],
            name=op.f("fk_key_targets_station_code_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_key_targets")),
    )
    with op.batch_alter_table("key_targets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_key_targets_guard_unit_code"), ["guard_unit_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_key_targets_jurisdiction_path"), ["jurisdiction_path"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_key_targets_station_code"), ["station_code"], unique=False
        )

    op.create_table(
        "unit_grids",
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.Column("grid_code", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["grid_code"], ["grids.code"], name=op.f("fk_unit_grids_grid_code_grids")
        ),
        sa.ForeignKeyConstraint(
            ["unit_code"], ["units.code"], name=op.f("fk_unit_grids_unit_code_units")
        ),
        sa.PrimaryKeyConstraint("unit_code", "grid_code", name=op.f("pk_unit_grids")),
    )
    with op.batch_alter_table("unit_grids", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_grids_grid_code"), ["grid_code"], unique=False)

    op.create_table(
        "deadlines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=True),
        sa.Column(
            "step",
            sa.Enum(
                "acknowledge",
                "arrive",
                "report",
                "close",
                "callback",
                name="step",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("met_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_deadlines_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["unit_code"], ["units.code"], name=op.f("fk_deadlines_unit_code_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadlines")),
    )
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deadlines_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index(
            "ix_deadlines_pending_due",
            ["due_at"],
            unique=False,
            sqlite_where=sa.text("met_at IS NULL AND fired_at IS NULL AND cancelled_at IS NULL"),
            postgresql_where=sa.text(
                "met_at IS NULL AND fired_at IS NULL AND cancelled_at IS NULL"
            ),
        )

    op.create_table(
        "unit_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "accepted",
                "declined",
                "withdrawn",
                name="offerstate",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_unit_offers_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["unit_code"], ["units.code"], name=op.f("fk_unit_offers_unit_code_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_offers")),
    )
    with op.batch_alter_table("unit_offers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_unit_offers_incident_id"), ["incident_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_unit_offers_unit_code"), ["unit_code"], unique=False)

    op.create_table(
        "supervisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deadline_id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=True),
        sa.Column(
            "step",
            sa.Enum(
                "acknowledge",
                "arrive",
                "report",
                "close",
                "callback",
                name="step",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "level",
            sa.Enum(
                "station",
                "district",
                "city",
                name="supervisionlevel",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("owner_code", sa.String(length=16), nullable=False),
        sa.Column("owner_path", sa.String(length=255), nullable=False),
        sa.Column("incident_path", sa.String(length=255), nullable=False),
        sa.Column("escalate_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("step_done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["deadline_id"], ["deadlines.id"], name=op.f("fk_supervisions_deadline_id_deadlines")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_supervisions_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["owner_code"],
            ["jurisdictions.code"],
            name=op.f("fk_supervisions_owner_code_jurisdictions"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_code"], ["units.code"], name=op.f("fk_supervisions_unit_code_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervisions")),
        sa.UniqueConstraint("deadline_id", name=op.f("uq_supervisions_deadline_id")),
    )
    with op.batch_alter_table("supervisions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_supervisions_escalate",
            ["escalate_at"],
            unique=False,
            sqlite_where=sa.text("acknowledged_at IS NULL AND step_done_at IS NULL"),
            postgresql_where=sa.text("acknowledged_at IS NULL AND step_done_at IS NULL"),
        )
        batch_op.create_index(
            batch_op.f("ix_supervisions_incident_id"), ["incident_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_supervisions_incident_path"), ["incident_path"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_supervisions_owner_path"), ["owner_path"], unique=False
        )

    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_code", sa.String(length=16), nullable=False),
        sa.Column("target_path", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("supervision_id", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_notifications_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["supervision_id"],
            ["supervisions.id"],
            name=op.f("fk_notifications_supervision_id_supervisions"),
        ),
        sa.ForeignKeyConstraint(
            ["target_code"],
            ["jurisdictions.code"],
            name=op.f("fk_notifications_target_code_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notifications_target_path"), ["target_path"], unique=False
        )

    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sa.Enum(
                    "patrol_special",
                    "station",
                    "community",
                    "traffic",
                    name="unitkind",
                    native_enum=False,
                    create_constraint=True,
                    length=24,
                ),
                nullable=False,
                server_default="station",
            )
        )
        batch_op.add_column(
            sa.Column(
                "patrol_level",
                sa.Enum(
                    "city",
                    "county",
                    "station",
                    "community",
                    name="patrollevel",
                    native_enum=False,
                    create_constraint=True,
                    length=24,
                ),
                nullable=False,
                server_default="station",
            )
        )
        batch_op.add_column(
            sa.Column(
                "duty_mode",
                sa.Enum(
                    "routine",
                    "dynamic",
                    "emergency",
                    "video",
                    name="dutymode",
                    native_enum=False,
                    create_constraint=True,
                    length=24,
                ),
                nullable=False,
                server_default="routine",
            )
        )
        batch_op.add_column(
            sa.Column("capabilities", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(
            sa.Column("status_reason", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("on_duty_from", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("on_duty_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("home_lon", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("home_lat", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("last_lon", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("last_lat", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("last_fix_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_speed_kmh", sa.Double(), nullable=True))

    widen_status_checks()


def downgrade() -> None:
    narrow_status_checks()

    with op.batch_alter_table("units", schema=None) as batch_op:
        for name in ("ck_units_dutymode", "ck_units_unitkind", "ck_units_patrollevel"):
            batch_op.drop_constraint(op.f(name), type_="check")
        batch_op.drop_column("last_speed_kmh")
        batch_op.drop_column("last_fix_at")
        batch_op.drop_column("last_lat")
        batch_op.drop_column("last_lon")
        batch_op.drop_column("home_lat")
        batch_op.drop_column("home_lon")
        batch_op.drop_column("on_duty_until")
        batch_op.drop_column("on_duty_from")
        batch_op.drop_column("status_reason")
        batch_op.drop_column("capabilities")
        batch_op.drop_column("duty_mode")
        batch_op.drop_column("patrol_level")
        batch_op.drop_column("kind")

    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_target_path"))

    op.drop_table("notifications")
    with op.batch_alter_table("supervisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supervisions_owner_path"))
        batch_op.drop_index(batch_op.f("ix_supervisions_incident_path"))
        batch_op.drop_index(batch_op.f("ix_supervisions_incident_id"))
        batch_op.drop_index(
            "ix_supervisions_escalate",
            sqlite_where=sa.text("acknowledged_at IS NULL AND step_done_at IS NULL"),
            postgresql_where=sa.text("acknowledged_at IS NULL AND step_done_at IS NULL"),
        )

    op.drop_table("supervisions")
    with op.batch_alter_table("unit_offers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_offers_unit_code"))
        batch_op.drop_index(batch_op.f("ix_unit_offers_incident_id"))

    op.drop_table("unit_offers")
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_deadlines_pending_due",
            sqlite_where=sa.text("met_at IS NULL AND fired_at IS NULL AND cancelled_at IS NULL"),
            postgresql_where=sa.text(
                "met_at IS NULL AND fired_at IS NULL AND cancelled_at IS NULL"
            ),
        )
        batch_op.drop_index(batch_op.f("ix_deadlines_incident_id"))

    op.drop_table("deadlines")
    with op.batch_alter_table("unit_grids", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_grids_grid_code"))

    op.drop_table("unit_grids")
    with op.batch_alter_table("key_targets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_key_targets_station_code"))
        batch_op.drop_index(batch_op.f("ix_key_targets_jurisdiction_path"))
        batch_op.drop_index(batch_op.f("ix_key_targets_guard_unit_code"))

    op.drop_table("key_targets")


INCIDENT_STATUSES_0001 = (
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
)
UNIT_STATUSES_0001 = ("off_duty", "available", "dispatched", "en_route", "on_scene", "unavailable")


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _replace_check(table: str, name: str, condition: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(op.f(name), type_="check")
        batch_op.create_check_constraint(op.f(name), condition)


# New statuses: an incident may wait for a unit (queued); a released unit drives back (returning).
def widen_status_checks() -> None:
    _replace_check(
        "incidents", "ck_incidents_status", _in("status", (*INCIDENT_STATUSES_0001, "queued"))
    )
    _replace_check(
        "units", "ck_units_unitstatus", _in("status", (*UNIT_STATUSES_0001, "returning"))
    )


def narrow_status_checks() -> None:
    _replace_check("incidents", "ck_incidents_status", _in("status", INCIDENT_STATUSES_0001))
    _replace_check("units", "ck_units_unitstatus", _in("status", UNIT_STATUSES_0001))
