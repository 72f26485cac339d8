"""Human-readable incident numbers: <jurisdiction code>-<local date>-<sequence>."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cad110.models.incident import IncidentSequence


def next_number(session: Session, *, jurisdiction_code: str, at: datetime, tz: ZoneInfo) -> str:
    """The next number for this jurisdiction and local day, e.g. 35011101-20261123-0042.

    The counter row is created or bumped by one upsert … RETURNING, so concurrent creates
    queue on the row lock and never hand out the same number.
    """
    prefix = f"{jurisdiction_code}-{at.astimezone(tz):%Y%m%d}"
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(IncidentSequence).values(prefix=prefix, last=1)
    last = session.execute(
        stmt.on_conflict_do_update(
            index_elements=[IncidentSequence.prefix],
            set_={"last": IncidentSequence.last + 1},
        ).returning(IncidentSequence.last)
    ).scalar_one()
    return f"{prefix}-{last:04d}"
