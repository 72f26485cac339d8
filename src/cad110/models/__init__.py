"""Typed SQLAlchemy models, one module per concept. Importing this package registers them all."""

from cad110.models.audit import AccessRecord, EventHead
from cad110.models.call import Call
from cad110.models.callbacks import CallbackAttempt, CallbackDue, FollowUp
from cad110.models.event import Event
from cad110.models.fraud import FraudEvent, FraudSignal, FraudStep, FraudWarning, FreezeRequest
from cad110.models.hazard import HazardFlag
from cad110.models.idempotency import IdempotencyRecord
from cad110.models.incident import Incident, IncidentLink, IncidentSequence
from cad110.models.jurisdiction import Grid, Jurisdiction
from cad110.models.missing import (
    Appeal,
    CaseCallback,
    CaseLink,
    CasePhoto,
    CaseRequest,
    CaseTask,
    ClusterAlert,
    ClusterMember,
    MissingCase,
    RuleFiring,
    SearchNotice,
)
from cad110.models.outbox import OutboxMessage
from cad110.models.outcome import IncidentOutcome, OutcomeEntry
from cad110.models.place import Place
from cad110.models.repeat_cases import RepeatCase, RepeatCaseIncident
from cad110.models.repeats import RepeatKey, RepeatLink
from cad110.models.rollup import (
    Rollup,
    RollupDay,
    RollupHour,
    RollupHourMark,
    RollupMark,
    RollupMonth,
)
from cad110.models.roster import DutyDay
from cad110.models.shift import HandoverNote
from cad110.models.sms import SmsEvent
from cad110.models.supervision import Deadline, Notification, Supervision, UnitOffer
from cad110.models.target import KeyTarget
from cad110.models.telephony import PhoneCall, PhoneEvent, PhoneSeat
from cad110.models.tick import TickTurn
from cad110.models.transfers import HotlineEvent, TransferCall, TransferTicket
from cad110.models.unit import Assignment, Unit, UnitGrid
from cad110.models.user import ApiToken, LoginThrottle, User
from cad110.models.web_session import WebSession

__all__ = [
    "AccessRecord",
    "ApiToken",
    "Appeal",
    "Assignment",
    "Call",
    "CallbackAttempt",
    "CallbackDue",
    "CaseCallback",
    "CaseLink",
    "CasePhoto",
    "CaseRequest",
    "CaseTask",
    "ClusterAlert",
    "ClusterMember",
    "Deadline",
    "DutyDay",
    "Event",
    "EventHead",
    "FollowUp",
    "FraudEvent",
    "FraudSignal",
    "FraudStep",
    "FraudWarning",
    "FreezeRequest",
    "Grid",
    "HandoverNote",
    "HazardFlag",
    "HotlineEvent",
    "IdempotencyRecord",
    "Incident",
    "IncidentLink",
    "IncidentOutcome",
    "IncidentSequence",
    "Jurisdiction",
    "KeyTarget",
    "LoginThrottle",
    "MissingCase",
    "Notification",
    "OutboxMessage",
    "OutcomeEntry",
    "PhoneCall",
    "PhoneEvent",
    "PhoneSeat",
    "Place",
    "RepeatCase",
    "RepeatCaseIncident",
    "RepeatKey",
    "RepeatLink",
    "Rollup",
    "RollupDay",
    "RollupHour",
    "RollupHourMark",
    "RollupMark",
    "RollupMonth",
    "RuleFiring",
    "SearchNotice",
    "SmsEvent",
    "Supervision",
    "TickTurn",
    "TransferCall",
    "TransferTicket",
    "Unit",
    "UnitGrid",
    "UnitOffer",
    "User",
    "WebSession",
]
