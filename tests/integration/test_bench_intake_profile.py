"""`cad110 bench intake-profile` with tiny numbers on SQLite, so the profile tool cannot rot.

Only sanity is asserted (the creates succeed, statements are counted, the profile is written
and names the create's own code), never timings.
"""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from cad110.bench.intake_profile import run_intake_profile


def test_intake_profile_times_and_profiles_creates_on_sqlite(tmp_path: Path) -> None:
    target = tmp_path / "profiles" / "intake-create-sqlite.html"
    out = io.StringIO()

    cost = run_intake_profile(
        Console(file=out, width=160), backend="sqlite", count=4, warmup=2, profile=target
    )

    assert cost.count == 4
    assert 0 < cost.p50_ms <= cost.p90_ms
    assert cost.cpu_ms > 0
    # A create with accept writes the number, the incident, its call, their events and heads:
    # never fewer than those statements.
    assert cost.statements_per_create >= 8
    # The incident and its call are flushed for their ids before their events name them.
    assert cost.flushes_per_create >= 2
    assert "flushes per create" in out.getvalue()

    tree = target.with_suffix(".txt").read_text(encoding="utf-8")
    html = target.read_text(encoding="utf-8")
    for name in ("create_incident", "record_call", "Session.commit"):
        assert name in tree
    assert "<html" in html.lower()
    # Paths are kept relative to where they were imported from: no machine's directories.
    assert str(Path.cwd()) not in tree
    assert "site-packages" not in tree
