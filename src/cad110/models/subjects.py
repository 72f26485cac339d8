"""What an event chain can be about: one chain per subject (type and id).

A package with records of its own (a 12345 ticket, a fraud warning) adds its type here, so
that every chain in the log is one of a known, typed set.
"""

from __future__ import annotations

from enum import StrEnum


class SubjectType(StrEnum):
    INCIDENT = "incident"
    CALL = "call"
    UNIT = "unit"
    KEY_TARGET = "key_target"
    USER = "user"
    JURISDICTION = "jurisdiction"
    MISSING_CASE = "missing_case"
    # A station's duty roster (值班表), one chain per station.
    DUTY_ROSTER = "duty_roster"
    # A handover note (交接班), one chain per note.
    HANDOVER = "handover"
    # A standard address (标准地址), one chain per address code; an import batch, one per file.
    PLACE = "place"
    PLACE_IMPORT = "place_import"
    # A hazard flag (警示标记), one chain per flag.
    HAZARD_FLAG = "hazard_flag"
    # A call as the phone system reported it, one chain per phone-system call id.
    PHONE_CALL = "phone_call"
    # A seat (坐席) of the phone system and who sits at it, one chain per seat.
    PHONE_SEAT = "phone_seat"
    # A 12345 ticket (工单) that 110 transferred, one chain per ticket id.
    TRANSFER_TICKET = "transfer_ticket"
    # A repeat case file (重复警情档案), one chain per case number: its journal.
    REPEAT_CASE = "repeat_case"
    # The repeat links found for an incident (重复警情), one chain per incident number.
    REPEAT_LINKS = "repeat_links"
    # An anti-fraud warning (反诈预警), one chain per warning id: its levels, steps, outcome.
    FRAUD_WARNING = "fraud_warning"
