"""`cad110 bench intake` with tiny numbers on SQLite, so the benchmark code cannot rot.

Only sanity is asserted (positive rates, consistent counts), never timings.
"""

from __future__ import annotations

import io
import math
import sqlite3
from pathlib import Path

import pytest
from rich.console import Console

from cad110.bench.intake import run_intake_bench


def test_bench_intake_on_sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # On a test machine busy with other work a create may wait past the server's half second
    # for a write slot and be refused (503), which is the server shedding load, not the bench
    # rotting: the bench's server waits for its slot here instead (it inherits this setting).
    # Shedding itself is tested in tests/unit/test_admission.py and by `bench burst`.
    monkeypatch.setenv("CAD110_ADMIT_WAIT_S", "60")
    out = io.StringIO()
    result = run_intake_bench(
        Console(file=out, width=120),
        count=40,
        concurrency=4,
        rate=20.0,
        latency_seconds=2.0,
        backends=("sqlite",),
        workdir=tmp_path,
    )

    assert result.skipped == {}
    f = result.of("sqlite")
    assert f.api_errors == 0, f.notes
    assert f.raw_tx_per_s > 0
    assert f.floor_req_per_s > 0
    assert f.api_req_per_s > 0
    assert f.ratio > 0
    assert f.floor_ratio > 0
    # What the server alone spent per request, read from /proc (the suite runs on Linux).
    assert 0 < f.floor_cpu_ms < math.inf
    assert 0 < f.api_cpu_ms < math.inf
    assert f.raw_incidents == 40
    # Its warm-up (4 × concurrency) and the throughput run.
    assert f.floor_incidents == 16 + 40
    # Warm-up (4 × concurrency), the throughput run, and 2 s at 20/s.
    assert f.api_incidents == 16 + 40 + 40
    for latency, n in ((f.throughput_latency, 40), (f.fixed_rate_latency, 40)):
        assert latency.n == n
        assert 0 < latency.p50_ms <= latency.p99_ms <= latency.max_ms

    # The floor writes exactly the rows the API writes for each incident.
    assert f.rows_per_incident_api == f.rows_per_incident_raw == f.rows_per_incident_floor
    assert f.rows_per_incident_api == {"incidents": 1, "calls": 1, "events": 3, "sequence bumps": 1}

    # The database holds exactly the incidents created, each with its call and three events.
    with sqlite3.connect(tmp_path / "intake.db") as db:
        incidents = db.execute("SELECT count(*) FROM incidents").fetchone()[0]
        accepted = db.execute(
            "SELECT count(*) FROM incidents WHERE status = 'accepted'"
        ).fetchone()[0]
        calls = db.execute("SELECT count(*) FROM calls WHERE incident_id IS NOT NULL").fetchone()[0]
        events = db.execute(
            "SELECT count(*) FROM events WHERE subject_type IN ('incident', 'call')"
        ).fetchone()[0]
    assert incidents == f.incidents_in_db == f.api_incidents + f.raw_incidents + f.floor_incidents
    assert accepted == calls == incidents
    assert events == 3 * incidents

    printed = out.getvalue()
    assert "Intake bench — sqlite" in printed
    assert "ratio API / raw" in printed
    assert "ratio API / HTTP floor" in printed
    assert "server CPU per request" in printed
