"""重复警情's pure rules: what a record says (phones, ID numbers, names as they sound), the keys
it is found again by, and when an earlier incident is one it repeats, with each reason."""

from __future__ import annotations

import math
import tomllib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from importlib import resources

import pytest

from cad110.catalog.loader import default_catalog
from cad110.geo.distance import haversine_m
from cad110.repeats import rules as r

RULES = r.load_rules(catalog=default_catalog())
AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
ID_NUMBER = "350102198506123011"
BASE = r.Record(incident_id=1, received_at=AT - timedelta(days=3))


def new(**fields: object) -> r.Record:
    return replace(BASE, incident_id=2, received_at=AT, **fields)  # type: ignore[arg-type]


def earlier(**fields: object) -> r.Record:
    return replace(BASE, **fields)  # type: ignore[arg-type]


def codes(j: r.Judgement | None) -> list[str]:
    assert j is not None
    return [reason.code for reason in j.reasons]


def test_the_shipped_rules_load_with_families_of_the_catalog() -> None:
    assert (RULES.min_score, RULES.radius_m, RULES.min_similarity) == (40, 100, 85)
    assert RULES.family("family_dispute") == RULES.family("domestic_violence") == "domestic"
    assert RULES.family("theft") == "theft"  # a category not listed is its own family
    assert RULES.window("caller") == timedelta(days=180)  # the widest of what it finds


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"min_score": 0}, "min_score"),
        ({"extra": 1}, "unknown keys"),
        ({"families": {"x": ["no_such_category"]}}, "no category"),
        ({"families": {"x": ["theft"], "y": ["theft"]}}, "two families"),
    ],
)
def test_rules_that_make_no_sense_are_refused_at_load(
    change: dict[str, object], message: str
) -> None:

    data = tomllib.loads(resources.files("cad110.repeats").joinpath("rules.toml").read_text())
    data.update(change)
    with pytest.raises(r.RulesError, match=message):
        r.parse_rules(data, default_catalog())


def test_a_record_finds_its_parties_id_numbers_and_mobiles_but_not_a_mistyped_id() -> None:
    ids, phones = r.parties_in(f"对方{ID_NUMBER}，电话138-0013-8000；错号350102198506123012")
    assert ids == {ID_NUMBER}
    assert phones == {"13800138000"}
    assert r.valid_id_number("35010219850612301x".upper()) is False


def test_the_caller_s_own_number_is_no_party_of_the_record() -> None:
    record = r.record_of(
        incident_id=1,
        received_at=AT,
        caller_phone="+86 139 1234 5678",
        caller_name=" 李梅 ",
        place=None,
        lon=None,
        lat=None,
        category=None,
        narrative="回拨 13912345678",
    )
    assert (record.caller_phone, record.caller_name, record.party_phones) == (
        "13912345678",
        "李梅",
        frozenset(),
    )


def test_names_meet_by_how_they_sound() -> None:
    assert r.name_key("章伟") == r.name_key("张伟") == "zhangwei"
    assert r.name_similarity("张伟", "张伟") == 100
    assert r.name_similarity("章伟", "张伟") == 99
    assert r.name_similarity("张伟", "王芳") < RULES.min_similarity
    assert r.name_similarity(None, "张伟") == 0


@pytest.mark.parametrize(
    ("lon", "lat"),
    [(119.3, 26.08), (119.30004, 26.08004), (116.4, 39.9), (87.6, 43.8), (110.3, 20.0)],
)
def test_the_cells_looked_at_hold_every_point_within_the_radius(lon: float, lat: float) -> None:
    cells = set(r.cells_near(lon, lat, RULES.radius_m))
    # Points all round, out to the radius itself by haversine, the distance the rules judge by.
    for bearing in range(0, 360, 5):
        for metres in (30, 70, 95, 99.9):
            dx = metres * math.sin(math.radians(bearing))
            dy = metres * math.cos(math.radians(bearing))
            plon = lon + dx / (111_195 * math.cos(math.radians(lat)))
            plat = lat + dy / 111_195
            if haversine_m(lon, lat, plon, plat) > RULES.radius_m:
                continue
            x, y = r.cell_of(plon, plat, RULES.radius_m)
            assert f"{x}:{y}" in cells, (metres, bearing)
    # Only the cells the circle reaches: a 3 × 3 block at most, not the bounding box's corners.
    assert 4 <= len(cells) <= 12


def test_a_cell_the_circle_misses_is_not_looked_at() -> None:
    step = RULES.radius_m / r.METRES_PER_DEGREE
    # The middle of a cell: the circle reaches the eight around it, not a cell two away.
    lon, lat = 119.3 // step * step + step / 2, 26.08 // step * step + step / 2
    x, y = r.cell_of(lon, lat, RULES.radius_m)
    cells = set(r.cells_near(lon, lat, RULES.radius_m))
    assert {f"{x + dx}:{y + dy}" for dx in (-1, 0, 1) for dy in (-1, 0, 1)} <= cells
    assert f"{x + 2}:{y + 1}" not in cells
    assert f"{x}:{y + 2}" not in cells


def test_a_record_is_kept_under_each_value_it_can_be_found_by() -> None:
    record = new(
        caller_phone="13912345678",
        caller_name="李梅",
        place="P-1",
        lon=119.3,
        lat=26.08,
        party_ids=frozenset({ID_NUMBER}),
        party_phones=frozenset({"13800138000"}),
    )
    kinds = [kind for kind, _v in r.keys_of(record, RULES)]
    # No name key: a name only adds to a signal whose key finds the candidate anyway.
    assert kinds == ["caller", "phone", "id", "place", "cell"]
    wanted = r.lookups_of(record, RULES)
    # Either number may have been an earlier record's caller or one of its parties.
    assert wanted["caller"] == wanted["phone"] == ["13800138000", "13912345678"]
    assert wanted["cell"] == r.cells_near(119.3, 26.08, RULES.radius_m)


def test_the_same_caller_within_the_window_is_a_repeat_and_outside_it_is_not() -> None:
    j = r.judge(new(caller_phone="139"), earlier(caller_phone="139"), RULES)
    assert codes(j) == ["same_caller"]
    assert j is not None
    assert j.score == 50
    old = earlier(caller_phone="139", received_at=AT - timedelta(days=31))
    assert r.judge(new(caller_phone="139"), old, RULES) is None


def test_a_family_or_a_common_name_alone_never_links() -> None:
    same = {"category": "family_dispute", "caller_name": "张伟"}
    assert r.judge(new(**same), earlier(**same), RULES) is None


def test_a_point_close_by_links_with_the_same_matter_and_says_how_far() -> None:
    here = {"lon": 119.3, "lat": 26.08, "category": "noise_nuisance"}
    there = {"lon": 119.3005, "lat": 26.08, "category": "construction_noise"}
    j = r.judge(new(**here), earlier(**there), RULES)
    assert codes(j) == ["near", "same_family"]
    assert j is not None
    assert j.reasons[0].detail == "50 m"
    assert j.score == 45
    far = {**there, "lon": 119.302}
    assert r.judge(new(**here), earlier(**far), RULES) is None


def test_a_standard_address_counts_once_and_before_the_point() -> None:
    at = {"place": "P-1", "lon": 119.3, "lat": 26.08, "caller_phone": "139"}
    j = r.judge(new(**at), earlier(**at), RULES)
    assert codes(j) == ["same_caller", "same_place"]


def test_parties_link_calls_from_different_numbers_and_say_which_kind() -> None:
    a = new(caller_phone="137", party_ids=frozenset({ID_NUMBER}))
    b = earlier(
        caller_phone="136", party_phones=frozenset({"137"}), party_ids=frozenset({ID_NUMBER})
    )
    j = r.judge(a, b, RULES)
    assert codes(j) == ["same_party"]
    assert j is not None
    assert j.reasons[0].detail == "id_number,phone"


def test_the_score_stops_at_100_and_the_strongest_links_come_first() -> None:
    every = {"caller_phone": "139", "place": "P", "caller_name": "李梅", "category": "theft"}
    j = r.judge(new(**every), earlier(**every), RULES)
    assert j is not None
    assert j.score == 100
    weak = r.Judgement(earlier_id=7, score=45, reasons=())
    strong = r.Judgement(earlier_id=3, score=90, reasons=())
    tie = r.Judgement(earlier_id=9, score=45, reasons=())
    assert r.strongest([weak, strong, tie], replace(RULES, max_links=2)) == [strong, tie]


def test_an_incident_is_no_repeat_of_itself_or_of_a_later_one() -> None:
    assert r.judge(new(caller_phone="139"), new(caller_phone="139"), RULES) is None
    later = earlier(caller_phone="139", received_at=AT + timedelta(hours=1))
    assert r.judge(new(caller_phone="139"), later, RULES) is None


def test_the_caller_s_count_takes_this_call_and_says_when_it_stopped_at_the_limit() -> None:
    from cad110.lifecycles.incident import Status
    from cad110.repeats.detect import Earlier, calls_from

    def past(i: int, days: int, phone: str = "139") -> Earlier:
        record = earlier(
            incident_id=10 + i, caller_phone=phone, received_at=AT - timedelta(days=days)
        )
        return Earlier(record, f"N{i}", Status.CLOSED, None, "350100/")

    calls = [past(0, 1), past(1, 29), past(2, 31), past(3, 2, phone="137")]
    assert calls_from(calls, new(caller_phone="139"), RULES) == (3, False)
    assert calls_from(calls, new(caller_phone=None), RULES) == (0, False)
    few = replace(RULES, per_key=2)
    assert calls_from(calls, new(caller_phone="139"), few) == (3, True)


def test_of_two_calls_in_the_same_instant_the_one_recorded_first_is_the_earlier() -> None:
    first = earlier(incident_id=5, caller_phone="139", received_at=AT)
    second = replace(first, incident_id=6)
    assert r.judge(second, first, RULES) is not None
    assert r.judge(first, second, RULES) is None
    # A call still being taken comes after every recorded one, even in the same instant.
    taking = replace(first, incident_id=r.NOT_RECORDED)
    assert r.judge(taking, first, RULES) is not None
