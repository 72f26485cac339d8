"""Human-readable incident numbers: <jurisdiction code>-<local date>-<sequence>."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cad110.models.incident import IncidentSequence


def next_number(session: Session, *, jurisdiction_code: str, at: datetime, tz: ZoneInfo) -> str:
    """The next number for this jurisdiction and local day, e.g. 35011101-20261123-0042.

    The counter row is bumped with one UPDATE … RETURNING, so concurrent creates queue on the
    row lock and never hand out the same number.
    """
    prefix = f"{jurisdiction_code}-{at.astimezone(tz):%Y%m%d}"
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(IncidentSequence).values(prefix=prefix, last=0).on_conflict_do_nothing())
    last = session.execute(
        update(IncidentSequence)
        .where(IncidentSequence.prefix == prefix)
        .values(last=IncidentSequence.last + 1)
        .returning(IncidentSequence.last)
    ).scalar_one()
    return f"{prefix}-{last:04d}"
