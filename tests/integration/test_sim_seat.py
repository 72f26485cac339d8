"""The simulated call-taker's seat (SIM01) in the living demo: a person may take it over on
purpose, and the simulator takes it back at its next call, so its records are not refused.

On the small test world (tests/world.py) plus the simulator's call-taker, not the demo city:
the seat needs one call, not a city.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from cad110.accounts.service import add_user
from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.models.call import Call
from cad110.models.telephony import PhoneCall
from cad110.models.user import Role
from cad110.sim import TrafficGenerator
from cad110.sim.actors import CALLTAKER as SIM_CALLTAKER
from cad110.sim.phone import SIM_SEAT
from tests.api.helpers import ok
from tests.conftest import Api
from tests.world import PASSWORD


def test_the_simulator_takes_its_seat_back_before_it_rings_a_call(
    runtime: Runtime, api: Api, clock: VirtualClock
) -> None:
    with transaction(runtime.sessions) as session:  # the demo seeds the simulator's call-taker
        add_user(
            session,
            username=SIM_CALLTAKER,
            password=PASSWORD,
            role=Role.CALLTAKER,
            jurisdiction_code="350100",
            now=clock.now(),
            actor="test",
        )
    # One call a second after the start, and hardly any after it.
    generator = TrafficGenerator(
        runtime, seed=1, calls_per_day=1.0, fix_interval_s=600.0, warm_calls=1
    )
    # A person at the desk takes SIM01 over, as the desk lets one do after asking.
    taken = api.client.put(
        "/api/v1/telephony/seat", json={"seat": SIM_SEAT}, headers=api.as_("calltaker")
    )
    assert taken.status_code == 409, taken.text
    ok(
        api.client.put(
            "/api/v1/telephony/seat",
            json={"seat": SIM_SEAT, "take_over": True},
            headers=api.as_("calltaker"),
        )
    )
    assert ok(api.get("/telephony/seat", "calltaker"))["seat"] == SIM_SEAT

    generator.step_until(clock.now() + timedelta(seconds=30))
    assert generator.stats["calls"] == 1
    assert generator.stats["seat_taken_back"] == 1
    assert generator.stats["refused"] == 0
    assert ok(api.get("/telephony/seat", "calltaker"))["seat"] is None
    with runtime.readers() as session:
        [phone_call] = session.scalars(select(PhoneCall)).all()
        recorded = session.scalars(select(Call)).all()
    # Answered at SIM01 by the simulator, and its record links that call: nothing refused.
    assert (phone_call.seat, phone_call.answered_by) == (SIM_SEAT, SIM_CALLTAKER)
    assert [c.id for c in recorded] == [phone_call.call_record_id]
