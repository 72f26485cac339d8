"""The board's words for the codes the recommender and the picker give: each is an English
message id the catalogs translate (board.po), so no code reaches a screen raw.

Pure data; tests/unit/test_board_words.py holds it to every reason `dispatch/recommend.py`
emits and every capability the catalog requires."""

from __future__ import annotations

from collections.abc import Callable, Mapping

# Why a unit is recommended (dispatch/recommend.py); "capability:<c>" is said with CAPABILITIES.
REASONS: Mapping[str, str] = {
    "nearest": "nearest",
    "same_grid": "same_grid",
    "own_station": "own_station",
    "kind_fallback": "other kind (no serving unit within the limit)",
}
# What a category may require of a unit (categories.toml `capabilities`, units' capabilities).
CAPABILITIES: Mapping[str, str] = {
    "female_officer": "female officer",
    "armed": "armed officers",
    "negotiator": "negotiator",
    "traffic": "traffic police work",
}
# Unit kinds, as a sentence names them ("交警不处置此类警情").
KINDS: Mapping[str, str] = {
    "patrol_special": "SWAT patrol",
    "station": "station patrol",
    "community": "community police",
    "traffic": "traffic police",
}
HAS = "has: %(what)s"
LACKS = "lacks: %(what)s"
WRONG_KIND = "%(kind)s do not serve this category"


def reason_words(reason: str, gettext: Callable[[str], str]) -> str:
    """A recommendation reason in the reader's words ("capability:armed" → "具备：持枪")."""
    code, _, value = reason.partition(":")
    if code == "capability":
        return gettext(HAS) % {"what": gettext(CAPABILITIES.get(value, value))}
    return gettext(REASONS.get(code, code))


def picker_words(gettext: Callable[[str], str]) -> dict[str, object]:
    """What the unit picker's script says about suitability, in the page's language."""
    return {
        "kinds": {k: gettext(v) for k, v in KINDS.items()},
        "capabilities": {k: gettext(v) for k, v in CAPABILITIES.items()},
        "wrong_kind": gettext(WRONG_KIND),
        "lacks": gettext(LACKS),
    }
