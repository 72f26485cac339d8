"""The history profiles' arithmetic: exact allocation, and plans that hit their totals."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest

from cad110.catalog.loader import default_catalog
from cad110.seed.history.plan import VALID, build
from cad110.seed.history.profile import ProfileError, _check, allocate, load, names

TZ = ZoneInfo("Asia/Shanghai")


def test_allocation_gives_the_leftovers_to_the_largest_remainders() -> None:
    assert allocate(10, {"a": 1, "b": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}
    assert allocate(7, {"a": 0.5, "b": 0.3, "c": 0.2}) == {"a": 4, "b": 2, "c": 1}
    assert allocate(0, {"a": 1}) == {"a": 0}


@pytest.mark.parametrize("total", [1, 17, 365, 49_434, 67_077])
def test_allocation_always_adds_up_to_the_total(total: int) -> None:
    weights = {"x": 30, "y": 25, "z": 8, "w": 1.5, "v": 0.3, "u": 1.7}
    counts = allocate(total, weights)
    assert sum(counts.values()) == total
    assert all(n >= 0 for n in counts.values())


def test_allocation_refuses_weights_that_share_nothing() -> None:
    with pytest.raises(ProfileError):
        allocate(5, {"a": 0, "b": 0})
    with pytest.raises(ProfileError):
        allocate(5, {"a": -1, "b": 2})


def test_the_shipped_profiles_load() -> None:
    assert {"small", "xiangyuan-2023"} <= set(names())
    for name in names():
        load(name, default_catalog())


def test_the_xiangyuan_plan_makes_the_published_totals_exactly() -> None:
    catalog = default_catalog()
    profile = load("xiangyuan-2023", catalog)
    plan = build(profile, catalog, stations=2, tz=TZ)
    assert plan.calls == 67_077
    assert plan.valid == 17_643
    assert all(plan.start <= i.at < plan.end for i in plan.items)
    # Every callback answered satisfied or basically satisfied: 100%.
    assert set(plan.answers()) <= {"satisfied", "basically_satisfied"}
    # The groups the report counts, exactly.
    valid = [i for i in plan.items if i.kind == VALID]
    by_category = Counter(i.category for i in valid)
    for group in profile.groups:
        assert sum(by_category[c] for c in group.categories) == group.count


def test_a_plan_is_the_same_for_the_same_seed_and_another_for_another() -> None:
    catalog = default_catalog()
    profile = load("small", catalog)
    first = build(profile, catalog, stations=3, tz=TZ)
    again = build(profile, catalog, stations=3, tz=TZ)
    other = build(replace(profile, seed=profile.seed + 1), catalog, stations=3, tz=TZ)
    assert first == again
    assert [i.at for i in other.items] != [i.at for i in first.items]
    assert other.calls == first.calls == profile.calls


def test_each_callback_the_catalog_asks_for_is_planned() -> None:
    catalog = default_catalog()
    profile = load("small", catalog)
    plan = build(profile, catalog, stations=1, tz=TZ)
    for item in plan.items:
        if item.kind == VALID and item.category is not None:
            category = catalog.categories[item.category]
            if category.needs_callback(category.default_grade):
                assert item.answer is not None


def test_a_profile_whose_groups_miss_the_valid_total_is_refused() -> None:
    catalog = default_catalog()
    profile = load("small", catalog)
    with pytest.raises(ProfileError, match="add up"):
        _check(replace(profile, valid_incidents=profile.valid_incidents + 1), catalog)
