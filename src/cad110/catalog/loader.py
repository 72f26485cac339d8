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

    acknowledge_s: int  # dispatch → sign-for (签收)
    arrive_urban_s: int  # dispatch → on scene, urban core
    arrive_suburban_s: int  # dispatch → on scene, suburbs
    report_s: int  # arrival → feedback (反馈)
    close_s: int  # feedback → close (结警)
    callback_s: int  # close → callback (回访)


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
    # What the category is found by on the desk: its pinyin, initials and synonyms.
    keys: SearchKeys = field(default_factory=lambda: SearchKeys("", ""))

    def limits_for(self, grade: int) -> TimeLimits:
        return self.limits[grade]


@dataclass(frozen=True)
class Catalog:
    version: str
    grades: dict[int, Grade]
    categories: dict[str, Category]

    def get(self, code: str) -> Category | None:
        return self.categories.get(code)


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
        grades[number] = Grade(number, raw["zh"], raw["en"], _limits(raw, f"grade {number}"))
    if sorted(grades) != [1, 2, 3, 4]:
        raise CatalogError("the catalog must define grades 1, 2, 3 and 4")
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
        aliases = raw.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise CatalogError(f"category {code}: aliases must be a list of strings")
        categories[code] = Category(
            code=code,
            zh=raw["zh"],
            en=raw["en"],
            cls=CategoryClass(raw["class"]),
            default_grade=default_grade,
            limits=limits,
            guide=guide,
            transfer_to=TransferTarget(transfer) if transfer else None,
            criminal_case=bool(raw.get("criminal_case", False)),
            missing_person=bool(raw.get("missing_person", False)),
            min_units=int(raw.get("min_units", 1)),
            capabilities=tuple(raw.get("capabilities", ())),
            keys=search_keys(raw["zh"], aliases),
        )
    if not categories:
        raise CatalogError("the catalog has no categories")
    return Catalog(version=str(data.get("version", "0")), grades=grades, categories=categories)


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
