"""The standard address library (标准地址, the 一标 of 一标三实): addresses and points of interest.

Each place has a stable code, its full text and parts, aliases, a point, and the grid and station
the point falls in. Places are never deleted: an edit bumps `version` and writes an event; a
place that no longer exists is retired (`active` false) and stays readable in old records.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from cad110.db.base import Base, str_enum


class PlaceKind(StrEnum):
    ADDRESS = "address"  # a house number, building or unit on a road (门牌地址)
    POI = "poi"  # a named place: park, hospital, school, station, mall, bridge… (兴趣点)
    ROAD = "road"  # a whole road, for calls that name a road and a landmark only


class Place(Base):
    __tablename__ = "places"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The standard address code (地址编码), unique and stable across versions.
    code: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[PlaceKind] = mapped_column(str_enum(PlaceKind, length=16))
    # For a point of interest its name (西湖公园); for an address its short form (五一北路123号).
    name: Mapped[str] = mapped_column(String(128))
    # Everything from the district down, as a caller's address is written on a record.
    full_text: Mapped[str] = mapped_column(String(255))
    district: Mapped[str] = mapped_column(String(32), default="")
    town: Mapped[str] = mapped_column(String(64), default="")  # 街道 / 镇 / 乡
    community: Mapped[str] = mapped_column(String(64), default="")  # 社区 / 村
    road: Mapped[str] = mapped_column(String(64), default="")
    house_number: Mapped[str] = mapped_column(String(16), default="")  # 门牌号
    building: Mapped[str] = mapped_column(String(32), default="")  # 楼栋 / 座
    unit: Mapped[str] = mapped_column(String(16), default="")  # 单元
    # What kind of point of interest (park, hospital, school, station, mall, bridge…).
    poi_type: Mapped[str] = mapped_column(String(24), default="")
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    lon: Mapped[float]
    lat: Mapped[float]
    # True where the point was placed by rule (spread along a road) rather than surveyed.
    approximate: Mapped[bool] = mapped_column(default=False)
    grid_code: Mapped[str | None] = mapped_column(ForeignKey("grids.code"))
    station_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))
    jurisdiction_path: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)
    # Which import batch (or "admin") last wrote the place.
    source: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime]

    __table_args__ = (
        Index("ix_places_scope", "jurisdiction_path"),
        Index("ix_places_lon_lat", "lon", "lat"),
        Index("ix_places_road", "road", "house_number"),
        # max(updated_at) is how every worker notices an edit (places/index.py).
        Index("ix_places_updated_at", "updated_at"),
    )
