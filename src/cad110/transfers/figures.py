"""The 12345 bridge's figures for a period: pure arithmetic over the tickets read for it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from cad110.kernel.numbers import percent
from cad110.models.transfers import TransferTicket
from cad110.transfers.lifecycle import handled_in_time


def _avg_minutes(spans: list[float]) -> float | None:
    return round(sum(spans) / len(spans) / 60, 1) if spans else None


def _since(start: datetime, end: datetime | None) -> float | None:
    return (end - start).total_seconds() if end is not None else None


def transfer_figures(
    opened: Sequence[TransferTicket], due: Sequence[TransferTicket]
) -> dict[str, int | float | None]:
    """Out, accepted, done and their average times (of the tickets opened in the period);
    handled in time (of the tickets whose limit ended in it)."""
    to_accepted = [s for t in opened if (s := _since(t.created_at, t.accepted_at)) is not None]
    to_done = [s for t in opened if (s := _since(t.created_at, t.done_at)) is not None]
    in_time = sum(handled_in_time(t.done_at, t.due_at) for t in due)
    share = percent(in_time, len(due))
    return {
        "transfers_out": len(opened),
        "accepted": len(to_accepted),
        "minutes_to_accepted_avg": _avg_minutes(to_accepted),
        "done": len(to_done),
        "minutes_to_done_avg": _avg_minutes(to_done),
        "due": len(due),
        "handled_in_time": in_time,
        "handled_in_time_pct": float(share) if share is not None else None,
        "returned": sum(t.returned_at is not None for t in opened),
        "escalated": sum(t.escalated_at is not None for t in opened),
    }
