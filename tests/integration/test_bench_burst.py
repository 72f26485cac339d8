"""`cad110 bench burst` with tiny numbers and a worker that admits one write at a time without
waiting, so that the burst phase is refused in part: every answer is checked against the
record (no refused create written, none twice, none without its call). Timings are not
asserted."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from cad110.bench.burst import run_burst_bench
from tests.conftest import PG_URL


@pytest.mark.postgres
def test_a_burst_refused_in_part_leaves_the_record_whole() -> None:
    out = io.StringIO()
    result = run_burst_bench(
        Console(file=out, width=140),
        rate=20.0,
        seconds=2.0,
        factor=5.0,
        readers=1,
        flooders=0,  # the flood is bench login-flood's own test; this one is the record
        pg_url=PG_URL,
        server_env={"CAD110_ADMIT_WRITES": "1", "CAD110_ADMIT_WAIT_S": "0"},
    )
    assert result.skipped is None, out.getvalue()
    assert [p.sent for p in result.phases] == [40, 200]
    burst = result.phases[1]
    assert burst.refused > 0, out.getvalue()
    for phase in result.phases:
        assert phase.created + phase.refused + phase.failed == phase.sent
        assert phase.created > 0
        assert phase.intake.n == phase.created + phase.failed
        assert phase.board.n > 0
        assert (phase.duplicates, phase.half_written, phase.refused_written) == (0, 0, 0)
    assert "record whole (no duplicate, half-written or refused-yet-written): MET" in " ".join(
        out.getvalue().split()
    )
