"""The missing-person benchmark runs end to end on small numbers (so it cannot rot); no timing
asserted."""

from __future__ import annotations

from rich.console import Console

from cad110.bench.missing import run_missing_bench


def test_missing_bench_opens_what_it_says_and_serves_the_pages() -> None:
    console = Console(width=120, record=True)
    figures = run_missing_bench(console, cases=20, requests=3)
    assert figures.cases == 20
    assert figures.opened_per_s > 0
    assert 0 < figures.ledger_p50_ms <= figures.ledger_p99_ms
    assert figures.desk_p50_ms > 0
    assert figures.case_p50_ms > 0
    assert "20 open cases" in console.export_text()
