"""Where the simulated phone system says a caller is: near the caller, within its accuracy."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from cad110.geo.distance import haversine_m
from cad110.sim.phone import SimPhone


class _Recorded:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def send(self, events: list[dict[str, Any]]) -> None:
        self.events.extend(events)


def test_a_callers_location_lies_within_its_stated_accuracy_of_the_caller() -> None:
    line = _Recorded()
    phone = SimPhone(line, random.Random(11), "run")
    spot = (119.2980, 26.0870)
    at = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    for _ in range(300):
        phone.answer("13800000000", at, spot)
    places = [e["location"] for e in line.events if e["type"] == "ringing"]
    assert len(places) == 300
    off = [haversine_m(*spot, p["lon"], p["lat"]) / p["accuracy_m"] for p in places]
    # Anywhere in the circle, to the rounding of six decimal places (about 0.1 m).
    assert max(off) <= 1.0 + 0.2 / 30
    assert max(off) > 0.9
    assert {p["source"] for p in places} == {"handset", "carrier"}
