"""Who sees personal data in full, and why (最小必要): pure rules, no I/O.

- call-taker, dispatcher, duty leader: the records of their jurisdiction — they call the
  caller or the family back;
- an officer: the incidents their unit is or was sent to and the missing-person cases of
  those incidents, and the cases they are the case officer (专管员) of;
- analyst, auditor, admin: masked values only, and no health information (a missing
  person's conditions and mental health, 医疗健康: sensitive personal information) at all: they are told it is
  withheld. Those who look for the person (the duty roles and officers) see it.

Lists carry masked values for everyone; full values come with one record's read, which is
recorded with the duty that allowed it. A role with Permission.REVEAL may ask for one
record's values outside its duty by giving a reason (recorded too).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from cad110.auth.principal import Principal
from cad110.models.user import Role

# The personal fields of each kind of record.
INCIDENT_FIELDS = ("caller_name", "caller_phone")
CALL_FIELDS = ("caller_name", "caller_phone")
CASE_FIELDS = ("id_number", "phone", "informant_name", "informant_phone")
# A fraud warning's person at risk.
FRAUD_FIELDS = ("phone", "name", "id_number")
# A repeat case's free text (its journal's notes, the reason it was opened, the closing report):
# officers write the parties' names there, and a name in free text cannot be told from ordinary
# words, so the texts are shown whole or not at all.
REPEAT_CASE_TEXTS = ("text", "note", "report", "comment", "reason", "with_whom", "why")

DUTY_ROLES = frozenset({Role.CALLTAKER, Role.DISPATCHER, Role.LEADER})
# The roles that read records without looking for anyone.
READING_ROLES = frozenset({Role.ANALYST, Role.ADMIN, Role.AUDITOR})
# A missing person's health, wherever a record or its log carries it: the conditions the
# rules read and the record's free text on mental health.
HEALTH_FIELDS = frozenset({"conditions", "mental_health"})


class Subject(StrEnum):
    INCIDENT = "incident"
    CALL = "call"
    MISSING_CASE = "missing_case"
    ACCESS_LOG = "access_log"
    HAZARD_FLAG = "hazard_flag"
    # A call as the phone system reported it: the caller's number (ANI).
    PHONE_CALL = "phone_call"
    # An anti-fraud warning (反诈预警): the person at risk.
    FRAUD_WARNING = "fraud_warning"
    # A repeat case file (重复警情档案): the parties named in its journal's free text.
    REPEAT_CASE = "repeat_case"


class Action(StrEnum):
    READ = "read"  # shown by duty
    REVEAL = "reveal"  # asked for, with a reason
    SEARCH = "search"  # looked up by a personal value
    EXPORT = "export"  # left the system in a file


@dataclass(frozen=True)
class Sight:
    """Whether a caller sees a record's personal data in full, and the duty that allows it."""

    full: bool
    reason: str = ""


MASKED = Sight(full=False)


def sight(
    by: Principal,
    *,
    path: str,
    units_sent: Collection[str] = (),
    case_officer: str | None = None,
) -> Sight:
    """How `by` sees a record at jurisdiction `path` that `units_sent` were sent to (ever)."""
    if by.role in DUTY_ROLES:
        return Sight(True, f"duty:{by.role.value}") if by.sees(path) else MASKED
    if by.role is Role.OFFICER:
        if by.unit_code is not None and by.unit_code in units_sent:
            return Sight(True, f"assigned unit {by.unit_code}")
        if case_officer is not None and case_officer == by.username:
            return Sight(True, "case officer")
    return MASKED


def sees_health(by: Principal) -> bool:
    """Whether `by` sees a missing person's health conditions (withheld from READING_ROLES)."""
    return by.role not in READING_ROLES


def role_reason(by: Principal) -> str:
    """The reason recorded for what a role does without a duty to the record (a search, an
    export): the role itself."""
    return f"role:{by.role.value}"


def shown(record: object, names: Collection[str]) -> list[str]:
    """The personal fields of `record` that hold a value (an empty field shows nobody)."""
    return [name for name in names if getattr(record, name, None)]
