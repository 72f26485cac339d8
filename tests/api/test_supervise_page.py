"""The supervision page (督办): every reader sees what is overdue; only the duty leader, who
alone may acknowledge, is offered the acknowledgement form."""

from __future__ import annotations

import pytest

from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from tests.api.helpers import late_dispatch, ok
from tests.conftest import Api
from tests.world import PASSWORD


def _page(api: Api, username: str) -> str:
    api.client.cookies.clear()
    login = {"username": username, "password": PASSWORD}
    assert api.client.post("/login", data=login, follow_redirects=False).status_code == 303
    response = api.client.get("/supervise")
    assert response.status_code == 200, response.text
    return response.text


@pytest.fixture
def late(api: Api, clock: VirtualClock, runtime: Runtime) -> str:
    return late_dispatch(api, clock, runtime)


def test_the_leader_is_offered_the_acknowledgement(api: Api, late: str) -> None:
    html = _page(api, "leader")
    assert late in html
    assert '<form class="ack"' in html
    assert "此列表供查看" not in html


@pytest.mark.parametrize("role", ["dispatcher", "analyst", "admin"])
def test_another_role_reads_the_rows_without_a_form_it_could_not_send(
    api: Api, late: str, role: str
) -> None:
    html = _page(api, role)
    assert late in html
    assert '<form class="ack"' not in html
    assert "此列表供查看" in html
    # And the server agrees: an acknowledgement from this role is refused.
    first = ok(api.get("/supervision", "leader"))[0]["id"]
    refused = api.post(f"/supervision/{first}/acknowledge", role, json={"comment": "已阅"})
    assert refused.status_code == 403
