"""Interactive API documentation (/docs): Swagger UI served from the package, so that it works
on a closed police network and under the console's Content-Security-Policy (no CDN, no inline
script). The OpenAPI document itself stays at /openapi.json for integrators either way."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from cad110.api.routing import Router
from cad110.web.common import locale_of
from cad110.web.render import render

router = Router(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
async def docs(request: Request) -> HTMLResponse:
    openapi_url = request.app.openapi_url or "/openapi.json"
    return HTMLResponse(render(locale_of(request), "docs.html", openapi_url=openapi_url))
