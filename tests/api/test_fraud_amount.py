"""A visit's record said the amount at risk first reported; a later signal for the same person
that raises it is told on the visit's record, so the officer and the board never read one
amount in the warning and another in the incident without knowing which is the later."""

from __future__ import annotations

from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from tests.api.fraud_steps import WARNINGS, login, post, read, signed_in, warning
from tests.api.helpers import ok
from tests.conftest import Api


def test_a_signal_that_raises_the_amount_is_told_on_the_visit(
    api: Api, runtime: Runtime, clock: VirtualClock
) -> None:
    signed_in(runtime)
    first = warning("v", amount_at_risk="2000.00", fraud_type="impersonate_police", score=95)
    urgent = post(api, clock, WARNINGS, first).json()
    visit = read(api, urgent["warning"])["incident"]
    assert visit is not None
    incident = ok(api.get(f"/incidents/{visit}", "dispatcher"))
    assert "首报涉及金额 2000.00 元" in incident["narrative"]

    # The same person again, more at risk: one warning, its amount raised, the visit told.
    again = warning("v2", amount_at_risk="30000.00", fraud_type="impersonate_police", score=95)
    assert post(api, clock, WARNINGS, again).json()["warning"] == urgent["warning"]
    assert read(api, urgent["warning"])["amount_at_risk"] == "30000.00"
    events = ok(api.get(f"/incidents/{visit}/timeline", "dispatcher"))["events"]
    raised = [e for e in events if e["kind"] == "fraud_amount_raised"]
    assert [e["payload"] for e in raised] == [
        {"warning": urgent["warning"], "from": "2000.00", "to": "30000.00"}
    ]
    # A signal with less at risk changes nothing.
    less = warning("v3", amount_at_risk="500.00", fraud_type="impersonate_police", score=95)
    post(api, clock, WARNINGS, less)
    events = ok(api.get(f"/incidents/{visit}/timeline", "dispatcher"))["events"]
    assert [e["kind"] for e in events].count("fraud_amount_raised") == 1

    login(api, "dispatcher")
    page = api.client.get(f"/incidents/{visit}")
    assert f"涉案金额上调：{urgent['warning']}、¥2000.00 → ¥30000.00" in page.text
