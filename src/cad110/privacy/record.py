"""Writing the personal-data access log (个人信息处理记录).

A read that shows full values is recorded before the data leaves: in its own short
transaction for a read (the read itself runs on a read-only session), or inside the request's
own transaction for a POST (which commits before its response is sent). Every access of one
request is one INSERT of several rows. If the record cannot be written the data is not shown:
AccessNotRecorded is a 503.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from cad110.auth.principal import Principal
from cad110.errors import DomainError
from cad110.models.audit import AccessRecord
from cad110.privacy.masking import mask
from cad110.privacy.policy import Action, Subject

log = logging.getLogger(__name__)


class AccessNotRecorded(DomainError):
    status_code = 503
    code = "access_not_recorded"


@dataclass(frozen=True)
class Access:
    """One subject's personal data seen (or looked up, or exported) once."""

    action: Action
    subject_type: Subject
    subject_id: str
    fields: Sequence[str]
    reason: str


@dataclass(frozen=True)
class Where:
    """Where it was seen: the route or page (with a masked query), and the client address."""

    channel: str
    address: str = ""


def searched(subject_type: Subject, found: Sequence[str], field: str, value: str) -> list[Access]:
    """The records of a lookup by `field` = `value`: the query masked, each subject found."""
    query = f"{field}={mask('phone', value)}"
    return [Access(Action.SEARCH, subject_type, s, [field], query) for s in (found or [""])]


def rows(
    by: Principal, at: datetime, where: Where, accesses: Sequence[Access]
) -> list[dict[str, Any]]:
    return [
        {
            "at": at,
            "user_id": by.user_id,
            "username": by.username[:64],
            "role": by.role.value,
            "action": a.action.value,
            "subject_type": a.subject_type.value,
            "subject_id": a.subject_id[:64],
            "fields": ",".join(sorted(set(a.fields)))[:255],
            "reason": a.reason,
            "channel": where.channel[:128],
            "address": where.address[:64],
        }
        for a in accesses
    ]


def _refused(exc: SQLAlchemyError) -> AccessNotRecorded:
    log.error("personal data withheld: the access log refused the record (%s)", exc)
    return AccessNotRecorded("the access could not be recorded, so the data is not shown; retry")


def write(
    sessions: sessionmaker[Session],
    by: Principal,
    at: datetime,
    where: Where,
    accesses: Sequence[Access],
) -> None:
    """Record `accesses` in a transaction of their own, committed before this returns."""
    if not accesses:
        return
    try:
        with sessions.begin() as session:
            session.execute(insert(AccessRecord), rows(by, at, where, accesses))
    except SQLAlchemyError as exc:
        raise _refused(exc) from exc


def add(
    session: Session, by: Principal, at: datetime, where: Where, accesses: Sequence[Access]
) -> None:
    """Record `accesses` in the request's own write transaction (it commits before the
    response is sent, or nothing is shown)."""
    if not accesses:
        return
    try:
        session.execute(insert(AccessRecord), rows(by, at, where, accesses))
    except SQLAlchemyError as exc:
        raise _refused(exc) from exc


def write_unless_recent(
    sessions: sessionmaker[Session],
    by: Principal,
    at: datetime,
    where: Where,
    accesses: Sequence[Access],
    within: timedelta,
) -> None:
    """As `write`, leaving out a read this reader already has on record for the same subject,
    fields and page within `within`: a page that reloads itself (the officer's phone page after
    every step and live change) shows nothing new by showing it again, and one record says who
    saw it and when. Any other reader, record, set of fields or page is written as it comes."""
    if not accesses:
        return
    try:
        with sessions.begin() as session:
            fresh = [
                a
                for a in accesses
                if a.action is not Action.READ
                or not session.scalar(
                    select(func.count())
                    .select_from(AccessRecord)
                    .where(
                        AccessRecord.username == by.username[:64],
                        AccessRecord.action == a.action.value,
                        AccessRecord.subject_type == a.subject_type.value,
                        AccessRecord.subject_id == a.subject_id[:64],
                        AccessRecord.fields == ",".join(sorted(set(a.fields)))[:255],
                        AccessRecord.channel == where.channel[:128],
                        AccessRecord.at > at - within,
                    )
                )
            ]
            if fresh:
                session.execute(insert(AccessRecord), rows(by, at, where, fresh))
    except SQLAlchemyError as exc:
        raise _refused(exc) from exc
