"""Loading and checking the catalog file (categories.toml) at start."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from cad110.catalog.search import SearchKeys, search_keys
from cad110.lifecycles.guards import ArrivalRule


class CategoryClass(StrEnum):
    CRIME = "crime"  # 刑事
    PUBLIC_ORDER = "public_order"  # 治安
    MASS_INCIDENT = "mass_incident"  # 群体性事件
    DISASTER = "disaster"  # 灾害事故
    HELP = "help"  # 求助
    DISPUTE = "dispute"  # 纠纷
    TRAFFIC = "traffic"  # 交通
    FIRE = "fire"  # 火警 → 119
    MEDICAL = "medical"  # 急救 → 120
    NON_POLICE = "non_police"  # 非警务 → 12345
    COMPLAINT = "complaint"  # 投诉
    INVALID = "invalid"  # 无效


class TransferTarget(StrEnum):
    HOTLINE_12345 = "12345"
    FIRE_119 = "119"
    MEDICAL_120 = "120"
    OTHER_AGENCY = "agency"


LIMIT_NAMES = (
    "dispatch_s",
    "acknowledge_s",
    "arrive_urban_s",
    "arrive_suburban_s",
    "report_s",
    "close_s",
    "callback_s",
)


@dataclass(frozen=True)
class TimeLimits:
    """Seconds allowed for each supervised step, counted from the step before it."""

    dispatch_s: int  # accept (受理) → first dispatch (派警), queued or not
    acknowledge_s: int  # dispatch → sign-for (签收)
    arrive_urban_s: int  # dispatch → on scene, urban core
    arrive_suburban_s: int  # dispatch → on scene, suburbs
    report_s: int  # arrival → feedback (反馈)
    close_s: int  # feedback → close (结警)
    callback_s: int  # close → callback (回访)

    def arrive_s(self, *, suburban: bool) -> int:
        """The arrival limit where the incident lies (its jurisdiction's area type)."""
        return self.arrive_suburban_s if suburban else self.arrive_urban_s

    def step_s(self, step: str, *, suburban: bool) -> int | None:
        """Seconds allowed for `step` (a `STEPS` name or "arrive": supervision's `Step` values
        are the same); None for a step the catalog does not time."""
        if step == "arrive":
            return self.arrive_s(suburban=suburban)
        name = STEPS.get(step)
        return getattr(self, name) if name is not None else None


# The timed steps of an incident, and the limit each reads (the arrival's is by area type).
STEPS: dict[str, str] = {
    "dispatch": "dispatch_s",
    "acknowledge": "acknowledge_s",
    "report": "report_s",
    "close": "close_s",
    "callback": "callback_s",
}
# The grade whose limits apply to an incident not graded yet.
DEFAULT_GRADE = 3


@dataclass(frozen=True)
class GuideItem:
    code: str
    zh: str
    en: str
    required: bool = True


@dataclass(frozen=True)
class Grade:
    grade: int
    zh: str
    en: str
    limits: TimeLimits
    # 回访 must be recorded before 归档 at this grade (a category may say otherwise).
    callback_required: bool = False


@dataclass(frozen=True)
class Category:
    code: str
    zh: str
    en: str
    cls: CategoryClass
    default_grade: int
    limits: dict[int, TimeLimits]
    guide: tuple[GuideItem, ...] = ()
    transfer_to: TransferTarget | None = None
    criminal_case: bool = False
    missing_person: bool = False
    min_units: int = 1
    capabilities: tuple[str, ...] = field(default_factory=tuple)
    # Per grade: 回访 must be recorded before 归档.
    callback_required: dict[int, bool] = field(default_factory=dict)
    # The unit kinds (UnitKind values) whose work this category is; others only as a fallback.
    served_by: frozenset[str] = frozenset()
    # What the category is found by on the desk: its pinyin, initials and synonyms.
    keys: SearchKeys = field(default_factory=lambda: SearchKeys("", ""))

    def limits_for(self, grade: int) -> TimeLimits:
        return self.limits[grade]

    def needs_callback(self, grade: int) -> bool:
        return self.callback_required.get(grade, False)


@dataclass(frozen=True)
class Catalog:
    version: str
    grades: dict[int, Grade]
    categories: dict[str, Category]
    # When a 到场 needs the officer's reason.
    arrival: ArrivalRule = field(default_factory=ArrivalRule)

    def get(self, code: str) -> Category | None:
        return self.categories.get(code)

    def limits_at(self, category: str | None, grade: int | None) -> TimeLimits:
        """The time limits of an incident: its category's at its grade (DEFAULT_GRADE while it
        has none), the grade's own where the category is unset or not in the catalog."""
        number = grade or DEFAULT_GRADE
        found = self.get(category) if category else None
        return found.limits_for(number) if found is not None else self.grades[number].limits

    def step_limit_s(
        self, category: str | None, grade: int | None, step: str, *, suburban: bool
    ) -> int | None:
        """Seconds allowed for one step of an incident (see `limits_at`, `TimeLimits.step_s`)."""
        return self.limits_at(category, grade).step_s(step, suburban=suburban)


class CatalogError(ValueError):
    pass


def _limits(raw: dict[str, Any], where: str) -> TimeLimits:
    missing = [n for n in LIMIT_NAMES if n not in raw]
    if missing:
        raise CatalogError(f"{where}: missing time limits {missing}")
    values = {n: int(raw[n]) for n in LIMIT_NAMES}
    if any(v <= 0 for v in values.values()):
        raise CatalogError(f"{where}: time limits must be positive")
    return TimeLimits(**values)


def parse_catalog(data: dict[str, Any]) -> Catalog:
    """Build and check a Catalog from parsed TOML."""
    grades: dict[int, Grade] = {}
    for raw in data.get("grades", []):
        number = int(raw["grade"])
        grades[number] = Grade(
            number,
            raw["zh"],
            raw["en"],
            _limits(raw, f"grade {number}"),
            bool(raw.get("callback_required", False)),
        )
    if sorted(grades) != [1, 2, 3, 4]:
        raise CatalogError("the catalog must define grades 1, 2, 3 and 4")
    serving = _serving(data)
    categories: dict[str, Category] = {}
    for raw in data.get("categories", []):
        code = raw["code"]
        if code in categories:
            raise CatalogError(f"category {code} defined twice")
        default_grade = int(raw["default_grade"])
        if default_grade not in grades:
            raise CatalogError(f"category {code}: unknown default grade {default_grade}")
        override = raw.get("limits", {})
        limits = {
            g: _limits({**_as_dict(grade.limits), **override}, f"category {code}")
            for g, grade in grades.items()
        }
        guide = tuple(
            GuideItem(item["code"], item["zh"], item["en"], bool(item.get("required", True)))
            for item in raw.get("guide", [])
        )
        if len({item.code for item in guide}) != len(guide):
            raise CatalogError(f"category {code}: guide item codes repeat")
        transfer = raw.get("transfer_to")
        # Where a category sets its own callback limit (a missing person's family at 24 h), its
        # 回访 is part of the work at every grade; otherwise the grade decides.
        explicit = raw.get("callback_required")
        if explicit is None and "callback_s" in override:
            explicit = True
        callback_required = {
            g: bool(grade.callback_required if explicit is None else explicit)
            for g, grade in grades.items()
        }
        cls = CategoryClass(raw["class"])
        served_by = raw.get("served_by", serving.get(cls.value, serving["default"]))
        _check_kinds(served_by, f"category {code}")
        aliases = raw.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise CatalogError(f"category {code}: aliases must be a list of strings")
        categories[code] = Category(
            code=code,
            zh=raw["zh"],
            en=raw["en"],
            cls=cls,
            default_grade=default_grade,
            limits=limits,
            guide=guide,
            transfer_to=TransferTarget(transfer) if transfer else None,
            criminal_case=bool(raw.get("criminal_case", False)),
            missing_person=bool(raw.get("missing_person", False)),
            min_units=int(raw.get("min_units", 1)),
            capabilities=tuple(raw.get("capabilities", ())),
            callback_required=callback_required,
            served_by=frozenset(served_by),
            keys=search_keys(raw["zh"], aliases),
        )
    if not categories:
        raise CatalogError("the catalog has no categories")
    raw_arrival = data.get("arrival", {})
    arrival = ArrivalRule(
        near_m=float(raw_arrival.get("near_m", ArrivalRule.near_m)),
        max_kmh=float(raw_arrival.get("max_kmh", ArrivalRule.max_kmh)),
    )
    if arrival.near_m <= 0 or arrival.max_kmh <= 0:
        raise CatalogError("arrival: near_m and max_kmh must be positive")
    return Catalog(
        version=str(data.get("version", "0")),
        grades=grades,
        categories=categories,
        arrival=arrival,
    )


# The unit kinds the catalog may name (models.unit.UnitKind; the catalog imports no model).
UNIT_KINDS = frozenset({"patrol_special", "station", "community", "traffic"})


def _check_kinds(kinds: object, where: str) -> None:
    if not isinstance(kinds, list) or not kinds or not set(kinds) <= UNIT_KINDS:
        raise CatalogError(f"{where}: served_by must list unit kinds among {sorted(UNIT_KINDS)}")


def _serving(data: dict[str, Any]) -> dict[str, list[str]]:
    """[served_by]: the unit kinds serving each category class, with a `default`."""
    table = dict(data.get("served_by", {}))
    table.setdefault("default", sorted(UNIT_KINDS))
    for key, kinds in table.items():
        if key != "default" and key not in {c.value for c in CategoryClass}:
            raise CatalogError(f"served_by: {key} is no category class")
        _check_kinds(kinds, f"served_by.{key}")
    return table


def _as_dict(limits: TimeLimits) -> dict[str, int]:
    return {n: getattr(limits, n) for n in LIMIT_NAMES}


def load_catalog(path: Path | None = None) -> Catalog:
    """Load the catalog from `path`, or the one shipped in the package."""
    if path is not None:
        text = path.read_text(encoding="utf-8")
    else:
        text = resources.files("cad110.catalog").joinpath("categories.toml").read_text("utf-8")
    return parse_catalog(tomllib.loads(text))


@lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    return load_catalog()
