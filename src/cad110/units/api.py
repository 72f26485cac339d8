"""Units within the caller's scope."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import select

from cad110.api.deps import Context
from cad110.auth.permissions import Permission
from cad110.models.unit import Unit, UnitStatus

router = APIRouter(tags=["units"])


@router.get("/units")
def list_units(ctx: Context, status: UnitStatus | None = None) -> dict[str, Any]:
    ctx.by.require(Permission.READ)
    stmt = select(Unit).where(Unit.jurisdiction_path.startswith(ctx.by.scope_path, autoescape=True))
    if status is not None:
        stmt = stmt.where(Unit.status == status)
    units = ctx.session.scalars(stmt.order_by(Unit.code)).all()
    return {
        "items": [
            {
                "code": u.code,
                "name_zh": u.name_zh,
                "name_en": u.name_en,
                "station": u.station_code,
                "status": u.status.value,
            }
            for u in units
        ]
    }
