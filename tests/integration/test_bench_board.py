"""The board benchmark runs end to end on small numbers (so it cannot rot); no timing asserted."""

from __future__ import annotations

from rich.console import Console

from cad110.bench.board import CHROMIUM, LOADS, run_board_bench


def test_board_bench_counts_what_it_filled() -> None:
    figures = run_board_bench(Console(width=100, record=True), incidents=12, requests=3)
    assert figures.open_incidents == 12
    assert 0 < figures.server_p50_ms <= figures.server_p99_ms
    assert len(figures.browser_load_ms) == (LOADS if CHROMIUM.exists() else 0)
