"""Exact quotients as reports print them: two decimals, rounded half up (0.125 → 0.13, as a
通报 is worked out by hand), never to even as Python's round() does. One rule for every
report and figure, so the missing-person report and the statistics agree to the cent."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def quotient(part: int, whole: int, scale: int = 1) -> Decimal | None:
    """part × scale / whole to two decimals, rounded half up; None over a whole of 0."""
    if whole == 0:
        return None
    return (Decimal(part) * scale / Decimal(whole)).quantize(CENT, ROUND_HALF_UP)


def percent(part: int, whole: int) -> Decimal | None:
    """part / whole as a percentage to two decimals, rounded half up: 12988, 13036 → 99.63."""
    return quotient(part, whole, 100)
