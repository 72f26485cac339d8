"""Troubled households (重复警情): a few homes that call 110 again and again about one dispute,
and the station that works the repeat case until it is settled (案结事了).

A household has one phone, one caller and one place, and one matter (a family, neighbour or
romantic dispute, or noise). It calls a few times within hours, each call a new incident taken
at the desk like any other; the repeat detection links the calls (the same number, the same
address) and, at the third within the case rules' window, opens a repeat case by rule
(`repeats.detect.follow_case`), owned by the station's leader. From there the simulated people
work the case through the same use cases as the case's screen (repeats/cases_actions.py):

  the leader names an officer of the station as its owner (包案) → the owner does the tier's
  step (电话回访 for C/D, 上门走访 with community cadres for A/B) → a mediation (调解), and where
  it only partly settles the matter a referral (移交 社区 / 综治中心); the household calls no
  more → once no call came for the rules' quiet days, the owner writes the closing report
  (结案报告) → a leader approves it: solved.

The quiet days are the rules' and are never squeezed: a case is solved in the living demo a
month after its last call, and a test runs the clock that far. While the case waits, the owner
does each step before it falls due, so supervision only fires where a step is late for real.
A person who writes in a case's journal, or logs in as its owner's unit, takes it over.

About a few percent of the disputes come from households: three at the start, then a new one
about once a simulated day. Households draw from their own random stream.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from cad110.auth.principal import Principal
from cad110.models.call import CallOutcome
from cad110.models.event import Event
from cad110.models.incident import Incident
from cad110.models.repeat_cases import OpenedHow, RepeatCase, RepeatCaseIncident
from cad110.models.subjects import SubjectType
from cad110.models.user import Role, User
from cad110.repeats import cases_rules
from cad110.repeats.cases_actions import add_entry, approve, assign, record_step, report_closing
from cad110.repeats.cases_lifecycle import CaseStatus
from cad110.repeats.cases_schemas import AssignIn, DecisionIn, EntryIn, ReportIn, StepIn
from cad110.sim import content
from cad110.sim.actors import acting_as
from cad110.sim.core import SimCore
from cad110.sim.geography import Spot

log = logging.getLogger("cad110.sim")

# The matters households call about, by weight (each suggests a repeat case type).
MATTERS = (
    ("family_dispute", 5.0),
    ("neighbour_dispute", 4.0),
    ("romantic_dispute", 1.0),
    ("noise_nuisance", 2.0),
)
CALLS = (3, 6)  # calls a household makes before the case is worked
GAP_MIN = (20.0, 120.0)  # minutes between its calls (squeezed by the speed)
# The households there when the demo starts are in the thick of it: they call again within
# the half hour, so that their repeat cases open in the demo's first quarter of an hour.
GAP_MIN_AT_START = (5.0, 30.0)
MEDIATION_AGREED = 0.7  # the rest settle partly and are referred on
VISIT_WITH = "社区网格员、村（居）委会干部"


@dataclass
class Household:
    phone: str
    name: str
    spot: Spot | None  # None: a case taken up from an earlier run, its household unknown
    category: str
    calls_left: int
    case: str | None = None
    settled: bool = False  # mediated: it calls no more
    gap_min: tuple[float, float] = GAP_MIN  # minutes between its calls
    approver: str | None = None  # the leader the rules gave the case to


class HouseholdActor(SimCore):
    """Troubled households calling again and again, and their repeat cases worked to solved."""

    def _start_households(self) -> None:
        self._take_up_cases()
        for _ in range(self._households_at_start):
            self._household_appears(chain=False)
        if self._household_every_h > 0:
            self._next_household()

    def _next_household(self) -> None:
        hours = self._household_rng.expovariate(1 / self._household_every_h)
        self._after(
            self._squeeze(hours * 3600, 60), "household", partial(self._household_appears, True)
        )

    def _household_appears(self, chain: bool) -> None:
        rng = self._household_rng
        category = content.weighted(rng, [(c, w) for c, w in MATTERS if self._catalog.get(c)])
        name = rng.choice(content.SURNAMES) + rng.choice(("先生", "女士"))
        household = Household(
            phone=content.mobile(rng),
            name=name,
            spot=self._map.sample(rng, "home"),
            category=category,
            calls_left=rng.randint(*CALLS),
            gap_min=GAP_MIN if chain else GAP_MIN_AT_START,
        )
        self.stats["households"] += 1
        first = self._squeeze(rng.uniform(1, 30) * 60, 10)
        self._after(first, "household call", partial(self._household_calls, household))
        if chain:
            self._next_household()

    def _household_calls(self, h: Household) -> None:
        """The household calls again about its dispute; the desk takes it like any call."""
        if h.settled or h.calls_left <= 0 or h.spot is None:
            return
        h.calls_left -= 1
        rng = self._household_rng
        seconds = content.call_seconds(rng, CallOutcome.INCIDENT_CREATED)
        answered = self._now() - timedelta(seconds=seconds)
        self.stats["calls"] += 1
        self.stats["household_calls"] += 1
        number = self._new_incident(
            h.phone, h.name, answered, seconds, None, trouble=(h.category, h.spot)
        )
        if h.calls_left > 0:
            gap = self._squeeze(rng.uniform(*h.gap_min) * 60, 60)
            self._after(gap, "household call", partial(self._household_calls, h))
        if number is not None and h.case is None:
            self._after(rng.uniform(30, 90), "repeat case", partial(self._find_case, h, number))

    # --- the repeat case (重复警情档案) ----------------------------------------------------

    def _take_up_cases(self) -> None:
        """Cases an earlier run opened and worked (the demo's database keeps them) are worked
        on from where they stand, so that they are solved after their quiet days; not one in
        whose journal anyone but the simulator's accounts (its call-taker, the leaders, the
        units' officers) or the system wrote."""
        with self._rt.readers() as session:
            leaders = set(session.scalars(select(User.username).where(User.role == Role.LEADER)))
            ours = leaders | {u.officer.username for u in self._actors.units.values()}
            ours |= {self._actors.calltaker.username, "system"}
            cases = session.execute(
                select(RepeatCase.number, RepeatCase.status)
                .where(
                    RepeatCase.opened_how == OpenedHow.RULE,
                    RepeatCase.opened_by == self._actors.calltaker.username,
                    RepeatCase.status != CaseStatus.SOLVED,
                )
                .order_by(RepeatCase.id)
            ).all()
            journals: dict[str, list[tuple[str, str]]] = {}
            for subject_id, kind, actor in session.execute(
                select(Event.subject_id, Event.kind, Event.actor)
                .where(
                    Event.subject_type == SubjectType.REPEAT_CASE.value,
                    Event.subject_id.in_([number for number, _ in cases]),
                )
                .order_by(Event.id)
            ):
                journals.setdefault(subject_id, []).append((kind, actor))
        rng = self._household_rng
        for number, status in cases:
            journal = journals.get(number, [])
            if any(actor not in ours for _, actor in journal):
                continue  # a person's
            h = Household("", "", None, "", 0, case=number, settled=True)
            kinds = {kind for kind, _ in journal}
            self.stats["repeat_cases_taken_up"] += 1
            soon = self._squeeze(rng.uniform(5, 60) * 60, 60)
            if status is CaseStatus.REPORTED:
                self._after(soon, "approve case", partial(self._approve, h))
            elif "owner_changed" not in kinds:
                self._after(soon, "case owner", partial(self._name_owner, h))
            else:
                self._after(
                    soon, "case step", partial(self._case_step, h, "mediation" not in kinds)
                )
                if "mediation" in kinds:
                    self._after(soon + 60, "closing report", partial(self._report_case, h))

    def _case(self, session: Session, number: str) -> RepeatCase:
        case = session.scalars(select(RepeatCase).where(RepeatCase.number == number)).one()
        return case

    def _as(self, session: Session, username: str) -> Principal:
        user = session.scalars(select(User).where(User.username == username)).one()
        return acting_as(session, user)

    def _owner_unit(self, owner: str) -> str | None:
        for code, u in self._actors.units.items():
            if u.officer.username == owner:
                return code
        return None

    def _leaves_case(self, h: Household) -> bool:
        if h.case is None:
            return True
        owner = self._case_owner(h.case)
        unit = self._owner_unit(owner) if owner else None
        return self._leaves(case=h.case, unit=unit)

    def _case_owner(self, number: str) -> str | None:
        with self._rt.readers() as session:
            return session.scalar(select(RepeatCase.owner).where(RepeatCase.number == number))

    def _find_case(self, h: Household, incident: str) -> None:
        """Whether the call opened (or joined) a repeat case: the rules decide at intake."""
        if h.case is not None:
            return
        with self._rt.readers() as session:
            found = session.execute(
                select(RepeatCase.number, RepeatCase.owner)
                .join(RepeatCaseIncident, RepeatCaseIncident.case_id == RepeatCase.id)
                .join(Incident, Incident.id == RepeatCaseIncident.incident_id)
                .where(Incident.number == incident)
            ).first()
            if found is None:
                return
            number, owner = found
            leader = session.scalar(
                select(User.username).where(User.username == owner, User.role == Role.LEADER)
            )
        h.case = number
        h.approver = leader
        self.stats["repeat_cases"] += 1
        wait = self._squeeze(self._household_rng.uniform(30, 120) * 60, 120)
        self._after(wait, "case owner", partial(self._name_owner, h))

    def _name_owner(self, h: Household) -> None:
        """包案: the leader the case opened with names an officer of the station as its owner."""
        if h.case is None or self._leaves_case(h):
            return
        number = h.case

        def work(session: Session) -> bool:
            case = self._case(session, number)
            officers = [
                u.officer.username
                for _, u in sorted(self._actors.units.items())
                if u.officer.jurisdiction_code == case.jurisdiction_code
            ]
            if not officers:
                return False  # no officer of its own: the leader keeps it
            owner = officers[self._household_rng.randrange(len(officers))]
            ctx = self._ctx(session, self._as(session, case.owner))
            assign(ctx, number, AssignIn(owner=owner, reason="指定社区民警包案"))
            return True

        if self._tx("case owner", work):
            self.stats["case_owners"] += 1
        wait = self._squeeze(self._household_rng.uniform(1, 6) * 3600, 300)
        self._after(wait, "case step", partial(self._case_step, h, True))

    def _case_step(self, h: Household, mediate: bool) -> None:
        """The tier's step done by the owner; the first one is followed by a mediation."""
        if h.case is None or self._leaves_case(h):
            return
        number = h.case

        def work(session: Session) -> datetime | None:
            case = self._case(session, number)
            if case.status is not CaseStatus.OPEN:
                return None
            visit = case.step_kind == "visit"
            note = "上门走访当事人，了解矛盾起因" if visit else "电话回访当事人，情绪平稳"
            ctx = self._ctx(session, self._as(session, case.owner))
            record_step(ctx, number, StepIn(note=note, with_whom=VISIT_WITH if visit else ""))
            return case.step_due_at

        due = self._tx("case step", work)
        if due is None:
            return
        self.stats["case_steps"] += 1
        rng = self._household_rng
        if mediate:
            wait = self._squeeze(rng.uniform(2, 8) * 3600, 300)
            self._after(wait, "mediation", partial(self._mediate, h))
        # The next step is a supervised deadline: done a little before it falls due, unsqueezed.
        ahead = (due - self._now()).total_seconds() - rng.uniform(2, 24) * 3600
        self._after(max(ahead, 60.0), "case step", partial(self._case_step, h, False))

    def _mediate(self, h: Household) -> None:
        """调解: the parties agree (or partly, and the matter is referred on); no more calls."""
        if h.case is None or self._leaves_case(h):
            return
        number = h.case
        rng = self._household_rng
        agreed = rng.random() < MEDIATION_AGREED

        def work(session: Session) -> datetime:
            case = self._case(session, number)
            ctx = self._ctx(session, self._as(session, case.owner))
            text = "会同社区调解，双方达成和解协议" if agreed else "调解后双方部分让步，仍有分歧"
            add_entry(
                ctx,
                number,
                EntryIn(kind="mediation", text=text, result="agreed" if agreed else "partly"),
            )
            if not agreed:
                add_entry(
                    ctx,
                    number,
                    EntryIn(kind="referral", text="移交社区持续跟进调解", to="community"),
                )
            return cases_rules.quiet_from(cases_rules.in_force(ctx), case.last_incident_at)

        quiet_from = self._tx("mediation", work)
        if quiet_from is None:
            return
        h.settled = True
        self.stats["mediations"] += 1
        self._book_report(h, quiet_from)

    def _book_report(self, h: Household, quiet_from: datetime) -> None:
        # The quiet days are the rules' own: never squeezed.
        at = max(quiet_from, self._now()) + timedelta(hours=self._household_rng.uniform(1, 6))
        self._at(at, "closing report", partial(self._report_case, h))

    def _report_case(self, h: Household) -> None:
        """结案报告 by the owner once the case was quiet long enough; a leader then approves."""
        if h.case is None or self._leaves_case(h):
            return
        number = h.case

        def work(session: Session) -> tuple[str, datetime | None]:
            """ "reported"; "wait" and when the quiet days end; "closed" when no longer open."""
            case = self._case(session, number)
            if case.status is not CaseStatus.OPEN:
                return "closed", None
            ctx = self._ctx(session, self._as(session, case.owner))
            quiet_from = cases_rules.quiet_from(cases_rules.in_force(ctx), case.last_incident_at)
            if ctx.at < quiet_from:
                return "wait", quiet_from  # a call came since
            report = "经多次走访调解，当事人矛盾已化解，期间未再报警，申请结案"
            report_closing(ctx, number, ReportIn(report=report))
            return "reported", None

        result = self._tx("closing report", work)
        if result is None or result[0] == "closed":
            return
        what, quiet_from = result
        if what == "wait" and quiet_from is not None:
            self._book_report(h, quiet_from)
            return
        self.stats["closing_reports"] += 1
        wait = self._squeeze(self._household_rng.uniform(1, 8) * 3600, 300)
        self._after(wait, "approve case", partial(self._approve, h))

    def _approve(self, h: Household) -> None:
        if h.case is None or self._leaves(case=h.case):
            return
        number = h.case

        def work(session: Session) -> bool:
            leader = (
                self._as(session, h.approver) if h.approver is not None else self._actors.leader
            )
            approve(self._ctx(session, leader), number, DecisionIn(comment="同意结案"))
            return True

        if self._tx("approve case", work):
            self.stats["repeat_cases_solved"] += 1
