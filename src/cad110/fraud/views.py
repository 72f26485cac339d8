"""Warnings → what the API shows, batched (one query per kind). Personal data is masked
unless the caller says the reader sees this warning in full (privacy/policy.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from cad110.fraud import repository as repo
from cad110.fraud.ladder import warning_ref
from cad110.fraud.rules import FraudRules, age_on
from cad110.fraud.schemas import FreezeOut, HistoryOut, StepOut, WarningOut, yuan
from cad110.kernel.people import display_names
from cad110.models.fraud import FraudWarning
from cad110.privacy.masking import mask


def _reasons(p: dict[str, object]) -> list[str]:
    found = p.get("reasons")
    if isinstance(found, list):
        return [str(r) for r in found]
    # A step pushed or overdue says which (sms, call, visit).
    return [str(p[k]) for k in ("outcome", "result", "status", "centre", "kind") if p.get(k)]


def warnings_out(
    session: Session,
    warnings: list[FraudWarning],
    rules: FraudRules,
    now: datetime,
    *,
    full: bool = False,
) -> list[WarningOut]:
    ids = [w.id for w in warnings]
    steps, freezes = repo.steps(session, ids), repo.freezes(session, ids)
    history = repo.histories(session, ids)
    names = display_names(session, [e.actor for events in history.values() for e in events])
    incident_ids = {w.incident_id for w in warnings if w.incident_id}
    incident_ids |= {s.incident_id for ss in steps.values() for s in ss if s.incident_id}
    numbers = repo.incident_numbers(session, incident_ids)
    out = []
    for w in warnings:
        kind = rules.type_of(w.fraud_type)
        out.append(
            WarningOut(
                number=warning_ref(w.id),
                kind=w.kind,
                source=w.source,
                fraud_type=w.fraud_type,
                fraud_type_zh=kind.zh,
                fraud_type_en=kind.en,
                level=w.level.value,
                level_zh=rules.levels[w.level].zh,
                level_en=rules.levels[w.level].en,
                status=w.status.value,
                phone=w.phone if full else mask("phone", w.phone) or "",
                name=w.name if full else mask("name", w.name),
                id_number=w.id_number if full else mask("id_number", w.id_number),
                age=age_on(w.id_number, now.date()),
                address=w.address,
                lon=w.lon,
                lat=w.lat,
                jurisdiction=w.jurisdiction_code,
                amount_at_risk=yuan(w.amount_at_risk_fen),
                score=w.score,
                signals=w.signals,
                created_at=w.created_at,
                next_step_at=w.next_step_at,
                incident=numbers.get(w.incident_id) if w.incident_id else None,
                outcome=w.outcome.value if w.outcome else None,
                amount_protected=yuan(w.amount_protected_fen),
                amount_lost=yuan(w.amount_lost_fen),
                closed_at=w.closed_at,
                script=kind.script,
                steps=[
                    StepOut(
                        id=s.id,
                        kind=s.kind.value,
                        level=s.level.value,
                        state=s.state.value,
                        started_at=s.started_at,
                        due_at=s.due_at,
                        ended_at=s.ended_at,
                        task_id=s.task_id,
                        incident=numbers.get(s.incident_id) if s.incident_id else None,
                    )
                    for s in steps[w.id]
                ],
                freezes=[
                    FreezeOut(
                        request_id=f.request_id,
                        bank=f.bank,
                        amount=yuan(f.amount_fen) or "0.00",
                        paid_at=f.paid_at,
                        status=f.status.value,
                        frozen_amount=yuan(f.frozen_fen),
                    )
                    for f in freezes[w.id]
                ],
                history=[
                    HistoryOut(
                        seq=e.seq,
                        at=e.occurred_at,
                        kind=e.kind,
                        actor=e.actor,
                        actor_name=names.get(e.actor, e.actor),
                        reasons=_reasons(repo.payload(e)),
                    )
                    for e in history[w.id]
                ],
            )
        )
    return out
