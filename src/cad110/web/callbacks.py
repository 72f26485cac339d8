"""回访队列: the callback queue a 回访员 works from the keyboard, and the follow-ups (不满意整改)
a dissatisfied answer opened. Callers' names and numbers come masked; one callback's number in
full is a read of the API (recorded), for those whose duty it is."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from cad110.api.routing import Router
from cad110.auth.permissions import Permission, allowed
from cad110.auth.principal import Principal
from cad110.callbacks import repository
from cad110.callbacks.rules import in_force
from cad110.callbacks.views import follow_up_out, queue_item
from cad110.kernel.runtime import Runtime
from cad110.web.common import Rt, console_user, fragment_user, page, to_login

router = Router(include_in_schema=False)
SHOWN = 200


def _queue(rt: Runtime, by: Principal) -> dict[str, Any]:
    now = rt.clock.now()
    with rt.readers() as session:
        rules = in_force(rt.system_ctx(session, now))
        rows = repository.queue(session, by, now, limit=SHOWN)
        items = [queue_item(d, i, rt.catalog, now, full=False) for d, i in rows]
        ups = repository.follow_ups(session, by, open_only=False, limit=50)
        follow_ups = [follow_up_out(f, i, j, now, rt.settings.tz) for f, i, j in ups]
    return {
        "items": items,
        "items_json": [item.model_dump(mode="json") for item in items],
        "follow_ups": follow_ups,
        "max_attempts": rules.max_attempts,
        # The server's time, so the page tells when a waiting row's next try comes by the
        # same clock the API refuses an early try with.
        "now": now.isoformat(),
    }


@router.get("/callbacks")
async def callbacks_page(request: Request, rt: Rt) -> Response:
    """The queue by due time, a panel for the one chosen, and the follow-ups."""
    by = await console_user(request, rt)
    if by is None:
        return to_login(request)
    if not allowed(by.role, Permission.CALLBACK):
        return page(request, "callbacks.html", by, status_code=403, forbidden=True)
    data = await run_in_threadpool(_queue, rt, by)
    return page(request, "callbacks.html", by, forbidden=False, **data)


@router.get("/callbacks/rows")
async def callbacks_rows(request: Request, rt: Rt) -> Response:
    """The queue's changing parts alone, for the live refresh to merge into the page
    (callbacks.js): the chosen callback, its note and a number shown stay as they are."""
    by = await fragment_user(request, rt, Permission.CALLBACK)
    if isinstance(by, Response):
        return by
    data = await run_in_threadpool(_queue, rt, by)
    return page(request, "_callbacks_fresh.html", by, **data)
