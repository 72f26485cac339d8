"""反诈预警台: the warning desk's queue by level and age, one key to call the person (their number
in full is a read of the API, recorded) and one to record the answer. Personal data comes
masked in the page itself."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from cad110.api.routing import Router
from cad110.auth.permissions import Permission, allowed
from cad110.auth.principal import Principal
from cad110.fraud import repository
from cad110.fraud.rules import in_force
from cad110.fraud.views import warnings_out
from cad110.kernel.runtime import Runtime
from cad110.models.fraud import WarningStatus
from cad110.web.common import Rt, console_user, fragment_user, locale_of, page, to_login
from cad110.web.i18n import translations
from cad110.web.sentences import machine_names

router = Router(include_in_schema=False)


def _queue(rt: Runtime, by: Principal, closed: bool) -> dict[str, Any]:
    now = rt.clock.now()
    with rt.readers() as session:
        rules = in_force(rt.system_ctx(session, now))
        found = repository.queue(session, by=by, open_only=not closed)
        items = warnings_out(session, found, rules, now)
    return {
        "items": items,
        "items_json": [item.model_dump(mode="json") for item in items],
        "open_count": sum(1 for w in found if w.status is WarningStatus.OPEN),
    }


@router.get("/fraud")
async def fraud_page(request: Request, rt: Rt, closed: bool = False) -> Response:
    """The open warnings, the most urgent and then the oldest first, and a panel for the one
    chosen: who, what is at stake, what to say, the ladder so far and its history. With
    `closed`, the closed warnings too, each with its outcome (what the desk looks back on)."""
    by = await console_user(request, rt)
    if by is None:
        return to_login(request)
    if not allowed(by.role, Permission.FRAUD):
        return page(request, "fraud.html", by, status_code=403, forbidden=True)
    data = await run_in_threadpool(_queue, rt, by, closed)
    machines = machine_names(translations(locale_of(request)).gettext)
    return page(
        request, "fraud.html", by, forbidden=False, closed=closed, machines=machines, **data
    )


@router.get("/fraud/rows")
async def fraud_rows(request: Request, rt: Rt, closed: bool = False) -> Response:
    """The queue's changing parts alone, for the live refresh to merge into the page
    (fraud.js): the warning chosen, the amount and note being typed and a number shown stay."""
    by = await fragment_user(request, rt, Permission.FRAUD)
    if isinstance(by, Response):
        return by
    data = await run_in_threadpool(_queue, rt, by, closed)
    return page(request, "_fraud_fresh.html", by, **data)
