"""An analyst lands on incident search, narrows by words and category, downloads the XLSX
and opens the printable record."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.api.helpers import new_incident
from tests.browser.steps import login, shot
from tests.conftest import Api


def test_analyst_searches_and_downloads_the_results(
    api: Api, live_server: str, page: Page, backend: str
) -> None:
    theft = new_incident(api, narrative="电动车在小区楼下被盗", category="theft")["number"]
    fight = new_incident(api, narrative="两名男子在路口斗殴", category="affray", accept=True)[
        "number"
    ]
    login(page, live_server, "analyst")
    expect(page).to_have_url(f"{live_server}/search")
    rows = page.locator("table.search-results tbody tr")
    expect(rows).to_have_count(2)
    page.get_by_label("类别").fill("盗窃")
    page.get_by_role("button", name="查询").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(theft)
    expect(rows.first).to_contain_text("盗窃")
    expect(rows.first).to_contain_text("138****8000")
    assert fight not in page.locator("table.search-results").inner_text()
    number_cell = rows.first.locator("td.number")
    box = number_cell.bounding_box()
    assert box is not None
    assert number_cell.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    shot(page, backend, "search")
    with page.expect_download() as download:
        page.locator("#export-xlsx").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    pdf = page.request.get(f"{live_server}/incidents/{theft}/record.pdf")
    assert pdf.ok
    assert pdf.body().startswith(b"%PDF")
