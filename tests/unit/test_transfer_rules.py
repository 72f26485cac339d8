"""The 12345 bridge's pure rules: categories mapped to the hotline's, limits in working days,
and a ticket that only moves forward."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from cad110.errors import InvalidTransition
from cad110.models.transfers import HotlineEventKind as K
from cad110.models.transfers import TicketStatus as S
from cad110.transfers.figures import transfer_figures
from cad110.transfers.lifecycle import follow
from cad110.transfers.platform import ticket_id_of, ticket_ref
from cad110.transfers.rules import RulesError, due_at, load_rules, parse_rules, same_matter

TZ = ZoneInfo("Asia/Shanghai")
RULES = load_rules()


def test_categories_map_to_the_hotlines_type_and_topic_with_a_default() -> None:
    assert RULES.mapping("move_car") == RULES.categories["move_car"]
    assert (RULES.mapping("consultation").type, RULES.mapping("consultation").topic) == (
        "inquiry",
        "policy",
    )
    assert RULES.mapping("consumer_complaint").type == "complaint"
    assert RULES.mapping(None) == RULES.default == RULES.mapping("theft")
    assert {t: RULES.types[t].working_days for t in RULES.types} == {
        "inquiry": 2,
        "request": 10,
        "complaint": 15,
    }


def test_the_limit_skips_the_national_day_and_counts_the_adjusted_saturday() -> None:
    # Wednesday 30 September 2026: 1–7 October are holidays, Saturday 10 October is worked.
    at = datetime(2026, 9, 30, 10, 0, tzinfo=TZ)
    assert due_at(RULES, "inquiry", at, TZ) == datetime(2026, 10, 10, 0, 0, tzinfo=TZ)
    assert due_at(RULES, "request", at, TZ) == datetime(2026, 10, 21, 0, 0, tzinfo=TZ)
    # An ordinary Monday: two working days are Tuesday and Wednesday.
    monday = datetime(2026, 11, 23, 10, 0, tzinfo=TZ)
    assert due_at(RULES, "inquiry", monday, TZ) == datetime(2026, 11, 26, 0, 0, tzinfo=TZ)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"types": {"inquiry": {"zh": "咨询", "en": "Inquiry", "working_days": 0}}}, "1 to 60"),
        ({"default": {"type": "nothing", "topic": "other"}}, "unknown type"),
        ({"categories": {"move_car": {"type": "inquiry", "topic": "moon"}}}, "unknown topic"),
        ({"categories": {"move_car": {"type": "inquiry"}}}, "type and topic"),
        ({"surprise": 1}, "unknown keys"),
        ({"same_matter_m": 0}, "10 to 5000"),
        ({"same_matter_m": "300"}, "10 to 5000"),
    ],
)
def test_rules_that_cannot_work_are_refused_when_loaded(
    change: dict[str, object], words: str
) -> None:
    raw: dict[str, object] = {
        "types": {"inquiry": {"zh": "咨询", "en": "Inquiry", "working_days": 2}},
        "topics": {"other": {"zh": "其他", "en": "Other"}},
        "default": {"type": "inquiry", "topic": "other"},
        "categories": {},
    }
    parse_rules(raw)
    with pytest.raises(RulesError, match=words):
        parse_rules(raw | change)


def test_a_call_is_another_matter_by_its_category_or_a_point_further_than_the_rule() -> None:
    lamp, here = "municipal_facility", (119.29, 26.08)
    near, far = (119.292, 26.08), (119.31, 26.08)  # about 200 m and 2 km east
    assert RULES.same_matter_m == 300
    assert same_matter(RULES, (lamp, here), (lamp, near))
    assert same_matter(RULES, (lamp, here), (None, None))  # nothing said cannot tell
    assert same_matter(RULES, (None, here), ("construction_noise", near))
    assert same_matter(RULES, (lamp, None), (lamp, far))
    assert not same_matter(RULES, (lamp, here), ("construction_noise", None))
    assert not same_matter(RULES, (lamp, here), (lamp, far))
    assert not same_matter(RULES, (None, here), (None, far))


def test_a_ticket_moves_forward_and_keeps_a_late_step_without_moving_back() -> None:
    assert follow(S.SENT, K.RECEIVED) == (step := follow(S.SENT, K.RECEIVED))
    assert (step.status, step.moved) == (S.RECEIVED, True)
    assert follow(S.RECEIVED, K.DONE).status is S.DONE  # a step it skipped is no refusal
    late = follow(S.HANDLING, K.ACCEPTED)
    assert (late.status, late.moved) == (S.HANDLING, False)
    assert follow(S.REPLIED, K.RATED).status is S.CLOSED


def test_a_ticket_is_returned_only_before_it_was_handled_and_then_ends() -> None:
    assert follow(S.ACCEPTED, K.RETURNED).status is S.RETURNED
    with pytest.raises(InvalidTransition, match="cannot be returned"):
        follow(S.DONE, K.RETURNED)
    with pytest.raises(InvalidTransition, match="returned to 110"):
        follow(S.RETURNED, K.DONE)


def test_only_our_ticket_ids_are_read_back() -> None:
    assert ticket_id_of(ticket_ref(42)) == 42
    assert [ticket_id_of(r) for r in ("gd-", "sms-4", "gd-4a", "gd-" + "9" * 19)] == [None] * 4


def test_figures_count_times_and_the_share_handled_in_time() -> None:
    from cad110.models.transfers import TransferTicket

    t0 = datetime(2026, 11, 23, 2, 0, tzinfo=TZ)
    due = datetime(2026, 11, 26, 0, 0, tzinfo=TZ)

    def ticket(accepted_min: int | None, done_min: int | None) -> TransferTicket:
        t = TransferTicket(created_at=t0, due_at=due)
        t.accepted_at = t0.replace(minute=accepted_min) if accepted_min is not None else None
        t.done_at = (
            datetime(2026, 11, 23 + done_min, 2, 0, tzinfo=TZ) if done_min is not None else None
        )
        t.returned_at = t.escalated_at = None
        return t

    # done on the 23rd (in time), on the 26th after midnight (late), not done.
    tickets = [ticket(10, 0), ticket(20, 3), ticket(None, None)]
    f = transfer_figures(tickets, tickets)
    assert f["transfers_out"] == 3
    assert (f["accepted"], f["minutes_to_accepted_avg"]) == (2, 15.0)
    assert (f["done"], f["minutes_to_done_avg"]) == (2, 2160.0)
    assert (f["due"], f["handled_in_time"], f["handled_in_time_pct"]) == (3, 1, 33.33)
