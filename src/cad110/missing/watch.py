"""The missing-person tick: rules that fire with time, callback reminders, widening appeals.

Run by the supervision loop in the same transaction as its own tick; every change is
conditional or guarded by a unique row, so two workers ticking at once do each thing once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, exists, or_, select

from cad110.db.engine import transaction
from cad110.kernel.context import Ctx
from cad110.kernel.runtime import Runtime
from cad110.lifecycles.incident import ENDED_EARLY
from cad110.missing import rules as risk
from cad110.missing.cases import apply_firings, person_facts
from cad110.missing.ledger import remind_due
from cad110.missing.repository import OPEN_CASE
from cad110.missing.search import widen_appeals
from cad110.models.incident import Incident
from cad110.models.missing import Appeal, AppealState, MissingCase, RuleFiring


@dataclass(frozen=True)
class WatchReport:
    fired: int
    reminded: int
    widened: int


class WatchJob:
    """The tick's share: rules that fire with time, reminders, widening appeals, acting as
    the system (journalled as "system")."""

    name = "missing persons"

    def run(self, rt: Runtime, now: datetime) -> str | None:
        with transaction(rt.sessions) as session:
            report = tick(rt.system_ctx(session, now))
        return str(report) if report.fired or report.reminded or report.widened else None


def _not_fired(rule: str) -> ColumnElement[bool]:
    return ~exists().where(RuleFiring.case_id == MissingCase.id, RuleFiring.rule == rule)


def tick(ctx: Ctx) -> WatchReport:
    """Only what is due is loaded: a case whose time rules have fired, or whose appeals
    already reach their widest, costs the tick nothing however long it stays open."""
    rules = risk.in_force(ctx)
    child_since = ctx.at - timedelta(hours=rules.victim_child_hours)
    unexplained_since = ctx.at - timedelta(days=rules.unexplained_days)
    candidates = ctx.session.scalars(
        select(MissingCase).where(
            OPEN_CASE,
            or_(
                (MissingCase.age < rules.victim_child_under)
                & (MissingCase.last_seen_at <= child_since)
                & _not_fired(risk.CHILD_48H),
                (MissingCase.opened_at <= unexplained_since) & _not_fired(risk.UNEXPLAINED),
            ),
        )
    ).all()
    fired = 0
    for case in candidates:
        fired += len(
            apply_firings(
                ctx, case, risk.on_time(person_facts(case), case.opened_at, ctx.at, rules)
            )
        )
    ended = ctx.session.execute(
        select(MissingCase, Incident.status)
        .join(Incident, Incident.id == MissingCase.incident_id)
        .where(
            OPEN_CASE,
            Incident.status.in_(list(ENDED_EARLY)),
            _not_fired(risk.INCIDENT_ENDED),
        )
    ).all()
    for case, status in ended:
        fired += len(apply_firings(ctx, case, [risk.on_incident_ended(status.value)]))
    reminded = remind_due(ctx)
    widened = 0
    widest = rules.appeal_radius[-1][1]
    growing = select(Appeal.case_id).where(
        Appeal.state == AppealState.ACTIVE, Appeal.radius_km < widest
    )
    with_appeals = ctx.session.scalars(select(MissingCase).where(MissingCase.id.in_(growing))).all()
    for case in with_appeals:
        widened += widen_appeals(ctx, case)
    ctx.session.flush()
    return WatchReport(fired=fired, reminded=reminded, widened=widened)
