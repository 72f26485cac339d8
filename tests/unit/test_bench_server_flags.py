"""The benches' servers run as `cad110 serve` runs: the options it hands uvicorn, said on
uvicorn's command line (bench/harness.py), mean the same to uvicorn's own parser."""

from __future__ import annotations

from uvicorn.main import main as uvicorn_cli

from cad110.bench.harness import uvicorn_flags
from cad110.settings import Settings, server_options


def test_the_bench_server_gets_the_options_of_cad110_serve() -> None:
    options = server_options(Settings(forwarded_allow_ips="10.0.0.1", keep_alive_s=90))
    context = uvicorn_cli.make_context("uvicorn", ["cad110.serve:app", *uvicorn_flags(options)])
    for key, value in options.items():
        assert context.params[key] == value, key
