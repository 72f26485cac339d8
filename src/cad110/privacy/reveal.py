"""显示: a personal value shown in full on request, for a reason that is recorded; each
record's package serves its own reveal route with these."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Response
from pydantic import BaseModel, ConfigDict, StringConstraints

from cad110.privacy.deps import AccessLog
from cad110.privacy.policy import Action, Subject
from cad110.privacy.record import Access


class RevealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=4, max_length=500),
    ]


class Revealed(BaseModel):
    subject_type: Subject
    subject: str
    # The record's personal fields in full (None where it holds none).
    fields: dict[str, str | None]


def reveal(
    log: AccessLog,
    response: Response,
    subject_type: Subject,
    subject: str,
    values: dict[str, Any],
    reason: str,
    recorded: Sequence[str] | None = None,
) -> Revealed:
    """Record the reveal, then answer the values. `recorded` names the fields for the log where
    `values` are keyed finer than a record's fields (a case's journal entries, one by one)."""
    shown = [name for name, value in values.items() if value] if recorded is None else recorded
    log.record([Access(Action.REVEAL, subject_type, subject, shown, reason)])
    # Kept nowhere: not by a browser, nor as a stored answer to replay for a retried request
    # (the routes are `repeatable`: a retry asks again and is recorded again).
    response.headers["Cache-Control"] = "no-store"
    return Revealed(subject_type=subject_type, subject=subject, fields=values)
