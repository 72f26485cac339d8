"""The board's incident panel offers an action only to a role that may take it: a read-only
role (analyst, admin, auditor) sees the incident, never a button or a dialog the server can only
refuse with 403; the dispatcher keeps every one the incident's state allows."""

from __future__ import annotations

import re

import pytest

from tests.api.helpers import new_incident, ok
from tests.conftest import Api
from tests.world import PASSWORD

# The dialog each action button opens (data-open), with its key where it has one.
ON_AN_ACCEPTED_INCIDENT = {
    "pick": "u",
    "assess": "s",
    "queue": "q",
    "merge": "m",
    "transfer": "t",
    "reclassify": "c",
    "relocate": "l",
    "attach": "a",
    "invalidate": "i",
}
ON_A_DISPATCHED_INCIDENT = {"reassign": "r", "release": None, "cancel": "z"}


def _panel(api: Api, username: str, number: str) -> str:
    api.client.cookies.clear()
    login = {"username": username, "password": PASSWORD}
    assert api.client.post("/login", data=login, follow_redirects=False).status_code == 303
    response = api.client.get(f"/board/incident/{number}")
    assert response.status_code == 200, response.text
    return response.text


def _offered(html: str) -> set[str]:
    """The dialogs the panel's buttons open, and the dialogs it holds."""
    buttons = set(re.findall(r'<button[^>]* data-open="([a-z]+)"', html))
    dialogs = set(re.findall(r'<dialog id="dlg-([a-z]+)"', html))
    return buttons | dialogs


def _incidents(api: Api) -> tuple[str, str]:
    accepted = new_incident(api, accept=True)["number"]
    new_incident(api, accept=True)  # something to merge into
    dispatched = new_incident(api, accept=True)["number"]
    ok(api.post(f"/incidents/{dispatched}/dispatch", "dispatcher", json={"units": ["35010201-1"]}))
    return accepted, dispatched


def test_the_dispatcher_is_offered_every_action_the_state_allows(api: Api) -> None:
    accepted, dispatched = _incidents(api)
    html = _panel(api, "dispatcher", accepted)
    assert set(ON_AN_ACCEPTED_INCIDENT) <= _offered(html)
    for dialog, key in ON_AN_ACCEPTED_INCIDENT.items():
        assert f'data-key="{key}" data-open="{dialog}"' in html, dialog
    html = _panel(api, "dispatcher", dispatched)
    assert set(ON_A_DISPATCHED_INCIDENT) <= _offered(html)
    for dialog, key in ON_A_DISPATCHED_INCIDENT.items():
        if key is not None:
            assert f'data-key="{key}" data-open="{dialog}"' in html, dialog


@pytest.mark.parametrize("role", ["analyst", "admin", "auditor"])
def test_a_read_only_role_is_offered_no_action_and_its_keys_say_why(api: Api, role: str) -> None:
    accepted, dispatched = _incidents(api)
    html = _panel(api, role, accepted)
    assert _offered(html) == set()
    toolbar = re.search(r'<div class="actions" role="toolbar"[^>]*>(.*?)</div>', html, re.S)
    assert toolbar is not None
    assert "<button" not in toolbar.group(1)
    # Each key says it is not the reader's role's, not that the incident's stage forbids it.
    assert '<li data-key="m">您的角色无权执行“并案”。</li>' in html
    assert '<li data-key="a">' in html
    assert _offered(_panel(api, role, dispatched)) == set()
    # And the server agrees: what the panel would have offered is refused.
    refused = api.post(f"/incidents/{accepted}/merge", role, json={"into": dispatched})
    assert refused.status_code == 403


def test_an_incident_at_receipt_is_accepted_from_the_board(api: Api) -> None:
    # Recorded through the API without 受理 (the desk does both at once).
    received = new_incident(api, accept=False, category=None)["number"]
    accepted = new_incident(api, accept=True)["number"]
    html = _panel(api, "dispatcher", received)
    assert {"accept"} <= _offered(html)
    assert 'data-key="k" data-open="accept"' in html
    # Without a category yet, none is chosen for the dispatcher.
    assert '<option value="">请选择类别</option>' in html
    assert "accept" not in _offered(_panel(api, "dispatcher", accepted))
    assert "accept" not in _offered(_panel(api, "analyst", received))
    # What the dialog sends is what the server takes.
    body = {"category": "theft", "note": ""}
    taken = ok(api.post(f"/incidents/{received}/accept", "dispatcher", json=body))
    assert taken["status"] == "accepted"
