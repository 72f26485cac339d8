"""交接班: the handover page of the desk, the board and the station — the latest notes left for
the reader's position, a form for the outgoing user's note, and "read" for the incoming one."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from cad110.api.routing import Router
from cad110.auth.permissions import Permission, allowed
from cad110.auth.principal import Principal
from cad110.kernel.people import display_names
from cad110.kernel.runtime import Runtime
from cad110.models.shift import Position
from cad110.shifts.repository import latest_notes
from cad110.shifts.service import SEAT
from cad110.web.common import Rt, console_user, page, to_login

router = Router(include_in_schema=False)


def _notes(rt: Runtime, by: Principal, position: Position) -> dict[str, Any]:
    with rt.readers() as session:
        notes = list(latest_notes(session, by, position))
        # People by name, as the top bar names the reader (the API keeps the usernames).
        people = display_names(session, [u for n in notes for u in (n.written_by, n.read_by)])
    return {
        "notes": notes,
        "people": people,
        "position": position.value,
        "positions": [p.value for p in Position],
    }


@router.get("/handover")
async def handover_page(request: Request, rt: Rt) -> Response:
    """The notes of the reader's position, newest first; unread ones marked."""
    by = await console_user(request, rt)
    if by is None:
        return to_login(request)
    if not allowed(by.role, Permission.HANDOVER):
        return page(request, "handover.html", by, status_code=403, forbidden=True)
    raw = request.query_params.get("position", "")
    position = Position(raw) if raw in {p.value for p in Position} else SEAT[by.role]
    data = await run_in_threadpool(_notes, rt, by, position)
    return page(request, "handover.html", by, forbidden=False, **data)
