"""Jinja2 environments, one per locale, with the Babel translations installed."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape

from cad110.auth.permissions import Permission, allowed
from cad110.auth.principal import Principal
from cad110.web.i18n import translations
from cad110.web.sentences import STEP_NAMES, yuan

TZ = ZoneInfo("Asia/Shanghai")


# The one way a screen shows a moment, in both languages: centre time, month and day in ISO
# order ("12-01 01:27"; "2026-12-01 01:27" where the year matters), never day/month. Scripts
# say it the same way (static/js/console.js `cad110.when`).
WHEN = "%m-%d %H:%M"


def local_time(value: datetime | None, fmt: str = "%m-%d %H:%M:%S") -> str:
    """A UTC time as the centre's local time in `fmt` (screens never show UTC): a clock time
    ("%H:%M") or the value of a form's input; a date and time on a screen is `when`."""
    return value.astimezone(TZ).strftime(fmt) if value is not None else ""


def when(value: datetime | None, *, seconds: bool = False, year: bool = False) -> str:
    """A moment as every screen shows it: "12-01 01:27", with seconds on a record
    ("12-01 01:27:21") or with its year where a date may lie in another year."""
    return local_time(value, ("%Y-" if year else "") + WHEN + (":%S" if seconds else ""))


def may(user: Principal | None, permission: str) -> bool:
    """Whether the page's user may do `permission` (a screen shows only what they may use)."""
    return user is not None and allowed(user.role, Permission(permission))


@lru_cache(maxsize=4)
def environment(locale: str) -> Environment:
    env = Environment(
        loader=PackageLoader("cad110.web", "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.filters["local_time"] = local_time
    env.filters["when"] = when
    env.filters["yuan"] = yuan
    env.globals["may"] = may
    env.globals["STEP_NAMES"] = STEP_NAMES
    return env


def render(locale: str, template: str, **context: Any) -> str:
    return environment(locale).get_template(template).render(locale=locale, **context)
