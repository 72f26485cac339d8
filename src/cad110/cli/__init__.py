"""The `cad110` command line: one module per group of commands, registered on `app`."""

from __future__ import annotations

from cad110.cli import (
    accounts,
    audit,
    backup,
    bench,
    data,
    fraud,
    history,
    hotline,
    phone,
    places,
    repeats,
    reports,
    serve,
    sms,
    stats,
)
from cad110.cli.common import app

__all__ = [
    "accounts",
    "app",
    "audit",
    "backup",
    "bench",
    "data",
    "fraud",
    "history",
    "hotline",
    "phone",
    "places",
    "repeats",
    "reports",
    "serve",
    "sms",
    "stats",
]
