"""Taking in an outside system's event exactly once (the phone system's, the SMS gateway's…).

Two deliveries of one event racing (the sender retried while the first was still being written,
or two of its nodes sent it) both pass the "seen this id?" check; the loser's insert collides on
the unique event id. Run once more, it finds the winner's row and answers as for a replay.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError

from cad110.auth.principal import Principal
from cad110.kernel.context import Ctx
from cad110.kernel.runtime import Runtime

E = TypeVar("E")
A = TypeVar("A")


def receive_once(rt: Runtime, sender: Principal, receive: Callable[[Ctx, E], A], event: E) -> A:
    """`receive(ctx, event)` in its own transaction, committed; once more if it collided."""
    for attempt in range(2):
        with rt.sessions() as session:
            try:
                answer = receive(rt.ctx(session, sender), event)
                session.commit()
                return answer
            except IntegrityError:
                session.rollback()
                if attempt:
                    raise
    raise AssertionError("unreachable")
