"""The kernel's small parts: subscribers in order, configuration by type, exact quotients."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest

from cad110.auth.principal import SYSTEM
from cad110.catalog.loader import default_catalog
from cad110.kernel.context import Ctx
from cad110.kernel.hooks import Hooks
from cad110.kernel.numbers import percent, quotient


@dataclass(frozen=True)
class Rang:
    number: str


@dataclass(frozen=True)
class HungUp:
    number: str


def ctx(hooks: Hooks, parts: dict[type, object] | None = None) -> Ctx:
    return Ctx(
        session=cast(Any, None),
        by=SYSTEM,
        at=datetime(2026, 11, 30, tzinfo=UTC),
        catalog=default_catalog(),
        tz=ZoneInfo("Asia/Shanghai"),
        hooks=hooks,
        parts=parts or {},
    )


def test_subscribers_run_in_the_order_they_were_registered_and_only_for_their_fact() -> None:
    heard: list[str] = []
    hooks = Hooks()
    hooks.on(Rang, lambda _ctx, fact: heard.append(f"first {fact.number}"))
    hooks.on(HungUp, lambda _ctx, fact: heard.append(f"hung up {fact.number}"))
    hooks.on(Rang, lambda _ctx, fact: heard.append(f"second {fact.number}"))
    ctx(hooks).emit(Rang("110-1"))
    assert heard == ["first 110-1", "second 110-1"]


def test_a_refusing_subscriber_stops_the_ones_after_it() -> None:
    heard: list[str] = []

    def refuse(_ctx: Ctx, _fact: Rang) -> None:
        raise ValueError("no unit free")

    hooks = Hooks()
    hooks.on(Rang, refuse)
    hooks.on(Rang, lambda _ctx, fact: heard.append(fact.number))
    with pytest.raises(ValueError, match="no unit free"):
        ctx(hooks).emit(Rang("110-2"))
    assert heard == []


def test_a_part_is_found_by_its_type_and_falls_back_to_the_default() -> None:
    @dataclass(frozen=True)
    class Radius:
        km: float

    assert ctx(Hooks(), {Radius: Radius(3.0)}).part(Radius, lambda: Radius(1.0)).km == 3.0
    assert ctx(Hooks()).part(Radius, lambda: Radius(1.0)).km == 1.0


def test_quotients_are_rounded_half_up_to_two_decimals() -> None:
    """The one rounding of every report and figure: half up, never to even."""
    assert percent(1, 800) == Decimal("0.13")  # 0.125
    assert percent(1, 1600) == Decimal("0.06")  # 0.0625
    assert percent(2, 3) == Decimal("66.67")
    assert percent(12_988, 13_036) == Decimal("99.63")
    assert quotient(5, 2) == Decimal("2.50")
    assert quotient(9, 8 * 3600, 3600) == Decimal("1.13")  # 1.125 hours
    assert percent(0, 0) is None
    assert quotient(3, 0) is None
