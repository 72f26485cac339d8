"""What a unit's status change announces (`ctx.emit`), for the packages that follow it."""

from __future__ import annotations

from dataclasses import dataclass

from cad110.lifecycles.unit import UnitEvent, UnitStatus
from cad110.models.unit import Unit


@dataclass(frozen=True)
class UnitStatusChanged:
    """`unit` moved from `before` to `after` by `event`; its status event is appended."""

    unit: Unit
    event: UnitEvent
    before: UnitStatus
    after: UnitStatus
    # The incident whose action moved the unit (its number); None for a change by hand.
    incident: str | None
