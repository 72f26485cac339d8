"""The command tree 市局 → 分局 → 派出所, and the grids (网格) stations are divided into."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cad110.db.base import Base, str_enum


class Level(StrEnum):
    CITY = "city"
    DISTRICT = "district"
    STATION = "station"


class AreaType(StrEnum):
    """Urban core or suburb: arrival time limits differ."""

    URBAN = "urban"
    SUBURBAN = "suburban"


class Jurisdiction(Base):
    __tablename__ = "jurisdictions"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("jurisdictions.code"), index=True)
    level: Mapped[Level] = mapped_column(str_enum(Level))
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128))
    # Materialised path with a trailing slash ("350100/350111/35011101/"): a subtree is one
    # indexed prefix match, and "3501/" never matches "35011/".
    path: Mapped[str] = mapped_column(String(255), unique=True)
    area_type: Mapped[AreaType] = mapped_column(
        str_enum(AreaType),
        default=AreaType.URBAN,
    )
    # Boundary as GeoJSON geometry (lon/lat); districts carry it, stations get theirs from grids.
    boundary: Mapped[str | None] = mapped_column(Text)
    label_lon: Mapped[float | None]
    label_lat: Mapped[float | None]

    __table_args__ = (CheckConstraint("path LIKE '%/'", name="path_trailing_slash"),)


class Grid(Base):
    __tablename__ = "grids"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    station_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"), index=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128))
    boundary: Mapped[str] = mapped_column(Text)
