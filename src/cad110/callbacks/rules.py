"""The callbacks' rules in data (rules.toml) and the pure decisions read from them: which
incidents are called back and when, what an unreachable try leads to, what a survey reply
means, and when a follow-up is due (working days, chinese-calendar). No I/O but the loading.
"""

from __future__ import annotations

import tomllib
import zlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from cad110.catalog.loader import Catalog
from cad110.kernel.context import Ctx
from cad110.models.callbacks import DueReason

Answer = Literal["satisfied", "basically_satisfied", "dissatisfied", "unreachable"]
# What a survey reply's digit means; 4 (请回电) asks for a person: it stays in the phone queue.
SURVEY_DIGITS: dict[str, Answer | Literal["call_me"]] = {
    "1": "satisfied",
    "2": "basically_satisfied",
    "3": "dissatisfied",
    "4": "call_me",
}


class RulesError(ValueError):
    pass


@dataclass(frozen=True)
class CallbackRules:
    excluded: frozenset[str] = frozenset({"domestic_violence", "sexual_assault"})
    sample_percent: int = 10
    retry_after_minutes: int = 120
    max_attempts: int = 3
    survey_after_minutes: int = 60
    survey_text: str = "【110回访】请回复数字评价：1满意 2基本满意 3不满意 4请回电。"
    follow_up_working_days: int = 5

    @property
    def retry_after(self) -> timedelta:
        return timedelta(minutes=self.retry_after_minutes)

    @property
    def survey_after(self) -> timedelta:
        return timedelta(minutes=self.survey_after_minutes)


_WHOLE = {
    "sample_percent": (0, 100),
    "retry_after_minutes": (1, 7 * 24 * 60),
    "max_attempts": (1, 10),
    "survey_after_minutes": (0, 30 * 24 * 60),
    "follow_up_working_days": (1, 30),
}


def parse_rules(data: dict[str, Any], catalog: Catalog | None = None) -> CallbackRules:
    """Check and build the rules from parsed TOML (excluded codes against `catalog`)."""
    unknown = set(data) - set(CallbackRules.__dataclass_fields__)
    if unknown:
        raise RulesError(f"callback rules: unknown keys {sorted(unknown)}")
    values: dict[str, Any] = {}
    for name, (low, high) in _WHOLE.items():
        if name in data:
            raw = data[name]
            if not isinstance(raw, int) or isinstance(raw, bool) or not low <= raw <= high:
                raise RulesError(f"callback rules: {name} must be a whole number, {low} to {high}")
            values[name] = raw
    if "excluded" in data:
        codes = data["excluded"]
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise RulesError("callback rules: excluded must be a list of category codes")
        if catalog is not None:
            strangers = sorted(c for c in codes if catalog.get(c) is None)
            if strangers:
                raise RulesError(f"callback rules: excluded names no category {strangers}")
        values["excluded"] = frozenset(codes)
    if "survey_text" in data:
        text = data["survey_text"]
        if not isinstance(text, str) or not 1 <= len(text) <= 300:
            raise RulesError("callback rules: survey_text must be a text of 1 to 300 characters")
        values["survey_text"] = text
    return CallbackRules(**values)


def load_rules(path: str = "", catalog: Catalog | None = None) -> CallbackRules:
    """The rules from `path`, or the shipped ones when empty."""
    if path:
        text = Path(path).read_text(encoding="utf-8")
    else:
        text = resources.files("cad110.callbacks").joinpath("rules.toml").read_text("utf-8")
    return parse_rules(tomllib.loads(text), catalog)


def in_force(ctx: Ctx) -> CallbackRules:
    """The rules the runtime was started with, else the shipped ones."""
    return ctx.part(CallbackRules, load_rules)


def sampled(rules: CallbackRules, number: str) -> bool:
    """A fixed draw by incident number: the same incident is always in or out of the sample."""
    return zlib.crc32(number.encode("utf-8")) % 100 < rules.sample_percent


def due_reason(
    rules: CallbackRules, catalog: Catalog, *, category: str | None, grade: int | None, number: str
) -> DueReason | None:
    """Why a closed incident is called back, or None: an excluded category never is."""
    if category is None or category in rules.excluded:
        return None
    found = catalog.get(category)
    if found is not None and grade is not None and found.needs_callback(grade):
        return DueReason.REQUIRED
    return DueReason.SAMPLED if sampled(rules, number) else None


@dataclass(frozen=True)
class Unreachable:
    """What an unreachable try leads to: the tries so far and the next, or giving up."""

    attempts: int
    next_try_at: datetime | None
    gives_up: bool


def after_unreachable(rules: CallbackRules, attempts_before: int, at: datetime) -> Unreachable:
    """The `attempts_before + 1`-th try did not reach the caller."""
    attempts = attempts_before + 1
    if attempts >= rules.max_attempts:
        return Unreachable(attempts, None, True)
    return Unreachable(attempts, at + rules.retry_after, False)


def survey_answer(text: str) -> Answer | Literal["call_me"] | None:
    """A survey reply's meaning: one digit 1–4 (full-width too, spaces and a full stop
    around it allowed); anything else is a person's words, for a person to read."""
    stripped = text.strip().strip("。.").strip()
    if len(stripped) != 1:
        return None
    digit = str(int(stripped)) if stripped.isdecimal() else stripped
    return SURVEY_DIGITS.get(digit)


_WEEKDAYS_ZH = "一二三四五六日"
# English abbreviations whatever the process locale is (strftime's %a and %b follow it).
_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def last_day(due_at: datetime, tz: tzinfo) -> date:
    """The working day a reply due at `due_at` (the local midnight after it) must come on."""
    return (due_at.astimezone(tz) - timedelta(microseconds=1)).date()


def due_words(day: date) -> tuple[str, str]:
    """The due day as a leader reads it, in Chinese and in English: "12月8日（周二）下班前",
    "by the end of Tue 8 Dec" — the day itself, never the midnight after it ("12-09 00:00")."""
    zh = f"{day.month}月{day.day}日（周{_WEEKDAYS_ZH[day.weekday()]}）下班前"
    en = f"by the end of {_WEEKDAYS_EN[day.weekday()]} {day.day} {_MONTHS_EN[day.month - 1]}"
    return zh, en
