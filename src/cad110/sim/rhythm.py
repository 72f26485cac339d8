"""When calls arrive: a Poisson process whose rate follows the centre's daily rhythm.

110 traffic is lowest in the small hours (03:00–06:00), climbs through the morning to a late
morning peak, dips after lunch and peaks again in the evening (disputes, drinking, traffic).
The hourly factors below have mean 1, so `calls_per_day` is the daily volume; the generator's
`speed` multiplies the rate. Arrivals are drawn by thinning (Lewis & Shedler): candidates at
the peak rate, each kept with probability rate(t) / peak.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

# Relative call rate for each local hour 00..23 (normalised to mean 1 below).
_HOURLY = (
    0.75,
    0.55,
    0.42,
    0.33,
    0.30,
    0.33,
    0.48,
    0.72,
    0.98,
    1.18,
    1.33,
    1.38,
    1.20,
    1.08,
    1.12,
    1.18,
    1.24,
    1.30,
    1.36,
    1.45,
    1.50,
    1.42,
    1.20,
    0.95,
)
_MEAN = sum(_HOURLY) / len(_HOURLY)
HOURLY: tuple[float, ...] = tuple(h / _MEAN for h in _HOURLY)
PEAK = max(HOURLY)

# What ~100 units carry: about 2,000 calls a day at speed 1 (one every 43 s on average).
# At the demo speed (4) that is ~8,000 a day, about the real volume of a city of Fuzhou's size
# (Beijing, 22M people, takes ~20,000).
CALLS_PER_DAY = 2000.0


def factor(moment: datetime, tz: ZoneInfo) -> float:
    """The rhythm at `moment`: hourly factors, linearly interpolated between hour midpoints."""
    local = moment.astimezone(tz)
    hour = local.hour + local.minute / 60 + local.second / 3600
    position = hour - 0.5
    low = math.floor(position)
    frac = position - low
    return HOURLY[low % 24] * (1 - frac) + HOURLY[(low + 1) % 24] * frac


class Arrivals:
    """Successive call arrival times of a non-homogeneous Poisson process."""

    def __init__(
        self, rng: random.Random, *, calls_per_day: float, speed: float, tz: ZoneInfo
    ) -> None:
        if calls_per_day <= 0 or speed <= 0:
            raise ValueError("calls_per_day and speed must be positive")
        self._rng = rng
        self._tz = tz
        self.mean_rate = calls_per_day / 86400.0 * speed  # calls per second, day average
        self._peak_rate = self.mean_rate * PEAK

    def rate(self, moment: datetime) -> float:
        """Calls per second expected at `moment`."""
        return self.mean_rate * factor(moment, self._tz)

    def next_after(self, moment: datetime) -> datetime:
        """The next arrival after `moment`."""
        t = moment
        while True:
            t += timedelta(seconds=self._rng.expovariate(self._peak_rate))
            if self._rng.random() * self._peak_rate <= self.rate(t):
                return t
