"""`cad110 bench repeats` with a small history, so the benchmark code cannot rot.

The bench writes its history with PostgreSQL's own generate_series, so it runs on PostgreSQL
only. Only sanity is asserted (every check timed, history written with its keys, and a share of
the new calls found repeats, as the drawn callers make them), never timings.
"""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from cad110.bench.repeats import run_repeats_bench
from tests.conftest import PG_URL, _require_pg


@pytest.mark.postgres
def test_bench_repeats_checks_each_call_against_the_history() -> None:
    _require_pg()
    out = io.StringIO()
    figures = run_repeats_bench(
        Console(file=out, width=160), incidents=5000, queries=40, pg_url=PG_URL
    )

    assert figures is not None
    assert figures.incidents == 5000
    # caller and cell for each; a standard address for three in ten; a party's phone for one
    # in twenty.
    assert figures.keys == 5000 * 2 + 1500 + 250
    assert figures.latency.n == 40
    assert 0 < figures.linked_share <= 1
    assert not figures.met  # 10 million past incidents, not 5,000
    assert "target p99 < 20 ms at 10M: not shown (at 5,000 past incidents, not 10M)" in (
        out.getvalue()
    )
