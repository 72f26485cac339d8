"""PFIF 1.4 export of a missing-person case (People Finder Interchange Format, zesty.ca/pfif/1.4).

Pure: the caller passes the case, its journal (events of subject "missing_case", the case
number) and the time of export. The document goes to outside systems, so it carries what a
public appeal would: never the ID number or a phone number, which are also blanked where
someone typed one into a note's text.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from cad110.models.event import Event
from cad110.models.missing import MissingCase, Sex
from cad110.models.subjects import SubjectType

NS = "http://zesty.ca/pfif/1.4"
ET.register_namespace("pfif", NS)

# Field order as PFIF 1.4 defines it for <person> and <note>.
PERSON_FIELDS = (
    "person_record_id", "entry_date", "expiry_date", "author_name", "author_email",
    "author_phone", "source_name", "source_date", "source_url", "full_name", "given_name",
    "family_name", "alternate_names", "description", "sex", "date_of_birth", "age",
    "home_street", "home_neighborhood", "home_city", "home_state", "home_postal_code",
    "home_country", "photo_url", "profile_urls",
)  # fmt: skip
NOTE_FIELDS = (
    "note_record_id", "person_record_id", "linked_person_record_id", "entry_date",
    "author_name", "author_email", "author_phone", "source_date", "author_made_contact",
    "status", "email_of_found_person", "phone_of_found_person", "last_known_location", "text",
    "photo_url",
)  # fmt: skip
# Written even when empty (PFIF's mandatory fields, plus the note's person id and text).
_PERSON_REQUIRED = frozenset({"person_record_id", "source_date", "full_name"})
_NOTE_REQUIRED = frozenset(
    {"note_record_id", "person_record_id", "author_name", "source_date", "text"}
)

SUBJECT_TYPE = SubjectType.MISSING_CASE
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
DEFAULT_TZ = ZoneInfo("Asia/Shanghai")  # for times written inside note texts
REDACTED = "[已隐去]"

NOTE_STATUS = {
    "found_safe": "believed_alive",
    "found_injured": "believed_alive",
    "returned": "believed_alive",
    "found_dead": "believed_dead",
    "closed_other": None,
}
OUTCOME_TEXT = {
    "found_safe": "已找到，平安",
    "found_injured": "已找到，受伤",
    "found_dead": "已找到，已死亡",
    "returned": "已自行返回",
    "closed_other": "其他原因结案",
}
# Keys of `details` that describe the person, with their labels, in the order written.
DESCRIPTION_KEYS = (
    ("height_cm", "身高（厘米）"),
    ("build", "体型"),
    ("features", "体貌特征"),
    ("clothing", "衣着"),
    ("belongings", "随身物品"),
    ("accent", "口音"),
    ("habits", "习惯"),
)
_SEX = {Sex.MALE: "male", Sex.FEMALE: "female"}

# Characters XML 1.0 does not allow (https://www.w3.org/TR/xml/#charsets), lone surrogates too.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def export_case(
    case: MissingCase,
    events: Sequence[Event],
    *,
    domain: str,
    now: datetime,
    photo_url: str | None = None,
    source_name: str = "福州市公安局110指挥中心",
    tz: tzinfo = DEFAULT_TZ,
    author: str | None = None,
) -> bytes:
    """The case as one PFIF 1.4 <person> with a <note> per journal entry that means something
    outside (opened, note, callback recorded, closed), as UTF-8 XML.

    `author` names the informant as the records' author; by default their full name (a reader
    who may not see it passes the masked one)."""
    author_name = case.informant_name if author is None else author
    secrets = [s for s in (case.id_number, case.phone, case.informant_phone) if s and len(s) >= 6]

    def clean(value: object) -> str:
        text = _NOT_XML.sub("", str(value)).replace("\r\n", "\n").replace("\r", "\n")
        for secret in secrets:
            text = text.replace(secret, REDACTED)
        return text

    person_id = f"{domain}/person.{case.number}"
    details: Mapping[str, Any] = case.details or {}
    aliases = details.get("aliases") or []
    person: dict[str, str | None] = {
        "person_record_id": person_id,
        "entry_date": _utc(now),
        "author_name": author_name,
        "source_name": source_name,
        "source_date": _utc(case.opened_at),
        "full_name": case.name,
        "alternate_names": "\n".join(a for a in map(clean, aliases) if a),
        "description": _description(details),
        "sex": _SEX.get(case.sex),
        "date_of_birth": case.birth_date.isoformat() if case.birth_date else None,
        "age": str(case.age) if case.age is not None else None,
        "home_street": case.home_address,
        "photo_url": photo_url,
    }
    root = ET.Element(f"{{{NS}}}pfif")
    person_el = _record(root, "person", PERSON_FIELDS, _PERSON_REQUIRED, person, clean)
    for event in sorted(events, key=lambda e: e.seq):
        if (event.subject_type, event.subject_id) != (SUBJECT_TYPE, case.number):
            raise ValueError(f"event {event.subject_type}/{event.subject_id} is not this case's")
        note = _note(case, event, tz, source_name, author_name)
        if note is None:
            continue
        note |= {
            "note_record_id": f"{domain}/note.{case.number}.{event.seq}",
            "person_record_id": person_id,
            "entry_date": _utc(now),
            "source_date": _utc(event.occurred_at),
        }
        _record(person_el, "note", NOTE_FIELDS, _NOTE_REQUIRED, note, clean)
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document + b"\n"


def _note(
    case: MissingCase, event: Event, tz: tzinfo, source_name: str, author: str
) -> dict[str, str | None] | None:
    """The fields of one journal entry's note that depend on its kind (None: not exported)."""
    payload = _payload(event)
    if event.kind == "opened":
        seen = case.last_seen_at.astimezone(tz)
        return {
            "author_name": author if _NOT_XML.sub("", author).strip() else source_name,
            "status": "believed_missing",
            "last_known_location": case.last_seen_place,
            "text": f"报案：{case.name}最后一次被看到是在{seen:%Y-%m-%d %H:%M}"
            f"（UTC{_offset(seen)}），地点：{case.last_seen_place}。",
        }
    if event.kind == "note":
        return {"author_name": source_name, "text": str(payload.get("text") or "")}
    if event.kind == "callback_recorded":
        # `reached` says the informant answered the call, not that anyone has been in contact
        # with the missing person, which is what PFIF's author_made_contact means: it goes in
        # the text only.
        reached = "已联系上报案人" if payload.get("reached") else "未联系上报案人"
        lines = [f"回访（{payload.get('label') or payload.get('seq') or ''}）：{reached}。"]
        if payload.get("family_said"):
            lines.append(f"家属反馈：{payload['family_said']}")
        if payload.get("new_lead"):
            lines.append(f"新线索：{payload['new_lead']}")
        return {"author_name": source_name, "text": "\n".join(lines)}
    if event.kind == "closed":
        outcome = str(payload.get("outcome") or "")
        note = str(payload.get("note") or "")
        label = OUTCOME_TEXT.get(outcome, "结案")
        return {
            "author_name": source_name,
            "status": NOTE_STATUS.get(outcome),
            "last_known_location": payload.get("found_place") or None,
            "text": f"结案：{label}。" + (f"\n{note}" if note else ""),
        }
    return None


def _record(
    parent: ET.Element,
    tag: str,
    order: Sequence[str],
    required: frozenset[str],
    values: Mapping[str, str | None],
    clean: Callable[[object], str],
) -> ET.Element:
    element = ET.SubElement(parent, f"{{{NS}}}{tag}")
    for field in order:
        value = clean(values.get(field) or "")
        if value or field in required:
            ET.SubElement(element, f"{{{NS}}}{field}").text = value
    return element


def _description(details: Mapping[str, Any]) -> str:
    lines = []
    for key, label in DESCRIPTION_KEYS:
        value = details.get(key)
        if isinstance(value, list | tuple):
            value = "、".join(str(v) for v in value if v not in (None, ""))
        if value not in (None, ""):
            lines.append(f"{label}：{value}")
    return "\n".join(lines)


def _payload(event: Event) -> dict[str, Any]:
    raw: Any = event.payload
    data = json.loads(raw) if isinstance(raw, str | bytes) else raw
    return data if isinstance(data, dict) else {}


def _utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to the PFIF export")
    return moment.astimezone(UTC).strftime(TIME_FORMAT)


def _offset(moment: datetime) -> str:
    minutes = int((moment.utcoffset() or timedelta(0)).total_seconds() // 60)
    sign, minutes = ("+" if minutes >= 0 else "-"), abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
