"""Units follow their assignments: an incident's action that dispatches, moves or releases a
unit's assignment moves the unit's status with it, in the same transaction.

The unit's status is the database's arbiter of who gets it (a conditional UPDATE in
`units.service.change_status`): a unit that is unknown (422) or not free (409) refuses the
dispatch before any assignment names it.
"""

from __future__ import annotations

from cad110.incidents.facts import ActionDecided
from cad110.kernel.context import Ctx
from cad110.lifecycles.incident import AssignmentState
from cad110.lifecycles.unit import UnitEvent
from cad110.models.unit import Unit
from cad110.units.service import change_status, get_unit

# The unit status event an assignment step drives (signing for it changes no unit status).
UNIT_EVENT = {
    AssignmentState.DISPATCHED: UnitEvent.DISPATCH,
    AssignmentState.DEPARTED: UnitEvent.DEPART,
    AssignmentState.ARRIVED: UnitEvent.ARRIVE,
    AssignmentState.RELEASED: UnitEvent.RELEASE,
}


def move_assigned_units(ctx: Ctx, fact: ActionDecided) -> None:
    """Move each unit whose assignment the action changes; a unit dispatched must be one the
    caller may send (in scope, else 422 on `units`) and free (else 409)."""
    for code, state in fact.outcome.unit_changes:
        event = UNIT_EVENT.get(state)
        if event is None:
            continue
        if state is AssignmentState.DISPATCHED:
            unit = get_unit(ctx, code, field="units")
        else:
            assigned = ctx.session.get(Unit, code)
            assert assigned is not None  # an assignment's unit exists (foreign key)
            unit = assigned
        change_status(ctx, unit, event, incident=fact.incident.number)
