"""The shipped category catalog and the loader's checks (no database)."""

from __future__ import annotations

import tomllib

import pytest

from cad110.catalog.loader import (
    Catalog,
    CatalogError,
    Category,
    CategoryClass,
    TransferTarget,
    load_catalog,
    parse_catalog,
)

# Classes that are someone else's business, or not an incident at all: no police guide needed.
NOT_POLICE_WORK = {
    CategoryClass.NON_POLICE,
    CategoryClass.FIRE,
    CategoryClass.MEDICAL,
    CategoryClass.COMPLAINT,
    CategoryClass.INVALID,
}

GRADES_TOML = """
version = "test"

[[grades]]
grade = 1
zh = "紧急"
en = "Urgent"
dispatch_s = 300
acknowledge_s = 60
arrive_urban_s = 300
arrive_suburban_s = 600
report_s = 1800
close_s = 7200
callback_s = 86400

[[grades]]
grade = 2
zh = "较急"
en = "Priority"
dispatch_s = 300
acknowledge_s = 60
arrive_urban_s = 600
arrive_suburban_s = 1200
report_s = 3600
close_s = 14400
callback_s = 172800

[[grades]]
grade = 3
zh = "一般"
en = "Routine"
dispatch_s = 300
acknowledge_s = 120
arrive_urban_s = 1200
arrive_suburban_s = 1800
report_s = 7200
close_s = 86400
callback_s = 259200

[[grades]]
grade = 4
zh = "非警务"
en = "Non-police"
dispatch_s = 300
acknowledge_s = 300
arrive_urban_s = 3600
arrive_suburban_s = 3600
report_s = 86400
close_s = 432000
callback_s = 432000
"""

THEFT_TOML = """
[[categories]]
code = "theft"
zh = "盗窃"
en = "Theft"
class = "crime"
default_grade = 2
guide = [{ code = "protect_scene", zh = "保护现场", en = "Protect the scene" }]
"""


def parse(text: str) -> Catalog:
    return parse_catalog(tomllib.loads(text))


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def in_class(catalog: Catalog, cls: CategoryClass) -> list[Category]:
    return [c for c in catalog.categories.values() if c.cls is cls]


# ----- the shipped catalog ------------------------------------------------------------------


def test_shipped_catalog_loads_with_four_grades(catalog: Catalog) -> None:
    assert sorted(catalog.grades) == [1, 2, 3, 4]
    assert catalog.version != "0"
    assert len(catalog.categories) >= 40


@pytest.mark.parametrize("cls", list(CategoryClass))
def test_every_class_has_a_category(catalog: Catalog, cls: CategoryClass) -> None:
    assert in_class(catalog, cls), f"no category of class {cls}"


@pytest.mark.parametrize(
    "code",
    [
        # the 15 common crime and public-order types, and traffic crime
        "theft",
        "robbery",
        "snatching",
        "fraud",
        "telecom_fraud",
        "assault",
        "provocation",
        "affray",
        "gambling",
        "drugs",
        "prostitution",
        "property_damage",
        "trespass",
        "sexual_assault",
        "hit_and_run",
        "drunk_driving",
        "mass_incident",
        "disaster",
        # the 7 common help types
        "missing_person",
        "drowning",
        "fall",
        "suicide",
        "person_in_danger",
        "public_facility_hazard",
        "drunk_or_mentally_ill_person",
        "lost_child_found",
        "other_urgent_help",
        # disputes
        "family_dispute",
        "neighbour_dispute",
        "romantic_dispute",
        "economic_dispute",
        "labour_dispute",
        "property_management_dispute",
        # others
        "traffic_accident",
        "fire",
        "medical",
        "move_car",
        "consultation",
        "municipal_facility",
        "consumer_complaint",
        "complaint_police_conduct",
        "invalid",
    ],
)
def test_category_named_in_the_domain_exists(catalog: Catalog, code: str) -> None:
    assert catalog.get(code) is not None


def test_codes_are_snake_case_and_match_their_keys(catalog: Catalog) -> None:
    for key, category in catalog.categories.items():
        assert key == category.code
        assert category.code.replace("_", "").isalnum()
        assert category.code == category.code.lower()


def test_every_category_has_chinese_and_english_names(catalog: Catalog) -> None:
    for category in catalog.categories.values():
        assert category.zh.strip(), category.code
        assert category.en.strip(), category.code
        assert any("\u4e00" <= ch <= "\u9fff" for ch in category.zh), category.code
        assert category.en.isascii(), category.code


def test_every_police_category_has_a_guide_with_a_required_step(catalog: Catalog) -> None:
    police = [c for c in catalog.categories.values() if c.cls not in NOT_POLICE_WORK]
    assert police
    for category in police:
        assert category.guide, f"{category.code} has no handling guide"
        assert any(item.required for item in category.guide), category.code


def test_guides_have_three_to_six_named_steps(catalog: Catalog) -> None:
    for category in catalog.categories.values():
        if not category.guide:
            continue
        assert 3 <= len(category.guide) <= 6, category.code
        for item in category.guide:
            assert item.code, category.code
            assert item.zh, category.code
            assert item.en, category.code


def test_fire_calls_transfer_to_119(catalog: Catalog) -> None:
    fires = in_class(catalog, CategoryClass.FIRE)
    assert fires
    assert all(c.transfer_to is TransferTarget.FIRE_119 for c in fires)


def test_medical_calls_transfer_to_120(catalog: Catalog) -> None:
    medical = in_class(catalog, CategoryClass.MEDICAL)
    assert medical
    assert all(c.transfer_to is TransferTarget.MEDICAL_120 for c in medical)


def test_non_police_requests_transfer_to_12345_as_grade_4(catalog: Catalog) -> None:
    non_police = in_class(catalog, CategoryClass.NON_POLICE)
    assert non_police
    for category in non_police:
        assert category.transfer_to is TransferTarget.HOTLINE_12345, category.code
        assert category.default_grade == 4, category.code


def test_police_categories_are_not_transferred_to_12345(catalog: Catalog) -> None:
    for category in catalog.categories.values():
        if category.cls is not CategoryClass.NON_POLICE:
            assert category.transfer_to is not TransferTarget.HOTLINE_12345, category.code


def test_dangerous_fire_and_medical_calls_get_police_first(catalog: Catalog) -> None:
    trapped = catalog.categories["fire_people_trapped"]
    violent = catalog.categories["medical_violence"]
    for category in (trapped, violent):
        assert category.default_grade == 1
        assert any(item.required for item in category.guide)
    assert trapped.default_grade < catalog.categories["fire"].default_grade
    assert violent.default_grade < catalog.categories["medical"].default_grade


def test_affray_needs_at_least_two_units(catalog: Catalog) -> None:
    assert catalog.categories["affray"].min_units >= 2


def test_sexual_assault_needs_a_female_officer(catalog: Catalog) -> None:
    sexual_assault = catalog.categories["sexual_assault"]
    assert "female_officer" in sexual_assault.capabilities
    assert sexual_assault.criminal_case
    assert sexual_assault.default_grade == 1


def test_missing_child_opens_criminal_case_at_once(catalog: Catalog) -> None:
    child = catalog.categories["missing_child"]
    assert child.missing_person
    assert child.criminal_case
    assert child.default_grade == 1


def test_missing_girl_aged_14_to_18_is_a_criminal_case(catalog: Catalog) -> None:
    girl = catalog.categories["missing_minor_female"]
    assert girl.missing_person
    assert girl.criminal_case


def test_missing_person_categories_call_the_family_back_within_24_hours(
    catalog: Catalog,
) -> None:
    missing = [c for c in catalog.categories.values() if c.missing_person]
    assert len(missing) >= 2
    for category in missing:
        assert category.cls is CategoryClass.HELP, category.code
        for grade in catalog.grades:
            assert category.limits_for(grade).callback_s <= 24 * 3600, category.code


def test_only_missing_person_categories_carry_the_missing_flag(catalog: Catalog) -> None:
    assert not catalog.categories["lost_child_found"].missing_person
    assert not catalog.categories["theft"].missing_person
    assert catalog.categories["missing_person"].missing_person


@pytest.mark.parametrize(
    "code",
    ["theft", "robbery", "snatching", "fraud", "telecom_fraud", "sexual_assault", "homicide"],
)
def test_crimes_are_criminal_cases(catalog: Catalog, code: str) -> None:
    assert catalog.categories[code].criminal_case


def test_transfers_disputes_and_invalid_calls_are_not_criminal_cases(catalog: Catalog) -> None:
    quiet = {
        CategoryClass.DISPUTE,
        CategoryClass.NON_POLICE,
        CategoryClass.FIRE,
        CategoryClass.MEDICAL,
        CategoryClass.COMPLAINT,
        CategoryClass.INVALID,
    }
    for category in catalog.categories.values():
        if category.cls in quiet:
            assert not category.criminal_case, category.code


@pytest.mark.parametrize(
    "code",
    ["robbery", "sexual_assault", "affray", "drowning", "suicide", "mass_incident", "disaster"],
)
def test_danger_to_life_or_crime_in_progress_is_urgent(catalog: Catalog, code: str) -> None:
    assert catalog.categories[code].default_grade == 1


def test_invalid_category_is_non_police_grade(catalog: Catalog) -> None:
    invalid = in_class(catalog, CategoryClass.INVALID)
    assert [c.code for c in invalid] == ["invalid"]
    assert invalid[0].default_grade == 4


def test_urgent_grade_must_arrive_sooner_than_routine(catalog: Catalog) -> None:
    urgent, routine = catalog.grades[1].limits, catalog.grades[3].limits
    assert urgent.arrive_urban_s <= routine.arrive_urban_s
    assert urgent.arrive_suburban_s <= routine.arrive_suburban_s
    assert urgent.acknowledge_s <= routine.acknowledge_s


def test_urban_arrival_is_never_slower_than_suburban(catalog: Catalog) -> None:
    for grade in catalog.grades.values():
        assert grade.limits.arrive_urban_s <= grade.limits.arrive_suburban_s
    for category in catalog.categories.values():
        for limits in category.limits.values():
            assert limits.arrive_urban_s <= limits.arrive_suburban_s, category.code


def test_urgent_incidents_arrive_within_5_min_urban_and_10_min_suburban(
    catalog: Catalog,
) -> None:
    for category in catalog.categories.values():
        urgent = category.limits_for(1)
        assert urgent.arrive_urban_s <= 300, category.code
        assert urgent.arrive_suburban_s <= 600, category.code


def test_robbery_arrival_is_tighter_than_its_grade(catalog: Catalog) -> None:
    robbery = catalog.categories["robbery"]
    grade = catalog.grades[robbery.default_grade].limits
    assert robbery.limits_for(robbery.default_grade).arrive_urban_s < grade.arrive_urban_s


def test_category_without_override_uses_its_grade_limits(catalog: Catalog) -> None:
    theft = catalog.categories["theft"]
    for number, grade in catalog.grades.items():
        assert theft.limits_for(number) == grade.limits


# ----- the loader's checks, on small files --------------------------------------------------


def test_minimal_catalog_parses_with_defaults() -> None:
    catalog = parse(GRADES_TOML + THEFT_TOML)
    theft = catalog.categories["theft"]
    assert theft.cls is CategoryClass.CRIME
    assert theft.min_units == 1
    assert theft.transfer_to is None
    assert not theft.criminal_case
    assert theft.guide[0].required


def test_duplicate_category_code_is_rejected() -> None:
    with pytest.raises(CatalogError, match="theft"):
        parse(GRADES_TOML + THEFT_TOML + THEFT_TOML)


def test_category_limits_override_replaces_only_the_named_limits() -> None:
    text = GRADES_TOML + THEFT_TOML.replace(
        "default_grade = 2", "default_grade = 2\nlimits = { arrive_urban_s = 240 }"
    )
    theft = parse(text).categories["theft"]
    assert theft.limits_for(2).arrive_urban_s == 240
    assert theft.limits_for(3).arrive_urban_s == 240
    assert theft.limits_for(2).arrive_suburban_s == 1200
    assert theft.limits_for(1).acknowledge_s == 60


def test_non_positive_limit_override_is_rejected() -> None:
    text = GRADES_TOML + THEFT_TOML.replace(
        "default_grade = 2", "default_grade = 2\nlimits = { close_s = 0 }"
    )
    with pytest.raises(CatalogError, match="positive"):
        parse(text)


def test_missing_grade_is_rejected() -> None:
    without_grade_4 = GRADES_TOML.split("[[grades]]\ngrade = 4")[0]
    with pytest.raises(CatalogError, match="grades"):
        parse(without_grade_4 + THEFT_TOML)


def test_grade_missing_a_time_limit_is_rejected() -> None:
    text = GRADES_TOML.replace("callback_s = 432000\n", "") + THEFT_TOML
    with pytest.raises(CatalogError, match="callback_s"):
        parse(text)


def test_unknown_default_grade_is_rejected() -> None:
    text = GRADES_TOML + THEFT_TOML.replace("default_grade = 2", "default_grade = 5")
    with pytest.raises(CatalogError, match="grade 5"):
        parse(text)


def test_repeated_guide_step_is_rejected() -> None:
    step = '{ code = "protect_scene", zh = "保护现场", en = "Protect the scene" }'
    text = GRADES_TOML + THEFT_TOML.replace(step, f"{step}, {step}")
    with pytest.raises(CatalogError, match="guide"):
        parse(text)


def test_unknown_category_class_is_rejected() -> None:
    text = GRADES_TOML + THEFT_TOML.replace('class = "crime"', 'class = "weather"')
    with pytest.raises(ValueError, match="weather"):
        parse(text)


def test_catalog_without_categories_is_rejected() -> None:
    with pytest.raises(CatalogError, match="no categories"):
        parse(GRADES_TOML)


def test_every_grade_has_a_dispatch_limit_tighter_for_the_urgent(catalog: Catalog) -> None:
    limits = [catalog.grades[g].limits.dispatch_s for g in (1, 2, 3, 4)]
    assert limits == sorted(limits)
    assert limits[0] == 60  # NFPA 1225: first unit dispatched within 60 s


def test_callbacks_are_required_for_grades_1_and_2_and_for_missing_persons(
    catalog: Catalog,
) -> None:
    assert [catalog.grades[g].callback_required for g in (1, 2, 3, 4)] == [True, True, False, False]
    theft = catalog.categories["theft"]
    assert (theft.needs_callback(2), theft.needs_callback(3)) == (True, False)
    missing = catalog.categories["missing_person"]
    assert all(missing.needs_callback(g) for g in (1, 2, 3, 4))


def test_a_category_may_say_itself_whether_a_callback_is_required() -> None:
    text = GRADES_TOML + THEFT_TOML.replace(
        "default_grade = 2", "default_grade = 2\ncallback_required = true"
    )
    assert parse(text).categories["theft"].needs_callback(3) is True
    assert parse(GRADES_TOML + THEFT_TOML).categories["theft"].needs_callback(3) is False


def test_traffic_police_serve_traffic_only(catalog: Catalog) -> None:
    for category in catalog.categories.values():
        assert ("traffic" in category.served_by) is (category.cls is CategoryClass.TRAFFIC)
        assert "patrol_special" in category.served_by


def test_served_by_names_known_unit_kinds_only() -> None:
    with pytest.raises(CatalogError, match="served_by"):
        parse(GRADES_TOML + '[served_by]\ndefault = ["cavalry"]\n' + THEFT_TOML)
    with pytest.raises(CatalogError, match="no category class"):
        parse(GRADES_TOML + '[served_by]\nships = ["traffic"]\n' + THEFT_TOML)


def test_the_arrival_thresholds_come_from_the_catalog(catalog: Catalog) -> None:
    assert (catalog.arrival.near_m, catalog.arrival.max_kmh) == (500, 80)
    custom = parse(GRADES_TOML + "[arrival]\nnear_m = 300\nmax_kmh = 60\n" + THEFT_TOML)
    assert (custom.arrival.near_m, custom.arrival.max_kmh) == (300, 60)
    with pytest.raises(CatalogError, match="arrival"):
        parse(GRADES_TOML + "[arrival]\nnear_m = 0\n" + THEFT_TOML)


def test_an_incidents_step_limit_is_its_category_at_its_grade_where_it_lies() -> None:
    """The one rule supervision's deadlines and the statistics' 及时率 both read."""
    text = GRADES_TOML + THEFT_TOML.replace(
        "default_grade = 2", "default_grade = 2\nlimits = { arrive_urban_s = 240 }"
    )
    catalog = parse(text)
    # The category's own override, urban or suburban by the place.
    assert catalog.step_limit_s("theft", 2, "arrive", suburban=False) == 240
    assert catalog.step_limit_s("theft", 2, "arrive", suburban=True) == 1200
    # No grade yet: grade 3's limits, the category's override still in force.
    assert catalog.step_limit_s("theft", None, "acknowledge", suburban=False) == 120
    assert catalog.step_limit_s("theft", None, "arrive", suburban=True) == 1800
    assert catalog.step_limit_s("theft", None, "arrive", suburban=False) == 240
    # No category, or one the catalog does not know: the grade's own.
    assert catalog.limits_at(None, 1) == catalog.grades[1].limits
    assert catalog.limits_at("no_such_thing", None) == catalog.grades[3].limits
    assert catalog.step_limit_s(None, 1, "arrive", suburban=False) == 300
    # Each step reads its own limit; a step the catalog does not time has none.
    limits = catalog.grades[2].limits
    steps = ("dispatch", "acknowledge", "report", "close", "callback")
    assert [limits.step_s(s, suburban=False) for s in steps] == [300, 60, 3600, 14400, 172800]
    assert limits.step_s("case_callback", suburban=False) is None
