"""The 统计 page's own rules: what each period preset means on a given day, how the URL's
filters become the API's query, and that every figure of the registry has a card."""

from __future__ import annotations

from datetime import date

import pytest

from cad110.stats.registry import FIGURES
from cad110.web.stats import PRESETS, api_filters, preset_days, sections

# A Wednesday in March, after a February of 28 days.
WEDNESDAY = date(2026, 3, 4)


@pytest.mark.parametrize(
    ("preset", "since", "until"),
    [
        ("today", date(2026, 3, 4), date(2026, 3, 5)),
        ("yesterday", date(2026, 3, 3), date(2026, 3, 4)),
        ("this_week", date(2026, 3, 2), date(2026, 3, 5)),
        ("last_week", date(2026, 2, 23), date(2026, 3, 2)),
        ("this_month", date(2026, 3, 1), date(2026, 3, 5)),
        ("last_month", date(2026, 2, 1), date(2026, 3, 1)),
        ("last_30", date(2026, 2, 3), date(2026, 3, 5)),
    ],
)
def test_a_preset_names_local_days_up_to_today(preset: str, since: date, until: date) -> None:
    assert preset_days(preset, WEDNESDAY) == (since, until)


def test_last_month_in_january_is_december_of_the_year_before() -> None:
    assert preset_days("last_month", date(2027, 1, 15)) == (date(2026, 12, 1), date(2027, 1, 1))


def test_a_preset_shows_its_days_and_asks_the_api_for_them() -> None:
    shown, query = api_filters({"period": "last_week", "grade": "1"}, WEDNESDAY)
    assert (shown["since"], shown["until"]) == ("2026-02-23", "2026-03-01")  # the last day
    assert query == {"since": "2026-02-23", "until": "2026-03-02", "grade": "1"}


def test_custom_days_count_the_last_day_and_pass_anything_else_as_it_came() -> None:
    _, query = api_filters(
        {"period": "custom", "since": "2026-01-01", "until": "2026-01-31"}, WEDNESDAY
    )
    assert query == {"since": "2026-01-01", "until": "2026-02-01"}
    _, query = api_filters({"period": "custom", "since": "x", "until": "9999-12-31"}, WEDNESDAY)
    assert query == {"since": "x", "until": "9999-12-31"}


def test_an_unknown_preset_is_today_and_long_values_are_cut() -> None:
    shown, query = api_filters({"period": "forever", "category": "a" * 500}, WEDNESDAY)
    assert shown["period"] == "today"
    assert query["since"] == "2026-03-04"
    assert len(query["category"]) == 40


def test_every_preset_has_its_days() -> None:
    for preset in PRESETS:
        since, until = preset_days(preset, WEDNESDAY)
        assert since < until <= date(2026, 3, 5)


def test_every_figure_has_a_card_once() -> None:
    keys = [key for _, section in sections() for key in section]
    assert len(keys) == len(set(keys))
    assert set(keys) == {f.key for f in FIGURES}


def test_every_figure_has_its_section() -> None:
    # "other" is for a figure added to the registry and not placed yet: none is left there.
    assert [name for name, _ in sections()][-1] != "other"
