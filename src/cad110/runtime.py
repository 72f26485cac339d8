"""The composition root: one place that assembles a running process from its packages.

`build_runtime` opens the database and wires, in order, what follows each fact a use case
announces (`subscribers`), the jobs of the background tick (`tick_jobs`) and each package's
configuration in force. Feature packages never import each other; they meet here.
"""

from __future__ import annotations

from pathlib import Path

from cad110.auth.cache import PrincipalCache
from cad110.auth.revocation import Revocations
from cad110.callbacks.rules import CallbackRules
from cad110.callbacks.rules import load_rules as load_callback_rules
from cad110.callbacks.service import due_when_closed, follow_callback
from cad110.callbacks.survey import SurveyJob, record_survey_reply
from cad110.catalog.loader import Catalog, default_catalog
from cad110.clock import Clock, SystemClock
from cad110.db.engine import make_engine, make_sessionmaker
from cad110.dispatch.assignments import move_assigned_units
from cad110.dispatch.briefing import brief_dispatched_units
from cad110.dispatch.queue import (
    follow_unit_status,
    offer_queue_to_freed_units,
    offer_when_queued,
    reoffer_when_relocated,
    withdraw_offers_when_no_longer_queued,
)
from cad110.dispatch.recommend import keep_recommendation
from cad110.events.keys import load_ring, use_ring
from cad110.fraud.platform import fraud_channels
from cad110.fraud.results import sms_not_delivered_climbs, visit_done_on_arrival
from cad110.fraud.rules import FraudRules
from cad110.fraud.rules import load_rules as load_fraud_rules
from cad110.fraud.supervise import LadderJob
from cad110.geo.eta import EtaModel, RoadEta, StraightLineEta
from cad110.geo.graph import RoadGraph
from cad110.incidents.facts import ActionDecided, CallRecorded, IncidentActed
from cad110.kernel.hooks import Hooks
from cad110.kernel.outbox import DeliveryJob, channels_from_settings
from cad110.kernel.runtime import Runtime
from cad110.kernel.ticks import CheckpointJob, Job
from cad110.missing.nearby import open_cases_near
from cad110.missing.rules import Rules, load_rules
from cad110.missing.watch import WatchJob
from cad110.places.known import Neighbours
from cad110.repeats.cases_rules import CaseRules
from cad110.repeats.cases_rules import load_rules as load_case_rules
from cad110.repeats.detect import link_new_incident, relink_when_relocated
from cad110.repeats.rules import RepeatRules
from cad110.repeats.rules import load_rules as load_repeat_rules
from cad110.settings import Settings
from cad110.sms.facts import SmsReceipt, SmsReplied
from cad110.sms.gateway import sms_channel
from cad110.stats.rollup_job import RollupJob
from cad110.stats.rules import StatsRules
from cad110.stats.rules import load_rules as load_stats_rules
from cad110.supervision.deadlines import follow_incident
from cad110.supervision.service import SupervisionJob
from cad110.telephony.service import link_call_record
from cad110.transfers.guard import confirm_before_12345
from cad110.transfers.platform import hotline_channel
from cad110.transfers.rules import TransferRules
from cad110.transfers.rules import load_rules as load_transfer_rules
from cad110.transfers.service import ticket_for_call, transfer_when_incident_transferred
from cad110.transfers.supervise import EscalationJob
from cad110.units.facts import UnitStatusChanged


def subscribers() -> Hooks:
    """What follows each fact, in the order it runs (in the transaction of the fact, so a
    refusal anywhere undoes the whole change).

    `ActionDecided` — an incident's action allowed, its event not yet recorded:
      0. transfers.guard.confirm_before_12345 — 移交12345 of an incident that is not plainly
         the hotline's (a police category, a repeat case still worked) waits for `confirm`;
         first, so a refused transfer moves nothing.
      1. dispatch.recommend.keep_recommendation — a dispatch's event keeps the ranking and
         whether it was overridden; first, while the units being sent are still free.
      2. dispatch.assignments.move_assigned_units — each unit follows its assignment (an
         unknown unit is 422, a busy one 409, before any assignment names it).
      2a. dispatch.briefing.brief_dispatched_units — a dispatch's event keeps what the units
         are told of the place (hazard flags, its recent history); after (2), so a refused
         dispatch reads no flags.
    `UnitStatusChanged` — a unit's status moved (by hand, or by (2)):
      3. dispatch.queue.follow_unit_status — a unit no longer free loses its other offers; one
         set free by hand is offered the queue (one freed by an incident's action: in 7).
    `IncidentActed` — the action recorded:
      4. supervision.deadlines.follow_incident — start, meet or drop the steps' deadlines.
      5. dispatch.queue.withdraw_offers_when_no_longer_queued — an incident that left 待派
         withdraws its offer, and the unit is matched again;
      6. dispatch.queue.offer_when_queued — then an incident put in 待派 is offered to a
         free unit;
      6a. dispatch.queue.reoffer_when_relocated — a queued incident whose place was corrected
         (更正地点) into another district is offered to a unit there instead;
      7. dispatch.queue.offer_queue_to_freed_units — last, each unit the action released is
         offered the queue, once the incident itself no longer waits for it.
      7a. callbacks.service.due_when_closed — 结警 puts a callback due in the queue (unless
         its category is excluded);
      7b. callbacks.service.follow_callback — a 回访 recorded by any path is done in the
         queue, and a dissatisfied one opens the station's follow-up (after 4, which met the
         callback's own deadline).
      7c. transfers.service.transfer_when_incident_transferred — 移交 to 12345 opens the
         incident's ticket and puts it in the outbox for the 12345 platform.
      7d. fraud.results.visit_done_on_arrival — an officer arriving at an anti-fraud
         warning's incident does the warning's visit step.
      7e. repeats.detect.relink_when_relocated — 更正地点: the incident is found again where
         it now is, and linked to the earlier incidents it repeats there.
    `CallRecorded` — a call record made (with an incident, attached, or without one):
      8. telephony.service.link_call_record — the phone call its call-taker answered becomes
         the record's.
      8a. repeats.detect.link_new_incident — a call recorded with a new incident links the
         incident to the earlier ones it repeats (重复警情), with the score and reasons; it
         joins the repeat case one of them is in, or the group opens one by the case rules.
      8b. transfers.service.ticket_for_call — a call from the number of a ticket still open at
         12345 is linked to it; otherwise a call ended 转12345 opens a ticket of its own.
    `SmsReplied` — the SMS gateway passed on a reply:
      9. callbacks.survey.record_survey_reply — a survey's reply digit records the callback
         (through the incident's action: 4–7b run in turn); other words are kept.
    `SmsReceipt` — the SMS gateway passed on a receipt for one of our messages:
      10. fraud.results.sms_not_delivered_climbs — a warning SMS the carrier could not deliver
         fails its step and climbs the warning's level, as a call not answered does.
    """
    hooks = Hooks()
    hooks.on(ActionDecided, confirm_before_12345)
    hooks.on(ActionDecided, keep_recommendation)
    hooks.on(ActionDecided, move_assigned_units)
    hooks.on(ActionDecided, brief_dispatched_units)
    hooks.on(UnitStatusChanged, follow_unit_status)
    hooks.on(IncidentActed, follow_incident)
    hooks.on(IncidentActed, withdraw_offers_when_no_longer_queued)
    hooks.on(IncidentActed, offer_when_queued)
    hooks.on(IncidentActed, reoffer_when_relocated)
    hooks.on(IncidentActed, offer_queue_to_freed_units)
    hooks.on(IncidentActed, due_when_closed)
    hooks.on(IncidentActed, follow_callback)
    hooks.on(IncidentActed, transfer_when_incident_transferred)
    hooks.on(IncidentActed, visit_done_on_arrival)
    hooks.on(IncidentActed, relink_when_relocated)
    hooks.on(CallRecorded, link_call_record)
    hooks.on(CallRecorded, link_new_incident)
    hooks.on(CallRecorded, ticket_for_call)
    hooks.on(SmsReplied, record_survey_reply)
    hooks.on(SmsReceipt, sms_not_delivered_climbs)
    return hooks


def tick_jobs(rt: Runtime) -> list[Job]:
    """The background tick, in order: missing-person rules and reminders, supervision of
    overdue steps, 12345 tickets past their limit, the anti-fraud ladder (its SMS and call
    tasks go out the same tick), callback survey texts (before delivery, so they go out the
    same tick),
    outbox delivery, the audit checkpoint, the statistics' per-day rollups (last: they read
    what the others changed)."""
    return [
        WatchJob(),
        SupervisionJob(),
        EscalationJob(),
        LadderJob(),
        SurveyJob(),
        DeliveryJob(),
        CheckpointJob(rt),
        RollupJob(),
    ]


def parts(settings: Settings) -> dict[type, object]:
    """Each package's own configuration in force, and what places/known.py asks of the
    features (open missing-person cases near a place)."""
    return {
        Rules: load_rules(settings.missing_rules_path),
        StatsRules: load_stats_rules(),
        CallbackRules: load_callback_rules(catalog=default_catalog()),
        RepeatRules: load_repeat_rules(catalog=default_catalog()),
        CaseRules: load_case_rules(catalog=default_catalog()),
        TransferRules: load_transfer_rules(),
        FraudRules: load_fraud_rules(),
        Neighbours: Neighbours(missing=open_cases_near),
    }


def build_runtime(
    settings: Settings, *, clock: Clock | None = None, catalog: Catalog | None = None
) -> Runtime:
    engine = make_engine(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    sessions = make_sessionmaker(engine)
    principals = PrincipalCache(settings.auth_cache_s)
    revocations = Revocations(principals)
    revocations.follow(sessions)
    rt = Runtime(
        settings=settings,
        clock=clock or SystemClock(),
        catalog=catalog or default_catalog(),
        engine=engine,
        sessions=sessions,
        readers=make_sessionmaker(engine, read_only=True),
        eta=eta_model(settings),
        principals=principals,
        revocations=revocations,
        outbox_channels=channels_from_settings(settings.appeal_webhooks)
        | sms_channel(settings)
        | hotline_channel(settings)
        | fraud_channels(settings),
        audit_keys=use_ring(load_ring(settings.audit_key_file)),
        hooks=subscribers(),
        parts=parts(settings),
    )
    rt.jobs = tick_jobs(rt)
    return rt


def eta_model(settings: Settings) -> EtaModel:
    """Road ETA when a road network was imported (`cad110 roads import`), else straight line."""
    roads = Path(settings.roads_path)
    if roads.is_file():
        return RoadEta(RoadGraph.load(roads))
    return StraightLineEta(speed_kmh=settings.eta_speed_kmh, circuity=settings.eta_circuity)
