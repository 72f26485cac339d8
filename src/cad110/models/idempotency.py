"""Idempotency keys: a retried request gets the answer of the first one, and nothing is done twice.

A request sent with an `Idempotency-Key` claims the key (user, key) before its work starts, and
fills in its answer (status, body) when the work is done, in the same transaction: a request that
fails rolls its claim back with its work, so only done work is ever replayed. A second request
with the same key waits for the first (PostgreSQL: on the key's row; SQLite: writers take turns)
and then gets its answer. Keys are kept for `KEEP_KEYS`, then forgotten.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String, delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from cad110.db.base import Base
from cad110.errors import Conflict

# Long enough for a client that retries through a night's outage; a key used again after this
# is a new request.
KEEP_KEYS = timedelta(hours=24)
MAX_KEY_LENGTH = 128


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (Index("ix_idempotency_keys_user_created", "user_id", "created_at"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH), primary_key=True)
    # The operation ("POST /incidents/{number}/dispatch", or a use case's name in-process).
    endpoint: Mapped[str] = mapped_column(String(160))
    request_hash: Mapped[str] = mapped_column(String(64))
    # None while the claiming transaction runs; it is never committed without an answer.
    status: Mapped[int | None]
    media_type: Mapped[str | None] = mapped_column(String(64))
    # None when the answer held a secret shown only once (it is not kept).
    response: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]


class KeyReused(Conflict):
    code = "idempotency_key_reused"


class KeyInProgress(Conflict):
    code = "idempotency_key_in_progress"


class AnswerNotKept(Conflict):
    code = "idempotency_answer_not_kept"


def fingerprint(request: Any) -> str:
    """A digest of what a request asks for (JSON types), independent of key order."""
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def claim(
    session: Session,
    *,
    user_id: int,
    key: str,
    endpoint: str,
    request_hash: str,
    now: datetime,
) -> tuple[IdempotencyRecord, bool]:
    """The key's record and whether this request has just claimed it (True: do the work, then
    `finish`) or an earlier request already answered it (False: answer the same).

    Refuses the key for another request (409), or while a request that holds it runs.
    """
    # This user's expired keys go first, before this request holds any lock.
    session.execute(
        delete(IdempotencyRecord)
        .where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.created_at < now - KEEP_KEYS)
        .execution_options(synchronize_session=False)
    )
    record = IdempotencyRecord(
        user_id=user_id,
        key=key,
        endpoint=endpoint,
        request_hash=request_hash,
        status=None,
        created_at=now,
    )
    try:
        # A savepoint: on PostgreSQL the insert waits for a concurrent holder of the key and
        # fails once it commits; the transaction stays usable to read that holder's answer.
        with session.begin_nested():
            session.add(record)
    except IntegrityError:
        found = session.get(IdempotencyRecord, (user_id, key), populate_existing=True)
        if found is None:
            raise
    else:
        return record, True
    if found.endpoint != endpoint or found.request_hash != request_hash:
        raise KeyReused("Idempotency-Key was already used for a different request")
    if found.status is None:
        raise KeyInProgress("a request with this Idempotency-Key is still in progress; retry")
    if found.response is None:
        raise AnswerNotKept(
            "the request with this Idempotency-Key was done; its answer (a secret shown once, "
            "or a stream) was not kept"
        )
    return found, False


def finish(
    session: Session,
    record: IdempotencyRecord,
    *,
    status: int,
    media_type: str | None,
    response: bytes | None,
) -> None:
    """Keep the answer of the request that claimed `record`, in the transaction of its work."""
    record.status = status
    record.media_type = media_type
    record.response = response
    session.flush()
