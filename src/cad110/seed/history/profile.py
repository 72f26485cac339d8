"""A past year as a profile: the published totals and the mix behind them, read from a TOML file
(seed/profiles/) and checked when loaded. Pure: no database, no clock.

The totals are the registry's own figures (stats/registry.py): `calls` is `calls_total` (call
records answered in the period, valid or not) and `valid_incidents` is `valid_incidents`
(incidents neither invalidated nor merged). Everything else is shares, turned into exact counts
by largest-remainder rounding (`allocate`), so the totals come out exactly for any seed.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from cad110.catalog.loader import Catalog
from cad110.models.call import CallOutcome

# What becomes of the call records that are no valid incident (`rest` of a profile).
# The outcomes of a call that makes no incident (models.call.CallOutcome) …
CALL_KINDS = tuple(o.value for o in CallOutcome if not o.has_incident)
# … a second caller about a valid incident (attached to it) …
ATTACHED = "attached"
# … an incident recorded twice and merged into the first (并案: counts once, as the first) …
MERGED = "merged"
# … an incident dispatched and found a hoax on scene (谎报警情), or recorded and found a
# duplicate at once: invalidated, so no valid incident.
HOAX_FOUND = "hoax_found"
DUPLICATE = "duplicate"
REST_KINDS = (*CALL_KINDS, ATTACHED, MERGED, HOAX_FOUND, DUPLICATE)
ANSWERS = ("satisfied", "basically_satisfied")


class ProfileError(ValueError):
    """A profile that cannot be seeded as written."""


def allocate(total: int, weights: Mapping[str, float]) -> dict[str, int]:
    """`total` split in proportion to `weights`, exactly: each key gets the whole part of its
    share, and the units left over go to the largest remainders (ties by the keys' order).
    The counts add up to `total` whatever the weights."""
    if total < 0:
        raise ProfileError(f"cannot allocate {total}")
    keys = list(weights)
    whole = sum(weights.values())
    if not keys or whole <= 0 or any(w < 0 for w in weights.values()):
        raise ProfileError("weights must be non-negative and not all zero")
    exact = {k: total * weights[k] / whole for k in keys}
    counts = {k: int(exact[k]) for k in keys}
    left = total - sum(counts.values())
    order = sorted(keys, key=lambda k: (-(exact[k] - counts[k]), keys.index(k)))
    for k in order[:left]:
        counts[k] += 1
    return counts


@dataclass(frozen=True)
class Group:
    """Valid incidents the source counts together (群众求助, 矛盾纠纷…): an exact count,
    spread over catalog categories by weight."""

    name: str
    count: int
    categories: Mapping[str, float]


@dataclass(frozen=True)
class Shape:
    """When calls come: weights per month (12), weekday (7, Monday first) and hour (24)."""

    months: tuple[float, ...]
    weekdays: tuple[float, ...]
    hours: tuple[float, ...]


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    source: str
    jurisdiction: str  # the jurisdiction seeded (its stations receive the incidents)
    since: date  # local days [since, until)
    until: date
    seed: int
    calls: int
    valid_incidents: int
    groups: tuple[Group, ...]
    rest: Mapping[str, float]  # REST_KINDS → weight, over calls − valid incidents
    closed_by_phone: float  # share of valid incidents settled by phone advice, no dispatch
    late: float  # share of dispatched incidents with one step done late
    callback_optional: float  # share called back where the catalog does not ask for it
    answers: Mapping[str, float]  # ANSWERS → weight
    shape: Shape
    # The figures the source publishes, as it prints them (checked by `seed history --check`).
    published: Mapping[str, float]

    @property
    def days(self) -> int:
        return (self.until - self.since).days


def _shares(raw: Mapping[str, Any], allowed: tuple[str, ...], what: str) -> dict[str, float]:
    unknown = set(raw) - set(allowed)
    if unknown:
        raise ProfileError(f"{what}: unknown {sorted(unknown)}; allowed {list(allowed)}")
    return {k: float(raw[k]) for k in allowed if k in raw}


def _weights(raw: Any, n: int, what: str) -> tuple[float, ...]:
    if not isinstance(raw, list) or len(raw) != n or any(float(w) < 0 for w in raw):
        raise ProfileError(f"shape.{what}: {n} non-negative weights")
    return tuple(float(w) for w in raw)


def _share(raw: Mapping[str, Any], key: str) -> float:
    value = float(raw.get(key, 0))
    if not 0 <= value <= 1:
        raise ProfileError(f"{key} is a share between 0 and 1")
    return value


def parse(raw: Mapping[str, Any], catalog: Catalog) -> Profile:
    """A profile from its TOML table, checked against itself and the catalog."""
    try:
        totals, shape, handling = raw["totals"], raw["shape"], raw.get("handling", {})
        groups = tuple(
            Group(
                str(g["name"]), int(g["count"]), {k: float(v) for k, v in g["categories"].items()}
            )
            for g in raw["valid"]
        )
        profile = Profile(
            name=str(raw["name"]),
            title=str(raw.get("title", "")),
            source=str(raw.get("source", "")),
            jurisdiction=str(raw["jurisdiction"]),
            since=raw["since"],
            until=raw["until"],
            seed=int(raw["seed"]),
            calls=int(totals["calls"]),
            valid_incidents=int(totals["valid_incidents"]),
            groups=groups,
            rest=_shares(raw["rest"], REST_KINDS, "rest"),
            closed_by_phone=_share(handling, "closed_by_phone"),
            late=_share(handling, "late"),
            callback_optional=_share(raw.get("callbacks", {}), "optional"),
            answers=_shares(raw.get("callbacks", {}).get("answers", {}), ANSWERS, "answers"),
            shape=Shape(
                _weights(shape["months"], 12, "months"),
                _weights(shape["weekdays"], 7, "weekdays"),
                _weights(shape["hours"], 24, "hours"),
            ),
            published={k: float(v) for k, v in raw.get("published", {}).items()},
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ProfileError(f"profile lacks or misstates {exc}") from exc
    _check(profile, catalog)
    return profile


def _check(p: Profile, catalog: Catalog) -> None:
    if not isinstance(p.since, date) or not isinstance(p.until, date) or p.until <= p.since:
        raise ProfileError("since and until are dates, since before until")
    if p.days > 366:
        raise ProfileError("a profile covers a year at most")
    if sum(g.count for g in p.groups) != p.valid_incidents:
        raise ProfileError("the valid groups' counts must add up to totals.valid_incidents")
    if not 0 < p.valid_incidents <= p.calls:
        raise ProfileError("totals: 0 < valid_incidents ≤ calls")
    for g in p.groups:
        for code in g.categories:
            category = catalog.get(code)
            if category is None:
                raise ProfileError(f"group {g.name}: no category {code} in the catalog")
            if category.missing_person or category.min_units != 1:
                # A missing person opens a case file with its own rules; several units at once
                # need a city's resources. Neither belongs to this generator's simple path.
                raise ProfileError(f"group {g.name}: {code} is not generated by history seeds")
    if p.calls > p.valid_incidents and not p.rest:
        raise ProfileError("rest: the calls that are no valid incident need a mix")
    if not p.answers:
        raise ProfileError("callbacks.answers: at least one answer")
    if sum(p.shape.months) <= 0 or sum(p.shape.weekdays) <= 0 or sum(p.shape.hours) <= 0:
        raise ProfileError("shape: weights must not all be zero")


PROFILES = "profiles"


def names() -> list[str]:
    """The profiles shipped with cad110."""
    folder = resources.files("cad110.seed").joinpath(PROFILES)
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


def load(name_or_path: str, catalog: Catalog) -> Profile:
    """A shipped profile by name, or a profile file by path."""
    path = Path(name_or_path)
    if path.suffix == ".toml" and path.is_file():
        text = path.read_text(encoding="utf-8")
    else:
        if name_or_path not in names():
            raise ProfileError(f"no profile {name_or_path}; shipped: {', '.join(names())}")
        shipped = resources.files("cad110.seed").joinpath(PROFILES, f"{name_or_path}.toml")
        text = shipped.read_text(encoding="utf-8")
    return parse(tomllib.loads(text), catalog)
