"""The anti-fraud warning figures on hand-made facts: the counters, the first contact judged
in time or not, amounts in fen moving in yuan, and the 通报's sentence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from cad110.models.fraud import StepState
from cad110.stats.facts import FraudFact, Where
from cad110.stats.fraud_facts import first_contact_in_time
from cad110.stats.fraud_notice import fraud_sentence, wan_yuan
from cad110.stats.measure import change_of, value_of
from cad110.stats.registry import BY_KEY, FIGURES
from cad110.stats.report.workbook import main_number
from cad110.stats.tally import tally_of

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
PATH = "350100/350102/35010201/"


def _fact(outcome: str | None = None, **extra: object) -> FraudFact:
    base: dict[str, object] = {"contact_due": False, "contact_in_time": False}
    return FraudFact(Where(T0, PATH, fraud_level="high"), outcome=outcome, **(base | extra))  # type: ignore[arg-type]


def test_the_first_contact_is_judged_once_done_failed_or_overdue() -> None:
    due = T0 + timedelta(minutes=30)
    assert first_contact_in_time(StepState.DONE, due, due) == (True, True)
    assert first_contact_in_time(StepState.DONE, due, due + timedelta(seconds=1)) == (True, False)
    assert first_contact_in_time(StepState.DONE, None, due) == (True, True)
    assert first_contact_in_time(StepState.FAILED, due, T0) == (True, False)
    assert first_contact_in_time(StepState.OVERDUE, due, due) == (True, False)
    assert first_contact_in_time(StepState.PENDING, due, None) == (False, False)
    assert first_contact_in_time(StepState.DROPPED, due, T0) == (False, False)


def test_the_figures_count_warnings_outcomes_and_amounts_in_fen() -> None:
    tally = tally_of(
        [
            _fact("dissuaded", contact_due=True, contact_in_time=True, protected_fen=30_000_000),
            _fact("lost", contact_due=True, lost_fen=1_200_000, frozen_fen=1_180_000),
            _fact("false_alarm"),
            _fact(),
        ]
    )
    values = {f.key: value_of(f, tally) for f in FIGURES if f.key.startswith("fraud_")}
    assert values["fraud_warnings"].count == 4
    assert values["fraud_dissuaded"].count == 1
    assert (
        values["fraud_dissuasion_rate"].numerator,
        values["fraud_dissuasion_rate"].denominator,
    ) == (1, 3)
    assert values["fraud_reached_in_time"].percent == Decimal("50.00")
    assert values["fraud_amount_protected"].count == 30_000_000
    assert values["fraud_amount_lost"].count == 1_200_000
    assert values["fraud_amount_frozen"].count == 1_180_000
    assert BY_KEY["fraud_amount_protected"].money
    assert not BY_KEY["fraud_dissuaded"].money
    assert all(f.by_fraud and not f.by_category for f in FIGURES if f.key.startswith("fraud_"))
    # A change of an amount is in yuan, as the 通报 writes it; of a count, in its unit.
    change = change_of(
        BY_KEY["fraud_amount_protected"],
        values["fraud_amount_protected"],
        values["fraud_amount_lost"],
    )
    assert change is not None
    assert change.words == "增加288000元"
    before = value_of(BY_KEY["fraud_warnings"], tally_of([_fact()]))
    moved = change_of(BY_KEY["fraud_warnings"], values["fraud_warnings"], before)
    assert moved is not None
    assert moved.words == "增加3条"


def test_the_sentence_as_a_centre_writes_it() -> None:
    assert wan_yuan(385_000_000) == "385"
    assert wan_yuan(38_500_000) == "38.5"
    assert wan_yuan(1_234) == "0"
    assert wan_yuan(1_185_000) == "1.19"  # half up
    tally = tally_of(
        [
            _fact("dissuaded", contact_due=True, contact_in_time=True, protected_fen=38_500_000),
            _fact("unreachable", contact_due=True),
        ]
    )
    values = {f.key: value_of(f, tally) for f in FIGURES}
    assert fraud_sentence(values) == (
        "本期接收反诈预警2条，劝阻成功1人，避免损失38.5万元，劝阻成功率50.00%，预警及时见面率50.00%。"
    )
    assert fraud_sentence({f.key: value_of(f, tally_of([])) for f in FIGURES}) == ""
    assert fraud_sentence({"fraud_warnings": None}) == ""


def test_an_amount_is_quoted_in_yuan_in_the_workbook() -> None:
    tally = tally_of([_fact("dissuaded", protected_fen=1_234_550)])
    protected = BY_KEY["fraud_amount_protected"]
    assert main_number(protected, value_of(protected, tally)) == 12345.5
    assert main_number(BY_KEY["fraud_dissuaded"], value_of(BY_KEY["fraud_dissuaded"], tally)) == 1
