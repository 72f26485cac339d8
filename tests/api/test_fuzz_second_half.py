"""Schema-driven fuzzing, the second half of the operations (tests/api/fuzzing.py)."""

from __future__ import annotations

from cad110.kernel.runtime import Runtime
from tests.api.fuzzing import fuzz_share
from tests.conftest import Api


def test_no_request_from_the_schema_yields_a_server_error(api: Api, runtime: Runtime) -> None:
    fuzz_share(api, runtime, 1, 2)
