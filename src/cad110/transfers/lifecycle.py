"""A ticket's lifecycle as 12345 reports it: pure, no I/O.

The platform posts each step as an event; steps can arrive late or out of order (a retry, two of
its nodes), so a ticket moves only forward: a step behind where it stands is kept in its history
(the step's own time is set once) without moving it back. 退回 (returned: 12345 says it is
110's after all) is possible only before the ticket was handled, and ends it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cad110.errors import InvalidTransition
from cad110.models.transfers import HotlineEventKind, TicketStatus

ORDER = (
    TicketStatus.SENT,
    TicketStatus.RECEIVED,
    TicketStatus.ACCEPTED,
    TicketStatus.HANDLING,
    TicketStatus.DONE,
    TicketStatus.REPLIED,
    TicketStatus.CLOSED,
)
# The status each step of the platform leads to.
STEP_STATUS: dict[HotlineEventKind, TicketStatus] = {
    HotlineEventKind.RECEIVED: TicketStatus.RECEIVED,
    HotlineEventKind.ACCEPTED: TicketStatus.ACCEPTED,
    HotlineEventKind.HANDLING: TicketStatus.HANDLING,
    HotlineEventKind.DONE: TicketStatus.DONE,
    HotlineEventKind.REPLIED: TicketStatus.REPLIED,
    HotlineEventKind.RATED: TicketStatus.CLOSED,
    HotlineEventKind.RETURNED: TicketStatus.RETURNED,
}
# Still with 12345 and not yet handled: a call from the same number is about it, and its
# deadline runs.
OPEN = frozenset(ORDER[:4])

STATUS_ZH = {
    TicketStatus.SENT: "已转出",
    TicketStatus.RECEIVED: "已接收",
    TicketStatus.ACCEPTED: "已受理",
    TicketStatus.HANDLING: "办理中",
    TicketStatus.DONE: "已办结",
    TicketStatus.REPLIED: "已回复",
    TicketStatus.CLOSED: "已回访",
    TicketStatus.RETURNED: "已退回",
}


@dataclass(frozen=True)
class Step:
    """What one platform event does: the status after it, and whether it moved the ticket."""

    status: TicketStatus
    moved: bool


def follow(status: TicketStatus, kind: HotlineEventKind) -> Step:
    """The ticket at `status` hears `kind` from 12345; InvalidTransition when it cannot be."""
    if kind is HotlineEventKind.EMERGENCY:
        raise ValueError("an emergency is not a step of a ticket")
    if status is TicketStatus.RETURNED:
        raise InvalidTransition(
            "the ticket was returned to 110; 12345 cannot work it further",
            state=status.value,
            allowed=[],
            reason="ticket_returned",
        )
    target = STEP_STATUS[kind]
    if target is TicketStatus.RETURNED:
        if status not in OPEN:
            raise InvalidTransition(
                f"a ticket that is {status.value} cannot be returned",
                state=status.value,
                allowed=sorted(s.value for s in OPEN),
                reason="ticket_handled",
            )
        return Step(TicketStatus.RETURNED, True)
    if ORDER.index(target) > ORDER.index(status):
        return Step(target, True)
    return Step(status, False)


def handled_in_time(done_at: datetime | None, due_at: datetime) -> bool:
    """办结 by the end of its last working day."""
    return done_at is not None and done_at <= due_at
