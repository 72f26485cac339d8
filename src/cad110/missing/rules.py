"""The risk rules of the missing-person loop, as pure functions over rules kept in data.

Nothing here touches the database or the clock: the service passes in what the case says and
the time, and records each firing with the reason these functions give.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cad110.kernel.context import Ctx

CONDITIONS = ("elderly", "dementia", "intellectual_disability", "mental_illness", "suicide_risk")
SIGNS = ("harm_at_scene", "witness_to_harm", "vehicle_or_money", "serious_conflict")
CONDITION_ZH = {
    "elderly": "高龄",
    "dementia": "认知障碍（老年痴呆）",
    "intellectual_disability": "智力障碍",
    "mental_illness": "精神障碍",
    "suicide_risk": "有自杀倾向",
}
SIGN_ZH = {
    "harm_at_scene": "现场有被侵害迹象",
    "witness_to_harm": "有人目击被侵害",
    "vehicle_or_money": "携带车辆或大额财物失踪",
    "serious_conflict": "失踪前有严重矛盾纠纷",
}


@dataclass(frozen=True)
class Rules:
    child_under: int
    female_from: int
    female_under: int
    criminal_min_grade: int
    vulnerable_age: int
    vulnerable_conditions: tuple[str, ...]
    golden_hours: int
    victim_signs: tuple[str, ...]
    victim_child_under: int
    victim_child_hours: int
    unexplained_days: int
    victim_grade: int
    callbacks: tuple[tuple[str, timedelta], ...]
    callback_grace: timedelta
    appeal_radius: tuple[tuple[int, int], ...]  # (hours since last seen, km), ascending
    cluster_min: int
    cluster_window: timedelta
    duplicate_threshold: int
    duplicate_weights: dict[str, int]


_SPAN = re.compile(r"^(\d+)([hd])$")


def parse_span(text: str) -> timedelta:
    """'24h' or '3d' → timedelta."""
    match = _SPAN.match(text)
    if match is None:
        raise ValueError(f"not a span like 24h or 3d: {text!r}")
    n = int(match.group(1))
    return timedelta(hours=n) if match.group(2) == "h" else timedelta(days=n)


def parse_rules(data: dict[str, Any]) -> Rules:
    """Build and check the rules from the TOML document; a wrong file fails at start."""
    cc, vu, sv = data["criminal_case"], data["vulnerable"], data["suspected_victim"]
    cb, ap, cl, du = data["callbacks"], data["appeals"], data["clusters"], data["duplicates"]
    radius = tuple((int(h), int(km)) for h, km in ap["radius_km"])
    if not radius or radius[0][0] != 0 or list(radius) != sorted(radius):
        raise ValueError("appeals.radius_km must start at hour 0 and ascend")
    unknown = set(vu["conditions"]) - set(CONDITIONS) | set(sv["signs"]) - set(SIGNS)
    if unknown:
        raise ValueError(f"unknown conditions or signs: {sorted(unknown)}")
    schedule = tuple((label, parse_span(label)) for label in cb["schedule"])
    if [s for _, s in schedule] != sorted(s for _, s in schedule):
        raise ValueError("callbacks.schedule must ascend")
    for grade in (cc["min_grade"], sv["grade"]):
        if not 1 <= grade <= 3:
            raise ValueError("case grades are 1 to 3")
    return Rules(
        child_under=cc["child_under"],
        female_from=cc["female_from"],
        female_under=cc["female_under"],
        criminal_min_grade=cc["min_grade"],
        vulnerable_age=vu["age_from"],
        vulnerable_conditions=tuple(vu["conditions"]),
        golden_hours=vu["golden_hours"],
        victim_signs=tuple(sv["signs"]),
        victim_child_under=sv["child_under"],
        victim_child_hours=sv["child_missing_hours"],
        unexplained_days=sv["unexplained_days"],
        victim_grade=sv["grade"],
        callbacks=schedule,
        callback_grace=timedelta(hours=cb["grace_hours"]),
        appeal_radius=radius,
        cluster_min=cl["min_people"],
        cluster_window=timedelta(days=cl["window_days"]),
        duplicate_threshold=du["threshold"],
        duplicate_weights={k: int(v) for k, v in du.items() if k != "threshold"},
    )


@lru_cache(maxsize=4)
def load_rules(path: str = "") -> Rules:
    """The rules from `path`, or the shipped defaults when empty."""
    if path:
        text = Path(path).read_text(encoding="utf-8")
    else:
        text = resources.files("cad110.missing").joinpath("rules.toml").read_text("utf-8")
    return parse_rules(tomllib.loads(text))


def in_force(ctx: Ctx) -> Rules:
    """The rules the runtime was started with (`missing_rules_path`), else the shipped ones."""
    return ctx.part(Rules, load_rules)


# The rules that fire with time, by name (the tick looks for cases where they have not yet).
CHILD_48H = "child_48h"
UNEXPLAINED = "unexplained"
INCIDENT_ENDED = "incident_ended"
ENDED_ZH = {"merged": "并案", "transferred": "移交", "invalid": "认定无效", "cancelled": "撤销"}


class Effect(StrEnum):
    CRIMINAL_CASE = "criminal_case"  # 立案 at once, grade at least the rule's
    URGENT = "urgent"  # grade-1 urgency, golden 72 h
    REQUEST_TRANSFER = "request_transfer"  # to 刑侦, a leader approves
    REVIEW = "review"  # the station checks whether the case still stands


@dataclass(frozen=True)
class Firing:
    """A rule that fired: `reason` is the Chinese sentence kept in the record; `rule` and
    `params` (the numbers and codes the sentence was built from) let a screen say the same in
    the reader's language."""

    rule: str
    effect: Effect
    reason: str
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Person:
    """What the rules read of a case."""

    sex: str
    age: int | None
    conditions: tuple[str, ...]
    signs: tuple[str, ...]
    last_seen_at: datetime


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def on_opening(person: Person, rules: Rules) -> list[Firing]:
    """The rules that fire as soon as a case is opened (or its record is corrected)."""
    fired: list[Firing] = []
    age = person.age
    if age is not None and age < rules.child_under:
        fired.append(
            Firing(
                "child",
                Effect.CRIMINAL_CASE,
                f"儿童失踪（{age}岁，不满{rules.child_under}周岁），立即立案",
                {"age": age, "under": rules.child_under},
            )
        )
    if person.sex == "female" and age is not None and rules.female_from <= age < rules.female_under:
        fired.append(
            Firing(
                "minor_female",
                Effect.CRIMINAL_CASE,
                f"{rules.female_from}至{rules.female_under}周岁女性失踪（{age}岁），立即立案",
                {"age": age, "from": rules.female_from, "under": rules.female_under},
            )
        )
    conditions = [c for c in person.conditions if c in rules.vulnerable_conditions]
    old = age if age is not None and age >= rules.vulnerable_age else None
    if conditions or old is not None:
        fired.append(
            Firing(
                "vulnerable",
                Effect.URGENT,
                vulnerable_reason(old, conditions, rules.golden_hours),
                {"age": old, "conditions": conditions, "hours": rules.golden_hours},
            )
        )
    for sign in person.signs:
        if sign in rules.victim_signs:
            fired.append(
                Firing(
                    f"sign_{sign}",
                    Effect.REQUEST_TRANSFER,
                    f"疑似被侵害：{SIGN_ZH.get(sign, sign)}，提请移交刑侦",
                    {"sign": sign},
                )
            )
    return fired


def on_time(person: Person, opened_at: datetime, now: datetime, rules: Rules) -> list[Firing]:
    """The rules that fire with time while a case stays open (checked by the tick)."""
    fired: list[Firing] = []
    age = person.age
    missing_for = now - person.last_seen_at
    if (
        age is not None
        and age < rules.victim_child_under
        and missing_for >= timedelta(hours=rules.victim_child_hours)
    ):
        fired.append(
            Firing(
                CHILD_48H,
                Effect.REQUEST_TRANSFER,
                f"不满{rules.victim_child_under}周岁儿童失踪超过{rules.victim_child_hours}小时，提请移交刑侦",
                {"under": rules.victim_child_under, "hours": rules.victim_child_hours},
            )
        )
    if now - opened_at >= timedelta(days=rules.unexplained_days):
        fired.append(
            Firing(
                UNEXPLAINED,
                Effect.REQUEST_TRANSFER,
                f"失踪超过{rules.unexplained_days}天原因不明，提请立线调查",
                {"days": rules.unexplained_days},
            )
        )
    return fired


def golden_deadline(last_seen_at: datetime, rules: Rules) -> datetime:
    """The end of the golden hours, counted from the time last seen."""
    return last_seen_at + timedelta(hours=rules.golden_hours)


def appeal_radius_km(last_seen_at: datetime, now: datetime, rules: Rules) -> int:
    """How far an appeal reaches now: the last row of the table whose hour has passed."""
    hours = (now - last_seen_at).total_seconds() / 3600
    km = rules.appeal_radius[0][1]
    for from_hour, radius in rules.appeal_radius:
        if hours >= from_hour:
            km = radius
    return km


def callback_plan(opened_at: datetime, rules: Rules) -> list[tuple[int, str, datetime]]:
    """(seq, label, due) of every scheduled callback."""
    return [(i + 1, label, opened_at + span) for i, (label, span) in enumerate(rules.callbacks)]


@dataclass(frozen=True)
class Record:
    """What duplicate matching compares of two reports."""

    name: str
    age: int | None
    phone: str | None
    id_number: str | None
    place: str


def place_key(text: str | None) -> str | None:
    """A school or workplace as a key: spaces and punctuation do not make two places."""
    key = re.sub(r"[\s·.,，。()（）-]+", "", text or "").lower()
    return key or None


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "").lower()


def duplicate_score(a: Record, b: Record, rules: Rules) -> tuple[int, list[str]]:
    """Points and the matching fields that earned them (the score shown to users)."""
    pa, pb = _norm(a.place), _norm(b.place)
    matches = {
        "id_number": bool(a.id_number) and _norm(a.id_number) == _norm(b.id_number),
        "phone": bool(a.phone) and _norm(a.phone)[-11:] == _norm(b.phone)[-11:],
        "name": bool(a.name) and _norm(a.name) == _norm(b.name),
        "age": a.age is not None and b.age is not None and abs(a.age - b.age) <= 1,
        "place": bool(pa and pb) and (pa in pb or pb in pa),
    }
    reasons = [field for field, matched in matches.items() if matched]
    return sum(rules.duplicate_weights[f] for f in reasons), reasons


def on_incident_ended(status: str) -> Firing:
    """The case's incident ended without being worked to its close (merged, transferred, found
    invalid, cancelled): the case stays open — the person may still be missing — but the
    station is asked to check it."""
    return Firing(
        INCIDENT_ENDED,
        Effect.REVIEW,
        f"对应警情已{ENDED_ZH.get(status, status)}，请核实寻人案件是否继续查找或结案",
        {"status": status},
    )


def vulnerable_reason(age: int | None, conditions: Sequence[str], hours: int) -> str:
    """The vulnerable rule's reason as recorded: the age and conditions that made it fire
    (none named where they are withheld from the reader)."""
    what = "、".join(
        [f"{age}岁"] * (age is not None) + [CONDITION_ZH.get(c, c) for c in conditions]
    )
    return f"易受伤害人员{f'（{what}）' if what else ''}，一级紧急，黄金{hours}小时"
