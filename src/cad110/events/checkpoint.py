"""Checkpoints: the chain heads copied out of the database, into a file a DBA cannot rewrite.

Every `audit_checkpoint_s` the server's tick appends to `audit_checkpoint_path` (JSON lines)
the heads that moved since the previous checkpoint, each line chained to the one before by an
HMAC with the audit key. Whoever cuts a chain short, or deletes a subject with all its events
and its head, cannot also take back what a checkpoint already recorded: `cad110 audit verify`
finds every checkpointed head still in the database with the same hash, or says which is not.

Several workers may tick at once: the file is locked while a line is appended, and a worker
that finds a checkpoint fresher than the interval leaves it at that.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session, sessionmaker

from cad110.events.findings import Problem
from cad110.events.keys import AuditKey, KeyRing, signing_ring
from cad110.events.log import GENESIS, canonical_json
from cad110.models.audit import EventHead
from cad110.models.event import Event

log = logging.getLogger(__name__)

# A head written by a transaction that began before the previous checkpoint but committed
# after it carries the earlier time (as does one from a worker whose clock is a little behind);
# looking back this much further catches it.
OVERLAP = timedelta(minutes=2)
# Heads per line: a first checkpoint of a large log is written as several lines.
HEADS_PER_LINE = 5000

Head = tuple[str, str, int, str]  # subject type, subject id, seq, hash


class CheckpointError(Exception):
    """The checkpoint file cannot be continued (its last line is not a checkpoint)."""


@dataclass(frozen=True)
class CheckpointLine:
    seq: int
    at: datetime
    since: datetime | None
    key_id: str
    heads: tuple[Head, ...]
    prev: str
    mac: str


@dataclass(frozen=True)
class Written:
    lines: int
    heads: int
    last_seq: int


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _fields(line: CheckpointLine) -> dict[str, Any]:
    return {
        "seq": line.seq,
        "at": _stamp(line.at),
        "since": _stamp(line.since) if line.since is not None else None,
        "key_id": line.key_id,
        "heads": [list(h) for h in line.heads],
        "prev": line.prev,
    }


def line_mac(line: CheckpointLine, key: AuditKey) -> str:
    """The HMAC of every field of a line but its own MAC (the key id included)."""
    text = canonical_json(_fields(line))
    return hmac.new(key.secret, text.encode("utf-8"), hashlib.sha256).hexdigest()


def encode(line: CheckpointLine) -> str:
    return canonical_json({**_fields(line), "mac": line.mac}) + "\n"


def decode(text: str) -> CheckpointLine:
    """One line of the file; ValueError (or KeyError/TypeError) if it is not a checkpoint."""
    data = json.loads(text)
    since = data["since"]
    return CheckpointLine(
        seq=int(data["seq"]),
        at=datetime.fromisoformat(data["at"]),
        since=datetime.fromisoformat(since) if since is not None else None,
        key_id=str(data["key_id"]),
        heads=tuple((str(t), str(i), int(s), str(h)) for t, i, s, h in data["heads"]),
        prev=str(data["prev"]),
        mac=str(data["mac"]),
    )


def _last_line(handle: BinaryIO) -> bytes | None:
    """The file's last complete line, read backwards from its end."""
    handle.seek(0, os.SEEK_END)
    end = handle.tell()
    if end == 0:
        return None
    block = 65536
    tail = b""
    position = end
    while position > 0:
        step = min(block, position)
        position -= step
        handle.seek(position)
        tail = handle.read(step) + tail
        # The last line ends with a newline; the one before it, if any, starts after another.
        cut = tail.rstrip(b"\n").rfind(b"\n")
        if cut >= 0:
            return tail[cut + 1 :].rstrip(b"\n")
    return tail.rstrip(b"\n")


def _changed_heads(session: Session, since: datetime | None) -> Iterator[Head]:
    stmt = select(EventHead.subject_type, EventHead.subject_id, EventHead.seq, EventHead.hash)
    if since is not None:
        stmt = stmt.where(EventHead.updated_at >= since)
    stmt = stmt.order_by(EventHead.subject_type, EventHead.subject_id)
    for row in session.execute(stmt.execution_options(yield_per=HEADS_PER_LINE)):
        yield (row.subject_type, row.subject_id, row.seq, row.hash)


def write_checkpoint(
    session: Session,
    path: str | Path,
    *,
    now: datetime,
    ring: KeyRing | None = None,
    every: timedelta | None = None,
) -> Written | None:
    """Append the heads moved since the last checkpoint (all of them for the first one).

    With `every`, nothing is written when the last checkpoint is younger than that (another
    worker wrote it): None.
    """
    key = (ring or signing_ring()).current
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "r+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        raw = _last_line(handle)
        previous: CheckpointLine | None = None
        if raw is not None:
            try:
                previous = decode(raw.decode("utf-8"))
            except (ValueError, KeyError, TypeError) as exc:
                raise CheckpointError(
                    f"the last line of {target} is not a checkpoint; "
                    "run `cad110 audit verify` and keep the file as it is"
                ) from exc
        if every is not None and previous is not None and previous.at > now - every:
            return None
        since = min(previous.at, now) - OVERLAP if previous is not None else None
        known = {(t, i): (s, h) for t, i, s, h in previous.heads} if previous else {}
        heads = [h for h in _changed_heads(session, since) if known.get((h[0], h[1])) != h[2:]]
        seq = previous.seq if previous is not None else 0
        prev = previous.mac if previous is not None else GENESIS
        lines: list[str] = []
        chunks: Sequence[Sequence[Head]] = [
            heads[i : i + HEADS_PER_LINE] for i in range(0, len(heads), HEADS_PER_LINE)
        ] or [[]]
        for chunk in chunks:
            seq += 1
            line = CheckpointLine(seq, now, since, key.id, tuple(chunk), prev, "")
            line = replace(line, mac=line_mac(line, key))
            lines.append(encode(line))
            prev = line.mac
        handle.write("".join(lines).encode("utf-8"))
        handle.flush()
        os.fsync(handle.fileno())
    return Written(lines=len(lines), heads=len(heads), last_seq=seq)


class CheckpointTimer:
    """The server tick's part: a checkpoint every `every`, across all workers."""

    def __init__(self, readers: sessionmaker[Session], path: str | Path, every: timedelta) -> None:
        self._readers = readers
        self._path = path
        self._every = every
        self._due: datetime | None = None

    def tick(self, now: datetime) -> Written | None:
        if self._every <= timedelta(0) or (self._due is not None and now < self._due):
            return None
        self._due = now + self._every
        try:
            with self._readers() as session:
                return write_checkpoint(session, self._path, now=now, every=self._every)
        except (OSError, CheckpointError):
            log.exception("audit checkpoint not written to %s", self._path)
            return None


# --- verifying the file and the database against it ----------------------------------------

_BATCH = 500


@dataclass
class CheckpointAudit:
    """The file's own MAC chain, then every head it recorded against the database."""

    path: Path
    ring: KeyRing
    problems: list[Problem] = field(default_factory=list)
    lines: int = 0
    heads: int = 0
    last: CheckpointLine | None = None

    def run(self, session: Session) -> None:
        pending: dict[tuple[str, str, int], tuple[str, CheckpointLine]] = {}
        for line in self._lines():
            for subject_type, subject_id, seq, digest in line.heads:
                self.heads += 1
                pending[(subject_type, subject_id, seq)] = (digest, line)
                if len(pending) >= _BATCH:
                    self._against_database(session, pending)
                    pending = {}
        if pending:
            self._against_database(session, pending)

    def _problem(self, detail: str, seq: int | None = None) -> None:
        where = f"{self.path.name} line {seq}" if seq is not None else self.path.name
        self.problems.append(Problem("checkpoint", "checkpoint", where, detail))

    def _lines(self) -> Iterator[CheckpointLine]:
        """Each line whose MAC chain holds; every line that does not is a problem."""
        prev, expected = GENESIS, 1
        with self.path.open(encoding="utf-8") as handle:
            for number, text in enumerate(handle, start=1):
                self.lines += 1
                if not text.endswith("\n"):
                    self._problem("the last line is incomplete", number)
                try:
                    line = decode(text)
                except (ValueError, KeyError, TypeError):
                    self._problem("not a checkpoint line", number)
                    continue
                if line.seq != expected:
                    self._problem(f"checkpoint #{line.seq} where #{expected} was due", number)
                if line.prev != prev:
                    self._problem(
                        f"checkpoint #{line.seq} does not follow the line before it", number
                    )
                key = self.ring.get(line.key_id)
                if key is None:
                    self._problem(
                        f"checkpoint #{line.seq} is signed with unknown key {line.key_id!r}", number
                    )
                elif not hmac.compare_digest(line_mac(line, key), line.mac):
                    self._problem(
                        f"checkpoint #{line.seq} does not match its MAC (the line was altered)",
                        number,
                    )
                else:
                    self.last = line
                    prev, expected = line.mac, line.seq + 1
                    yield line
                    continue
                prev, expected = line.mac, line.seq + 1

    def _against_database(
        self, session: Session, wanted: dict[tuple[str, str, int], tuple[str, CheckpointLine]]
    ) -> None:
        found = {
            (row.subject_type, row.subject_id, row.seq): row.hash
            for row in session.execute(
                select(Event.subject_type, Event.subject_id, Event.seq, Event.hash).where(
                    tuple_(Event.subject_type, Event.subject_id, Event.seq).in_(list(wanted))
                )
            )
        }
        for (subject_type, subject_id, seq), (digest, line) in wanted.items():
            stored = found.get((subject_type, subject_id, seq))
            if stored == digest:
                continue
            when = f"checkpoint #{line.seq} ({_stamp(line.at)}) recorded its head at #{seq}"
            detail = (
                f"{when}; the database has no event #{seq} (deleted or cut short)"
                if stored is None
                else f"{when}; the database holds a different event #{seq} (rewritten)"
            )
            self.problems.append(Problem("checkpoint", subject_type, subject_id, detail, seq=seq))
