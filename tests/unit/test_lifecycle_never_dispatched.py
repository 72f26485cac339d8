"""An incident at 接警 has had no unit (lifecycles.incident.NEVER_DISPATCHED): the reads of its
assignments are skipped on that promise, so every action from every stage is tried here."""

from __future__ import annotations

from itertools import product

from cad110.errors import Conflict, InvalidInput
from cad110.lifecycles.incident import (
    NEVER_DISPATCHED,
    Action,
    AssignmentState,
    Command,
    Snapshot,
    Status,
    decide,
)

UNIT_STATES = [{}, *({"U1": state} for state in AssignmentState)]


def test_no_action_dispatches_at_jie_jing_or_leads_back_to_it() -> None:
    tried = 0
    for status, action, units in product(Status, Action, UNIT_STATES):
        if status in NEVER_DISPATCHED and units:
            continue  # what is promised: no unit there to begin with
        snapshot = Snapshot(status, units)
        try:
            outcome = decide(snapshot, Command(action, ("U1",)))
        except (Conflict, InvalidInput):
            continue
        tried += 1
        if status in NEVER_DISPATCHED:
            assert not outcome.unit_changes, (status, action)
            assert not outcome.units, (status, action)
        if outcome.status in NEVER_DISPATCHED:
            assert status in NEVER_DISPATCHED, (status, action)
    assert tried > 20
