"""Pydantic input and output for units, positions and key targets."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from cad110.kernel.inputs import Latitude, Longitude, Moment
from cad110.lifecycles.unit import UnitStatus
from cad110.models.target import TargetKind
from cad110.models.unit import DutyMode, PatrolLevel, UnitKind

Code = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9A-Za-z_.-]{1,32}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Capability = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9_]{1,32}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class UnitIn(Strict):
    """A unit's standing data (admin). Status is not set here: it follows assignments and shifts."""

    name_zh: Name
    name_en: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
    station: Code
    kind: UnitKind = UnitKind.STATION
    patrol_level: PatrolLevel = PatrolLevel.STATION
    duty_mode: DutyMode = DutyMode.ROUTINE
    capabilities: Annotated[list[Capability], Field(max_length=20)] = []
    grids: Annotated[list[Code], Field(max_length=50)] = []
    home_lon: Longitude | None = None
    home_lat: Latitude | None = None
    on_duty_from: Moment | None = None
    on_duty_until: Moment | None = None

    @model_validator(mode="after")
    def _consistent(self) -> UnitIn:
        if (self.home_lon is None) != (self.home_lat is None):
            raise ValueError("home_lon and home_lat go together")
        if self.on_duty_from and self.on_duty_until and self.on_duty_until <= self.on_duty_from:
            raise ValueError("on_duty_until must be after on_duty_from")
        return self


class UnitOut(BaseModel):
    code: str
    name_zh: str
    name_en: str
    station: str
    kind: UnitKind
    patrol_level: PatrolLevel
    duty_mode: DutyMode
    capabilities: list[str]
    grids: list[str]
    status: UnitStatus
    status_reason: str
    on_duty_from: datetime | None
    on_duty_until: datetime | None
    lon: float | None
    lat: float | None
    last_fix_at: datetime | None


class StatusBody(Strict):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] = ""


class FixIn(Strict):
    unit: Code
    lon: Longitude
    lat: Latitude
    at: Moment
    speed_kmh: Annotated[float, Field(ge=0, le=400, allow_inf_nan=False)] | None = None


class PositionsIn(Strict):
    fixes: Annotated[list[FixIn], Field(min_length=1, max_length=5000)]


class PositionsOut(BaseModel):
    received: int
    applied: int
    unknown_units: list[str]


class KeyTargetIn(Strict):
    name_zh: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
    name_en: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
    kind: TargetKind
    lon: Longitude
    lat: Latitude
    guard_unit: Code | None = None


class KeyTargetOut(BaseModel):
    code: str
    name_zh: str
    name_en: str
    kind: TargetKind
    lon: float
    lat: float
    station: str
    guard_unit: str | None
