"""回访's pure rules: who is called back, what an unreachable try leads to, what a survey reply
means, and when a follow-up is due in working days."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from cad110.callbacks import rules as r
from cad110.catalog.loader import default_catalog
from cad110.models.callbacks import DueReason
from cad110.workdays import working_days_after

TZ = ZoneInfo("Asia/Shanghai")
CATALOG = default_catalog()


def test_the_shipped_rules_load_and_name_categories_of_the_catalog() -> None:
    rules = r.load_rules(catalog=CATALOG)
    assert {"domestic_violence", "sexual_assault"} <= rules.excluded
    assert (rules.max_attempts, rules.follow_up_working_days) == (3, 5)


def test_an_excluded_category_is_never_called_back_even_where_the_catalog_requires_it() -> None:
    rules = r.CallbackRules(sample_percent=100)
    for category in ("domestic_violence", "sexual_assault"):
        reason = r.due_reason(rules, CATALOG, category=category, grade=1, number="X-1")
        assert reason is None


def test_a_required_callback_is_due_and_others_only_when_sampled() -> None:
    none = r.CallbackRules(sample_percent=0)
    every = r.CallbackRules(sample_percent=100)
    assert CATALOG.categories["theft"].needs_callback(2)
    assert r.due_reason(none, CATALOG, category="theft", grade=2, number="A") is DueReason.REQUIRED
    assert not CATALOG.categories["theft"].needs_callback(4)
    assert r.due_reason(none, CATALOG, category="theft", grade=4, number="A") is None
    assert r.due_reason(every, CATALOG, category="theft", grade=4, number="A") is DueReason.SAMPLED


def test_the_sample_draws_a_stable_share_of_incidents() -> None:
    rules = r.CallbackRules(sample_percent=10)
    numbers = [f"35010201-20261130-{n:04d}" for n in range(2000)]
    drawn = [n for n in numbers if r.sampled(rules, n)]
    assert 140 <= len(drawn) <= 260  # about a tenth, by a fixed hash
    assert drawn == [n for n in numbers if r.sampled(rules, n)]


def test_unreachable_tries_wait_then_give_up_at_the_last() -> None:
    rules = r.CallbackRules(retry_after_minutes=120, max_attempts=3)
    at = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    first = r.after_unreachable(rules, 0, at)
    assert (first.attempts, first.gives_up) == (1, False)
    assert first.next_try_at == datetime(2026, 11, 30, 4, 0, tzinfo=UTC)
    assert not r.after_unreachable(rules, 1, at).gives_up
    last = r.after_unreachable(rules, 2, at)
    assert (last.attempts, last.next_try_at, last.gives_up) == (3, None, True)


@pytest.mark.parametrize(
    ("text", "meaning"),
    [
        ("1", "satisfied"),
        (" 2 ", "basically_satisfied"),
        ("３", "dissatisfied"),
        ("4。", "call_me"),
        ("5", None),
        ("12", None),
        ("满意", None),
        ("", None),
    ],
)
def test_a_survey_reply_is_one_digit_or_words_for_a_person(text: str, meaning: str | None) -> None:
    assert r.survey_answer(text) == meaning


def test_five_working_days_skip_a_weekend() -> None:
    # Monday 2026-11-30 10:00 local → the end of Monday 2026-12-07.
    start = datetime(2026, 11, 30, 10, 0, tzinfo=TZ)
    assert working_days_after(start, 5, TZ) == datetime(2026, 12, 8, 0, 0, tzinfo=TZ)


def test_five_working_days_skip_national_day_and_count_the_working_saturday() -> None:
    # 2025: 10-01 to 10-08 are holidays, Saturday 10-11 is a working day (调休).
    start = datetime(2025, 9, 30, 15, 0, tzinfo=TZ)
    # Working days after 09-30: 10-09 (Thu), 10-10 (Fri), 10-11 (Sat), 10-13, 10-14.
    assert working_days_after(start, 5, TZ) == datetime(2025, 10, 15, 0, 0, tzinfo=TZ)


def test_the_due_day_is_said_as_the_working_day_itself_never_the_midnight_after() -> None:
    start = datetime(2026, 11, 30, 10, 0, tzinfo=TZ)
    due = working_days_after(start, 5, TZ)
    day = r.last_day(due.astimezone(UTC), TZ)
    assert day == date(2026, 12, 7)
    assert r.due_words(day) == ("12月7日（周一）下班前", "by the end of Mon 7 Dec")
    # Across National Day: the fifth working day is Tuesday 10-14.
    holiday = working_days_after(datetime(2025, 9, 30, 15, 0, tzinfo=TZ), 5, TZ)
    assert r.due_words(r.last_day(holiday, TZ)) == (
        "10月14日（周二）下班前",
        "by the end of Tue 14 Oct",
    )
    assert r.due_words(date(2026, 12, 13))[0] == "12月13日（周日）下班前"


def test_rules_out_of_range_or_unknown_are_refused() -> None:
    for bad in (
        {"max_attempts": 0},
        {"sample_percent": 101},
        {"retry_after_minutes": True},
        {"surprise": 1},
        {"excluded": "domestic_violence"},
        {"survey_text": ""},
    ):
        with pytest.raises(r.RulesError):
            r.parse_rules(bad, CATALOG)
    with pytest.raises(r.RulesError, match="no category"):
        r.parse_rules({"excluded": ["no_such_category"]}, CATALOG)
