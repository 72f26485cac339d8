"""A stored tally comes back as it went in, and stored histograms add up exactly (numpy)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime

import numpy as np

from cad110.stats import rollup_splits
from cad110.stats.facts import Where
from cad110.stats.rollups import decode, encode, pack, unpack
from cad110.stats.tally import Rolled, Sum, Tally, histogram_of, merge

WHERE = Where(datetime(2026, 11, 24, tzinfo=UTC), "350100/")


def test_a_packed_tally_unpacks_to_the_same_counters_and_histograms() -> None:
    tally = Tally(
        counts=Counter({"incidents": 3, "calls_repeat@2": 1, "zero": 0}),
        durations={
            "dispatch": Counter({-5: 1, 0: 2, 90: 1, 86_400 * 400: 7}),
            "close": Counter(),  # nothing measured: not stored
        },
    )
    again = decode(encode(tally))
    assert again.counts == Counter({"incidents": 3, "calls_repeat@2": 1})
    assert again.durations == {"dispatch": Counter({-5: 1, 0: 2, 90: 1, 86_400 * 400: 7})}
    counts, durations = unpack(pack({}, {}))
    assert (counts, durations) == ({}, {})


def test_stored_histograms_and_facts_add_up_as_counters_do() -> None:
    days = [Counter({60: 2, 61: 1}), Counter({61: 4, 3600: 1}), Counter({5: 1})]
    found = Sum()
    for day in days:
        found.add(Rolled(WHERE, {"incidents": sum(day.values())}, {"arrival": histogram_of(day)}))
    counted = Tally(durations={"arrival": Counter({60: 1})})
    found.add_tally(counted)
    total = found.tally()
    assert total.durations["arrival"] == Counter({5: 1, 60: 3, 61: 5, 3600: 1})
    assert total.counts["incidents"] == 9
    values, n = merge([histogram_of(d) for d in days])
    assert values.dtype == np.int64
    assert dict(zip(values.tolist(), n.tolist(), strict=True)) == {5: 1, 60: 2, 61: 5, 3600: 1}


def test_histograms_far_apart_add_up_too() -> None:
    """Seconds spread wider than a dense count would be worth (a late arrest: days)."""
    late = Counter({-3: 1, 40: 2, 86_400 * 400: 1})
    values, n = merge([histogram_of(late), histogram_of(Counter({40: 1, 86_400 * 900: 2}))])
    found = dict(zip(values.tolist(), n.tolist(), strict=True))
    assert found == {-3: 1, 40: 3, 86_400 * 400: 1, 86_400 * 900: 2}


def test_a_breakdown_row_gives_back_each_key_s_tally() -> None:
    """The rollups' breakdown by category (or hour): many tallies in one blob, the seconds of
    all their histograms summed back from deltas in one pass — each comes back as it went in."""
    rng = random.Random(3)
    tallies: dict[str, Tally] = {}
    for key in ("", "fraud", "theft", "traffic_accident"):
        tally = Tally()
        tally.counts["incidents"] = rng.randint(1, 9)
        for name in ("close", "dispatch", "response"):
            if rng.random() < 0.8:
                tally.durations[name] = Counter(
                    {rng.randint(0, 5000): rng.randint(1, 4) for _ in range(rng.randint(1, 30))}
                )
        tallies[key] = tally
    back = {
        key: (
            counts,
            {n: dict(zip(v.tolist(), c.tolist(), strict=True)) for n, (v, c) in d.items()},
        )
        for key, counts, d in rollup_splits.unpack(rollup_splits.pack(tallies))
    }
    assert set(back) == set(tallies)
    for key, tally in tallies.items():
        assert back[key][0] == dict(tally.counts)
        assert back[key][1] == {n: dict(h) for n, h in tally.durations.items()}
