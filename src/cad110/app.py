"""The web application: API under /api/v1, OpenAPI at /openapi.json."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from cad110 import __version__
from cad110.api.errors import install_error_handlers
from cad110.calls.api import router as calls_router
from cad110.catalog.api import router as catalog_router
from cad110.dispatch.api import router as dispatch_router
from cad110.incidents.api import router as incidents_router
from cad110.jurisdictions.api import router as jurisdictions_router
from cad110.live import install_live
from cad110.missing.api import router as missing_router
from cad110.missing.reports_api import router as missing_reports_router
from cad110.runtime import Runtime
from cad110.supervision.api import router as supervision_router
from cad110.supervision.loop import SupervisionLoop
from cad110.supervision.notifications import router as notifications_router
from cad110.units.api import router as units_router
from cad110.web.board import router as board_router
from cad110.web.desk import router as desk_router
from cad110.web.missing import router as missing_pages_router
from cad110.web.pages import router as pages_router
from cad110.web.records import router as records_router


def create_app(runtime: Runtime) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Live first, so that what the supervision loop commits is pushed to screens too.
        async with live:
            loop = SupervisionLoop(runtime) if runtime.settings.supervision_loop else None
            if loop is not None:
                loop.start()
            try:
                yield
            finally:
                if loop is not None:
                    loop.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="cad110",
        version=__version__,
        description="110 command and dispatch: calls, incidents, units, time axis, audit log.",
    )
    app.state.runtime = runtime
    install_error_handlers(app)
    live = install_live(app, runtime)
    api = APIRouter(prefix="/api/v1")
    for router in (
        incidents_router,
        dispatch_router,
        calls_router,
        catalog_router,
        jurisdictions_router,
        units_router,
        supervision_router,
        notifications_router,
        missing_router,
        missing_reports_router,
    ):
        api.include_router(router)
    app.include_router(api)
    app.include_router(pages_router)
    app.include_router(board_router)
    app.include_router(desk_router)
    app.include_router(records_router)
    app.include_router(missing_pages_router)
    app.mount("/static", StaticFiles(packages=[("cad110.web", "static")]), name="static")

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
