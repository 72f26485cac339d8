"""The 统计 page: only the roles with the stats permission open it; it carries the filters of its
URL to the API and the exports, shows a refused filter as it came, and is linked from the nav."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.api.stats_page_steps import login, stats_config
from tests.conftest import Api


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(unescape(url)).query)


@pytest.mark.parametrize("role", ["calltaker", "admin", "auditor", "officer-35010201-1"])
def test_roles_without_the_stats_permission_are_refused(api: Api, role: str) -> None:
    login(api, role)
    page = api.client.get("/stats")
    assert page.status_code == 403
    assert "stats-config" not in page.text
    assert 'href="/stats"' not in page.text


def test_without_a_session_the_page_sends_to_the_login(api: Api) -> None:
    response = api.client.get("/stats", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/stats"


@pytest.mark.parametrize("role", ["analyst", "leader", "dispatcher"])
def test_analysts_leaders_and_dispatchers_open_it_from_the_nav(api: Api, role: str) -> None:
    login(api, role)
    page = api.client.get("/stats")
    assert page.status_code == 200
    assert '<a href="/stats">统计</a>' in page.text
    assert "/static/vendor/echarts.min.js" in page.text


def test_the_filters_of_the_url_reach_the_api_and_the_exports(api: Api) -> None:
    login(api, "analyst")
    page = api.client.get(
        "/stats",
        params={
            "period": "custom",
            "since": "2026-11-01",
            "until": "2026-11-15",
            "jurisdiction": "350102",
            "category": "theft",
            "grade": "2",
            "group_by": "category",
        },
    )
    assert page.status_code == 200
    config = stats_config(page.text)
    # The last day chosen is counted: the API's until is the day after it.
    wanted = {
        "since": ["2026-11-01"],
        "until": ["2026-11-16"],
        "jurisdiction": ["350102"],
        "category": ["theft"],
        "grade": ["2"],
    }
    assert _query(config["summary"]) == {**wanted, "group_by": ["category"]}
    assert _query(config["hourly"]) == {**wanted, "group_by": ["hour"]}
    assert _query(config["series"]) == wanted
    for fmt in ("txt", "xlsx", "pdf"):
        link = re.search(rf'id="export-{fmt}" href="([^"]+)"', page.text)
        assert link is not None
        assert link.group(1).startswith("/api/v1/stats/export?")
        assert _query(link.group(1)) == {**wanted, "group_by": ["category"], "format": [fmt]}
    # What the page asks for is what the API answers, the exports included.
    for url in (config["summary"], config["hourly"]):
        assert api.client.get(url).status_code == 200
    media = {
        "txt": "text/plain",
        "xlsx": "application/vnd.openxmlformats",
        "pdf": "application/pdf",
    }
    for fmt, kind in media.items():
        link = re.search(rf'id="export-{fmt}" href="([^"]+)"', page.text)
        assert link is not None
        exported = api.client.get(unescape(link.group(1)))
        assert exported.status_code == 200, exported.text
        assert exported.headers["content-type"].startswith(kind)
        assert "attachment" in exported.headers["content-disposition"]


def test_a_preset_names_its_days_on_the_centre_clock(api: Api) -> None:
    # The test clock starts on Monday 2026-11-23 (centre time).
    login(api, "leader")
    config = stats_config(api.client.get("/stats", params={"period": "last_week"}).text)
    assert _query(config["summary"])["since"] == ["2026-11-16"]
    assert _query(config["summary"])["until"] == ["2026-11-23"]


def test_a_refused_filter_goes_to_the_api_as_it_came_and_the_page_still_opens(api: Api) -> None:
    login(api, "analyst")
    page = api.client.get(
        "/stats", params={"category": "<b>no</b>", "grade": "9", "group_by": "weekday"}
    )
    assert page.status_code == 200
    assert "<b>no</b>" not in page.text
    config = stats_config(page.text)
    refused = api.client.get(config["summary"])
    assert refused.status_code == 422
    fields = {item["loc"][-1] for item in refused.json()["detail"]}
    assert fields == {"category", "grade", "group_by"}


def test_the_categories_are_listed_as_a_reader_looks_for_them(api: Api) -> None:
    """By pinyin in Chinese (a dictionary's order), by the alphabet in English."""
    login(api, "analyst")
    chinese = _category_names(api.client.get("/stats").text)
    assert chinese.index("打架斗殴") < chinese.index("盗窃") < chinese.index("诈骗")
    api.client.cookies.set("cad110_lang", "en")
    english = _category_names(api.client.get("/stats").text)
    assert english == sorted(english, key=str.lower)
    assert len(english) == len(chinese) > 20


def _category_names(page: str) -> list[str]:
    select = re.search(r'<select name="category">(.*?)</select>', page, re.S)
    assert select is not None
    options = re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)</option>', select.group(1))
    return [unescape(name) for _code, name in options]
