"""Queries over the command tree."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from cad110.errors import NotFound
from cad110.models.jurisdiction import Grid, Jurisdiction


def get_jurisdiction(session: Session, code: str) -> Jurisdiction:
    found = session.get(Jurisdiction, code)
    if found is None:
        raise NotFound(f"jurisdiction {code} not found")
    return found


def subtree(session: Session, path: str) -> Sequence[Jurisdiction]:
    """Every jurisdiction at or below `path`, ordered as a tree walk."""
    stmt = (
        select(Jurisdiction)
        .where(Jurisdiction.path.startswith(path, autoescape=True))
        .order_by(Jurisdiction.path)
    )
    return session.scalars(stmt).all()


def grids_of(session: Session, path: str) -> Sequence[Grid]:
    stmt = (
        select(Grid)
        .join(Jurisdiction, Jurisdiction.code == Grid.station_code)
        .where(Jurisdiction.path.startswith(path, autoescape=True))
        .order_by(Grid.code)
    )
    return session.scalars(stmt).all()
