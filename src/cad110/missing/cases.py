"""Opening and keeping a missing-person case: the record, its journal, rules and approvals.

Every change appends to the case's journal (the event log, subject `missing_case`) in the same
transaction; the journal is append-only like every other event.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from cad110.auth.permissions import Permission
from cad110.errors import Conflict, InvalidInput, NotFound
from cad110.incidents.repository import get_incident
from cad110.jurisdictions.roster import duty_leader, today
from cad110.kernel.context import Ctx
from cad110.missing import rules as risk
from cad110.missing.journal import journal, notify, station_of
from cad110.missing.matching import link_duplicates, watch_clusters
from cad110.missing.repository import case_of_incident, get_case
from cad110.missing.schemas import CaseOpen, CaseUpdate, InformantIn, LastSeenIn, PersonIn
from cad110.models.incident import Incident
from cad110.models.missing import (
    CaseCallback,
    CaseRequest,
    CaseStatus,
    HandlingUnit,
    MissingCase,
    RequestKind,
    RequestState,
    RuleFiring,
)
from cad110.models.subjects import SubjectType
from cad110.models.supervision import Deadline, Step
from cad110.models.user import Role, User


def _age(person: PersonIn, last_seen: LastSeenIn) -> int | None:
    if person.birth_date is None:
        return person.age
    computed = risk.age_on(person.birth_date, last_seen.at.date())
    if computed < 0:
        raise InvalidInput(["person", "birth_date"], "the birth date is after the time last seen")
    if person.age is not None and abs(person.age - computed) > 1:
        raise InvalidInput(
            ["person", "age"], f"age {person.age} does not match the birth date (≈{computed})"
        )
    return computed


def _check_user(ctx: Ctx, username: str | None, field: str, roles: set[Role]) -> None:
    if username is None:
        return
    user = ctx.session.scalars(select(User).where(User.username == username)).one_or_none()
    if user is None or not user.active or user.role not in roles:
        names = "/".join(sorted(r.value for r in roles))
        raise InvalidInput(field, f"{username} is not an active {names} account")


def _set_person(case: MissingCase, person: PersonIn, last_seen: LastSeenIn) -> None:
    case.name = person.name
    case.sex = person.sex
    case.birth_date = person.birth_date
    case.age = _age(person, last_seen)
    case.id_number = person.id_number.upper() if person.id_number else None
    case.phone = person.phone
    case.school_or_work = person.school_or_work or None
    case.school_key = risk.place_key(person.school_or_work)
    case.home_address = person.home_address or None
    case.conditions = [str(c) for c in dict.fromkeys(person.conditions)]
    case.signs = [str(s) for s in dict.fromkeys(person.signs)]
    case.details = person.details.model_dump(mode="json", exclude_defaults=True)


def _set_informant(case: MissingCase, informant: InformantIn) -> None:
    case.informant_name = informant.name
    case.informant_phone = informant.phone
    case.informant_relation = informant.relation


def _set_last_seen(case: MissingCase, last_seen: LastSeenIn, now: datetime) -> None:
    if last_seen.at > now + timedelta(minutes=5):
        raise InvalidInput(["last_seen", "at"], "the time last seen is in the future")
    case.last_seen_at = last_seen.at.astimezone(UTC)
    case.last_seen_place = last_seen.place
    case.last_seen_lon = last_seen.lon
    case.last_seen_lat = last_seen.lat


def person_facts(case: MissingCase) -> risk.Person:
    return risk.Person(
        sex=case.sex.value,
        age=case.age,
        conditions=tuple(case.conditions),
        signs=tuple(case.signs),
        last_seen_at=case.last_seen_at,
    )


def open_case(ctx: Ctx, body: CaseOpen) -> tuple[MissingCase, bool]:
    """Open the case of an incident; (case, created). A retried request returns the same case."""
    ctx.by.require(Permission.MISSING)
    incident = get_incident(ctx.session, body.incident, by=ctx.by)
    existing = case_of_incident(ctx.session, incident.id)
    if existing is not None:
        if existing.name == body.person.name and existing.last_seen_at == body.last_seen.at:
            return existing, False
        raise Conflict(f"incident {incident.number} already has case {existing.number}")
    category = ctx.catalog.get(incident.category_code) if incident.category_code else None
    if not (category is not None and category.missing_person) and not body.from_callback:
        raise InvalidInput(
            "incident",
            f"incident {incident.number} is not of a missing-person category; "
            "set from_callback when a callback revealed the person missing",
        )
    _check_user(ctx, body.leader, "leader", {Role.LEADER})
    _check_user(
        ctx, body.case_officer, "case_officer", {Role.OFFICER, Role.DISPATCHER, Role.LEADER}
    )
    _check_user(
        ctx, body.first_officer, "first_officer", {Role.OFFICER, Role.DISPATCHER, Role.CALLTAKER}
    )
    case = MissingCase(
        number=f"XR-{incident.number}",
        incident_id=incident.id,
        jurisdiction_code=incident.jurisdiction_code,
        jurisdiction_path=incident.jurisdiction_path,
        grid_code=incident.grid_code,
        status=CaseStatus.OPEN,
        grade=1,
        handling_unit=HandlingUnit.STATION,
        urgent=False,
        first_station_code=incident.jurisdiction_code,
        first_officer=body.first_officer or ctx.by.username,
        # Nobody named: the station's duty leader of the day (值班表) is the 包干领导.
        leader=body.leader or duty_leader(ctx.session, incident.jurisdiction_code, today(ctx)),
        case_officer=body.case_officer,
        opened_at=ctx.at,
        opened_by=ctx.by.username,
    )
    _set_last_seen(case, body.last_seen, ctx.at)
    _set_person(case, body.person, body.last_seen)
    _set_informant(case, body.informant)
    ctx.session.add(case)
    ctx.session.flush()
    opened = {**body.model_dump(mode="json"), "number": case.number}
    # The journal names who was made responsible, also where the roster or the opener filled it.
    opened |= {"first_officer": case.first_officer, "leader": case.leader}
    journal(ctx, case, "opened", opened)
    ctx.record(SubjectType.INCIDENT, incident.number, "missing_case_opened", {"case": case.number})
    _schedule_callbacks(ctx, case)
    link_duplicates(ctx, case)
    watch_clusters(ctx, case)
    apply_firings(ctx, case, risk.on_opening(person_facts(case), risk.in_force(ctx)))
    return case, True


def _schedule_callbacks(ctx: Ctx, case: MissingCase) -> None:
    """Callbacks at 24 h, 3 d, 7 d…; each a deadline the supervision loop watches."""
    rules = risk.in_force(ctx)
    for seq, label, due in risk.callback_plan(case.opened_at, rules):
        deadline = Deadline(
            incident_id=case.incident_id,
            unit_code=None,
            step=Step.CASE_CALLBACK,
            due_at=due + rules.callback_grace,
            created_at=ctx.at,
        )
        ctx.session.add(deadline)
        ctx.session.flush()
        ctx.session.add(
            CaseCallback(case_id=case.id, seq=seq, label=label, due_at=due, deadline_id=deadline.id)
        )


def set_grade(
    ctx: Ctx, case: MissingCase, grade: int, reason: str, rule: str | None = None
) -> None:
    """A new case grade; 2 and 3 put criminal investigation (刑侦) in charge. `rule`, where a
    rule's firing gave the reason, lets a screen say that reason in the reader's language."""
    before = (case.grade, case.handling_unit)
    case.grade = grade
    case.handling_unit = HandlingUnit.STATION if grade == 1 else HandlingUnit.CRIMINAL
    if before != (case.grade, case.handling_unit):
        journal(
            ctx,
            case,
            "grade_changed",
            {
                "from": before[0],
                "to": grade,
                "handling_unit": case.handling_unit.value,
                "reason": reason,
                **({"rule": rule} if rule else {}),
            },
        )


def _raise_incident_grade(ctx: Ctx, case: MissingCase, reason: str) -> None:
    incident = ctx.session.get(Incident, case.incident_id)
    assert incident is not None
    if incident.grade is None or incident.grade > 1:
        ctx.record(
            SubjectType.INCIDENT,
            incident.number,
            "grade_raised",
            {"from": incident.grade, "to": 1, "reason": reason},
        )
        incident.grade = 1


def apply_firings(ctx: Ctx, case: MissingCase, firings: list[risk.Firing]) -> list[risk.Firing]:
    """Record each rule that fires for the first time and carry out its effect."""
    done = set(ctx.session.scalars(select(RuleFiring.rule).where(RuleFiring.case_id == case.id)))
    fresh = [f for f in firings if f.rule not in done]
    rules = risk.in_force(ctx)
    for firing in fresh:
        ctx.session.add(
            RuleFiring(
                case_id=case.id,
                rule=firing.rule,
                reason=firing.reason,
                params=firing.params,
                fired_at=ctx.at,
            )
        )
        journal(
            ctx,
            case,
            "rule_fired",
            {
                "rule": firing.rule,
                "effect": firing.effect.value,
                "reason": firing.reason,
                "params": firing.params,
            },
        )
        if firing.effect is risk.Effect.CRIMINAL_CASE:
            if case.criminal_case_at is None:
                case.criminal_case_at = ctx.at
            if case.grade < rules.criminal_min_grade:
                set_grade(ctx, case, rules.criminal_min_grade, firing.reason, firing.rule)
        elif firing.effect is risk.Effect.URGENT:
            case.urgent = True
            _raise_incident_grade(ctx, case, firing.reason)
        elif firing.effect is risk.Effect.REQUEST_TRANSFER:
            request(
                ctx,
                case,
                RequestKind.TRANSFER_CRIMINAL,
                rules.victim_grade,
                firing.reason,
                firing.rule,
            )
        elif firing.effect is risk.Effect.REVIEW:
            notify(
                ctx.session,
                station_of(ctx.session, case),
                case,
                "missing_review",
                f"寻人：{case.number}（{case.name}）{firing.reason}",
                ctx.at,
            )
    ctx.session.flush()
    return fresh


def request(
    ctx: Ctx, case: MissingCase, kind: RequestKind, grade: int | None, reason: str, rule: str | None
) -> CaseRequest:
    """A change that waits for a leader; the station's desk is told."""
    pending = ctx.session.scalars(
        select(CaseRequest).where(
            CaseRequest.case_id == case.id,
            CaseRequest.kind == kind,
            CaseRequest.state == RequestState.PENDING,
        )
    ).first()
    if pending is not None and kind is RequestKind.TRANSFER_CRIMINAL:
        return pending  # one transfer request at a time; later triggers are in the journal
    row = CaseRequest(
        case_id=case.id,
        kind=kind,
        grade=grade,
        reason=reason,
        rule=rule,
        state=RequestState.PENDING,
        requested_at=ctx.at,
        requested_by=ctx.by.username,
    )
    ctx.session.add(row)
    ctx.session.flush()
    journal(
        ctx,
        case,
        "request_raised",
        {
            "request": row.id,
            "kind": kind.value,
            "grade": grade,
            "reason": reason,
            **({"rule": rule} if rule else {}),
        },
    )
    what = "移交刑侦" if kind is RequestKind.TRANSFER_CRIMINAL else f"调整为{grade}级"
    notify(
        ctx.session,
        station_of(ctx.session, case),
        case,
        "missing_request",
        f"寻人：{case.number}（{case.name}）待领导审批{what}：{reason}",
        ctx.at,
    )
    return row


def request_grade(ctx: Ctx, number: str, grade: int, reason: str) -> CaseRequest:
    ctx.by.require(Permission.MISSING)
    case = get_case(ctx, number)
    _require_open(case)
    if grade == case.grade:
        raise InvalidInput("grade", f"the case is already grade {grade}")
    return request(ctx, case, RequestKind.GRADE_CHANGE, grade, reason, None)


def decide(ctx: Ctx, number: str, request_id: int, approve: bool, comment: str) -> CaseRequest:
    """A leader approves or rejects a pending request; approval takes effect at once."""
    ctx.by.require(Permission.APPROVE)
    case = get_case(ctx, number)
    row = ctx.session.get(CaseRequest, request_id)
    if row is None or row.case_id != case.id:
        raise NotFound(f"request {request_id} not found on case {number}")
    if row.state is not RequestState.PENDING:
        raise Conflict(f"request {request_id} was already {row.state.value}")
    if approve:
        _require_open(case)
    row.state = RequestState.APPROVED if approve else RequestState.REJECTED
    row.decided_at, row.decided_by, row.comment = ctx.at, ctx.by.username, comment
    journal(
        ctx,
        case,
        "request_decided",
        {"request": row.id, "kind": row.kind.value, "approved": approve, "comment": comment},
    )
    if approve:
        assert row.grade is not None
        if row.kind is RequestKind.TRANSFER_CRIMINAL:
            case.investigation_at = case.investigation_at or ctx.at
            set_grade(ctx, case, max(case.grade, row.grade), row.reason, row.rule)
        else:
            set_grade(ctx, case, row.grade, row.reason, row.rule)
    ctx.session.flush()
    return row


def _require_open(case: MissingCase) -> None:
    if case.status is not CaseStatus.OPEN:
        raise Conflict(f"case {case.number} is closed")


def update_case(ctx: Ctx, number: str, body: CaseUpdate) -> MissingCase:
    """Correct or add to the record; the rules are checked again on the new facts."""
    ctx.by.require(Permission.MISSING)
    case = get_case(ctx, number)
    _require_open(case)
    _check_user(ctx, body.leader, "leader", {Role.LEADER})
    _check_user(
        ctx, body.case_officer, "case_officer", {Role.OFFICER, Role.DISPATCHER, Role.LEADER}
    )
    last_seen = body.last_seen or LastSeenIn(
        at=case.last_seen_at,
        place=case.last_seen_place,
        lon=case.last_seen_lon,
        lat=case.last_seen_lat,
    )
    if body.last_seen is not None:
        _set_last_seen(case, body.last_seen, ctx.at)
    if body.person is not None:
        _set_person(case, body.person, last_seen)
    if body.informant is not None:
        _set_informant(case, body.informant)
    if body.leader is not None:
        case.leader = body.leader
    if body.case_officer is not None:
        case.case_officer = body.case_officer
    journal(ctx, case, "record_updated", body.model_dump(mode="json", exclude_none=True))
    apply_firings(ctx, case, risk.on_opening(person_facts(case), risk.in_force(ctx)))
    return case


def add_note(ctx: Ctx, number: str, text: str) -> MissingCase:
    ctx.by.require(Permission.MISSING)
    case = get_case(ctx, number)
    journal(ctx, case, "note", {"text": text})
    return case
