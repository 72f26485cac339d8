"""The hazard-flag data file and the masks of a flag's event."""

from __future__ import annotations

from cad110.places.flags import kinds, radii
from cad110.privacy.masking import kind_of


def test_every_kind_says_itself_in_both_languages_with_a_severity() -> None:
    for kind in kinds().values():
        assert kind.zh
        assert kind.en
        assert kind.severity in (1, 2, 3)
    assert {"weapon", "violent", "mental_illness", "dog", "infectious", "drugs"} <= set(kinds())


def test_what_is_known_looks_as_far_as_issue_twelve_asks() -> None:
    r = radii()
    assert (r.history_days, r.incident_m, r.missing_m) == (90, 100.0, 500.0)


def test_the_person_a_flag_names_is_masked_in_its_event() -> None:
    assert kind_of(("flagged_person", "name")) == "name"
    assert kind_of(("flagged_person", "phone")) == "phone"
    assert kind_of(("flagged_person", "id_number")) == "id_number"
    # The missing person's name stays (it goes out in lookouts on purpose).
    assert kind_of(("person", "name")) is None
