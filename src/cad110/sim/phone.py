"""The simulated callers' calls as the phone system reports them: ringing, answered at the
call-taker's seat, ended — before and after the call-taker records them; now and then a call
that rings out (abandoned).

The events go down a `PhoneLine`: in-process through the same use case as
POST /api/v1/telephony/events (`ServiceLine`; tests and `cad110 sim run`), or over HTTP to the
fake phone system, which signs them and posts them to cad110 like a real switch (`HttpLine`; the
living demo, `cad110 serve --sim-speed`). Locations, ring times and rung-out calls draw from
their own random stream, so the city's calls stay as they were for a seed.
"""

from __future__ import annotations

import itertools
import logging
import math
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Protocol

import httpx
from pydantic import ValidationError
from sqlalchemy.orm import Session

from cad110.auth.principal import Principal
from cad110.geo.distance import from_equirectangular
from cad110.kernel.context import Ctx
from cad110.telephony import service
from cad110.telephony.schemas import EVENTS

log = logging.getLogger("cad110.sim")

# The seat the simulated call-taker (its own account, sim/actors.py) sits at: no person's desk
# pops the simulated calls.
SIM_SEAT = "SIM01"
# Of the calls made, this share rings out before anyone answers (on top of the answered ones).
RING_OUT_SHARE = 0.04

Event = dict[str, Any]


class PhoneLine(Protocol):
    def send(self, events: list[Event]) -> bool:
        """Deliver `events` in order; whether cad110 took them all. A failure is logged, never
        raised (the calls go on)."""
        ...


class ServiceLine:
    """In-process: each event in its own transaction, as the events route does."""

    def __init__(
        self,
        tx: Callable[[str, Callable[[Session], object]], object],
        ctx: Callable[[Session, Principal], Ctx],
    ) -> None:
        self._tx = tx
        self._ctx = ctx

    def _receive(self, event: service.PhoneEventBody, session: Session) -> object:
        return service.receive(self._ctx(session, service.PHONE_SYSTEM), event)

    def send(self, events: list[Event]) -> bool:
        taken = True
        for raw in events:
            try:
                event = EVENTS.validate_python(raw)
            except ValidationError:
                log.warning("simulated phone event refused: %s", raw.get("type"))
                taken = False
                continue
            taken = self._tx("phone event", partial(self._receive, event)) is not None and taken
        return taken


class HttpLine:
    """Over HTTP to the fake phone system (telephony/fake.py), which signs and forwards."""

    def __init__(self, fake_url: str, client: httpx.Client | None = None) -> None:
        self._url = fake_url.rstrip("/") + "/send"
        self._client = client or httpx.Client(timeout=10.0)

    def send(self, events: list[Event]) -> bool:
        try:
            answer = self._client.post(self._url, json=events)
            statuses = [r.get("status") for r in answer.json().get("results", [])]
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("fake phone system unreachable: %s", exc)
            return False
        if len(statuses) != len(events) or any(s != 200 for s in statuses):
            log.warning("phone events refused by cad110: %s", statuses)
            return False
        return True


class SimPhone:
    """Makes the events of the simulated calls and sends them down the line."""

    def __init__(self, line: PhoneLine, rng: random.Random, run_id: str) -> None:
        self._line = line
        self.rng = rng
        self._run = run_id[:12]
        self._ids = itertools.count(1)

    def _id(self, what: str) -> str:
        return f"sim-{self._run}-{what}{next(self._ids)}"

    @staticmethod
    def _at(moment: datetime) -> str:
        return moment.isoformat()

    def _location(self, spot: tuple[float, float] | None) -> dict[str, Any] | None:
        """What the carrier or handset gives for a caller at `spot`: a point within accuracy."""
        if spot is None:
            return None
        rng = self.rng
        source, accuracy = rng.choice((("handset", 30), ("carrier", 300), ("carrier", 800)))
        distance = accuracy * rng.random()
        bearing = rng.uniform(0, 2 * math.pi)
        lon, lat = from_equirectangular(
            distance * math.sin(bearing), distance * math.cos(bearing), *spot
        )
        return {
            "lon": round(float(lon), 6),
            "lat": round(float(lat), 6),
            "accuracy_m": accuracy,
            "source": source,
        }

    def answer(
        self, caller: str, answered: datetime, spot: tuple[float, float] | None
    ) -> str | None:
        """The call rings and the call-taker's seat answers it; its call id, None when the
        phone system's events did not reach cad110 (the record then names no phone call)."""
        call_id = self._id("call")
        ringing: Event = {
            "event_id": self._id("e"),
            "type": "ringing",
            "call_id": call_id,
            "at": self._at(answered - timedelta(seconds=self.rng.uniform(2, 12))),
            "caller": caller,
        }
        where = self._location(spot)
        if where is not None:
            ringing["location"] = where
        answered_event: Event = {
            "event_id": self._id("e"),
            "type": "answered",
            "call_id": call_id,
            "at": self._at(answered),
            "seat": SIM_SEAT,
        }
        return call_id if self._line.send([ringing, answered_event]) else None

    def end(self, call_id: str | None, at: datetime) -> None:
        if call_id is None:
            return
        event: Event = {
            "event_id": self._id("e"),
            "type": "ended",
            "call_id": call_id,
            "at": self._at(at),
        }
        self._line.send([event])

    def maybe_ring_out(self, caller: str, now: datetime) -> bool:
        """Now and then a call that nobody answers before the caller hangs up."""
        if self.rng.random() >= RING_OUT_SHARE:
            return False
        call_id = self._id("call")
        rang = now - timedelta(seconds=self.rng.uniform(5, 40))
        self._line.send(
            [
                {
                    "event_id": self._id("e"),
                    "type": "ringing",
                    "call_id": call_id,
                    "at": self._at(rang),
                    "caller": caller,
                },
                {
                    "event_id": self._id("e"),
                    "type": "ended",
                    "call_id": call_id,
                    "at": self._at(now),
                },
            ]
        )
        return True
