"""The SMS survey (短信回访): a set time after close, where a centre configures a gateway, the
caller gets one text through the outbox's "sms" channel; a reply of one digit records the
callback, any other reply is kept for the 回访员 to read. No reply: the call stays in the
phone queue, as it was.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from cad110.callbacks import rules as cb_rules
from cad110.db.engine import transaction
from cad110.incidents.actions import perform
from cad110.incidents.schemas import CallbackBody
from cad110.kernel.context import Ctx
from cad110.kernel.outbox import enqueue
from cad110.kernel.runtime import Runtime
from cad110.lifecycles.incident import Action, Status
from cad110.models.callbacks import CallbackDue
from cad110.models.incident import Incident
from cad110.models.subjects import SubjectType
from cad110.sms.facts import SmsReplied
from cad110.sms.gateway import CHANNEL

SURVEY = "callback_survey"  # the outbox kind of a survey text
BATCH = 200


def survey_text(rules: cb_rules.CallbackRules, closed_local: datetime) -> str:
    return rules.survey_text.replace("{date}", f"{closed_local.month}月{closed_local.day}日")


def send_due_surveys(ctx: Ctx) -> int:
    """Queue a survey text for each callback past the survey delay with none sent yet; each
    incident once (a conditional UPDATE claims it), never for a category the rules exclude."""
    rules = cb_rules.in_force(ctx)
    rows = ctx.session.execute(
        select(CallbackDue, Incident)
        .join(Incident, Incident.id == CallbackDue.incident_id)
        .where(
            CallbackDue.done_at.is_(None),
            CallbackDue.survey_sent_at.is_(None),
            CallbackDue.closed_at <= ctx.at - rules.survey_after,
            Incident.status == Status.CLOSED,
            Incident.caller_phone.is_not(None),
            Incident.caller_phone != "",
        )
        .order_by(CallbackDue.closed_at)
        .limit(BATCH)
    ).all()
    sent = 0
    for due, incident in rows:
        if incident.category_code in rules.excluded:
            continue  # excluded after the close put it in the queue (the rules changed)
        claimed = ctx.session.execute(
            update(CallbackDue)
            .where(CallbackDue.incident_id == due.incident_id, CallbackDue.survey_sent_at.is_(None))
            .values(survey_sent_at=ctx.at, version=CallbackDue.version + 1)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            continue
        text = survey_text(rules, due.closed_at.astimezone(ctx.tz))
        message = enqueue(
            ctx,
            SubjectType.INCIDENT,
            incident.number,
            CHANNEL,
            SURVEY,
            {"phone": incident.caller_phone, "text": text},
            ref=f"callback:{incident.number}",
        )
        ctx.session.flush()
        ctx.session.execute(
            update(CallbackDue)
            .where(CallbackDue.incident_id == due.incident_id)
            .values(survey_outbox_id=message.id)
            .execution_options(synchronize_session=False)
        )
        ctx.record(SubjectType.INCIDENT, incident.number, "callback_survey_sent", {})
        sent += 1
    return sent


def _surveyed(ctx: Ctx, fact: SmsReplied) -> tuple[CallbackDue, Incident] | None:
    """The callback a reply answers: the survey it names, else the last one sent to that
    number still waiting (a gateway that cannot tell which message a reply answers)."""
    stmt = select(CallbackDue, Incident).join(Incident, Incident.id == CallbackDue.incident_id)
    if fact.answering is not None:
        if fact.answering.kind != SURVEY:
            return None  # another package's message
        stmt = stmt.where(CallbackDue.survey_outbox_id == fact.answering.id)
    elif fact.phone:
        stmt = stmt.where(
            Incident.caller_phone == fact.phone,
            CallbackDue.survey_sent_at.is_not(None),
            CallbackDue.done_at.is_(None),
        ).order_by(CallbackDue.survey_sent_at.desc())
    else:
        return None
    found = ctx.session.execute(stmt.limit(1)).first()
    return (found[0], found[1]) if found is not None else None


def record_survey_reply(ctx: Ctx, fact: SmsReplied) -> None:
    """A reply 1–3 records the callback (once: a later reply only is kept); 4 (请回电) and
    any other words are kept on the queue for a person to read and call."""
    found = _surveyed(ctx, fact)
    if found is None:
        return
    due, incident = found
    meaning = cb_rules.survey_answer(fact.text)
    if meaning is not None and meaning != "call_me" and incident.status is Status.CLOSED:
        body = CallbackBody(satisfaction=meaning, note=f"短信回复：{fact.text.strip()[:20]}")
        perform(ctx, incident, Action.CALLBACK, body)
        return
    due.survey_reply, due.survey_replied_at = fact.text[:500], fact.at
    due.version += 1
    ctx.record(SubjectType.INCIDENT, incident.number, "callback_survey_reply", {"text": fact.text})


class SurveyJob:
    """The tick's share: survey texts due, where a gateway is configured (else none is sent,
    and the callbacks stay with the phone queue alone)."""

    name = "callback survey"

    def run(self, rt: Runtime, now: datetime) -> str | None:
        if not rt.settings.sms_gateway_url:
            return None
        with transaction(rt.sessions) as session:
            sent = send_due_surveys(rt.system_ctx(session, now))
        return f"{sent} survey texts" if sent else None
