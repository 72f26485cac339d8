"""The ladder's clock: each tick pushes the steps that fell due and climbs the level of each
warning whose step was not done within its limit (a call task not answered, an officer not yet
there). Each change is guarded (the step's state moves only from pending, the warning carries
a version), so a missed tick catches up and two workers never do a thing twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from cad110.db.engine import transaction
from cad110.fraud import ladder
from cad110.fraud import rules as fr
from cad110.kernel.runtime import Runtime
from cad110.models.fraud import FraudStep, FraudWarning, StepState, WarningStatus

BATCH = 200


def run_ladder(rt: Runtime, now: datetime) -> tuple[int, int]:
    """(steps pushed, warnings climbed) at `now`."""
    pushed = climbed = 0
    with transaction(rt.sessions) as session:
        ctx = rt.system_ctx(session, now)
        rules = fr.in_force(ctx)
        overdue = session.scalars(
            select(FraudStep)
            .where(FraudStep.state == StepState.PENDING, FraudStep.due_at <= now)
            .order_by(FraudStep.due_at)
            .limit(BATCH)
        ).all()
        for step in overdue:
            w = session.get(FraudWarning, step.fraud_warning_id)
            assert w is not None
            step.state, step.ended_at = StepState.OVERDUE, now
            session.flush()
            if w.status is not WarningStatus.OPEN:
                continue
            ladder.record(
                ctx,
                w,
                "step_overdue",
                {"step": step.id, "kind": step.kind.value, "due_at": step.due_at.isoformat()}
                if step.due_at
                else {"step": step.id},
            )
            reason = f"{step.kind.value}_not_done_in_time"
            pushed += len(ladder.climb(ctx, rules, w, [reason], failed=step.kind))
            climbed += 1
        due = session.scalars(
            select(FraudWarning)
            .where(FraudWarning.status == WarningStatus.OPEN, FraudWarning.next_step_at <= now)
            .order_by(FraudWarning.next_step_at)
            .limit(BATCH)
        ).all()
        for w in due:
            pushed += len(ladder.push_due(ctx, rules, w))
    return pushed, climbed


class LadderJob:
    """The tick's share: anti-fraud steps due, and levels that climb for a step not done."""

    name = "fraud"

    def run(self, rt: Runtime, now: datetime) -> str | None:
        pushed, climbed = run_ladder(rt, now)
        if not pushed and not climbed:
            return None
        return f"{pushed} fraud steps pushed, {climbed} warnings climbed"
