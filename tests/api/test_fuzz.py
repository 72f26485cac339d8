"""Schema-driven fuzzing: nothing a client can send yields a 500."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings

from cad110.app import create_app
from cad110.clock import VirtualClock
from cad110.runtime import Runtime
from tests.api.helpers import new_incident
from tests.conftest import Api
from tests.integration.missing_steps import open_case, person
from tests.world import START

EXAMPLES_PER_OPERATION = 25


def test_no_request_from_the_schema_yields_a_server_error(api: Api, runtime: Runtime) -> None:
    real_number = new_incident(api, accept=True)["number"]
    real_case = open_case(
        api, VirtualClock(START), category="missing_elderly", who=person("王秀英", "female", 80)
    )["number"]
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(runtime))
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20

    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            # Half the time aim at a real incident or case so that handlers past the lookup run too.
            if case.path_parameters and "number" in case.path_parameters and len(failures) % 2 == 0:
                missing = case.path.startswith("/api/v1/missing")
                case.path_parameters["number"] = real_case if missing else real_number
            response = case.call(headers=api.as_("dispatcher"))
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path} {case.body!r:.200} -> "
                    f"{response.status_code}: {response.text[:200]}"
                )

        check()
    assert failures == []
