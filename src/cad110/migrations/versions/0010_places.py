"""places: the standard address library (标准地址) of addresses and points of interest

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cad110.db.base

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "places",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "address",
                "poi",
                "road",
                name="placekind",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("full_text", sa.String(length=255), nullable=False),
        sa.Column("district", sa.String(length=32), nullable=False),
        sa.Column("town", sa.String(length=64), nullable=False),
        sa.Column("community", sa.String(length=64), nullable=False),
        sa.Column("road", sa.String(length=64), nullable=False),
        sa.Column("house_number", sa.String(length=16), nullable=False),
        sa.Column("building", sa.String(length=32), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("poi_type", sa.String(length=24), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("lon", sa.Double(), nullable=False),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("approximate", sa.Boolean(), nullable=False),
        sa.Column("grid_code", sa.String(length=20), nullable=True),
        sa.Column("station_code", sa.String(length=16), nullable=False),
        sa.Column("jurisdiction_path", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("updated_at", cad110.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["grid_code"], ["grids.code"], name=op.f("fk_places_grid_code_grids")
        ),
        sa.ForeignKeyConstraint(
            ["station_code"],
            ["jurisdictions.code"],
            name=op.f("fk_places_station_code_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_places")),
        sa.UniqueConstraint("code", name=op.f("uq_places_code")),
    )
    with op.batch_alter_table("places", schema=None) as batch_op:
        batch_op.create_index("ix_places_lon_lat", ["lon", "lat"], unique=False)
        batch_op.create_index("ix_places_road", ["road", "house_number"], unique=False)
        batch_op.create_index("ix_places_scope", ["jurisdiction_path"], unique=False)
        batch_op.create_index("ix_places_updated_at", ["updated_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("places", schema=None) as batch_op:
        batch_op.drop_index("ix_places_updated_at")
        batch_op.drop_index("ix_places_scope")
        batch_op.drop_index("ix_places_road")
        batch_op.drop_index("ix_places_lon_lat")

    op.drop_table("places")
