"""What `cad110 audit verify` reports: one line per problem, naming where it is."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing found not to fit: in a chain, a head, a checkpoint or a current-state row."""

    check: str  # chain, head, checkpoint, record
    subject_type: str
    subject_id: str
    detail: str
    seq: int | None = None
    event_id: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = f"{self.subject_type} {self.subject_id}" if self.subject_id else self.subject_type
        if self.seq is not None:
            where += f" #{self.seq}"
        if self.event_id is not None:
            where += f" (event {self.event_id})"
        return f"[{self.check}] {where}: {self.detail}"
