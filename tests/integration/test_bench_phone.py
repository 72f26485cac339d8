"""The phone benchmark runs end to end on a few calls (so it cannot rot); no timing asserted.
It checks each pop put the right number on the desk and raises otherwise."""

from __future__ import annotations

from rich.console import Console

from cad110.bench.phone import run_phone_bench


def test_phone_bench_times_every_call_it_rang() -> None:
    console = Console(width=120, record=True)
    figures = run_phone_bench(console, calls=3)
    assert figures.calls == 3
    assert len(figures.pop_ms) == len(figures.post_ms) == 3
    assert all(ms > 0 for ms in figures.pop_ms)
    assert "answered posted" in console.export_text()
