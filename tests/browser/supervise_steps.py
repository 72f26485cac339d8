"""Steps shared by the 督办 page's browser tests: an incident dispatched and never signed for,
and the tick that finds it late."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from cad110.auth.principal import principal_of
from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.incidents.actions import act
from cad110.incidents.intake import create_incident
from cad110.incidents.schemas import DispatchBody, IncidentCreate
from cad110.kernel.runtime import Runtime
from cad110.lifecycles.incident import Action
from cad110.models.jurisdiction import Jurisdiction
from cad110.models.user import User
from cad110.supervision.service import tick


def dispatched(runtime: Runtime, clock: VirtualClock, unit: str, point: tuple[float, float]) -> str:
    """An incident dispatched to `unit` now, which will never be signed for."""
    with transaction(runtime.sessions) as session:
        user = session.scalars(select(User).where(User.username == "dispatcher")).one()
        home = session.get(Jurisdiction, user.jurisdiction_code)
        assert home is not None
        ctx = runtime.ctx(session, principal_of(user, home), clock.now())
        data = IncidentCreate(
            address="鼓楼区", lon=point[0], lat=point[1], category="theft", accept=True
        )
        incident = create_incident(ctx, data, idempotency_key=None)
        act(ctx, incident.number, Action.DISPATCH, DispatchBody(units=[unit]))
        return incident.number


def run_late(runtime: Runtime, clock: VirtualClock) -> None:
    clock.advance(timedelta(minutes=5))
    with transaction(runtime.sessions) as session:
        tick(session, now=clock.now(), settings=runtime.settings)
