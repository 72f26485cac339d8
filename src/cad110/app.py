"""The web application: API under /api/v1, OpenAPI at /openapi.json."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from cad110 import __version__
from cad110.accounts.api import router as admin_router
from cad110.api.admission import Admission, Capacity
from cad110.api.errors import install_error_handlers
from cad110.api.limits import BodyLimit
from cad110.api.routing import UnitOfWorkRoute
from cad110.api.security import SecurityHeaders, content_security_policy
from cad110.callbacks.api import router as callbacks_router
from cad110.dispatch.api import router as dispatch_router
from cad110.fraud.api import router as fraud_router
from cad110.incidents.api import router as incidents_router
from cad110.incidents.calls_api import router as calls_router
from cad110.incidents.catalog_api import router as catalog_router
from cad110.incidents.outcomes_api import router as outcomes_router
from cad110.jurisdictions.api import router as jurisdictions_router
from cad110.jurisdictions.roster_api import router as roster_router
from cad110.kernel.runtime import Runtime
from cad110.kernel.ticks import TickLoop
from cad110.live import Live, install_live
from cad110.live.install import make_bus
from cad110.missing.api import router as missing_router
from cad110.missing.reports_api import router as missing_reports_router
from cad110.places.api import router as places_router
from cad110.places.flags_api import router as flags_router
from cad110.places.known_api import router as known_router
from cad110.privacy.api import router as privacy_router
from cad110.repeats.api import router as repeats_router
from cad110.repeats.cases_api import router as repeat_cases_router
from cad110.shifts.api import router as handover_router
from cad110.sms.api import router as sms_router
from cad110.stats.api import router as stats_router
from cad110.supervision.api import router as supervision_router
from cad110.supervision.notifications import router as notifications_router
from cad110.telephony.api import router as telephony_router
from cad110.transfers.api import router as transfers_router
from cad110.units.api import router as units_router
from cad110.web.access_log import router as access_log_router
from cad110.web.admin import router as admin_pages_router
from cad110.web.board import router as board_router
from cad110.web.callbacks import router as callbacks_pages_router
from cad110.web.desk import router as desk_router
from cad110.web.docs import router as docs_router
from cad110.web.fraud import router as fraud_pages_router
from cad110.web.missing import router as missing_pages_router
from cad110.web.pages import router as pages_router
from cad110.web.records import router as records_router
from cad110.web.repeat_cases import router as repeat_cases_pages_router
from cad110.web.search import router as search_pages_router
from cad110.web.shifts import router as handover_pages_router
from cad110.web.stats import router as stats_pages_router
from cad110.web.wall import router as wall_pages_router

API_PREFIX = "/api/v1"


def create_app(runtime: Runtime) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # What the application serves now (bind_runtime may have changed it between runs).
        served: Runtime = app.state.runtime
        live: Live = app.state.live
        # Live first, so that what the supervision loop commits is pushed to screens too.
        async with live:
            loop = TickLoop(served) if served.settings.supervision_loop else None
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
        # /docs is served from the package (web/docs.py); ReDoc would load from a CDN.
        docs_url=None,
        redoc_url=None,
    )
    # Routes put straight on the application (/healthz) commit like those of a Router.
    app.router.route_class = UnitOfWorkRoute
    app.state.runtime = runtime
    install_error_handlers(app)
    install_live(app, runtime)
    # Each router straight into the app: FastAPI builds every route's dependencies again at
    # each include, so an intermediate /api/v1 router would double the cost of every app.
    for router in (
        incidents_router,
        outcomes_router,
        dispatch_router,
        calls_router,
        catalog_router,
        jurisdictions_router,
        # Before places_router: its /places/{code} would take "known" for a code.
        known_router,
        places_router,
        flags_router,
        units_router,
        supervision_router,
        notifications_router,
        missing_router,
        missing_reports_router,
        privacy_router,
        admin_router,
        roster_router,
        handover_router,
        telephony_router,
        sms_router,
        stats_router,
        callbacks_router,
        transfers_router,
        repeat_cases_router,
        repeats_router,
        fraud_router,
    ):
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(pages_router)
    app.include_router(board_router)
    app.include_router(desk_router)
    app.include_router(records_router)
    app.include_router(callbacks_pages_router)
    app.include_router(fraud_pages_router)
    app.include_router(repeat_cases_pages_router)
    app.include_router(missing_pages_router)
    app.include_router(access_log_router)
    app.include_router(search_pages_router)
    app.include_router(admin_pages_router)
    app.include_router(handover_pages_router)
    app.include_router(stats_pages_router)
    app.include_router(wall_pages_router)
    if runtime.settings.docs_enabled:
        app.include_router(docs_router)
    app.mount("/static", StaticFiles(packages=[("cad110.web", "static")]), name="static")
    settings = runtime.settings
    capacity = Capacity(
        reads=settings.admit_reads, writes=settings.admit_writes, wait_s=settings.admit_wait_s
    )
    # Innermost of the three: a refusal still gets the security headers.
    app.add_middleware(Admission, capacity=capacity)
    app.add_middleware(
        BodyLimit, max_body=settings.max_body_bytes, max_upload=settings.max_upload_bytes
    )
    app.add_middleware(SecurityHeaders, csp=content_security_policy(runtime.settings.map_tile_url))

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def bind_runtime(app: FastAPI, runtime: Runtime) -> None:
    """Serve `runtime` (another database, clock…) with an application built before, between
    two runs of its lifespan. FastAPI builds every route's dependencies anew for each
    application; a process that serves many runtimes one after another (the test suite) builds
    them once. The settings the middleware reads (body limits, the tile server, /docs) stay
    those of the runtime the application was made with."""
    app.state.runtime = runtime
    app.state.live = Live(runtime, make_bus(runtime))
