"""Validated value types shared by the API schemas."""

from __future__ import annotations

import re
from typing import Annotated

import phonenumbers
from pydantic import AfterValidator, Field

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
Longitude = Annotated[
    float, Field(ge=CHINA_LON[0], le=CHINA_LON[1], description="WGS-84 longitude inside China")
]
Latitude = Annotated[
    float, Field(ge=CHINA_LAT[0], le=CHINA_LAT[1], description="WGS-84 latitude inside China")
]
