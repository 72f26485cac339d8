"""The board's queue shows each incident's earliest unmet deadline, overdue ones included:
an accepted incident nobody dispatched, a unit that never signed for its dispatch."""

from __future__ import annotations

import re
from datetime import timedelta

from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from cad110.kernel.ticks import run_jobs
from tests.api.helpers import new_incident, ok
from tests.conftest import Api
from tests.world import PASSWORD


def _rows(api: Api) -> str:
    api.client.post(
        "/login", data={"username": "dispatcher", "password": PASSWORD}, follow_redirects=False
    )
    response = api.client.get("/board/rows")
    assert response.status_code == 200
    return response.text


def _row(html: str, number: str) -> str:
    found = re.search(rf'<tr class="([^"]*)" data-number="{number}".*?</tr>', html, re.S)
    assert found is not None, html
    return found.group(0)


def test_an_overdue_dispatch_deadline_stays_on_the_row_in_red(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    accepted_at = clock.now()
    number = new_incident(api, accept=True)["number"]  # theft, grade 2: dispatch within 180 s
    calm = new_incident(api, accept=True)["number"]
    clock.advance(timedelta(seconds=400))
    run_jobs(runtime)  # the deadline fires: a supervision opens, the board keeps showing it
    ok(api.post(f"/incidents/{calm}/dispatch", "dispatcher", json={"units": ["35010201-1"]}))
    html = _rows(api)
    row = _row(html, number)
    assert 'class="grade-2 overdue"' in row
    due = (accepted_at + timedelta(seconds=180)).isoformat()
    assert f'data-due="{due}" class="overdue"' in row
    assert "超时 3分" in row
    assert "overdue" not in _row(html, calm).split(">")[0]


def test_a_unit_that_never_signed_shows_its_late_acknowledgement_not_the_next_step(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    number = new_incident(api, accept=True)["number"]
    ok(api.post(f"/incidents/{number}/dispatch", "dispatcher", json={"units": ["35010201-1"]}))
    dispatched_at = clock.now()
    clock.advance(timedelta(minutes=2))
    run_jobs(runtime)
    row = _row(_rows(api), number)
    assert "overdue" in row.split(">")[0]
    due = re.search(r'data-due="([^"]+)"', row)
    assert due is not None
    # 签收 was due a minute after dispatch; the arrival limit is further off.
    assert due.group(1) == (dispatched_at + timedelta(seconds=60)).isoformat()
    assert "超时 1分" in row
