"""处警结果's pure rules: what an entry may say, the totals of those that stand, and the entries
rebuilt from their events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import TypeAdapter, ValidationError

from cad110.errors import InvalidInput
from cad110.incidents.outcome_rules import Totals, check_entry, replay_entries, totals
from cad110.incidents.outcomes_schemas import OutcomeIn
from cad110.models.outcome import OutcomeEntry, OutcomeKind
from cad110.web.sentences import yuan

RECEIVED = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
NOW = RECEIVED + timedelta(hours=2)
BODY: TypeAdapter[OutcomeIn] = TypeAdapter(OutcomeIn)  # type: ignore[arg-type]


def body(**fields: object) -> OutcomeIn:
    return BODY.validate_python(fields)


def entry(kind: OutcomeKind, n: int, **fields: object) -> OutcomeEntry:
    return OutcomeEntry(
        id=n, kind=kind, recorded_at=NOW, recorded_by="officer", struck_at=None, **fields
    )


def test_the_totals_count_only_the_entries_that_stand() -> None:
    first = RECEIVED + timedelta(minutes=20)
    entries = [
        entry(OutcomeKind.ARREST, 1, arrested=2, in_the_act=True, occurred_at=first),
        entry(OutcomeKind.ARREST, 2, arrested=1, in_the_act=False, occurred_at=NOW),
        entry(OutcomeKind.ARREST, 3, arrested=9, in_the_act=True, occurred_at=RECEIVED),
        entry(OutcomeKind.LOSS, 4, amount_fen=320000),
        entry(OutcomeKind.RECOVERY, 5, amount_fen=250000, occurred_at=NOW),
        entry(OutcomeKind.CASE_OPENED, 6, occurred_at=NOW, case_number="A001"),
    ]
    entries[2].struck_at = NOW  # the wrong one
    assert totals(entries) == Totals(
        arrested=3,
        arrested_in_the_act=2,
        first_arrest_at=first,
        case_opened_at=NOW,
        case_number="A001",
        loss_fen=320000,
        recovered_fen=250000,
        last_recovered_at=NOW,
        property_returned_at=None,
        entries=5,
    )
    assert totals([]) == Totals()


def test_a_time_to_come_or_before_the_call_is_refused_naming_it() -> None:
    arrest = {"kind": "arrest", "arrested": 1, "in_the_act": True}
    for at, code in ((NOW + timedelta(minutes=3), "in_the_future"), (RECEIVED, None)):
        given = body(**arrest, at=at)
        if code is None:
            check_entry(given, now=NOW, received_at=RECEIVED, so_far=Totals())
            continue
        with pytest.raises(InvalidInput) as refused:
            check_entry(given, now=NOW, received_at=RECEIVED, so_far=Totals())
        assert (refused.value.loc, refused.value.reason) == (["body", "at"], code)
    early = body(**arrest, at=RECEIVED - timedelta(seconds=1))
    with pytest.raises(InvalidInput) as refused:
        check_entry(early, now=NOW, received_at=RECEIVED, so_far=Totals())
    assert refused.value.reason == "before_incident"


def test_recovered_above_the_loss_needs_its_confirmation() -> None:
    so_far = Totals(loss_fen=10000, recovered_fen=6000)
    fits = body(kind="recovery", amount_fen=4000, at=NOW)
    check_entry(fits, now=NOW, received_at=RECEIVED, so_far=so_far)
    over = body(kind="recovery", amount_fen=4001, at=NOW)
    with pytest.raises(InvalidInput) as refused:
        check_entry(over, now=NOW, received_at=RECEIVED, so_far=so_far)
    assert (refused.value.loc, refused.value.reason) == (
        ["body", "amount_fen"],
        "recovered_above_loss",
    )
    confirmed = body(kind="recovery", amount_fen=4001, at=NOW, above_loss=True)
    check_entry(confirmed, now=NOW, received_at=RECEIVED, so_far=so_far)


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"kind": "loss", "amount_fen": 0}, "amount_fen"),
        ({"kind": "loss", "amount_fen": 100_000_000_001}, "amount_fen"),
        ({"kind": "loss", "amount_fen": "12.50"}, "amount_fen"),
        ({"kind": "arrest", "arrested": 201, "at": NOW, "in_the_act": False}, "arrested"),
        ({"kind": "arrest", "arrested": 1, "at": NOW}, "in_the_act"),
        ({"kind": "property_returned", "at": NOW, "description": ""}, "description"),
        ({"kind": "case_opened", "at": "2026-11-23T10:00:00"}, "at"),  # no zone
        ({"kind": "loss", "amount_fen": 5, "extra": 1}, "extra"),
    ],
)
def test_a_body_that_cannot_be_right_is_refused_by_its_field(
    fields: dict[str, object], where: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        body(**fields)
    assert where in refused.value.errors()[0]["loc"]


def test_the_entries_are_rebuilt_from_their_events() -> None:
    later = NOW + timedelta(minutes=5)
    events = [
        ("dispatch", RECEIVED, "dispatcher", {"units": ["u1"]}),
        (
            "outcome_recorded",
            NOW,
            "officer",
            {
                "entry": 7,
                "kind": "arrest",
                "arrested": 2,
                "at": NOW.isoformat(),
                "in_the_act": True,
                "note": "现场",
                "unit": "u1",
            },
        ),
        (
            "outcome_recorded",
            NOW,
            "officer",
            {"entry": 8, "kind": "loss", "amount_fen": 500, "note": ""},
        ),
        ("outcome_struck", later, "leader", {"entry": 7, "kind": "arrest", "reason": "录错"}),
    ]
    entries = replay_entries(events)
    assert sorted(entries) == [7, 8]
    arrest = entries[7]
    assert (arrest.arrested, arrest.in_the_act, arrest.occurred_at, arrest.unit_code) == (
        2,
        True,
        NOW,
        "u1",
    )
    assert (arrest.struck_at, arrest.struck_by, arrest.strike_reason) == (later, "leader", "录错")
    assert (entries[8].amount_fen, entries[8].struck_at) == (500, None)
    with pytest.raises(KeyError):
        replay_entries([("outcome_struck", NOW, "x", {"entry": 99, "reason": "r"})])


def test_amounts_are_shown_in_yuan_with_thousands() -> None:
    assert [yuan(f) for f in (1, 250050, 100_000_000_000)] == [
        "0.01",
        "2,500.50",
        "1,000,000,000.00",
    ]
