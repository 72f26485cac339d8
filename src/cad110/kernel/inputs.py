"""Validated value types and the strict base model shared by every package's API schemas."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated

import phonenumbers
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError


class Strict(BaseModel):
    """An input model: unknown fields and non-finite numbers are refused (422 naming them)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


Text64 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)]
Text255 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=255)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=48)]

# Mainland China, Hong Kong, Macao and Taiwan fit inside this box; a point outside is a typo.
CHINA_LON = (73.4, 135.1)
CHINA_LAT = (3.8, 53.6)

_SEPARATORS = re.compile(r"[\s\-()]")


def normalize_phone(value: str) -> str:
    """A Chinese mobile or landline (or an international number) in one stored form.

    Chinese numbers are kept as their national digits ("13800138000", "059187654321");
    foreign numbers in E.164 ("+447911123456").
    """
    raw = _SEPARATORS.sub("", value)
    if not raw or len(raw) > 20:
        raise ValueError("not a phone number")
    try:
        parsed = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException as exc:
        raise ValueError("not a phone number") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError("not a valid phone number")
    if parsed.country_code == 86:
        national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
        return re.sub(r"\D", "", national)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


Phone = Annotated[str, AfterValidator(normalize_phone)]
# An 18-character resident ID number (GB 11643): 17 digits and a check character.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def valid_id_number(value: str) -> bool:
    """Whether `value` is an ID number whose check character is right (a typo is no party)."""
    if len(value) != 18 or not value[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17].upper()


# An id an outside system gives its own things (an event, a call, a message): what its events
# are told apart and replays recognised by.
ExternalId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z_.:-]+$")
]
# A number as a carrier or gateway sends it: digits with an optional leading +; may be empty.
DialledDigits = Annotated[str, StringConstraints(max_length=24, pattern=r"^\+?[0-9]*$")]
# Coordinates are finite: NaN compares false with every bound and neither NaN nor Infinity can
# be written back as JSON. (Every input model refuses them too: `allow_inf_nan=False`.)
Longitude = Annotated[
    float,
    Field(
        ge=CHINA_LON[0],
        le=CHINA_LON[1],
        allow_inf_nan=False,
        description="WGS-84 longitude inside China",
    ),
]
Latitude = Annotated[
    float,
    Field(
        ge=CHINA_LAT[0],
        le=CHINA_LAT[1],
        allow_inf_nan=False,
        description="WGS-84 latitude inside China",
    ),
]

# No time or date a client sends lies outside these years. Beyond them an offset like +14:00
# overflows Python's datetime when converted to UTC, and no record of this centre is that old.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100


def _out_of_range() -> PydanticCustomError:
    return PydanticCustomError(
        "date_out_of_range",
        "give a time between the years {earliest} and {latest} (UTC)",
        {"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR},
    )


def bounded_moment(value: datetime) -> datetime:
    """An aware time whose UTC year lies between EARLIEST_YEAR and LATEST_YEAR."""
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        raise _out_of_range() from None
    if not EARLIEST_YEAR <= utc.year <= LATEST_YEAR:
        raise _out_of_range()
    return value


def bounded_day(value: date) -> date:
    """A calendar date whose year lies between EARLIEST_YEAR and LATEST_YEAR."""
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise _out_of_range()
    return value


Moment = Annotated[
    AwareDatetime,
    AfterValidator(bounded_moment),
    Field(description=f"ISO 8601 with its UTC offset, years {EARLIEST_YEAR}–{LATEST_YEAR}"),
]
Day = Annotated[
    date,
    AfterValidator(bounded_day),
    Field(description=f"YYYY-MM-DD, years {EARLIEST_YEAR}–{LATEST_YEAR}"),
]


def own_id(prefix: str, ref: str) -> int | None:
    """The number in an id cad110 gave an outside system ("gd-42", "sms-7"), if `ref` is one
    of ours with that prefix; None for anything else (no exception on what a system sends)."""
    head, _, number = ref.partition("-")
    if head != prefix or not number.isascii() or not number.isdigit() or len(number) > 18:
        return None
    return int(number)
