"""The warning feed: each warning a platform posts, graded and put on its ladder, once.

A warning is kept once by (source, warning_id) (`fraud_signals`): the same pair again is
answered as before and changes nothing (kernel/received.py takes two racing deliveries once).
A signal for a person whose warning is still open joins it and climbs its level at once (a new
signal while one is open means the earlier steps did not stop it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from cad110.auth.principal import Principal
from cad110.errors import InvalidInput, NotFound
from cad110.fraud import ladder
from cad110.fraud import rules as fr
from cad110.fraud.schemas import WarningAnswer, WarningIn, fen, yuan
from cad110.jurisdictions.lookup import geo_index
from cad110.kernel.context import Ctx
from cad110.models.fraud import (
    FraudSignal,
    FraudStep,
    FraudWarning,
    StepKind,
    StepState,
    WarningStatus,
)
from cad110.models.incident import Incident
from cad110.models.jurisdiction import Jurisdiction
from cad110.models.subjects import SubjectType
from cad110.models.user import Role

# Who the platforms' warnings are journalled as.
PLATFORM = Principal.acting_for("", username="fraud_platform", role=Role.ADMIN)


def receive_warning(ctx: Ctx, data: WarningIn) -> WarningAnswer:
    """Take one warning in: a new warning graded and on its ladder, a signal joining the
    person's open warning, or a replay answered as before."""
    known = ctx.session.scalar(
        select(FraudSignal).where(
            FraudSignal.source == data.source,
            FraudSignal.warning_id_at_source == data.warning_id,
        )
    )
    if known is not None:
        w = ctx.session.get(FraudWarning, known.fraud_warning_id)
        assert w is not None
        return WarningAnswer(warning=ladder.warning_ref(w.id), level=w.level.value, created=False)
    rules = fr.in_force(ctx)
    if data.fraud_type not in rules.types:
        raise InvalidInput(
            ("body", "fraud_type"),
            f"unknown fraud type {data.fraud_type}",
            code="unknown_fraud_type",
        )
    earlier = _earlier(ctx, data.phone, data.at - rules.repeat_within)
    open_one = next((w for w in earlier if w.status is WarningStatus.OPEN), None)
    signal = fr.Signal(
        kind=data.kind,
        fraud_type=data.fraud_type,
        amount_fen=fen(data.amount_at_risk),
        age=fr.age_on(data.id_number, data.at.astimezone(ctx.tz).date()),
        score=data.score,
        repeat=bool(earlier),
        ignored=_ignored(ctx, [w.id for w in earlier]),
    )
    graded = fr.grade(rules, signal)
    if open_one is not None:
        _join(ctx, rules, open_one, data, graded)
        return WarningAnswer(
            warning=ladder.warning_ref(open_one.id), level=open_one.level.value, created=False
        )
    w = _open(ctx, rules, data, graded, signal)
    return WarningAnswer(warning=ladder.warning_ref(w.id), level=w.level.value, created=True)


def _earlier(ctx: Ctx, phone: str, since: datetime) -> list[FraudWarning]:
    """The person's warnings still open or made since `since`, newest first."""
    return list(
        ctx.session.scalars(
            select(FraudWarning)
            .where(
                FraudWarning.phone == phone,
                (FraudWarning.status == WarningStatus.OPEN) | (FraudWarning.created_at >= since),
            )
            .order_by(FraudWarning.created_at.desc(), FraudWarning.id.desc())
        )
    )


def _ignored(ctx: Ctx, warning_ids: list[int]) -> bool:
    """Whether the person was reached already (an SMS sent, a call answered)."""
    if not warning_ids:
        return False
    return (
        ctx.session.scalar(
            select(FraudStep.id)
            .where(
                FraudStep.fraud_warning_id.in_(warning_ids),
                FraudStep.kind.in_([StepKind.SMS, StepKind.CALL]),
                FraudStep.state == StepState.DONE,
            )
            .limit(1)
        )
        is not None
    )


def _signal_row(w: FraudWarning, data: WarningIn, at: datetime) -> FraudSignal:
    return FraudSignal(
        source=data.source,
        warning_id_at_source=data.warning_id,
        fraud_warning_id=w.id,
        kind=data.kind,
        fraud_type=data.fraud_type,
        amount_at_risk_fen=fen(data.amount_at_risk),
        score=data.score,
        occurred_at=data.at,
        received_at=at,
        level=w.level,
    )


def _place(ctx: Ctx, data: WarningIn) -> tuple[str, str]:
    """The station whose ground the person is on, or the centre when the platform gave no
    point (the desk places it)."""
    if data.lon is not None and data.lat is not None:
        found = geo_index(ctx.session).locate(data.lon, data.lat)
        if found is not None:
            return found.jurisdiction_code, found.jurisdiction_path
    root = ctx.session.scalars(
        select(Jurisdiction).where(Jurisdiction.parent_code.is_(None)).order_by(Jurisdiction.code)
    ).first()
    if root is None:
        raise NotFound("no jurisdiction to receive the warning")
    return root.code, root.path


def _open(
    ctx: Ctx, rules: fr.FraudRules, data: WarningIn, graded: fr.Graded, signal: fr.Signal
) -> FraudWarning:
    code, path = _place(ctx, data)
    w = FraudWarning(
        source=data.source,
        kind=data.kind,
        fraud_type=data.fraud_type,
        phone=data.phone,
        name=data.name or None,
        id_number=data.id_number,
        address=data.address or None,
        lon=data.lon,
        lat=data.lat,
        jurisdiction_code=code,
        jurisdiction_path=path,
        amount_at_risk_fen=signal.amount_fen,
        score=data.score,
        level=graded.level,
        status=WarningStatus.OPEN,
        signals=1,
        next_step=0,
        next_step_at=ctx.at,
        created_at=ctx.at,
        updated_at=ctx.at,
        outcome_note="",
    )
    ctx.session.add(w)
    ctx.session.flush()
    ctx.session.add(_signal_row(w, data, ctx.at))
    ctx.session.flush()  # a racing delivery of the same warning collides here
    ladder.record(ctx, w, "warning_received", _received(data, graded, code), new=True)
    ladder.push_due(ctx, rules, w)
    return w


def _join(
    ctx: Ctx, rules: fr.FraudRules, w: FraudWarning, data: WarningIn, graded: fr.Graded
) -> None:
    w.signals += 1
    before = w.amount_at_risk_fen
    if w.amount_at_risk_fen is None or (fen(data.amount_at_risk) or 0) > w.amount_at_risk_fen:
        w.amount_at_risk_fen = fen(data.amount_at_risk) or w.amount_at_risk_fen
    if w.amount_at_risk_fen != before:
        _amount_raised(ctx, w, before)
    signal = _signal_row(w, data, ctx.at)
    ctx.session.add(signal)
    ctx.session.flush()  # a racing delivery of the same warning collides here
    ladder.record(ctx, w, "signal_joined", _received(data, graded, w.jurisdiction_code))
    ladder.climb(ctx, rules, w, ["new_signal", *graded.reasons[1:]], to=graded.level)
    signal.level = w.level


def _amount_raised(ctx: Ctx, w: FraudWarning, before: int | None) -> None:
    """A visit already opened said the amount first reported (its 警情描述, written once):
    its record is told the amount now at risk, which the visit's officer sees on the warning."""
    incident = ctx.session.get(Incident, w.incident_id) if w.incident_id is not None else None
    if incident is None:
        return
    ctx.record(
        SubjectType.INCIDENT,
        incident.number,
        "fraud_amount_raised",
        {
            "warning": ladder.warning_ref(w.id),
            "from": yuan(before),
            "to": yuan(w.amount_at_risk_fen),
        },
    )


def _received(data: WarningIn, graded: fr.Graded, place: str) -> dict[str, Any]:
    return {
        "source": data.source,
        "warning_id": data.warning_id,
        "kind": data.kind,
        "at": data.at.isoformat(),
        # Personal data under the keys privacy/masking.py masks when the log is read.
        "caller": {"phone": data.phone, "name": data.name, "id_number": data.id_number},
        "address": data.address,
        "lon": data.lon,
        "lat": data.lat,
        "jurisdiction": place,
        "fraud_type": data.fraud_type,
        "amount_at_risk": data.amount_at_risk,
        "score": data.score,
        "level": graded.level.value,
        "reasons": list(graded.reasons),
    }
