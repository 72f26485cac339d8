"""Facts: one record each, reduced to what the figures need (an incident's stage times, a
call's outcome, a callback's answer). The *_facts.py modules and repository.py read them from
the database; tally.py adds them up. Nothing here touches the database or the clock."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from cad110.lifecycles.incident import Status


# --- facts ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Where:
    """Where and when a fact falls, and what it is: the keys it may be grouped by."""

    at: datetime  # UTC: received (incident), answered (call), rung (phone), opened (case)
    path: str
    category: str | None = None
    grade: int | None = None
    # A repeat case's type and risk tier (repeats/cases.toml): what its figures group by.
    case_type: str | None = None
    case_tier: str | None = None
    # A fraud warning's level and type, and the user who recorded its outcome.
    fraud_level: str | None = None
    fraud_type: str | None = None
    officer: str | None = None


@dataclass(frozen=True)
class OutcomeTotals:
    """What an incident led to (处警结果), over its entries that stand: a struck entry is
    already out of these totals."""

    arrested: int = 0
    arrested_in_the_act: int = 0
    first_arrest_at: datetime | None = None
    case_opened: bool = False
    loss_fen: int = 0
    recovered_fen: int = 0


@dataclass(frozen=True)
class IncidentFact:
    where: Where
    status: Status
    transferred_to: str | None
    # The stage times present, by field name (STAGE_FIELDS).
    stages: Mapping[str, datetime]
    # Seconds allowed per limited step, from the catalog at the incident's category and grade.
    limits: Mapping[str, int]
    supervisions: int = 0
    escalated: int = 0
    # None until anything of the outcome is recorded.
    outcome: OutcomeTotals | None = None
    # Linked to at least one earlier incident it repeats (repeats/: same caller, place, parties).
    repeats: bool = False
    # Pushed into 110 by the 12345 platform (transfers/: source push_12345).
    pushed_in: bool = False


@dataclass(frozen=True)
class CallFact:
    where: Where
    outcome: str
    # The category class of the call's incident, if it has one (non_police, fire…).
    incident_class: str | None
    has_phone: bool
    # The same number made another call record in the repeat window before this one.
    repeat: bool


@dataclass(frozen=True)
class PhoneFact:
    where: Where
    abandoned: bool


@dataclass(frozen=True)
class CaseFact:
    where: Where
    found: bool


@dataclass(frozen=True)
class CallbackFact:
    """An incident's 回访 (stats/callback_facts.py): due or not, and its answer if recorded."""

    where: Where
    due: bool
    satisfaction: str | None
    follow_up: bool = False
    follow_up_in_time: bool = False


@dataclass(frozen=True)
class TicketFact:
    """A 12345 ticket (stats/ticket_facts.py): how long the platform took, and its limit."""

    where: Where
    accepted_s: int | None  # seconds from sent to accepted, once accepted
    done_s: int | None  # seconds from sent to done, once done
    due: bool  # done, or its limit has passed
    in_time: bool  # done by its limit
    rang_again: bool  # the caller rang 110 again about it while it was open


@dataclass(frozen=True)
class RepeatCaseFact:
    """A repeat case (stats/repeat_case_facts.py) opened, solved or reopened at `where.at`.
    A solve carries its matter's calls in the days before its episode began and after it, once
    those days after have all passed (`observed`)."""

    where: Where
    event: str  # "opened", "solved", "reopened"
    open_now: bool = False  # opened: not solved as it stands now
    observed: bool = False  # solved: the days after it have all passed
    calls_before: int = 0
    calls_after: int = 0


@dataclass(frozen=True)
class FraudFact:
    """A fraud warning (stats/fraud_facts.py) as it stands: its first contact and outcome."""

    where: Where
    contact_due: bool  # its first call or visit is done, failed or overdue
    contact_in_time: bool  # that step was done within its level's limit
    outcome: str | None
    protected_fen: int = 0
    lost_fen: int = 0
    frozen_fen: int = 0


Fact = (
    IncidentFact
    | CallFact
    | PhoneFact
    | CaseFact
    | CallbackFact
    | TicketFact
    | RepeatCaseFact
    | FraudFact
)
