"""The phrases of a 通报, one by one: rises, falls, no change, no period before, nothing to
divide by; and the days a daily, weekly or monthly report covers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cad110.errors import InvalidInput
from cad110.stats.measure import Change
from cad110.stats.periods import Period
from cad110.stats.report.content import (
    period_of,
    previous_of,
)
from cad110.stats.report.phrases import (
    bracketed,
    change_text,
    hours_text,
    percent_text,
    period_text,
    plain,
    relative_change,
    seconds_text,
)
from cad110.stats.report.text import report_text
from tests.unit.report_content import empty_report


@pytest.mark.parametrize(
    ("now", "before", "words"),
    [
        (9, 8, "环比上升12.50%"),
        (6, 8, "环比下降25.00%"),
        (1, 3, "环比下降66.67%"),  # 66.666… rounded half up
        (8, 8, "环比持平"),
        (0, 0, "环比持平"),
        (5, 0, "上期为0"),  # no share of nothing
        (5, None, ""),  # no period before known
        (0, 4, "环比下降100.00%"),
    ],
)
def test_a_count_moves_as_a_share_of_the_period_before(
    now: int, before: int | None, words: str
) -> None:
    assert relative_change(now, before) == words


def test_a_rate_or_a_duration_moves_in_the_services_own_words() -> None:
    assert change_text(Change(difference=Decimal("-55.56"), words="下降55.56个百分点")) == (
        "环比下降55.56个百分点"
    )
    assert change_text(Change(difference=Decimal(-23), words="缩短23秒")) == "环比缩短23秒"
    assert change_text(Change(difference=Decimal(0), words="持平")) == "环比持平"
    assert change_text(None) == ""


def test_numbers_are_written_as_centres_write_them() -> None:
    assert percent_text(Decimal("44.44")) == "44.44%"
    assert percent_text(Decimal("100.00")) == "100.00%"
    assert percent_text(Decimal("50")) == "50.00%"
    assert percent_text(None) == "—"  # a rate over nothing
    assert seconds_text(23) == "23秒"
    assert seconds_text(83) == "1分23秒"
    assert seconds_text(None) == "—"
    assert hours_text(Decimal("18.90")) == "18.9小时"
    assert hours_text(None) == "—"
    assert plain(Decimal("48.00")) == "48"
    assert plain(Decimal("6.80")) == "6.8"
    assert plain(Decimal("0.00")) == "0"
    assert bracketed("环比上升5.00%", "") == "（环比上升5.00%）"
    assert bracketed("", "") == ""


def test_a_period_is_named_as_a_report_names_it() -> None:
    assert period_text(Period(date(2026, 11, 24), date(2026, 11, 25))) == "2026年11月24日"
    week = Period(date(2026, 11, 23), date(2026, 11, 30))
    assert period_text(week) == "2026年11月23日至29日"
    across = Period(date(2026, 11, 30), date(2026, 12, 7))
    assert period_text(across) == "2026年11月30日至12月6日"
    new_year = Period(date(2026, 12, 28), date(2027, 1, 4))
    assert period_text(new_year) == "2026年12月28日至2027年1月3日"
    month = Period(date(2026, 11, 1), date(2026, 12, 1))
    assert period_text(month, monthly=True) == "2026年11月"


TODAY = date(2026, 11, 30)  # a Monday


@pytest.mark.parametrize(
    ("kind", "day", "since", "until"),
    [
        ("daily", None, date(2026, 11, 29), date(2026, 11, 30)),  # yesterday
        ("daily", date(2026, 11, 24), date(2026, 11, 24), date(2026, 11, 25)),
        ("weekly", None, date(2026, 11, 23), date(2026, 11, 30)),  # the last full week
        ("weekly", date(2026, 11, 26), date(2026, 11, 23), date(2026, 11, 30)),
        ("weekly", date(2026, 11, 29), date(2026, 11, 23), date(2026, 11, 30)),  # a Sunday
        ("monthly", None, date(2026, 10, 1), date(2026, 11, 1)),  # the last full month
        ("monthly", date(2026, 12, 31), date(2026, 12, 1), date(2027, 1, 1)),
        ("monthly", date(2028, 2, 10), date(2028, 2, 1), date(2028, 3, 1)),
    ],
)
def test_the_days_a_report_covers(kind: str, day: date | None, since: date, until: date) -> None:
    assert period_of(kind, day, TODAY) == Period(since, until)  # type: ignore[arg-type]


def test_a_monthly_report_compares_with_the_month_before_others_with_as_many_days() -> None:
    march = Period(date(2026, 3, 1), date(2026, 4, 1))
    assert previous_of("monthly", march) == Period(date(2026, 2, 1), date(2026, 3, 1))
    week = Period(date(2026, 11, 23), date(2026, 11, 30))
    assert previous_of("weekly", week) == Period(date(2026, 11, 16), date(2026, 11, 23))
    assert previous_of(None, week) == week.before()


def test_a_day_out_of_range_is_refused_naming_it() -> None:
    with pytest.raises(InvalidInput) as refused:
        period_of("daily", date(1900, 1, 1), TODAY)
    assert refused.value.loc == ["query", "day"]


def test_a_report_over_nothing_leaves_out_every_rate_and_time() -> None:
    text = report_text(empty_report("weekly", Period(date(2026, 11, 23), date(2026, 11, 30))))
    assert text.startswith("福州市公安局110指挥中心 2026年11月23日至29日 警情通报\n")
    assert "共接报警情0起（环比持平），其中有效警情0起（环比持平），日均有效警情0起" in text
    assert "有效警情率" not in text  # 0 / 0 is no rate
    assert "%" not in text
    assert "二、警情分类\n本期无有效警情。" in text
    assert "三、处警效率\n本期无可统计的处警用时。" in text
    assert "四、督办情况\n因超时督办0次（环比持平），其中升级督办0次。" in text
    assert "五、处警成效\n抓获0人（环比持平）；立案0起（环比持平）。" in text
    assert "六、分地区\n本期各地区无警情。" in text
    assert text.endswith("福州市公安局110指挥中心\n2026年12月1日\n")


def test_a_day_not_over_yet_is_reported_as_far_as_it_has_come() -> None:
    # Made at 09:00 on 1 December: that day is not over, the day before is.
    today = report_text(empty_report("daily", Period(date(2026, 12, 1), date(2026, 12, 2))))
    assert today.startswith("福州市公安局110指挥中心 2026年12月1日 警情通报（截至09:00）\n")
    yesterday = report_text(empty_report("daily", Period(date(2026, 11, 30), date(2026, 12, 1))))
    assert yesterday.startswith("福州市公安局110指挥中心 2026年11月30日 警情通报\n")
