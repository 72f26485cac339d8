"""Queries over the command tree. A jurisdiction's own place in the tree is its `path`, so
the scope helper is given that column (the model is scoped by `path`, not `jurisdiction_path`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from cad110.auth.principal import Principal
from cad110.errors import NotFound
from cad110.kernel.scope import in_scope
from cad110.models.jurisdiction import Grid, Jurisdiction


def get_jurisdiction(session: Session, code: str) -> Jurisdiction:
    found = session.get(Jurisdiction, code)
    if found is None:
        raise NotFound(f"jurisdiction {code} not found")
    return found


def subtree(session: Session, by: Principal | str) -> Sequence[Jurisdiction]:
    """Every jurisdiction in `by`'s subtree (a principal or a path), ordered as a tree walk."""
    stmt = select(Jurisdiction).where(in_scope(Jurisdiction.path, by)).order_by(Jurisdiction.path)
    return session.scalars(stmt).all()


def grids_of(session: Session, by: Principal | str) -> Sequence[Grid]:
    """The grids of the stations in `by`'s subtree."""
    stmt = (
        select(Grid)
        .join(Jurisdiction, Jurisdiction.code == Grid.station_code)
        .where(in_scope(Jurisdiction.path, by))
        .order_by(Grid.code)
    )
    return session.scalars(stmt).all()


def names_of(session: Session, codes: Collection[str]) -> dict[str, tuple[str, str]]:
    """Chinese and English names by code, for labels (codes the caller already holds)."""
    if not codes:
        return {}
    return {
        j.code: (j.name_zh, j.name_en)
        for j in session.scalars(select(Jurisdiction).where(Jurisdiction.code.in_(list(codes))))
    }
