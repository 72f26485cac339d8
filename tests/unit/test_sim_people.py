"""What the living demo counts as a person's doing (sim/people.py), without a database."""

from __future__ import annotations

from cad110.sim.people import HandsOff, Seen, units_named


def test_the_units_an_incident_event_names() -> None:
    assert units_named({"units": ["A", "B"], "unit_changes": {"B": "dispatched"}}) == ("A", "B")
    assert units_named({"unit": "C", "note": ""}) == ("C",)
    assert units_named({"note": "no unit"}) == ()
    assert units_named(["not", "a", "payload"]) == ()


def test_a_persons_event_touches_the_incident_and_the_units_it_names() -> None:
    hands_off = HandsOff(automatic=frozenset({"system"}))
    hands_off.recorded([1, 2])
    fresh = hands_off.see(
        [
            Seen(1, "incident", "N1", "dispatcher", ("U1",)),  # the simulator's own
            Seen(2, "unit", "U2", "officer-u2"),  # the simulator's own
            Seen(3, "incident", "N1", "system"),  # the supervision tick
            Seen(4, "incident", "N2", "dispatcher", ("U3",)),  # a person, same account
            Seen(5, "unit", "U4", "zhang.wei"),
        ]
    )
    assert fresh == {"U3", "U4"}
    assert hands_off.incidents == {"N2"}
    assert hands_off.cursor == 5
    assert hands_off.mine == set()
    assert hands_off.leaves(incident="N2")
    assert hands_off.leaves(unit="U4")
    assert not hands_off.leaves(incident="N1", unit="U1")


def test_an_officer_login_touches_the_unit_once() -> None:
    hands_off = HandsOff(automatic=frozenset())
    assert hands_off.logged_in(["U1"]) == {"U1"}
    assert hands_off.logged_in(["U1"]) == set()
    assert hands_off.leaves(unit="U1")


def test_events_noted_as_its_own_before_the_cursor_are_not_kept() -> None:
    hands_off = HandsOff(automatic=frozenset(), cursor=10)
    hands_off.recorded([9, 11])
    assert hands_off.mine == {11}
