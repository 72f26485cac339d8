"""PFIF 1.4 export of a missing-person case (cad110.missing.pfif).

The oracle is Google Person Finder's own PFIF parser (tests/third_party/personfinder/pfif.py):
what it reads back from the export is compared field by field with the case. The expectations
(statuses, character rules, time format) are written out here from the PFIF 1.4 and XML 1.0
specifications, not imported from the module under test.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cad110.events.log import canonical_json
from cad110.missing.pfif import export_case
from cad110.models.event import Event
from cad110.models.missing import CaseOutcome, CaseStatus, MissingCase, Sex
from tests.third_party.personfinder import pfif as personfinder

PFIF_NS = "http://zesty.ca/pfif/1.4"
DOMAIN = "110.fuzhou.gov.cn"
NOW = datetime(2025, 3, 4, 1, 2, 3, 999_999, tzinfo=UTC)
CST = timezone(timedelta(hours=8))
OPENED = datetime(2025, 3, 1, 9, 15, 30, 123_456, tzinfo=CST)  # 01:15:30Z
ID_NUMBER = "350102201503027716"
INFORMANT_PHONE = "13912345678"
PERSON_PHONE = "13800001111"
SECRETS = (ID_NUMBER, INFORMANT_PHONE, PERSON_PHONE)
TIME_FIELDS = ("source_date", "entry_date")


def make_case(**overrides: Any) -> MissingCase:
    fields: dict[str, Any] = {
        "number": "XR3501022025030100001",
        "status": CaseStatus.OPEN,
        "outcome": None,
        "name": "林小明",
        "sex": Sex.MALE,
        "birth_date": date(2015, 3, 2),
        "age": 10,
        "id_number": ID_NUMBER,
        "phone": PERSON_PHONE,
        "school_or_work": "鼓楼第一中心小学",
        "home_address": "鼓楼区五四路1号",
        "details": {
            "aliases": ["小明", "明明"],
            "height_cm": 132,
            "build": "偏瘦",
            "features": "左眉有痣",
            "clothing": "红色校服外套",
            "belongings": ["蓝色书包", "水壶"],
            "accent": "福州口音",
        },
        "informant_name": "林大伟",
        "informant_phone": INFORMANT_PHONE,
        "informant_relation": "父亲",
        "last_seen_at": OPENED - timedelta(hours=3),
        "last_seen_place": "五一广场东侧公交站",
        "opened_at": OPENED,
    }
    fields.update(overrides)
    return MissingCase(**fields)


def make_event(case: MissingCase, seq: int, kind: str, payload: dict[str, Any]) -> Event:
    return Event(
        subject_type="missing_case",
        subject_id=case.number,
        seq=seq,
        kind=kind,
        occurred_at=OPENED + timedelta(hours=seq, microseconds=seq),
        actor="officer.chen",
        payload=canonical_json(payload),
        prev_hash="0" * 64,
        hash="0" * 64,
    )


def callback(case: MissingCase, seq: int, *, reached: bool, said: str, lead: str) -> Event:
    payload = {"seq": 1, "label": "24h", "reached": reached, "family_said": said, "new_lead": lead}
    return make_event(case, seq, "callback_recorded", payload)


def closed(case: MissingCase, seq: int, outcome: str, note: str, place: str | None) -> Event:
    payload = {"outcome": outcome, "note": note, "found_place": place}
    return make_event(case, seq, "closed", payload)


def export(case: MissingCase, events: list[Event], **kw: Any) -> bytes:
    return export_case(case, events, domain=DOMAIN, now=NOW, **kw)


def oracle(document: bytes) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Person Finder's reading of the document: exactly one person, and its notes."""
    # rename_fields=False: the upstream default path is broken (see NOTICE.md); renaming only
    # concerns PFIF 1.3 and earlier field names anyway.
    persons, notes = personfinder.parse(document, rename_fields=False)
    assert len(persons) == 1
    return persons[0], notes


def tree(document: bytes) -> ET.Element:
    return ET.fromstring(document)  # noqa: S314 (the export under test, not outside input)


def utc(text: str) -> datetime:
    assert text.endswith("Z"), text
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def second(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(microsecond=0)


def local(tag: str) -> str:
    namespace, name = tag[1:].split("}")
    assert namespace == PFIF_NS
    return name


def open_case() -> tuple[MissingCase, list[Event]]:
    case = make_case()
    events = [
        make_event(case, 1, "opened", {"name": case.name}),
        make_event(case, 2, "grade_changed", {"grade": 2}),  # not for PFIF
        make_event(case, 3, "note", {"text": f"已调取监控，家属电话{INFORMANT_PHONE}"}),
        make_event(case, 4, "note", {"text": "巡逻组在江边搜寻"}),
    ]
    return case, events


def found_case() -> tuple[MissingCase, list[Event]]:
    case = make_case(status=CaseStatus.CLOSED, outcome=CaseOutcome.FOUND_SAFE, sex=Sex.FEMALE)
    events = [
        make_event(case, 1, "opened", {}),
        callback(case, 2, reached=True, said="孩子还没回家", lead="同学说看见她去了西湖公园"),
        closed(case, 3, "found_safe", "在西湖公园找到，已交还家属", "西湖公园北门"),
    ]
    return case, events


# ------------------------------------------------------------------------------------------
# The document
# ------------------------------------------------------------------------------------------


def test_root_namespace_and_nesting() -> None:
    case, events = open_case()
    root = tree(export(case, events))
    assert root.tag == f"{{{PFIF_NS}}}pfif"
    (person,) = list(root)
    assert local(person.tag) == "person"
    notes = person.findall(f"{{{PFIF_NS}}}note")
    assert len(notes) == 3  # opened and two notes; grade_changed is not exported
    person_id = person.findtext(f"{{{PFIF_NS}}}person_record_id")
    assert person_id == f"{DOMAIN}/person.{case.number}"
    for note, seq in zip(notes, (1, 3, 4), strict=True):
        # Written out in each note (Person Finder would otherwise copy it from the parent).
        assert note.findtext(f"{{{PFIF_NS}}}person_record_id") == person_id
        note_id = note.findtext(f"{{{PFIF_NS}}}note_record_id")
        assert note_id == f"{DOMAIN}/note.{case.number}.{seq}"


@pytest.mark.parametrize("build", [open_case, found_case])
def test_fields_in_pfif_1_4_order(build: Any) -> None:
    case, events = build()
    person = tree(export(case, events))[0]
    names = [local(child.tag) for child in person]
    first_note = names.index("note")
    assert set(names[first_note:]) == {"note"}, "notes come after the person's fields"
    order = personfinder.PFIF_1_4.fields["person"]
    positions = [order.index(name) for name in names[:first_note]]
    assert positions == sorted(positions)
    assert len(set(positions)) == len(positions)
    for note in person.findall(f"{{{PFIF_NS}}}note"):
        order = personfinder.PFIF_1_4.fields["note"]
        positions = [order.index(local(child.tag)) for child in note]
        assert positions == sorted(positions)
        assert len(set(positions)) == len(positions)


def test_times_are_utc_seconds() -> None:
    case, events = found_case()
    person, notes = oracle(export(case, events))
    assert (
        utc(person["source_date"]) == second(OPENED) == datetime(2025, 3, 1, 1, 15, 30, tzinfo=UTC)
    )
    assert utc(person["entry_date"]) == second(NOW)
    for note, event in zip(notes, events, strict=True):
        assert utc(note["source_date"]) == second(event.occurred_at)
        assert utc(note["entry_date"]) == second(NOW)
    for record in [person, *notes]:
        for field in TIME_FIELDS:
            assert record[field].endswith("Z")
            assert len(record[field]) == 20


def test_naive_times_are_refused() -> None:
    case, events = open_case()
    with pytest.raises(ValueError, match="naive"):
        export_case(case, events, domain=DOMAIN, now=NOW.replace(tzinfo=None))


def test_events_of_another_subject_are_refused() -> None:
    case, events = open_case()
    stranger = make_event(make_case(number="XR-OTHER"), 5, "note", {"text": "别的案子"})
    with pytest.raises(ValueError, match="XR-OTHER"):
        export(case, [*events, stranger])


# ------------------------------------------------------------------------------------------
# Read back by Person Finder, field by field
# ------------------------------------------------------------------------------------------


def test_open_case_read_by_person_finder() -> None:
    case, events = open_case()
    person, notes = oracle(export(case, events, photo_url="https://110.example/p/1.jpg"))
    assert person["person_record_id"] == f"{DOMAIN}/person.{case.number}"
    assert person["full_name"] == "林小明"
    assert person["alternate_names"] == "小明\n明明"
    assert person["sex"] == "male"
    assert person["date_of_birth"] == "2015-03-02"
    assert person["age"] == "10"
    assert person["home_street"] == "鼓楼区五四路1号"
    assert person["photo_url"] == "https://110.example/p/1.jpg"
    assert person["source_name"] == "福州市公安局110指挥中心"
    assert person["author_name"] == "林大伟"
    for part in ("132", "偏瘦", "左眉有痣", "红色校服外套", "蓝色书包", "水壶", "福州口音"):
        assert part in person["description"]
    # Nothing we cannot honestly fill, and no contact details.
    for absent in ("home_city", "author_phone", "author_email", "expiry_date", "given_name"):
        assert absent not in person

    assert [n["note_record_id"] for n in notes] == [
        f"{DOMAIN}/note.{case.number}.{seq}" for seq in (1, 3, 4)
    ]
    assert {n["person_record_id"] for n in notes} == {person["person_record_id"]}
    opened, monitored, patrol = notes
    assert opened["status"] == "believed_missing"
    assert opened["last_known_location"] == "五一广场东侧公交站"
    assert "五一广场东侧公交站" in opened["text"]
    assert "2025-03-01 06:15" in opened["text"]  # last seen, Beijing time
    assert opened["author_name"] == "林大伟"
    assert monitored["text"].startswith("已调取监控")
    assert patrol["text"] == "巡逻组在江边搜寻"
    for note in (monitored, patrol):
        assert "status" not in note
        assert "author_made_contact" not in note
        assert note["author_name"] == "福州市公安局110指挥中心"


def test_found_case_read_by_person_finder() -> None:
    case, events = found_case()
    person, notes = oracle(export(case, events))
    assert person["sex"] == "female"
    assert "photo_url" not in person
    opened, called, done = notes
    assert opened["status"] == "believed_missing"
    assert "孩子还没回家" in called["text"]
    assert "同学说看见她去了西湖公园" in called["text"]
    # Reaching the informant is not contact with the missing person (PFIF's meaning).
    assert "author_made_contact" not in called
    assert "status" not in called
    assert done["status"] == "believed_alive"
    assert done["last_known_location"] == "西湖公园北门"
    assert "在西湖公园找到，已交还家属" in done["text"]


def test_unknown_sex_and_missing_birth_date_are_left_out() -> None:
    case = make_case(sex=Sex.UNKNOWN, birth_date=None, age=None, details={}, home_address=None)
    person, _ = oracle(export(case, [make_event(case, 1, "opened", {})]))
    for absent in ("sex", "date_of_birth", "age", "description", "alternate_names", "home_street"):
        assert absent not in person


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        ("found_safe", "believed_alive"),
        ("found_injured", "believed_alive"),
        ("returned", "believed_alive"),
        ("found_dead", "believed_dead"),
        ("closed_other", None),
    ],
)
@pytest.mark.parametrize("place", ["仓山区上渡街道", None])
def test_closing_status_per_outcome(outcome: str, status: str | None, place: str | None) -> None:
    case = make_case(status=CaseStatus.CLOSED, outcome=CaseOutcome(outcome))
    events = [make_event(case, 1, "opened", {}), closed(case, 2, outcome, "结案说明", place)]
    _, notes = oracle(export(case, events))
    assert notes[-1].get("status") == status
    assert notes[-1].get("last_known_location") == (place or None)
    assert "结案说明" in notes[-1]["text"]


def test_no_id_number_or_phone_anywhere() -> None:
    case, events = found_case()
    case.details = {**case.details, "features": f"身份证{ID_NUMBER}", "aliases": [PERSON_PHONE]}
    events.append(
        make_event(case, 4, "note", {"text": f"报案人{INFORMANT_PHONE}，本人{PERSON_PHONE}"})
    )
    events.append(callback(case, 5, reached=False, said=ID_NUMBER, lead=INFORMANT_PHONE))
    document = export(case, events)
    for secret in SECRETS:
        assert secret.encode() not in document
    _, notes = oracle(document)
    assert notes[3]["text"].startswith("报案人")
    assert "本人" in notes[3]["text"]


def test_person_finder_ignores_another_namespace() -> None:
    """The oracle is not vacuous: the same document under another namespace yields nothing."""
    case, events = open_case()
    document = export(case, events).replace(PFIF_NS.encode(), b"http://zesty.ca/pfif/1.5")
    assert personfinder.parse(document, rename_fields=False) == ([], [])


# ------------------------------------------------------------------------------------------
# Arbitrary text: always well formed, and read back as written (less what XML 1.0 forbids)
# ------------------------------------------------------------------------------------------


def xml_text(value: str) -> str:
    """XML 1.0 keeps #x9 #xA #xD [#x20-#xD7FF] [#xE000-#xFFFD] [#x10000-#x10FFFF]; a parser
    reads CR LF and a lone CR as LF."""
    kept = "".join(
        c
        for c in value
        if ord(c) in (0x9, 0xA, 0xD)
        or 0x20 <= ord(c) <= 0xD7FF
        or 0xE000 <= ord(c) <= 0xFFFD
        or 0x10000 <= ord(c) <= 0x10FFFF
    )
    return kept.replace("\r\n", "\n").replace("\r", "\n")


NASTY = ["<", "&", ">", '"', "'", "]]>", "&amp;", "\x00", "\x01", "\x0b", "\x1f", "\x7f"]
NASTY += ["\r", "\n", "\r\n", "\t", "\ud800", "\udfff", "\ufffe", "\uffff", "福州", "🙂", " "]
texts = st.lists(st.one_of(st.characters(), st.sampled_from(NASTY)), max_size=24).map("".join)


@settings(max_examples=150, deadline=None)
@given(
    name=texts,
    aliases=st.lists(texts, max_size=3),
    informant=texts,
    place=texts,
    note=texts,
    said=texts,
    found_place=texts,
)
def test_arbitrary_text_round_trips(
    name: str,
    aliases: list[str],
    informant: str,
    place: str,
    note: str,
    said: str,
    found_place: str,
) -> None:
    for value in (name, *aliases, informant, place, note, said, found_place):
        assume(not any(secret in xml_text(value) for secret in SECRETS))
    case = make_case(
        name=name,
        informant_name=informant,
        last_seen_place=place,
        details={"aliases": aliases, "features": said},
    )
    events = [
        make_event(case, 1, "opened", {}),
        make_event(case, 2, "note", {"text": note}),
        callback(case, 3, reached=True, said=said, lead=""),
        closed(case, 4, "found_injured", note, found_place),
    ]
    document = export(case, events)
    tree(document)  # well formed for the standard library too
    assert b"\r" not in document  # one line ending: LF
    person, notes = oracle(document)

    assert person.get("full_name", "") == xml_text(name)
    expected_aliases = "\n".join(a for a in map(xml_text, aliases) if a)
    assert person.get("alternate_names") == (expected_aliases or None)
    assert person.get("author_name") == (xml_text(informant) or None)
    assert xml_text(said) in person.get("description", "")
    assert [n["note_record_id"] for n in notes] == [
        f"{DOMAIN}/note.{case.number}.{seq}" for seq in (1, 2, 3, 4)
    ]
    opened, plain, called, done = notes
    assert opened.get("last_known_location") == (xml_text(place) or None)
    assert xml_text(name) in opened["text"]
    assert xml_text(place) in opened["text"]
    assert plain.get("text", "") == xml_text(note)
    assert xml_text(said) in called["text"]
    assert done["status"] == "believed_alive"
    assert done.get("last_known_location") == (xml_text(found_place) or None)
    assert xml_text(note) in done["text"]
    for record in [person, *notes]:
        for field in TIME_FIELDS:
            utc(record[field])
    for secret in SECRETS:
        assert secret.encode() not in document
