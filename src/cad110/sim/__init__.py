"""A living demo: simulated callers, desk staff and units driving the real use cases."""

from cad110.sim.actors import MissingActor
from cad110.sim.engine import DEMO_SPEED, TrafficGenerator
from cad110.sim.runner import run_demo_traffic

__all__ = ["DEMO_SPEED", "MissingActor", "TrafficGenerator", "run_demo_traffic"]
