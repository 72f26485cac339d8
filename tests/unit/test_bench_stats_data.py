"""The statistics bench's history (bench/stats_data.py) is a centre's: its 督办 are
acknowledged once their time has passed, and their step is done when the unit signed for it."""

from __future__ import annotations

from datetime import UTC, datetime

from cad110.bench.stats_data import (
    ACKNOWLEDGED_AFTER,
    INCIDENT_COLUMNS,
    SUPERVISION_COLUMNS,
    Station,
    generate,
)
from cad110.catalog.loader import default_catalog

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
STATION = Station("35010201", "350100/350102/35010201/", "350102", "350100/350102/")


def test_only_the_last_supervisions_are_still_open_and_steps_are_done_when_signed_for() -> None:
    rows = list(generate(20_000, NOW, [STATION], default_catalog(), 7, 1, days=2))
    incidents = {
        row[INCIDENT_COLUMNS.index("id")]: row for batch in rows for row in batch.incidents
    }
    supervisions = [
        dict(zip(SUPERVISION_COLUMNS, row, strict=True))
        for batch in rows
        for row in batch.supervisions
    ]
    assert len(supervisions) > 100
    still_open = [s for s in supervisions if s["acknowledged_at"] is None]
    for s in supervisions:
        if s["due_at"] + ACKNOWLEDGED_AFTER <= NOW:
            assert s["acknowledged_at"] == s["due_at"] + ACKNOWLEDGED_AFTER
        else:
            assert s["acknowledged_at"] is None
        signed = incidents[s["incident_id"]][INCIDENT_COLUMNS.index("acknowledged_at")]
        assert s["step_done_at"] == signed
    # Two days of history: a few opened in the last ten minutes, the rest acknowledged.
    assert 0 < len(still_open) < len(supervisions) / 20
