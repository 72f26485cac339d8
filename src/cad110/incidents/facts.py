"""What an action on an incident announces (`ctx.emit`), for the packages that follow it.

Incidents knows nothing of units' statuses, the queue or supervision: they subscribe to these
facts at the composition root (`cad110/runtime.py::subscribers`) and run in the action's
transaction, so a refusal by any of them undoes the whole action.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cad110.lifecycles.incident import Action, Outcome, Status
from cad110.models.call import Call
from cad110.models.incident import Incident


@dataclass(frozen=True)
class ActionDecided:
    """The lifecycle allowed `action`; its event is not recorded yet.

    The incident row carries what the action's body set (category, merge target…) and the
    units' existing assignments have moved; assignments of units being dispatched are written
    only after the subscribers accepted those units. A subscriber may add to `payload` (the
    event's) or refuse the action by raising a domain error, whose status the caller gets.
    """

    incident: Incident
    action: Action
    # The units the command names (those dispatched, or the one taking a step).
    units: tuple[str, ...]
    outcome: Outcome
    payload: dict[str, Any]


@dataclass(frozen=True)
class IncidentActed:
    """`action` is done: the incident row shows it and its event is appended."""

    incident: Incident
    action: Action
    # The status the incident had before the action.
    before: Status
    outcome: Outcome


@dataclass(frozen=True)
class CallRecorded:
    """A call record was made (with a new incident, attached to one, or without one), its event
    appended: the phone system's call it records can be linked to it."""

    call: Call
    # The phone system's id of the call the client says this record is of (None: not said).
    phone_call: str | None = None
    # Where the request carried it, for a refusal that names the field.
    phone_call_field: tuple[str, ...] = ("phone_call",)
    # The intake that made the call's new incident said where it was received: `place` is its
    # standard address (地址编码), or None for none. Unsaid (False), a subscriber that needs
    # the place reads it from the incident's first event.
    located: bool = False
    place: str | None = None
    # A call without an incident: where and what it was about, as the call-taker said it.
    matter: CallMatter | None = None


@dataclass(frozen=True)
class CallMatter:
    """Where and what a call without an incident was about (checked as at 接警): its ticket
    takes it when the call is 转12345."""

    address: str | None
    lon: float | None
    lat: float | None
    # The standard address (地址编码) picked or geocoded, if any.
    place_code: str | None
    category: str | None
    # Where it belongs: the point's jurisdiction, else the district the address names.
    jurisdiction_code: str
    jurisdiction_path: str
    # What the event says of the point beyond lon/lat (location.how_located).
    how: dict[str, object] = field(default_factory=dict)
