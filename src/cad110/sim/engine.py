"""The traffic generator: a discrete-event simulation of a 110 centre on the real use cases.

Every simulated step is one short transaction that calls the same service code the API runs
(`create_incident`, `record_call`, `attach_call`, `act`, `accept_offer`, `change_status`,
`record_positions`), acting as a seeded account: the call-taker, the dispatcher, the duty
leader, or the officer account of the unit concerned. So every step is a real, audited event,
and the supervision tick (run by the server, not here) sees late steps as it would in life.

Time: the generator keeps a queue of due actions. `step_until(moment)` runs every action due
up to `moment` in order; on a `VirtualClock` it moves the clock to each action's time first
(tests, fast replays). `run_forever(stop)` sleeps until the next action is due by the wall
clock. Randomness comes from one seeded generator and the order of actions is fixed, so a run
on a `VirtualClock` is repeatable for a seed.

What the speed changes: calls arrive `speed` times as often as in the modelled city, and the
unsupervised stretches (work on scene, the wait for a callback, archiving) shrink by the same
factor. The supervised steps keep real durations — signing for a dispatch takes 10–50 s, the
drive takes the ETA — so the catalog's time limits mean what they say and the ~10% of steps
made late on purpose really are overdue.

The console stays in charge: if a person acted first (dispatched the incident, released the
unit…) the lifecycle refuses the simulator's step (409); the step is skipped and logged at
debug level. Units dispatched from the console are picked up by the heartbeat and driven like
the simulator's own, and pending offers (待派推送) are accepted by the offered unit.

The parts: `state` holds the tuning and the small records kept on calls, incidents and units;
`core.SimCore` the shared state, the queue of due actions, the clock and the plumbing; and one
mixin per actor on it: `desk` (the call-taker: calls, incidents, second calls, assessing),
`dispatcher` (dispatch or queue, offers, then close, call back and archive) and `field` (the
units from sign-for to back at base, AVL fixes, and adopting units the console dispatched), and
`missing` (a missing-person incident's case file, search group, and the person found), and
`households` (troubled households that call again and again about one dispute, and the repeat
case the rules open for it, worked by the station to solved).
`TrafficGenerator` puts them together.
"""

from __future__ import annotations

from cad110.sim.desk import DeskActor
from cad110.sim.dispatcher import DispatcherActor
from cad110.sim.field import FieldActor
from cad110.sim.households import HouseholdActor
from cad110.sim.missing import MissingActor
from cad110.sim.state import DEMO_SPEED

__all__ = ["DEMO_SPEED", "TrafficGenerator"]


class TrafficGenerator(DeskActor, DispatcherActor, FieldActor, MissingActor, HouseholdActor):
    """Calls, incidents and units of a living demo city, driven through the real use cases."""
