"""The event log as sentences in the reader's language: "派警：鼓楼分局巡特警一组".

Pure: the caller passes the catalog's `gettext` and the names of the units, people, places and
categories the events mention (looked up once for the whole log), so a payload never reaches
the screen as a Python dict and a code never stands where a name is known.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Gettext = Callable[[str], str]

# A supervised step's name (models.supervision.Step values → message ids): the supervision list
# and the wall both say "签收" / "Acknowledgement", never the code.
STEP_NAMES: Mapping[str, str] = {
    "dispatch": "Dispatch",
    "acknowledge": "Acknowledgement",
    "arrive": "Arrival",
    "report": "Feedback report",
    "close": "Closing",
    "callback": "Callback",
}

# A fraud warning's outcome (models.fraud.FraudOutcome values → message ids, as the desk says
# them in _fraud_words.html).
FRAUD_OUTCOMES: Mapping[str, str] = {
    "dissuaded": "Dissuaded",
    "lost": "Money already lost",
    "unreachable": "Could not be reached",
    "false_alarm": "False alarm",
}

# One pattern per kind of event; `%(details)s` is the list of what the event set.
PATTERNS: Mapping[str, str] = {
    "received": "Received: %(details)s",
    "accept": "Accepted: %(details)s",
    "assess": "Assessed: %(details)s",
    "reclassify": "Reclassified: %(details)s",
    "relocate": "Place corrected: %(details)s",
    "queue": "Queued: %(details)s",
    "offered": "Offered to: %(details)s",
    "dispatch": "Dispatched: %(details)s",
    "acknowledge": "Signed for: %(details)s",
    "depart": "Set out: %(details)s",
    "arrive": "Arrived: %(details)s",
    "release": "Released: %(details)s",
    "handle": "Handled on scene: %(details)s",
    "report": "Reported back: %(details)s",
    "close": "Closed: %(details)s",
    "callback": "Called back: %(details)s",
    "archive": "Archived: %(details)s",
    "merge": "Merged into another incident: %(details)s",
    "absorbed": "Another incident merged in: %(details)s",
    "transfer": "Transferred: %(details)s",
    "invalidate": "Marked invalid: %(details)s",
    "cancel": "Cancelled: %(details)s",
    "call_attached": "Another caller: %(details)s",
    "supervision_opened": "Supervision opened: %(details)s",
    "supervision_escalated": "Supervision escalated: %(details)s",
    "supervision_acknowledged": "Supervision acknowledged: %(details)s",
    "missing_case_opened": "Missing-person case opened: %(details)s",
    "missing_case_closed": "Missing-person case closed: %(details)s",
    "fraud_warning_closed": "Fraud warning closed: %(details)s",
    "fraud_amount_raised": "Amount at risk raised: %(details)s",
    "grade_raised": "Grade raised: %(details)s",
    "outcome_recorded": "Outcome recorded: %(details)s",
    "outcome_struck": "Outcome entry struck: %(details)s",
    "callback_attempt": "Callback not reached: %(details)s",
    "callback_survey_sent": "Callback survey texted: %(details)s",
    "callback_survey_reply": "Survey reply: %(details)s",
    "follow_up_opened": "Follow-up opened: %(details)s",
    "follow_up_answered": "Follow-up answered: %(details)s",
    "repeat_case_linked": "Linked to repeat case: %(details)s",
}
OTHER = "%(kind)s: %(details)s"
GRADE = "Grade %(n)s"
FROM_TO = "%(old)s → %(new)s"
LIST_SEPARATOR = ", "
# 改派 is a dispatch that names the unit it replaces ("改派：A → B").
REASSIGNED = "Reassigned: %(details)s"
# Between the clauses of a sentence that says what changed and why ("…，理由：…").
CLAUSE_SEPARATOR = "; "
WHY = "reason: %(text)s"

# Codes a payload holds whose words are in the catalog (msgid = the code itself, or these).
VALUE_WORDS: Mapping[str, Mapping[str, str]] = {
    "reason": {
        "misdial": "misdial",
        "silent": "silent call",
        "harassment": "harassment",
        "hoax": "hoax",
        "duplicate": "duplicate",
        "other": "other reason",
    },
    "to": {
        "12345": "to 12345",
        "119": "to 119 (fire)",
        "120": "to 120 (medical)",
        "agency": "to another agency",
    },
    "satisfaction": {
        "satisfied": "satisfied",
        "basically_satisfied": "basically satisfied",
        "dissatisfied": "dissatisfied",
        "unreachable": "unreachable",
    },
    "result": {
        "resolved": "resolved",
        "case_opened": "case opened",
        "referred": "referred",
        "no_finding": "no finding on scene",
        "other": "other result",
    },
    "no_dispatch_reason": {
        "advice_by_phone": "advice given by phone",
        "resolved_before_arrival": "resolved before police arrived",
        "caller_withdrew": "caller withdrew",
        "not_police_matter": "not a police matter",
        "other": "other reason",
    },
    "risk": {"low": "low risk", "medium": "medium risk", "high": "high risk"},
    # 处警结果 (incidents/outcomes.py): the kind of an entry.
    "kind": {
        "arrest": "arrest",
        "case_opened": "case opened",
        "loss": "loss",
        "recovery": "recovery",
        "property_returned": "property returned",
    },
}
# An outcome entry's figures: people caught, an amount in yuan (stored in fen).
ARRESTED = "%(n)s caught"
IN_THE_ACT = "in the act"
YUAN = "¥%(amount)s"
# Free text a person wrote: shown as written.
TEXT_KEYS = ("summary", "note", "reason_text", "comment", "agency", "override_reason")


@dataclass(frozen=True)
class Names:
    """What the events' codes are called, in the reader's language."""

    units: Mapping[str, str] = field(default_factory=dict)
    people: Mapping[str, str] = field(default_factory=dict)
    places: Mapping[str, str] = field(default_factory=dict)
    categories: Mapping[str, str] = field(default_factory=dict)


def units_named(payload: Mapping[str, Any]) -> set[str]:
    """The unit codes an event's payload mentions (to look their names up in one query)."""
    found: set[str] = set()
    for key in ("unit", "reassigned_from"):
        if isinstance(payload.get(key), str):
            found.add(payload[key])
    units = payload.get("units")
    if isinstance(units, list):
        found |= {u for u in units if isinstance(u, str)}
    changes = payload.get("unit_changes")
    if isinstance(changes, dict):
        found |= {u for u in changes if isinstance(u, str)}
    return found


# The accounts no person holds, as a reader is told of them: the system's own steps
# (auth.principal.SYSTEM), the anti-fraud ladder's (fraud.ladder.LADDER), what the outside
# systems post (telephony.service.PHONE_SYSTEM, fraud.intake.PLATFORM, sms.service.SMS_GATEWAY,
# transfers.intake.HOTLINE) and the command line's; tests/unit/test_sentences.py holds the list
# to those names.
MACHINES = {
    "system": "the system",
    "fraud_ladder": "the anti-fraud warning ladder",
    "fraud_platform": "the anti-fraud platform",
    "phone_system": "the phone system",
    "sms_gateway": "the SMS gateway",
    "hotline_12345": "the 12345 platform",
    "cli": "the command line",
}


def machine_names(gettext: Gettext) -> dict[str, str]:
    """`MACHINES` in the reader's language, by account."""
    return {account: gettext(words) for account, words in MACHINES.items()}


def actor_name(actor: str, names: Names, gettext: Gettext) -> str:
    """A person by their display name; the system's and the outside systems' own steps by
    what they are."""
    if actor in MACHINES:
        return gettext(MACHINES[actor])
    return names.people.get(actor) or actor


def sentence(kind: str, payload: Mapping[str, Any], names: Names, gettext: Gettext) -> str:
    """One event as a sentence: what happened, then what it set, in the reader's language."""
    details = [d for d in _details(kind, payload, names, gettext) if d]
    changed = kind in ("reclassify", "relocate") and _sides(payload) is not None
    joined = gettext(CLAUSE_SEPARATOR if changed else LIST_SEPARATOR).join(details)
    pattern = PATTERNS.get(kind)
    if kind == "dispatch" and isinstance(payload.get("reassigned_from"), str):
        pattern = REASSIGNED
    if pattern is None:
        text = gettext(OTHER) % {"kind": gettext(kind), "details": joined}
    else:
        text = gettext(pattern) % {"details": joined}
    return text if details else text.rstrip(":： ")


def _details(kind: str, p: Mapping[str, Any], names: Names, gettext: Gettext) -> Iterable[str]:
    def unit(code: str) -> str:
        return names.units.get(code) or code

    sides = _sides(p) if kind == "reclassify" else None
    if sides is not None:
        # What changed, both sides named ("打架斗殴 2级 → 故意伤害 1级"), then why.
        old, new = (_classified(side, names, gettext) for side in sides)
        yield gettext(FROM_TO) % {"old": old, "new": new}
        if isinstance(p.get("reason"), str) and p["reason"].strip():
            yield gettext(WHY) % {"text": p["reason"].strip()}
        return
    sides = _sides(p) if kind == "relocate" else None
    if sides is not None:
        # 更正地点: the address as it was and as it is now ("无此路1号 → 西湖公园"), then why.
        old, new = (str(side.get("address") or "—") for side in sides)
        yield gettext(FROM_TO) % {"old": old, "new": new}
        if isinstance(p.get("reason"), str) and p["reason"].strip():
            yield gettext(WHY) % {"text": p["reason"].strip()}
        return
    if kind == "dispatch" and isinstance(p.get("reassigned_from"), str):
        units = gettext(LIST_SEPARATOR).join(unit(u) for u in p.get("units") or [])
        old, new = unit(p["reassigned_from"]), units
        yield gettext(FROM_TO) % {"old": old, "new": new}
        if isinstance(p.get("note"), str) and p["note"].strip():
            yield p["note"].strip()
        return
    if kind in ("received", "accept", "assess", "reclassify"):
        if kind == "assess" and p.get("risk"):
            yield _word("risk", p["risk"], gettext)
        yield from _category_and_grade(p, names, gettext)
        if kind == "received" and p.get("address"):
            yield str(p["address"])
    elif kind == "dispatch":
        yield from (unit(u) for u in p.get("units") or [])
    elif kind in ("acknowledge", "depart", "arrive", "release", "offered"):
        if p.get("unit"):
            yield unit(str(p["unit"]))
    elif kind == "merge":
        yield str(p.get("into") or "")
    elif kind == "absorbed":
        yield str(p.get("merged") or "")
    elif kind == "call_attached":
        yield " ".join(str(p[k]) for k in ("caller_name", "caller_phone") if p.get(k))
    elif kind == "supervision_opened":
        step = gettext(str(p["step"])) if p.get("step") else ""
        yield f"{unit(str(p['unit']))} {step}" if p.get("unit") else step
        if p.get("owner"):
            yield names.places.get(str(p["owner"])) or str(p["owner"])
    elif kind == "supervision_escalated":
        old, new = (names.places.get(str(p.get(k))) or str(p.get(k) or "") for k in ("from", "to"))
        yield gettext(FROM_TO) % {"old": old, "new": new}
    elif kind == "fraud_amount_raised":
        yield str(p.get("warning") or "")
        old, new = (f"¥{p[k]}" if p.get(k) else "—" for k in ("from", "to"))
        yield gettext(FROM_TO) % {"old": old, "new": new}
        return
    elif kind == "fraud_warning_closed":
        yield str(p.get("warning") or "")
        outcome = FRAUD_OUTCOMES.get(str(p.get("outcome")))
        if outcome:
            yield gettext(outcome)
        return
    elif kind in ("missing_case_opened", "missing_case_closed", "repeat_case_linked"):
        yield str(p.get("case") or "")
        if p.get("outcome"):
            yield gettext(str(p["outcome"]))
    elif kind == "report":
        # A guide item left undone says why in its note.
        for item in p.get("guide") or []:
            if isinstance(item, dict) and isinstance(item.get("note"), str) and item["note"]:
                yield item["note"]
    elif kind == "grade_raised":
        old, new = (_grade(p.get(k), gettext) for k in ("from", "to"))
        yield gettext(FROM_TO) % {"old": old or "—", "new": new}
    elif kind == "follow_up_opened":
        yield names.places.get(str(p.get("station"))) or str(p.get("station") or "")
    elif kind in ("callback_survey_reply", "follow_up_answered"):
        yield str(p.get("text") or p.get("reply") or "")
        return
    elif kind in ("outcome_recorded", "outcome_struck"):
        yield from _outcome(p, gettext)
        if kind == "outcome_struck" and isinstance(p.get("reason"), str):
            yield gettext(WHY) % {"text": p["reason"]}
        return
    for key in ("to", "reason", "satisfaction", "result", "no_dispatch_reason"):
        if kind not in ("supervision_escalated", "grade_raised") and isinstance(p.get(key), str):
            if key == "reason" and p[key] not in VALUE_WORDS["reason"]:
                yield str(p[key])  # a reason written by a person (reclassify, grade raised)
            elif key == "to" and p[key] not in VALUE_WORDS["to"]:
                yield unit(str(p[key]))
            else:
                yield _word(key, p[key], gettext)
    for key in TEXT_KEYS:
        value = p.get(key)
        if isinstance(value, str) and value.strip():
            yield value.strip()
    if kind not in PATTERNS:
        yield from _plain(p)


def _outcome(p: Mapping[str, Any], gettext: Gettext) -> Iterable[str]:
    """An outcome entry: its kind and figures ("抓获 2人, 现行, ¥1,250.00, 案件编号")."""
    if isinstance(p.get("kind"), str):
        yield _word("kind", p["kind"], gettext)
    if isinstance(p.get("arrested"), int):
        yield gettext(ARRESTED) % {"n": p["arrested"]}
    if p.get("in_the_act") is True:
        yield gettext(IN_THE_ACT)
    if isinstance(p.get("amount_fen"), int):
        yield gettext(YUAN) % {"amount": yuan(p["amount_fen"])}
    for key in ("case_number", "description", "note"):
        if isinstance(p.get(key), str) and p[key].strip():
            yield p[key].strip()


def yuan(fen: int) -> str:
    """An amount in fen as yuan with two decimals and thousands marks ("1,250.00")."""
    whole, cents = divmod(fen, 100)
    return f"{whole:,}.{cents:02d}"


def _sides(p: Mapping[str, Any]) -> tuple[Mapping[str, Any], Mapping[str, Any]] | None:
    """A reclassification's (or a relocation's) two sides, where its event has them."""
    before, after = p.get("before"), p.get("after")
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        return before, after
    return None


def _classified(side: Mapping[str, Any], names: Names, gettext: Gettext) -> str:
    """A category and grade as one phrase ("打架斗殴 2级")."""
    return " ".join(d for d in _category_and_grade(side, names, gettext) if d) or "—"


def _category_and_grade(p: Mapping[str, Any], names: Names, gettext: Gettext) -> Iterable[str]:
    code = p.get("category")
    if isinstance(code, str) and code:
        yield names.categories.get(code) or code
    yield _grade(p.get("grade"), gettext)


def _grade(value: object, gettext: Gettext) -> str:
    return gettext(GRADE) % {"n": value} if isinstance(value, int) else ""


def _word(key: str, code: str, gettext: Gettext) -> str:
    return gettext(VALUE_WORDS.get(key, {}).get(code, code))


def _plain(p: Mapping[str, Any]) -> Iterable[str]:
    """An event this module does not know: its plain values, never a dict's repr."""
    for value in p.values():
        if isinstance(value, str | int | float) and not isinstance(value, bool) and value != "":
            yield str(value)
        elif isinstance(value, list):
            yield " ".join(str(v) for v in value if isinstance(v, str | int | float))
