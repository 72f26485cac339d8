"""The access log as a request dependency: routes say what they showed, it is recorded."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import Depends, Request

from cad110.api.deps import READ_METHODS, Context, runtime
from cad110.kernel.context import Ctx
from cad110.kernel.runtime import Runtime
from cad110.privacy import record
from cad110.privacy.policy import Action, Sight, Subject
from cad110.privacy.record import Access, Where, searched


def where_of(request: Request) -> Where:
    """The route as a template (e.g. "GET /api/v1/incidents/{number}", without the record's
    own number, which the record names anyway) and the client's address."""
    names = {str(value): name for name, value in request.path_params.items()}
    path = "/".join(
        f"{{{names[part]}}}" if part in names else part for part in request.url.path.split("/")
    )
    address = request.client.host if request.client else ""
    return Where(channel=f"{request.method} {path}", address=address)


class Recorder:
    """Records what one request showed of people's personal data."""

    def __init__(self, rt: Runtime, ctx: Ctx, request: Request) -> None:
        self._rt = rt
        self._ctx = ctx
        self._request = request
        # A write request holds the write transaction (on SQLite the write lock): its records
        # go into that transaction, which commits before the response is sent.
        self._own_transaction = request.method in READ_METHODS

    def record(self, accesses: Sequence[Access]) -> None:
        if not accesses:
            return
        ctx = self._ctx
        where = where_of(self._request)
        if self._own_transaction:
            record.write(self._rt.sessions, ctx.by, ctx.at, where, accesses)
        else:
            record.add(ctx.session, ctx.by, ctx.at, where, accesses)

    def read(
        self, subject_type: Subject, subject_id: str, fields: Sequence[str], seen: Sight
    ) -> None:
        """A read that showed `fields` in full by duty; nothing to record when masked or empty."""
        if seen.full and fields:
            self.record([Access(Action.READ, subject_type, subject_id, fields, seen.reason)])

    def search(self, subject_type: Subject, found: Sequence[str], field: str, value: str) -> None:
        """A lookup by a personal value: the masked query and every subject it found (one row
        with no subject when it found none)."""
        self.record(searched(subject_type, found, field, value))


async def recorder(
    request: Request, rt: Annotated[Runtime, Depends(runtime)], ctx: Context
) -> Recorder:
    return Recorder(rt, ctx, request)


AccessLog = Annotated[Recorder, Depends(recorder)]
