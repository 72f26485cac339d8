"""Scope lives in the query: every read of a scoped table starts here.

A record belongs to a jurisdiction through a materialised path (`350100/350102/…`); a caller
sees the subtree under their own path, so the filter is one indexed prefix match.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, literal, select
from sqlalchemy.orm import InstrumentedAttribute

from cad110.auth.principal import Principal

M = TypeVar("M")

PathColumn = InstrumentedAttribute[str] | ColumnElement[str]


def _prefix(by: Principal | str) -> str:
    return by if isinstance(by, str) else by.scope_path


def in_scope(path: PathColumn, by: Principal | str) -> ColumnElement[bool]:
    """Rows whose `path` lies in `by`'s subtree (`by` a principal or a path prefix)."""
    return path.startswith(_prefix(by), autoescape=True)


def covering(path: PathColumn, by: Principal | str) -> ColumnElement[bool]:
    """Rows whose `path` is `by`'s own or one above it: the levels a caller answers to (a
    district's alert reaches the stations under it as well as the city above it)."""
    return literal(_prefix(by)).startswith(path)


def scope_column(model: type[Any]) -> PathColumn:
    """The path a model is scoped by: `__scope__` names it, else `jurisdiction_path`."""
    column: PathColumn = getattr(model, getattr(model, "__scope__", "jurisdiction_path"))
    return column


def visible(model: type[M], by: Principal | str) -> Select[M]:
    """`SELECT model` limited to what `by` may see: where a read of a scoped table starts."""
    return select(model).where(in_scope(scope_column(model), by))
