"""The command tree and grids within the caller's scope."""

from __future__ import annotations

import json
from typing import Any

from fastapi.responses import Response

from cad110.api.deps import Context
from cad110.api.routing import Router
from cad110.auth.permissions import Permission
from cad110.jurisdictions.repository import grids_of, subtree

router = Router(tags=["jurisdictions"])


def _object(fields: dict[str, Any], boundary: str | None) -> str:
    """One JSON object; the stored GeoJSON text goes in as it is, never parsed and re-encoded
    (the city's boundaries are most of the bytes, and every map screen loads them)."""
    text = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return text if boundary is None else f'{text[:-1]},"boundary":{boundary}}}'


@router.get("/jurisdictions", responses={200: {"content": {"application/json": {}}}})
def list_jurisdictions(ctx: Context, geometry: bool = False) -> Response:
    """The caller's subtree (市局 → 分局 → 派出所) with grids; boundaries (GeoJSON) on request."""
    ctx.by.require(Permission.READ)
    items = [
        _object(
            {
                "code": j.code,
                "parent": j.parent_code,
                "level": j.level.value,
                "name_zh": j.name_zh,
                "name_en": j.name_en,
                "path": j.path,
                "area_type": j.area_type.value,
            },
            j.boundary if geometry and j.boundary else None,
        )
        for j in subtree(ctx.session, ctx.by)
    ]
    grids = [
        _object(
            {"code": g.code, "station": g.station_code, "name_zh": g.name_zh, "name_en": g.name_en},
            g.boundary if geometry else None,
        )
        for g in grids_of(ctx.session, ctx.by)
    ]
    body = '{"items":[' + ",".join(items) + '],"grids":[' + ",".join(grids) + "]}"
    return Response(body, media_type="application/json")
