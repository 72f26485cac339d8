"""How the statistics read rows: plain selects of columns, through the session's connection."""

from __future__ import annotations

from typing import TypeVarTuple

from sqlalchemy import Result, Select
from sqlalchemy.orm import Session

_Ts = TypeVarTuple("_Ts")


def rows_of(session: Session, stmt: Select[*_Ts]) -> Result[*_Ts]:
    """The rows of a select of columns without the ORM's row handling, which these reads do not
    need and which cost more than the reading itself over a day of a large city. Pending
    changes are flushed first, as `session.execute` does."""
    session.flush()
    return session.connection().execute(stmt)
