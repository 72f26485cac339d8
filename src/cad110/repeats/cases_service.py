"""Opening a repeat case (建档 by hand, or by rule from the repeat detection's links), linking
the incidents that come back (a solved case reopens), and a threat of extreme behaviour
(扬言极端), which raises the case to tier A, tells the district at once and flags the persons.

Every change appends to the case's journal (the event chain `repeat_case`) in the same
transaction as the row it changes. Steps, entries and closing are in `cases_actions.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cad110.auth.permissions import Permission
from cad110.errors import Conflict, InvalidInput
from cad110.events.log import NEW_SUBJECT
from cad110.incidents.repository import get_incident
from cad110.kernel.context import Ctx
from cad110.kernel.deadlines import cancel_deadlines, open_deadline
from cad110.models.hazard import FlagSubject
from cad110.models.incident import Incident
from cad110.models.jurisdiction import Jurisdiction, Level
from cad110.models.repeat_cases import OpenedHow, RepeatCase, RepeatCaseIncident
from cad110.models.subjects import SubjectType
from cad110.models.supervision import Deadline, Notification, Step
from cad110.models.user import Role, User
from cad110.places.flags import Persons, set_flag
from cad110.repeats import cases_rules as rules_of
from cad110.repeats.cases_lifecycle import CaseAction, CaseStatus, decide
from cad110.repeats.cases_repository import case_of_incident, get_case
from cad110.repeats.cases_schemas import CaseOpenIn, LinkIn, ThreatIn

SUBJECT = SubjectType.REPEAT_CASE
STEP_OF = {"callback": Step.REPEAT_CALLBACK, "visit": Step.REPEAT_VISIT}
# Who may own (包案) a case: the station's officers and leaders, or a dispatcher.
OWNERS = frozenset({Role.OFFICER, Role.LEADER, Role.DISPATCHER})


def journal(ctx: Ctx, case: RepeatCase, kind: str, payload: dict[str, Any], **kw: Any) -> None:
    """Append one entry to the case's journal."""
    ctx.record(SUBJECT, case.number, kind, payload, **kw)


def check_owner(ctx: Ctx, username: str, station_path: str) -> None:
    """A case's owner is an active officer, leader or dispatcher whose scope holds the case."""
    user = ctx.session.scalars(select(User).where(User.username == username)).one_or_none()
    home = ctx.session.get(Jurisdiction, user.jurisdiction_code) if user is not None else None
    if (
        user is None
        or not user.active
        or user.role not in OWNERS
        or home is None
        or not station_path.startswith(home.path)
    ):
        raise InvalidInput(
            "owner",
            f"{username} is not an active officer, leader or dispatcher of the case's station",
            code="owner",
        )


def station_owner(session: Session, incident: Incident) -> str | None:
    """Who owns (包案) a case the rules open until a leader names someone: an active leader of
    the incident's station, else of the nearest level above it (first on the roll); None
    where there is none (the one the detection acts as stands in)."""
    leaders = session.execute(
        select(User.username, Jurisdiction.path)
        .join(Jurisdiction, Jurisdiction.code == User.jurisdiction_code)
        .where(User.role == Role.LEADER, User.active.is_(True))
        .order_by(User.id)
    ).all()
    above = [
        (len(path), -n, name)
        for n, (name, path) in enumerate(leaders)
        if incident.jurisdiction_path.startswith(path)
    ]
    return max(above)[2] if above else None


def start_step(ctx: Ctx, case: RepeatCase, kind: str, due_at: datetime) -> None:
    """The tier's step is due at `due_at`: a deadline the supervision tick fires and escalates
    like any overdue step (it replaces the case's open one)."""
    stop_step(ctx, case)
    deadline = open_deadline(
        ctx.session,
        incident_id=case.origin_incident_id,
        step=STEP_OF[kind],
        at=ctx.at,
        within=due_at - ctx.at,
    )
    ctx.session.flush()
    case.step_kind, case.step_due_at, case.step_deadline_id = kind, due_at, deadline.id


def stop_step(ctx: Ctx, case: RepeatCase) -> None:
    """The case's open step can no longer be met as it stands (new tier, solved)."""
    if case.step_deadline_id is not None:
        cancel_deadlines(ctx.session, ctx.at, Deadline.id == case.step_deadline_id)
    case.step_kind, case.step_due_at, case.step_deadline_id = None, None, None


def _link(ctx: Ctx, case: RepeatCase, incident: Incident, reason: str) -> None:
    ctx.session.add(
        RepeatCaseIncident(
            incident_id=incident.id,
            case_id=case.id,
            linked_at=ctx.at,
            linked_by=ctx.by.username,
            reason=reason,
        )
    )
    if incident.received_at > case.last_incident_at:
        case.last_incident_at = incident.received_at
    ctx.record(SubjectType.INCIDENT, incident.number, "repeat_case_linked", {"case": case.number})


def _open(
    ctx: Ctx,
    incidents: Sequence[Incident],
    *,
    type_code: str,
    tier: str,
    owner: str,
    how: OpenedHow,
    reason: str,
    rule: dict[str, object] | None = None,
) -> RepeatCase:
    """`reason` is what a person typed (建档 by hand); a case the rules open keeps the rule
    that fired as data (`rule`), said in the reader's language on screen."""
    origin = incidents[0]
    case = RepeatCase(
        number=f"CF-{origin.number}",
        type=type_code,
        tier=tier,
        status=CaseStatus.OPEN,
        opened_how=how,
        reason=reason,
        origin_incident_id=origin.id,
        jurisdiction_code=origin.jurisdiction_code,
        jurisdiction_path=origin.jurisdiction_path,
        owner=owner,
        last_incident_at=origin.received_at,
        reopened=0,
        opened_at=ctx.at,
        opened_by=ctx.by.username,
    )
    ctx.session.add(case)
    ctx.session.flush()
    rules = rules_of.in_force(ctx)
    kind, due_at = rules_of.first_step(rules, tier, ctx.at)
    start_step(ctx, case, kind, due_at)
    for incident in incidents:
        _link(ctx, case, incident, reason)
    journal(
        ctx,
        case,
        "opened",
        {
            "number": case.number,
            "how": how.value,
            "type": type_code,
            "tier": tier,
            "owner": owner,
            "station": case.jurisdiction_code,
            "incidents": [i.number for i in incidents],
            "reason": reason,
            **({"rule": rule} if rule is not None else {}),
            "step": kind,
            "step_due_at": due_at.isoformat(),
        },
        head=NEW_SUBJECT,
    )
    ctx.session.flush()
    return case


def open_case(ctx: Ctx, body: CaseOpenIn) -> tuple[RepeatCase, bool]:
    """建档: open a case from an incident; (case, created). A retry (the incident already in a
    case of the same type) returns that case."""
    ctx.by.require(Permission.REPEAT_CASE)
    rules = rules_of.in_force(ctx)
    if body.type not in rules.types:
        raise InvalidInput("type", f"no repeat case type {body.type!r}", code="unknown_type")
    incident = get_incident(ctx.session, body.incident, by=ctx.by)
    existing = case_of_incident(ctx.session, incident.id)
    if existing is not None:
        if existing.type == body.type:
            return existing, False
        raise Conflict(f"incident {incident.number} is in repeat case {existing.number} already")
    owner = body.owner or ctx.by.username
    check_owner(ctx, owner, incident.jurisdiction_path)
    tier = body.tier or rules.types[body.type].tier
    case = _open(
        ctx,
        [incident],
        type_code=body.type,
        tier=tier,
        owner=owner,
        how=OpenedHow.HAND,
        reason=body.reason,
    )
    return case, True


def open_by_rule(ctx: Ctx, proposal: rules_of.Proposal, *, owner: str | None = None) -> RepeatCase:
    """Open the case a `should_open` proposal describes (the repeat detection calls this in
    the unit of work that linked the incidents). Incidents already in a case join that case
    instead of opening another; the earliest incident gives the case its number and station.
    Its owner, until a person names one, is whoever the detection acts as."""
    incidents = list(
        ctx.session.scalars(
            select(Incident)
            .where(Incident.number.in_(proposal.incidents))
            .order_by(Incident.received_at, Incident.id)
        )
    )
    if not incidents:
        raise InvalidInput("incidents", "the proposal names no known incident")
    for incident in incidents:
        existing = case_of_incident(ctx.session, incident.id)
        if existing is not None:
            for other in incidents:
                if case_of_incident(ctx.session, other.id) is None:
                    attach(ctx, existing, other, "", rule=proposal.why)
            return existing
    case = _open(
        ctx,
        incidents,
        type_code=proposal.type,
        tier=proposal.tier,
        owner=owner or ctx.by.username,
        how=OpenedHow.RULE,
        reason="",
        rule=proposal.why,
    )
    if proposal.extreme:
        escalate(ctx, case, "", [], cause="rule")
    return case


def attach(
    ctx: Ctx,
    case: RepeatCase,
    incident: Incident,
    reason: str,
    *,
    via: str | None = None,
    rule: dict[str, object] | None = None,
) -> bool:
    """Link `incident` to `case` (再次报警); a solved or reported case comes back to open, with
    its step due again. False when it was linked already (a retry). `reason` is what a person
    typed; the detection names instead the earlier incident it repeats (`via`), the rules the
    rule that fired (`rule`): data, said in the reader's language on screen."""
    existing = case_of_incident(ctx.session, incident.id)
    if existing is not None:
        if existing.id == case.id:
            return False
        raise Conflict(f"incident {incident.number} is in repeat case {existing.number} already")
    before = case.status
    case.status = decide(before, CaseAction.RECUR)
    _link(ctx, case, incident, reason)
    payload: dict[str, object] = {"incident": incident.number, "reason": reason}
    payload["from"] = before.value
    if via is not None:
        payload["via"] = via
    if rule is not None:
        payload["rule"] = rule
    journal(ctx, case, "incident_linked", payload)
    if before is not CaseStatus.OPEN:
        _reopen(ctx, case, before, "incident", incident.number)
    rules = rules_of.in_force(ctx)
    if incident.category_code in rules.opening.extreme_categories:
        escalate(ctx, case, "", [], cause="incident", incident=incident.number)
    ctx.session.flush()
    return True


def _reopen(
    ctx: Ctx, case: RepeatCase, before: CaseStatus, cause: str, incident: str | None = None
) -> None:
    """A reported case's report is void; a solved one reopens, its steps due again. `cause`:
    "incident" (a new one linked, named) or "threat"."""
    if before is CaseStatus.SOLVED:
        case.reopened += 1
        case.solved_at, case.solved_by = None, None
        kind, due_at = rules_of.first_step(rules_of.in_force(ctx), case.tier, ctx.at)
        start_step(ctx, case, kind, due_at)
    case.closing_report, case.reported_at, case.reported_by = None, None, None
    journal(
        ctx,
        case,
        "reopened" if before is CaseStatus.SOLVED else "report_voided",
        {
            "from": before.value,
            "cause": cause,
            **({"incident": incident} if incident is not None else {}),
            "step": case.step_kind,
            "step_due_at": _iso(case),
        },
    )


def _iso(case: RepeatCase) -> str | None:
    return case.step_due_at.isoformat() if case.step_due_at else None


def link_incident(ctx: Ctx, number: str, body: LinkIn) -> RepeatCase:
    """Link an incident of the same matter to the case, by hand."""
    ctx.by.require(Permission.REPEAT_CASE)
    case = get_case(ctx.session, number, by=ctx.by)
    incident = get_incident(ctx.session, body.incident, by=ctx.by)
    attach(ctx, case, incident, body.reason)
    return case


def district_of(session: Session, case: RepeatCase) -> Jurisdiction:
    """The district above the case's station (or the nearest level that exists)."""
    place = session.get(Jurisdiction, case.jurisdiction_code)
    assert place is not None
    while place.level is Level.STATION and place.parent_code is not None:
        parent = session.get(Jurisdiction, place.parent_code)
        assert parent is not None
        place = parent
    return place


def escalate(
    ctx: Ctx,
    case: RepeatCase,
    note: str,
    persons: Sequence[Persons],
    *,
    cause: str = "hand",
    incident: str | None = None,
) -> list[int]:
    """扬言极端: tier A with its visit due now, the district's desk told at once, each person
    named flagged; a solved case reopens. Returns the flags set. `note` is what a person typed;
    `cause` says who raised it: "hand", "incident" (a linked incident of an extreme category,
    named) or "rule" (a threat among the calls a case was opened from)."""
    rules = rules_of.in_force(ctx)
    before = case.status
    case.status = decide(before, CaseAction.THREAT)
    if before is not CaseStatus.OPEN:
        _reopen(ctx, case, before, "threat")
    tier_before = case.tier
    case.tier, case.extreme_at = "A", ctx.at
    if tier_before != "A" or case.step_kind is None:
        kind, due_at = rules_of.first_step(rules, "A", ctx.at)
        start_step(ctx, case, kind, due_at)
    expires = ctx.at + timedelta(days=rules.extreme_flag_days) if rules.extreme_flag_days else None
    flags = [
        set_flag(
            ctx,
            subject=FlagSubject.PERSON,
            kind=rules.extreme_flag_kind,
            reason=f"重复警情 {case.number} 扬言极端",
            person=person,
            expires_at=expires,
        ).id
        for person in persons
    ]
    district = district_of(ctx.session, case)
    # The notice names no person: the case page shows them to those whose duty it is.
    ctx.session.add(
        Notification.to(
            district,
            kind="repeat_extreme",
            message=f"重复警情扬言极端：{case.number} 已升为A级，请分局立即督导稳控",
            at=ctx.at,
            incident_id=case.origin_incident_id,
        )
    )
    journal(
        ctx,
        case,
        "threat",
        {
            "note": note,
            "cause": cause,
            **({"incident": incident} if incident is not None else {}),
            "tier_from": tier_before,
            "tier": "A",
            "district": district.code,
            "flags": flags,
            "step": case.step_kind,
            "step_due_at": _iso(case),
        },
    )
    ctx.session.flush()
    return flags


def record_threat(ctx: Ctx, number: str, body: ThreatIn) -> RepeatCase:
    """扬言极端 recorded on a case by hand."""
    ctx.by.require(Permission.REPEAT_CASE)
    case = get_case(ctx.session, number, by=ctx.by)
    persons = [
        Persons(
            phone=p.phone,
            id_number=p.id_number.upper() if p.id_number else None,
            name=p.name or None,
        )
        for p in body.persons
    ]
    for index, person in enumerate(persons):
        if not person:
            raise InvalidInput(
                ["persons", str(index)], "name a phone, an ID number or a name", code="person"
            )
    escalate(ctx, case, body.note, persons)
    return case
