"""The incident lifecycle's rules written out independently of the module (plain strings, not
its enums or tables), from DOMAIN.md ("The incident lifecycle and its time axis"), and the
helpers the lifecycle tests share: a wrong table or guard in the module is caught by comparing
with these rather than copied.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from cad110.errors import InvalidTransition
from cad110.lifecycles.incident import (
    Action,
    AssignmentState,
    Command,
    Outcome,
    Snapshot,
    Status,
    allowed_actions,
    decide,
)

# --------------------------------------------------------------------------------------------
# The rules, written out independently of the module (plain strings, not its enums or tables).
# --------------------------------------------------------------------------------------------

# The twelve stages of the time axis (时间轴), in order.
TIME_AXIS = (
    "received",  # 接警
    "accepted",  # 受理
    "assessed",  # 研判
    "dispatched",  # 派警
    "acknowledged",  # 签收
    "departed",  # 出动
    "arrived",  # 到场
    "handled",  # 处置
    "reported",  # 反馈
    "closed",  # 结警
    "callback",  # 回访
    "archived",  # 归档
)
ENDED_EARLY = ("merged", "transferred", "invalid", "cancelled")
# Statuses off the time axis that an incident passes through and leaves.
WAITING = ("queued",)
TERMINAL = frozenset({"archived", *ENDED_EARLY})
BEFORE_DISPATCH = frozenset({"received", "accepted", "assessed", "queued"})
AFTER_CLOSE = frozenset({"closed", "callback", "archived"})

# Which actions each status lets through its status guard (unit guards come on top).
# Unit steps (acknowledge/depart/arrive/release) are possible wherever units can be on the
# incident: from dispatched up to reported (a reinforcement dispatched while handling may
# still sign for it after the report; close then waits for its release).
# 研判 and 改类/改级 are possible at every open stage from 受理 to 反馈, 更正地点 from 接警 to 反馈
# (never once closed, archived or ended early); invalidate (a hoax found
# out on scene) at any open stage; transfer to another agency before dispatch and from arrival
# on; close also once every unit was called back before reaching the scene.
WORKED = frozenset({"assess", "reclassify", "relocate"})
STATUS_TABLE: dict[str, frozenset[str]] = {
    # 更正地点 from the first moment: an address that matched nothing is placed at once.
    "received": frozenset({"accept", "merge", "transfer", "invalidate", "cancel", "relocate"}),
    "accepted": frozenset(
        {"assess", "queue", "dispatch", "close", "merge", "transfer", "invalidate", "cancel"}
    )
    | WORKED,
    "assessed": frozenset(
        {"queue", "dispatch", "close", "merge", "transfer", "invalidate", "cancel"}
    )
    | WORKED,
    # Waiting for a unit (待派): dispatch when one frees up, or end it before dispatch.
    "queued": frozenset({"dispatch", "close", "merge", "transfer", "invalidate", "cancel"})
    | WORKED,
    "dispatched": frozenset(
        {"dispatch", "acknowledge", "depart", "arrive", "release", "cancel", "invalidate", "close"}
    )
    | WORKED,
    "acknowledged": frozenset(
        {"dispatch", "acknowledge", "depart", "arrive", "release", "cancel", "invalidate", "close"}
    )
    | WORKED,
    "departed": frozenset(
        {"dispatch", "acknowledge", "depart", "arrive", "release", "cancel", "invalidate", "close"}
    )
    | WORKED,
    "arrived": frozenset(
        {
            "dispatch",
            "acknowledge",
            "depart",
            "arrive",
            "release",
            "handle",
            "cancel",
            "invalidate",
            "transfer",
        }
    )
    | WORKED,
    "handled": frozenset(
        {"dispatch", "acknowledge", "depart", "arrive", "release", "report"}
        | {"invalidate", "transfer"}
    )
    | WORKED,
    "reported": frozenset(
        {"acknowledge", "depart", "arrive", "release", "close", "invalidate", "transfer"}
    )
    | WORKED,
    "closed": frozenset({"callback", "archive"}),
    "callback": frozenset({"archive"}),
    "archived": frozenset(),
    "merged": frozenset(),
    "transferred": frozenset(),
    "invalid": frozenset(),
    "cancelled": frozenset(),
}

# Per-unit steps: (states the unit must be in, state it moves to, incident stage it can reach).
UNIT_STEPS: dict[str, tuple[frozenset[str], str, str | None]] = {
    "acknowledge": (frozenset({"dispatched"}), "acknowledged", "acknowledged"),
    "depart": (frozenset({"acknowledged"}), "departed", "departed"),
    "arrive": (frozenset({"departed"}), "arrived", "arrived"),
    "release": (
        frozenset({"dispatched", "acknowledged", "departed", "arrived"}),
        "released",
        None,
    ),
}
# Actions refused while any unit is still assigned (not released).
NEEDS_NO_ACTIVE_UNITS = frozenset({"close", "merge"})
# Actions that end the incident and release every unit still assigned.
RELEASES_ALL = frozenset({"cancel", "transfer", "invalidate"})
# Where the other actions lead.
TARGET: dict[str, str | None] = {
    "accept": "accepted",
    "assess": "assessed",
    "queue": "queued",
    "handle": "handled",
    "report": "reported",
    "close": "closed",
    "callback": "callback",
    "archive": "archived",
    "merge": "merged",
    "transfer": "transferred",
    "invalidate": "invalid",
    "cancel": "cancelled",
    "reclassify": None,  # the status stays
    "relocate": None,  # the status stays
}

ModelOutcome = tuple[str, str | None, dict[str, str], dict[str, str]]


def model_decide(
    status: str, units: Mapping[str, str], action: str, cmd_units: tuple[str, ...]
) -> ModelOutcome | None:
    """Reference model: (status, stage reached, units, unit changes), or None for a refusal."""
    if action not in STATUS_TABLE[status]:
        return None
    active = [u for u, s in units.items() if s != "released"]

    if action == "dispatch":
        if not cmd_units or len(set(cmd_units)) != len(cmd_units):
            return None
        if any(u in active for u in cmd_units):
            return None
        changes = dict.fromkeys(cmd_units, "dispatched")
        first = status in BEFORE_DISPATCH
        return (
            "dispatched" if first else status,
            "dispatched" if first else None,
            {**units, **changes},
            changes,
        )

    if action in UNIT_STEPS:
        if len(cmd_units) != 1 or cmd_units[0] not in units:
            return None
        unit = cmd_units[0]
        needs, becomes, stage = UNIT_STEPS[action]
        if units[unit] not in needs:
            return None
        new_status, reached = status, None
        # The incident reaches a unit stage with its first unit only.
        if stage is not None and TIME_AXIS.index(status) < TIME_AXIS.index(stage):
            new_status, reached = stage, stage
        return new_status, reached, {**units, unit: becomes}, {unit: becomes}

    if action in NEEDS_NO_ACTIVE_UNITS and active:
        return None
    changes = dict.fromkeys(active, "released") if action in RELEASES_ALL else {}
    target = TARGET[action]
    # A repeated 研判 and every 改类/改级 leave the status where it is.
    if target is None or (action == "assess" and status != "accepted"):
        return status, None, dict(units), {}
    return (
        target,
        target if target in TIME_AXIS else None,
        {**units, **changes},
        changes,
    )


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------

A = AssignmentState


def snap(status: str, **units: str) -> Snapshot:
    return Snapshot(Status(status), {u: AssignmentState(s) for u, s in units.items()})


def cmd(action: str, *units: str) -> Command:
    return Command(Action(action), tuple(units))


def as_plain(outcome: Outcome) -> ModelOutcome:
    changes = dict(outcome.unit_changes)
    assert len(changes) == len(outcome.unit_changes), "a unit changed twice in one outcome"
    return (
        outcome.status.value,
        outcome.stage.value if outcome.stage is not None else None,
        {u: s.value for u, s in outcome.units.items()},
        {u: s.value for u, s in changes.items()},
    )


def check_refusal(exc: InvalidTransition, snapshot: Snapshot) -> None:
    assert exc.state == snapshot.status.value
    assert exc.allowed == [a.value for a in allowed_actions(snapshot)]
    assert snapshot.status.value in exc.message
    assert exc.status_code == 409


def try_decide(snapshot: Snapshot, command: Command) -> Outcome | None:
    """decide(), with a refusal checked for its contract and turned into None."""
    before_status, before_units = snapshot.status, dict(snapshot.units)
    try:
        outcome = decide(snapshot, command)
    except InvalidTransition as exc:
        check_refusal(exc, snapshot)
        outcome = None
    # decide never changes what it is given, accepted or not.
    assert snapshot.status is before_status
    assert dict(snapshot.units) == before_units
    return outcome


def unit_choices(action: str, units: Mapping[str, str], pool: tuple[str, ...]) -> list[tuple]:
    """The unit lists worth trying for an action: good ones, bad ones, none."""
    known = tuple(dict.fromkeys((*units, *pool)))
    if action == "dispatch":
        fresh = "U99"
        choices: list[tuple] = [(), (fresh,), (fresh, fresh), (fresh, "U98")]
        choices += [(u,) for u in known] + [(u, fresh) for u in known]
        return choices
    if action in UNIT_STEPS:
        return [(), *[(u,) for u in (*known, "U99")], known[:2]]
    return [()]


def refused(snapshot: Snapshot, command: Command) -> InvalidTransition:
    with pytest.raises(InvalidTransition) as info:
        decide(snapshot, command)
    check_refusal(info.value, snapshot)
    return info.value
