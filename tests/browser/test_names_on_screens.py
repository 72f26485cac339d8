"""People, units and places by name on the screens, never by code: the 寻人 case and its desk
(首接单位／首接民警, 包干领导, 专管员, the push list, the journal's 操作人), the handover notes and
the search results. The API keeps the codes."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import update

from cad110.clock import VirtualClock
from cad110.db.engine import transaction
from cad110.kernel.runtime import Runtime
from cad110.models.user import User
from tests.api.helpers import new_incident, ok
from tests.browser.steps import login
from tests.conftest import Api
from tests.integration.missing_steps import open_case, person

NAMES = {
    "calltaker": "王丽",
    "dispatcher": "陈建国",
    "gulou_leader": "林志强",
    "officer-35010201-1": "鼓东巡逻一组",
}


def _named(runtime: Runtime) -> None:
    with transaction(runtime.sessions) as session:
        for username, name in NAMES.items():
            session.execute(update(User).where(User.username == username).values(display_name=name))


def test_a_case_names_its_people_units_and_station(
    api: Api, clock: VirtualClock, runtime: Runtime, live_server: str, page: Page
) -> None:
    _named(runtime)
    case = open_case(
        api,
        clock,
        category="missing_person",
        who=person("陈金水", "male", 79),
        leader="gulou_leader",
        case_officer="officer-35010201-1",
    )
    number = case["number"]
    ok(api.post(f"/missing/{number}/push", "dispatcher", json={"radius_km": 5}))
    assert case["first_officer"] == "calltaker"  # the API keeps usernames
    login(page, live_server, "dispatcher")
    page.goto(f"{live_server}/missing/{number}")
    record = page.locator("dl").first
    expect(record).to_contain_text("鼓东派出所 · 王丽")
    expect(record).to_contain_text("林志强")
    expect(record).to_contain_text("鼓东巡逻一组")
    assert "calltaker" not in record.inner_text()
    assert "gulou_leader" not in record.inner_text()
    pushed = page.locator("#push li")
    expect(pushed.first).to_be_visible()
    assert "巡逻35010201-2" in page.locator("#push").inner_text()
    journal = page.locator("#journal tbody tr")
    expect(journal.first.locator("td").nth(3)).to_have_text("王丽")
    journal_text = page.locator("#journal").inner_text()
    assert "林志强" in journal_text  # 包干领导 in the 建档 entry's details
    assert "gulou_leader" not in journal_text
    assert "officer-35010201-1" not in journal_text
    page.goto(f"{live_server}/missing")
    row = page.locator("table.cases tbody tr", has_text="陈金水")
    expect(row).to_contain_text("鼓东巡逻一组")
    expect(row).to_contain_text("林志强")


def test_handover_notes_and_search_results_name_people_and_units(
    api: Api, runtime: Runtime, live_server: str, page: Page
) -> None:
    _named(runtime)
    # Left at the board by one shift, read there by the next (its writer cannot mark it read).
    left = api.post("/handover", "calltaker", json={"position": "board", "text": "两起警情待回访"})
    assert left.status_code == 201, left.text
    login(page, live_server, "dispatcher")
    page.goto(f"{live_server}/handover?position=board")
    note = page.locator("#handover-notes li").first
    expect(note.locator(".meta")).to_contain_text("王丽")
    with page.expect_navigation():
        note.get_by_role("button", name="标为已阅").click()
    expect(page.locator("#handover-notes li").first.locator(".meta")).to_contain_text("陈建国 于")
    text = page.locator("#handover-notes").inner_text()
    assert "dispatcher" not in text
    assert "calltaker" not in text

    number = new_incident(api, accept=True)["number"]
    ok(api.post(f"/incidents/{number}/dispatch", "dispatcher", json={"units": ["35010201-2"]}))
    page.goto(f"{live_server}/search?number={number}")
    row = page.locator("table.search-results tbody tr").first
    expect(row).to_contain_text("巡逻35010201-2")
    expect(row.locator("td.units [title='35010201-2']")).to_have_count(1)
