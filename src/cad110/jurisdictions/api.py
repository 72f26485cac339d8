"""The command tree and grids within the caller's scope."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter

from cad110.api.deps import Context
from cad110.api.routing import UnitOfWorkRoute
from cad110.auth.permissions import Permission
from cad110.jurisdictions.repository import grids_of, subtree

router = APIRouter(tags=["jurisdictions"], route_class=UnitOfWorkRoute)


@router.get("/jurisdictions")
def list_jurisdictions(ctx: Context, geometry: bool = False) -> dict[str, Any]:
    """The caller's subtree (市局 → 分局 → 派出所) with grids; boundaries on request."""
    ctx.by.require(Permission.READ)
    nodes = subtree(ctx.session, ctx.by.scope_path)
    return {
        "items": [
            {
                "code": j.code,
                "parent": j.parent_code,
                "level": j.level.value,
                "name_zh": j.name_zh,
                "name_en": j.name_en,
                "path": j.path,
                "area_type": j.area_type.value,
                **({"boundary": json.loads(j.boundary)} if geometry and j.boundary else {}),
            }
            for j in nodes
        ],
        "grids": [
            {
                "code": g.code,
                "station": g.station_code,
                "name_zh": g.name_zh,
                "name_en": g.name_en,
                **({"boundary": json.loads(g.boundary)} if geometry else {}),
            }
            for g in grids_of(ctx.session, ctx.by.scope_path)
        ],
    }
