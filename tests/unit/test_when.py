"""A moment is written one way on every screen: centre time, month and day in ISO order."""

from __future__ import annotations

from datetime import UTC, datetime

from cad110.web.render import environment, when

# 2026-11-30 17:27:21 UTC is 12-01 01:27:21 in Fuzhou.
MOMENT = datetime(2026, 11, 30, 17, 27, 21, tzinfo=UTC)


def test_a_moment_reads_month_day_in_centre_time() -> None:
    assert when(MOMENT) == "12-01 01:27"
    assert when(MOMENT, seconds=True) == "12-01 01:27:21"
    assert when(MOMENT, year=True) == "2026-12-01 01:27"
    assert when(None) == ""


def test_both_languages_write_it_the_same_way() -> None:
    for locale in ("zh_CN", "en"):
        template = environment(locale).from_string("{{ at|when }} · {{ at|when(year=True) }}")
        assert template.render(at=MOMENT) == "12-01 01:27 · 2026-12-01 01:27"
