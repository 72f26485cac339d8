"""Steps shared by the 统计 page's tests: log in through the form, the page's config read back."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.conftest import Api
from tests.world import PASSWORD


def login(api: Api, username: str) -> None:
    response = api.client.post(
        "/login", data={"username": username, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def stats_config(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="stats-config">(.*?)</script>', html)
    assert found is not None
    return json.loads(found.group(1))  # type: ignore[no-any-return]
