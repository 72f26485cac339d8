"""The benchmarks over the demo city run end to end on small numbers (so they cannot rot); no
timing asserted. One file, so that one worker seeds the city once (bench/city.py) for all."""

from __future__ import annotations

from rich.console import Console

from cad110.bench.board import CHROMIUM, LOADS, run_board_bench
from cad110.bench.missing import run_missing_bench
from cad110.bench.phone import run_phone_bench


def test_board_bench_counts_what_it_filled() -> None:
    figures = run_board_bench(Console(width=100, record=True), incidents=12, requests=3)
    assert figures.open_incidents == 12
    assert 0 < figures.server_p50_ms <= figures.server_p99_ms
    assert len(figures.browser_load_ms) == (LOADS if CHROMIUM.exists() else 0)


def test_missing_bench_opens_what_it_says_and_serves_the_pages() -> None:
    console = Console(width=120, record=True)
    figures = run_missing_bench(console, cases=20, requests=3)
    assert figures.cases == 20
    assert figures.opened_per_s > 0
    assert 0 < figures.ledger_p50_ms <= figures.ledger_p99_ms
    assert figures.desk_p50_ms > 0
    assert figures.case_p50_ms > 0
    assert min(figures.ledger_first_ms, figures.desk_first_ms, figures.case_first_ms) > 0
    assert "20 open cases" in console.export_text()


def test_phone_bench_times_every_call_it_rang() -> None:
    # Each pop is checked to have put the right number on the desk; the bench raises otherwise.
    console = Console(width=120, record=True)
    figures = run_phone_bench(console, calls=3)
    assert figures.calls == 3
    assert len(figures.pop_ms) == len(figures.post_ms) == 3
    assert all(ms > 0 for ms in figures.pop_ms)
    assert "answered posted" in console.export_text()
