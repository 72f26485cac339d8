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
from cad110.web.sentences import yuan

TZ = ZoneInfo("Asia/Shanghai")


def local_time(value: datetime | None, fmt: str = "%m-%d %H:%M:%S") -> str:
    """A UTC time as the centre's local time (screens never show UTC)."""
    return value.astimezone(TZ).strftime(fmt) if value is not None else ""


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
    env.filters["yuan"] = yuan
    env.globals["may"] = may
    return env


def render(locale: str, template: str, **context: Any) -> str:
    return environment(locale).get_template(template).render(locale=locale, **context)
