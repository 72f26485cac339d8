"""Schema-driven fuzzing: nothing a client can send yields a 500 (the machinery; the tests are
test_fuzz_*.py, each taking a share of the operations).

Besides what the schema allows, the cases carry what a hostile or broken client sends: NaN and
±Infinity in place of a number, times at the ends of the calendar with extreme offsets, dates
from year 1 to 9999, and bodies past the size limit.
"""

from __future__ import annotations

import itertools
import json
import math
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi import unregister_string_format

from cad110.app import create_app
from cad110.clock import VirtualClock
from cad110.kernel.runtime import Runtime
from tests.api.helpers import new_incident
from tests.conftest import Api
from tests.integration.missing_steps import open_case, person
from tests.world import START

EXAMPLES_PER_OPERATION = 25
# Small, so that a padded body passes it without building megabytes per example.
BODY_LIMIT = 4096

NON_FINITE = (math.nan, math.inf, -math.inf)
# Offsets run from -14:00 to +14:00 in the real world; beyond ±24 h Python refuses them.
offsets = st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(lambda m: timezone(timedelta(minutes=m)))
any_moment = st.builds(
    lambda moment, tz: moment.replace(tzinfo=tz).isoformat(),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)),
    offsets,
)
edge_moment = st.sampled_from(
    [
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
        "1899-12-31T23:59:59Z",
        "2101-01-01T00:00:00Z",
        "1900-01-01T00:00:00+23:59",
        "2026-11-23T08:00:00",
    ]
)
plausible_moment = st.datetimes(
    min_value=datetime(2026, 11, 22), max_value=datetime(2026, 11, 24), timezones=st.just(UTC)
).map(datetime.isoformat)
moments = st.one_of(plausible_moment, edge_moment, any_moment)
days = st.one_of(
    st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 1, 1)),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
).map(date.isoformat)


@contextmanager
def hostile_formats() -> Iterator[None]:
    schemathesis.openapi.format("date-time", moments)
    schemathesis.openapi.format("date", days)
    try:
        yield
    finally:
        unregister_string_format("date-time")
        unregister_string_format("date")


@schemathesis.serializer("application/json")
def python_json(_ctx: schemathesis.SerializationContext, value: Any) -> bytes:
    """JSON as Python writes it: NaN and Infinity go out as the bare words Python reads back."""
    return json.dumps(value, ensure_ascii=False).encode()


def _numbers(body: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Where the numbers are in a JSON body."""
    if isinstance(body, bool):
        return
    if isinstance(body, int | float):
        yield path
    elif isinstance(body, dict):
        for k, v in body.items():
            yield from _numbers(v, (*path, k))
    elif isinstance(body, list):
        for i, v in enumerate(body):
            yield from _numbers(v, (*path, i))


def _replace(body: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    copy = dict(body) if isinstance(body, dict) else list(body)
    copy[head] = _replace(body[head], rest, value)
    return copy


def _hostile(case: Any, data: st.DataObject, fresh_key: str) -> None:
    """Turn a well-formed case into one a hostile client would send, some of the time."""
    # Generated keys repeat (hypothesis favours "0"), and a repeated key with another body is
    # refused before the handler runs: most cases get a key of their own.
    headers = case.headers or {}
    if "Idempotency-Key" in headers and data.draw(st.integers(0, 4), label="own key") < 4:
        headers["Idempotency-Key"] = fresh_key
    body = case.body
    if not isinstance(body, dict | list):
        return
    places = list(_numbers(body))
    if places and data.draw(st.booleans(), label="non-finite"):
        place = data.draw(st.sampled_from(places), label="where")
        body = _replace(body, place, data.draw(st.sampled_from(NON_FINITE), label="what"))
    if isinstance(body, dict) and data.draw(st.integers(0, 9), label="oversize") == 9:
        body = {**body, "padding": "x" * (BODY_LIMIT + 1)}
    case.body = body


def fuzz_share(api: Api, runtime: Runtime, share: int, shares: int) -> None:
    """Fuzz every `shares`-th operation of the schema, starting at `share`: the operations are
    split over test files so that parallel workers share them (a file stays on one worker)."""
    runtime.settings.max_body_bytes = BODY_LIMIT
    real_number = new_incident(api, accept=True)["number"]
    real_case = open_case(
        api, VirtualClock(START), category="missing_elderly", who=person("王秀英", "female", 80)
    )["number"]
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(runtime))
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    keys = itertools.count()
    with hostile_formats():
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 20
        operations.sort(key=lambda o: (o.path, o.method))
        for operation in operations[share::shares]:
            _fuzz(operation, api, real_number, real_case, failures, statuses, keys)
    assert failures == []
    # The hostile cases got through to be refused: by size, and as invalid input.
    assert statuses[413] > 0
    assert statuses[422] > 0


def _fuzz(
    operation: Any,
    api: Api,
    real_number: str,
    real_case: str,
    failures: list[str],
    statuses: Counter[int],
    keys: Iterator[int],
) -> None:
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(case=operation.as_strategy(), data=st.data())
    def check(case: Any, data: st.DataObject) -> None:
        # Half the time aim at a real incident or case so that handlers past the lookup run too.
        if case.path_parameters and "number" in case.path_parameters and len(failures) % 2 == 0:
            missing = case.path.startswith("/api/v1/missing")
            case.path_parameters["number"] = real_case if missing else real_number
        _hostile(case, data, f"fuzz-{next(keys)}")
        response = case.call(headers=api.as_("dispatcher"))
        statuses[response.status_code] += 1
        if response.status_code >= 500:
            failures.append(
                f"{case.method} {case.formatted_path} {case.body!r:.200} -> "
                f"{response.status_code}: {response.text[:200]}"
            )

    check()
