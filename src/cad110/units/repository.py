"""Reads of units and key targets; each starts from the caller's scope (kernel/scope.py)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cad110.auth.principal import Principal
from cad110.kernel.scope import in_scope, visible
from cad110.lifecycles.unit import DISPATCHABLE, UnitStatus
from cad110.models.target import KeyTarget
from cad110.models.unit import Unit


def units_seen_by(
    session: Session, by: Principal, *, status: UnitStatus | None = None
) -> Sequence[Unit]:
    """Units in `by`'s jurisdiction (only those of `status`, if given), by code."""
    stmt = visible(Unit, by)
    if status is not None:
        stmt = stmt.where(Unit.status == status)
    return session.scalars(stmt.order_by(Unit.code)).all()


def free_units(session: Session, by: Principal, at: datetime) -> list[Unit]:
    """Units in `by`'s jurisdiction that can take an incident at `at` (status and shift)."""
    return list(
        session.scalars(
            visible(Unit, by).where(
                Unit.status.in_(list(DISPATCHABLE)),
                or_(Unit.on_duty_from.is_(None), Unit.on_duty_from <= at),
                or_(Unit.on_duty_until.is_(None), Unit.on_duty_until > at),
            )
        )
    )


def known_codes(session: Session, codes: Collection[str], scope_path: str) -> set[str]:
    """Which of `codes` are units under `scope_path`."""
    return set(
        session.scalars(
            select(Unit.code).where(
                Unit.code.in_(list(codes)), in_scope(Unit.jurisdiction_path, scope_path)
            )
        )
    )


def key_targets_seen_by(session: Session, by: Principal) -> Sequence[KeyTarget]:
    """重点目标 in `by`'s jurisdiction, by code."""
    return session.scalars(visible(KeyTarget, by).order_by(KeyTarget.code)).all()
