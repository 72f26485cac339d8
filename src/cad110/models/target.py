"""Key targets (重点目标): schools, hospitals, markets… guarded by an assigned unit."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from cad110.db.base import Base, str_enum


class TargetKind(StrEnum):
    SCHOOL = "school"
    HOSPITAL = "hospital"
    MARKET = "market"
    TRANSPORT_HUB = "transport_hub"
    GOVERNMENT = "government"
    FINANCIAL = "financial"
    SCENIC = "scenic"
    OTHER = "other"


class KeyTarget(Base):
    __tablename__ = "key_targets"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(128))
    kind: Mapped[TargetKind] = mapped_column(str_enum(TargetKind))
    lon: Mapped[float]
    lat: Mapped[float]
    station_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"), index=True)
    jurisdiction_path: Mapped[str] = mapped_column(String(255), index=True)
    guard_unit_code: Mapped[str | None] = mapped_column(ForeignKey("units.code"), index=True)
