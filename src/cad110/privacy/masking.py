"""Masks for personal data (个人信息去标识化), as Chinese practice shows them (GB/T 35273).

Pure: no database, no web. A phone keeps its first three and last four digits
(138****8000), a name its surname (张**), an ID number its region (first six) and its last
four. The same masks apply inside event payloads, found by their keys, and a phone or ID
number someone typed into free text (a note, a narrative) is masked where it appears.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any, Literal

Kind = Literal["phone", "name", "id_number"]
STARS = "****"

# Keys of event payloads that carry personal data, by what they hold. `phone` alone is the
# missing person's or the informant's (the case journal); `informant` alone is a name.
_BY_KEY: dict[str, Kind] = {
    "caller_phone": "phone",
    "informant_phone": "phone",
    "phone": "phone",
    "caller_name": "name",
    "informant_name": "name",
    "informant": "name",
    "id_number": "id_number",
}
# Under these keys a plain `name` is a person to protect (not the missing person, whose name
# goes out in lookouts and appeals on purpose; a hazard flag's person is `flagged_person`).
_NAME_UNDER = frozenset({"informant", "caller", "flagged_person"})
# Free text is searched for values this long or longer: shorter ones would hit by chance.
_MIN_SECRET = 6


def mask_phone(value: str) -> str:
    """138****8000; shorter numbers keep less (a 7–10 digit number its first and last two)."""
    v = value.strip()
    n = len(v)
    if n >= 11:
        return v[:3] + STARS + v[-4:]
    if n >= 7:
        return v[:2] + STARS + v[-2:]
    if n >= 3:
        return STARS + v[-1:]
    return STARS


def mask_name(value: str) -> str:
    """张** — the first character (the surname; a compound surname counts as one), then stars."""
    v = value.strip()
    if len(v) <= 1:
        return "*"
    return v[0] + "*" * (len(v) - 1)


def mask_id_number(value: str) -> str:
    """350102********123X: the region code and the last four characters."""
    v = value.strip()
    if len(v) < 10:
        return "*" * len(v)
    return v[:6] + "*" * (len(v) - 10) + v[-4:]


_MASKS = {"phone": mask_phone, "name": mask_name, "id_number": mask_id_number}


def mask(kind: Kind, value: str | None) -> str | None:
    """The masked value; None and "" stay as they are (nothing to hide)."""
    if not value:
        return value
    return _MASKS[kind](value)


def kind_of(path: tuple[str, ...]) -> Kind | None:
    """What a payload key holds, from its path: ("informant", "name") is a name."""
    if not path:
        return None
    key = path[-1]
    if key == "name":
        return "name" if len(path) > 1 and path[-2] in _NAME_UNDER else None
    return _BY_KEY.get(key)


def secrets_in(
    payloads: Iterable[Any], extra: Iterable[tuple[Kind, str | None]] = ()
) -> dict[str, str]:
    """Phone and ID numbers held under personal keys (and `extra`), each with its mask, for
    finding them again in free text."""
    found: dict[str, str] = {}

    def add(kind: Kind, value: str | None) -> None:
        if kind != "name" and value and len(value.strip()) >= _MIN_SECRET:
            found[value.strip()] = _MASKS[kind](value)

    for kind, value in extra:
        add(kind, value)

    def walk(value: Any, path: tuple[str, ...]) -> None:
        if isinstance(value, Mapping):
            for key, inner in value.items():
                walk(inner, (*path, str(key)))
        elif isinstance(value, list | tuple):
            for inner in value:
                walk(inner, path)
        elif isinstance(value, str):
            kind = kind_of(path)
            if kind is not None:
                add(kind, value)

    for payload in payloads:
        walk(payload, ())
    return found


def scrub(text: str, secrets: Mapping[str, str]) -> str:
    """`text` with every known phone or ID number in it replaced by its mask."""
    for value in sorted(secrets, key=len, reverse=True):
        if value in text:
            text = text.replace(value, secrets[value])
    return text


def mask_payload(
    payload: Any, secrets: Mapping[str, str] | None = None
) -> tuple[Any, frozenset[str]]:
    """A copy of an event payload with personal values masked, and the dotted paths of the
    fields that held one (e.g. "caller_phone", "informant.phone")."""
    fields: set[str] = set()

    def walk(value: Any, path: tuple[str, ...]) -> Any:
        if isinstance(value, Mapping):
            return {key: walk(inner, (*path, str(key))) for key, inner in value.items()}
        if isinstance(value, list):
            return [walk(inner, path) for inner in value]
        if isinstance(value, str) and value:
            kind = kind_of(path)
            if kind is not None:
                fields.add(".".join(path))
                return _MASKS[kind](value)
            return scrub(value, secrets) if secrets else value
        return value

    return walk(payload, ()), frozenset(fields)


def without(payload: Any, keys: Collection[str]) -> Any:
    """A copy of an event payload with the fields named `keys` left out, at any depth."""
    if isinstance(payload, Mapping):
        return {k: without(v, keys) for k, v in payload.items() if k not in keys}
    if isinstance(payload, list):
        return [without(v, keys) for v in payload]
    return payload


def fields_in(payload: Any) -> frozenset[str]:
    """The dotted paths of the personal fields a payload holds a value in."""
    return mask_payload(payload)[1]
