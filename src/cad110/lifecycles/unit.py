"""A unit's status as a pure state machine.

Assignment actions move a unit automatically (dispatch → dispatched, depart → en route,
arrive → on scene, release → returning or available); people change it by hand only where
it makes sense: start and end a shift, a meal break or out of service, back at base.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from cad110.errors import InvalidTransition


class UnitStatus(StrEnum):
    OFF_DUTY = "off_duty"  # 下班
    AVAILABLE = "available"  # 空闲
    DISPATCHED = "dispatched"  # 已派
    EN_ROUTE = "en_route"  # 途中
    ON_SCENE = "on_scene"  # 到场
    RETURNING = "returning"  # 返回
    UNAVAILABLE = "unavailable"  # 暂停 (meal, out of service)


class UnitEvent(StrEnum):
    # Driven by assignments.
    DISPATCH = "dispatch"
    DEPART = "depart"
    ARRIVE = "arrive"
    RELEASE = "release"
    # Manual.
    START_SHIFT = "start_shift"
    END_SHIFT = "end_shift"
    PAUSE = "pause"
    RESUME = "resume"
    BACK_AT_BASE = "back_at_base"


# Units that may take a new incident: a returning unit is free, only still on the road.
DISPATCHABLE = frozenset({UnitStatus.AVAILABLE, UnitStatus.RETURNING})
BUSY = frozenset({UnitStatus.DISPATCHED, UnitStatus.EN_ROUTE, UnitStatus.ON_SCENE})
MANUAL_EVENTS = frozenset(
    {
        UnitEvent.START_SHIFT,
        UnitEvent.END_SHIFT,
        UnitEvent.PAUSE,
        UnitEvent.RESUME,
        UnitEvent.BACK_AT_BASE,
    }
)

_TRANSITIONS: Mapping[UnitEvent, Mapping[UnitStatus, UnitStatus]] = {
    UnitEvent.DISPATCH: dict.fromkeys(DISPATCHABLE, UnitStatus.DISPATCHED),
    # A unit on one incident may depart/arrive again for another only after release.
    UnitEvent.DEPART: {UnitStatus.DISPATCHED: UnitStatus.EN_ROUTE},
    UnitEvent.ARRIVE: {UnitStatus.EN_ROUTE: UnitStatus.ON_SCENE},
    UnitEvent.RELEASE: {
        UnitStatus.DISPATCHED: UnitStatus.AVAILABLE,
        UnitStatus.EN_ROUTE: UnitStatus.AVAILABLE,
        UnitStatus.ON_SCENE: UnitStatus.RETURNING,
    },
    UnitEvent.START_SHIFT: {UnitStatus.OFF_DUTY: UnitStatus.AVAILABLE},
    UnitEvent.END_SHIFT: {
        UnitStatus.AVAILABLE: UnitStatus.OFF_DUTY,
        UnitStatus.RETURNING: UnitStatus.OFF_DUTY,
        UnitStatus.UNAVAILABLE: UnitStatus.OFF_DUTY,
    },
    UnitEvent.PAUSE: {
        UnitStatus.AVAILABLE: UnitStatus.UNAVAILABLE,
        UnitStatus.RETURNING: UnitStatus.UNAVAILABLE,
    },
    UnitEvent.RESUME: {UnitStatus.UNAVAILABLE: UnitStatus.AVAILABLE},
    UnitEvent.BACK_AT_BASE: {UnitStatus.RETURNING: UnitStatus.AVAILABLE},
}


def next_status(status: UnitStatus, event: UnitEvent) -> UnitStatus:
    """The status after `event`, or InvalidTransition naming what is allowed."""
    target = _TRANSITIONS[event].get(status)
    if target is None:
        allowed = allowed_events(status)
        raise InvalidTransition(
            f"Refused: a unit that is {status.value} cannot {event.value}; "
            f"allowed now: {', '.join(e.value for e in allowed) or 'nothing'}.",
            state=status.value,
            allowed=[e.value for e in allowed],
        )
    return target


def allowed_events(status: UnitStatus) -> list[UnitEvent]:
    return [event for event in UnitEvent if status in _TRANSITIONS[event]]


def sources(event: UnitEvent) -> frozenset[UnitStatus]:
    """The statuses `event` may start from (for conditional UPDATEs)."""
    return frozenset(_TRANSITIONS[event])
