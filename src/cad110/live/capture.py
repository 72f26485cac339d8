"""Notices from what a transaction wrote, published only once it has committed.

Every change appends an event row (cad110.events.log), so the events a session flushes are
the list of what changed. After each flush the tracker turns the new events (and the new
notification and offer rows) into notices, with the jurisdiction path of each subject taken
from the session's identity map or, failing that, one query per kind of subject. The notices
wait on the session until its outermost transaction commits; a rollback — of the whole
transaction or of a savepoint — throws its notices away.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker
from sqlalchemy.orm.attributes import instance_dict

from cad110.live.notice import Notice
from cad110.models.call import Call
from cad110.models.event import Event
from cad110.models.fraud import FraudWarning
from cad110.models.incident import Incident
from cad110.models.jurisdiction import Jurisdiction
from cad110.models.missing import MissingCase
from cad110.models.repeat_cases import RepeatCase
from cad110.models.supervision import Notification, UnitOffer
from cad110.models.target import KeyTarget
from cad110.models.telephony import PhoneCall
from cad110.models.transfers import TransferTicket
from cad110.models.unit import Unit

log = logging.getLogger(__name__)

Publish = Callable[[Sequence[Notice]], None]

# Notices waiting for the commit: (the transaction or savepoint they were flushed in, notice).
_PENDING = "cad110.live.pending"
# Above this many objects in a session, one query finds paths faster than a scan.
_SCAN_LIMIT = 512


@dataclass(frozen=True)
class Where:
    """Where a subject's jurisdiction path is: `model.path`, found by `model.key`."""

    model: type[Any]
    key: str
    path: str
    parse: Callable[[str], object] = field(default=str)


INCIDENT = Where(Incident, "number", "jurisdiction_path")
JURISDICTION = Where(Jurisdiction, "code", "path")
INCIDENT_BY_ID = Where(Incident, "id", "jurisdiction_path", int)
UNIT = Where(Unit, "code", "jurisdiction_path")

# Event subjects pushed live (the notice kind is the subject type). Users and other
# subjects without a jurisdiction of their own are not pushed.
SUBJECTS: dict[str, Where] = {
    "incident": INCIDENT,
    "unit": UNIT,
    "call": Where(Call, "id", "jurisdiction_path", int),
    "key_target": Where(KeyTarget, "code", "jurisdiction_path"),
    "jurisdiction": JURISDICTION,
    "missing_case": Where(MissingCase, "number", "jurisdiction_path"),
    # The answering desk hears of its call from this (telephony/; the id is the phone system's).
    "phone_call": Where(PhoneCall, "call_id", "jurisdiction_path"),
    # The wall's 源头治理 block follows these: links found for an incident (by the nightly scan
    # as well as at intake; the id is the incident's number), a repeat case's changes, and a
    # 12345 ticket's steps as the platform posts them back.
    "repeat_links": INCIDENT,
    "repeat_case": Where(RepeatCase, "number", "jurisdiction_path"),
    "transfer_ticket": Where(TransferTicket, "id", "jurisdiction_path", int),
    # The warning desk and the wall's 反诈 block follow an anti-fraud warning's every change
    # (a signal, a step pushed, a result from 96110 or a bank, its outcome).
    "fraud_warning": Where(FraudWarning, "id", "jurisdiction_path", int),
}


class _Paths:
    """The jurisdiction paths of the subjects one flush touched, found in bulk."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._wanted: dict[Where, set[object]] = defaultdict(set)
        self._found: dict[tuple[Where, object], str] = {}

    def want(self, where: Where, key: object) -> None:
        self._wanted[where].add(key)

    def get(self, where: Where, key: object) -> str | None:
        return self._found.get((where, key))

    def resolve(self) -> None:
        session = self._session
        by_model: dict[type[Any], list[Where]] = defaultdict(list)
        for where in self._wanted:
            by_model[where.model].append(where)
        # New rows are not in the identity map until the flush is finalised.
        objects: Iterable[object] = session.new
        if len(session.identity_map) <= _SCAN_LIMIT:
            objects = chain(session.new, session.identity_map.values())
        for obj in objects:
            wheres = by_model.get(type(obj))
            if not wheres:
                continue
            loaded = instance_dict(obj)  # loaded values only: never triggers a load
            for where in wheres:
                key, path = loaded.get(where.key), loaded.get(where.path)
                if path is not None and key in self._wanted[where]:
                    self._found[(where, key)] = path
        for where, keys in self._wanted.items():
            missing = [k for k in keys if (where, k) not in self._found]
            if not missing:
                continue
            key_column = getattr(where.model, where.key)
            rows = session.execute(
                select(key_column, getattr(where.model, where.path)).where(key_column.in_(missing))
            )
            for key, path in rows:
                self._found[(where, key)] = path


def _at(value: datetime | None, fallback: datetime) -> datetime:
    return value if value is not None else fallback


def notices_of_flush(session: Session) -> list[Notice]:
    """The notices for the events, notifications and offers this flush inserted."""
    events: list[Event] = []
    rows: list[Notification | UnitOffer] = []
    for obj in session.new:
        if isinstance(obj, Event):
            if obj.subject_type in SUBJECTS:
                events.append(obj)
        elif isinstance(obj, Notification | UnitOffer):
            rows.append(obj)
    if not events and not rows:
        return []
    paths = _Paths(session)
    keyed: list[tuple[Event, Where, object]] = []
    left: dict[int, str] = {}  # event id → the jurisdiction an incident was moved out of
    for e in events:
        where = SUBJECTS[e.subject_type]
        try:
            key = where.parse(e.subject_id)
        except ValueError:
            continue
        paths.want(where, key)
        keyed.append((e, where, key))
        old = _moved_from(e)
        if old is not None:
            left[e.id] = old
            paths.want(JURISDICTION, old)
    for row in rows:
        if isinstance(row, UnitOffer):
            paths.want(INCIDENT_BY_ID, row.incident_id)
            paths.want(UNIT, row.unit_code)
    paths.resolve()

    notices: list[Notice] = []
    # Events in the order they were inserted (ids are assigned in insertion order).
    for e, where, key in sorted(keyed, key=lambda k: k[0].id):
        path = paths.get(where, key)
        if path is None:
            log.warning("live: no jurisdiction for %s %s", e.subject_type, e.subject_id)
            continue
        # A relocated incident is told to the old place's screens too: its row leaves them.
        old_path = paths.get(JURISDICTION, left[e.id]) if e.id in left else None
        both = (path,) if old_path is None or old_path == path else (path, old_path)
        notices.append(
            Notice(
                kind=e.subject_type,
                id=e.subject_id,
                paths=both,
                event=e.kind,
                at=e.occurred_at,
                seq=e.seq,
            )
        )
    for row in sorted(rows, key=lambda r: (isinstance(r, UnitOffer), r.id)):
        if isinstance(row, Notification):
            notices.append(
                Notice(
                    kind="notification",
                    id=str(row.id),
                    paths=(row.target_path,),
                    event=row.kind,
                    at=row.created_at,
                )
            )
            continue
        found = (paths.get(INCIDENT_BY_ID, row.incident_id), paths.get(UNIT, row.unit_code))
        offer_paths = tuple(dict.fromkeys(p for p in found if p is not None))
        if offer_paths:
            notices.append(
                Notice(
                    kind="offer",
                    id=str(row.id),
                    paths=offer_paths,
                    event=row.state.value,
                    at=row.offered_at,
                )
            )
    return notices


def _moved_from(e: Event) -> str | None:
    """The jurisdiction a 更正地点 moved its incident out of, if it moved it to another."""
    if e.subject_type != "incident" or e.kind != "relocate":
        return None
    try:
        payload = json.loads(e.payload)
        old, new = payload["before"]["jurisdiction"], payload["after"]["jurisdiction"]
    except (ValueError, KeyError, TypeError):
        return None
    return old if isinstance(old, str) and old != new else None


class ChangeTracker:
    """Collects the notices of a session's transaction and publishes them after its commit."""

    def __init__(self, publish: Publish) -> None:
        self._publish = publish
        self._hooks: list[tuple[sessionmaker[Session], str, Callable[..., None]]] = []

    def attach(self, factory: sessionmaker[Session]) -> None:
        """Track every session `factory` makes (its Session subclass, not others')."""
        if any(f is factory for f, _name, _hook in self._hooks):
            return
        for name, hook in (
            ("after_flush", self._after_flush),
            ("after_commit", self._after_commit),
            ("after_soft_rollback", self._after_soft_rollback),
            ("after_transaction_end", self._after_transaction_end),
        ):
            event.listen(factory, name, hook)
            self._hooks.append((factory, name, hook))

    def detach(self) -> None:
        for factory, name, hook in self._hooks:
            event.remove(factory, name, hook)
        self._hooks.clear()

    def _after_flush(self, session: Session, _context: object) -> None:
        notices = notices_of_flush(session)
        if not notices:
            return
        # The innermost savepoint, else the transaction: a rollback of either discards them.
        owner = session.get_nested_transaction() or session.get_transaction()
        pending: list[tuple[SessionTransaction | None, Notice]] = session.info.setdefault(
            _PENDING, []
        )
        pending.extend((owner, n) for n in notices)

    def _after_commit(self, session: Session) -> None:
        if session.in_nested_transaction():
            return  # a savepoint was released: its notices wait for the outer commit
        pending = session.info.pop(_PENDING, None)
        if not pending:
            return
        try:
            self._publish([notice for _owner, notice in pending])
        except Exception:  # the transaction has committed: a push failing must not undo that
            log.exception("live: could not publish %d notice(s)", len(pending))

    def _after_soft_rollback(self, session: Session, previous: SessionTransaction) -> None:
        pending = session.info.get(_PENDING)
        if not pending:
            return
        # The transaction or savepoint the database actually rolled back.
        boundary = previous
        while boundary.parent is not None and not boundary.nested:
            boundary = boundary.parent
        session.info[_PENDING] = [(o, n) for o, n in pending if not _within(o, boundary)]

    def _after_transaction_end(self, session: Session, transaction: SessionTransaction) -> None:
        if transaction.parent is None:
            # The outermost transaction is over; anything still waiting was not committed.
            session.info.pop(_PENDING, None)


def _within(owner: SessionTransaction | None, boundary: SessionTransaction) -> bool:
    while owner is not None:
        if owner is boundary:
            return True
        owner = owner.parent
    return False
