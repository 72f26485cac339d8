"""`cad110 bench stats` with a tiny history on SQLite, so the benchmark code cannot rot.

Only sanity is asserted (every row measured, the figures of both paths equal — the bench itself
refuses to time a rollup that disagrees with the raw rows), never timings.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console
from sqlalchemy import create_engine, func, select

from cad110.bench.stats import _paths, run_stats_bench
from cad110.models.incident import Incident

TZ = ZoneInfo("Asia/Shanghai")


def test_bench_stats_on_sqlite(tmp_path: Path) -> None:
    """A small history over a few days (a busier city's day), every read timed both ways."""
    out = io.StringIO()
    url = f"sqlite:///{tmp_path / 'stats.db'}"
    result = run_stats_bench(
        Console(file=out, width=160),
        incidents=400,
        database=url,
        repeats=2,
        raw_repeats=1,
        days=3,
    )

    assert result.incidents == 400
    assert result.rollup_rows > 0
    reads = {(t.name, t.path): len(t.samples_ms) for t in result.timings}
    for name in ("a day", "a week", "a month", "the city's year"):
        assert reads[(f"summary, {name}", "raw")] == 1
        assert reads[(f"summary, {name}", "rollups")] == 2
    assert reads[("series by day, a month", "rollups")] == 2
    assert reads[("daily report (txt, xlsx, pdf)", "raw")] == 1
    assert reads[("daily report (txt, xlsx, pdf)", "rollups")] == 2
    assert reads[("wall, first read", "rollups")] == 1
    assert reads[("wall (today so far)", "rollups")] == 2
    assert len(result.live_ms) == 2
    text = out.getvalue()
    assert "Statistics over 400 incidents in 3 days" in text
    assert "live: commit → today's figures" in text

    midnight = datetime.combine(datetime.now(TZ).date(), time(0), TZ)
    engine = create_engine(url)
    with engine.connect() as conn:
        # The history plus one incident per live-counter read.
        assert conn.scalar(select(func.count()).select_from(Incident)) == 402
        first = conn.scalar(select(func.min(Incident.received_at)))
        today = conn.scalar(select(func.count()).where(Incident.received_at >= midnight))
    engine.dispose()
    assert first is not None
    assert datetime.now(UTC) - first.replace(tzinfo=UTC) <= timedelta(days=3)
    # Today's incidents as the live reads found them, before the first they added.
    assert result.today == today - 2


def test_no_raw_read_is_timed_when_none_is_asked() -> None:
    """--raw-repeats 0: the rollups alone are timed (the check still reads raw once)."""
    assert _paths(0, 5) == [("rollups", True, 5)]
    assert _paths(2, 5) == [("raw", False, 2), ("rollups", True, 5)]
