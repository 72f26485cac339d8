"""The officer's phone page: a step reloads the page, yet the caller's phone it shows is
recorded once, not once per reload; an empty reason or summary is answered by the page in the
user's language, beside the field (not the browser's bubble)."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select

from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from cad110.models.audit import AccessRecord
from tests.api.helpers import new_incident, ok
from tests.browser.steps import login
from tests.conftest import Api
from tests.integration.missing_steps import open_case, person

UNIT = "35010201-1"  # ≈1.2 km from the incident: its arrival asks for a reason
OFFICER = f"officer-{UNIT}"


def _phone(chromium_browser: Browser, *, touch: bool = False) -> Page:
    context = chromium_browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=touch
    )
    context.set_default_timeout(10_000)
    return context.new_page()


def _on_the_way(api: Api) -> str:
    """An incident the unit was sent to, signed for and set out on."""
    number = str(new_incident(api, accept=True)["number"])
    ok(api.post(f"/incidents/{number}/dispatch", "dispatcher", json={"units": [UNIT]}))
    for step in ("acknowledge", "depart"):
        ok(api.post(f"/incidents/{number}/units/{UNIT}/{step}", OFFICER))
    return number


def _reads(runtime: Runtime, number: str) -> int:
    with runtime.sessions() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(AccessRecord)
                .where(
                    AccessRecord.username == OFFICER,
                    AccessRecord.subject_id == number,
                    AccessRecord.action == "read",
                )
            )
            or 0
        )


def test_steps_that_reload_the_page_record_the_callers_phone_once(
    live_server: str, chromium_browser: Browser, api: Api, runtime: Runtime
) -> None:
    number = new_incident(api, accept=True)["number"]
    ok(api.post(f"/incidents/{number}/dispatch", "dispatcher", json={"units": [UNIT]}))
    phone = _phone(chromium_browser)
    login(phone, live_server, OFFICER)
    expect(phone.locator(".caller .pii")).to_have_text("13800138000")
    for step in ("签收", "出动"):
        with phone.expect_navigation():
            phone.get_by_role("button", name=step).click()
        expect(phone.locator(".caller .pii")).to_have_text("13800138000")
    assert _reads(runtime, number) == 1
    phone.context.close()


def test_an_empty_reason_or_summary_is_said_beside_the_field(
    live_server: str, chromium_browser: Browser, api: Api
) -> None:
    _on_the_way(api)
    phone = _phone(chromium_browser)
    login(phone, live_server, OFFICER)
    phone.get_by_role("button", name="到场").click()
    reason = phone.locator("#arrive-reason")
    expect(reason).to_be_visible()
    assert reason.evaluate("f => f.noValidate") is True
    phone.get_by_role("button", name="确认到场").click()
    expect(reason.locator(".field-error")).to_have_text("请填写此项。")
    expect(reason.locator("textarea[name=reason]")).to_be_focused()
    reason.locator("textarea[name=reason]").fill("手机定位失灵，已在现场")
    with phone.expect_navigation():
        phone.get_by_role("button", name="确认到场").click()
    feedback = phone.locator("#feedback")
    for box in feedback.locator("input[name=guide]").all():
        box.check()
    phone.get_by_role("button", name="反馈并结束").click()
    expect(feedback.locator(".field-error")).to_have_text("请填写此项。")
    expect(feedback.locator("textarea[name=summary]")).to_be_focused()
    phone.context.close()


# The controls on a page too small for a thumb: under 44 px high, a tick box under 24 px.
TOO_SMALL = """() => [...document.querySelectorAll('main button, main select, main input, main summary')]
  .filter((e) => {
    const r = e.getBoundingClientRect();
    if (!r.width || !r.height || e.type === 'hidden' || e.type === 'file') return false;
    const box = e.type === 'checkbox' || e.type === 'radio';
    return box ? r.width < 24 || r.height < 24 : r.height < 44;
  })
  .map((e) => `${e.tagName} ${e.type || ''} "${(e.textContent || e.name || '').trim().slice(0, 30)}"`)"""


def test_every_control_on_the_officer_s_screens_takes_a_thumb(
    live_server: str, chromium_browser: Browser, api: Api
) -> None:
    number = _on_the_way(api)
    ok(api.post(f"/incidents/{number}/units/{UNIT}/arrive", OFFICER, json={"reason": "已到场"}))
    phone = _phone(chromium_browser, touch=True)
    login(phone, live_server, OFFICER)
    expect(phone.locator("#feedback input[name=guide]").first).to_be_visible()
    small = {"/unit": phone.evaluate(TOO_SMALL)}
    for path in ("/repeats", "/handover", "/missing"):
        phone.goto(f"{live_server}{path}")
        expect(phone.locator("main h1").first).to_be_visible()
        small[path] = phone.evaluate(TOO_SMALL)
    assert small == {"/unit": [], "/repeats": [], "/handover": [], "/missing": []}
    phone.context.close()


def test_the_case_ledger_is_read_as_cards_on_a_phone(
    live_server: str, chromium_browser: Browser, api: Api, clock: VirtualClock
) -> None:
    number = open_case(api, clock, category="missing_elderly", who=person("陈金水", "male", 79))[
        "number"
    ]
    phone = _phone(chromium_browser)
    login(phone, live_server, OFFICER)
    phone.goto(f"{live_server}/missing")
    row = phone.locator(f"tr[data-case='{number}']")
    expect(row).to_be_visible()
    # Nothing lies beyond the screen's right edge: each cell is a named line of the card.
    right = row.evaluate(
        "tr => Math.max(...[...tr.querySelectorAll('td')].map(td => td.getBoundingClientRect().right))"
    )
    assert right <= 390
    expect(row.locator("td[data-label='最后出现']")).to_be_visible()
    phone.context.close()
