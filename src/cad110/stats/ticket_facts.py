"""The 12345 ticket facts of a period: each ticket sent in the span (transfers/), with the time
the platform took to accept it and to finish it, and whether it was done within its limit in
working days — a ticket not yet done counts against that only once its limit has passed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from cad110.kernel.scope import in_scope
from cad110.models.transfers import TransferTicket
from cad110.stats.facts import TicketFact, Where
from cad110.stats.rows import rows_of
from cad110.stats.tally import seconds_between

if TYPE_CHECKING:  # the repository reads these facts among the others
    from cad110.stats.repository import Scope


def ticket_facts(session: Session, scope: Scope) -> Iterator[TicketFact]:
    """One fact per ticket sent in the span, where its call or incident was."""
    t = TransferTicket
    stmt = select(
        t.created_at,
        t.jurisdiction_path,
        t.category_code,
        t.due_at,
        t.accepted_at,
        t.done_at,
        t.rang_again,
    ).where(
        in_scope(t.jurisdiction_path, scope.path),
        t.created_at >= scope.start,
        t.created_at < scope.end,
    )
    if scope.category is not None:
        stmt = stmt.where(t.category_code == scope.category)
    if scope.grade is not None:  # a ticket has no grade: a grade's figures hold none
        return
    for at, path, category, due_at, accepted_at, done_at, rang_again in rows_of(session, stmt):
        come = scope.now is None or due_at <= scope.now
        yield TicketFact(
            where=Where(at, path, category, None),
            accepted_s=seconds_between(at, accepted_at) if accepted_at is not None else None,
            done_s=seconds_between(at, done_at) if done_at is not None else None,
            due=done_at is not None or come,
            in_time=done_at is not None and done_at <= due_at,
            rang_again=rang_again > 0,
        )
