"""The catalog, served as the loaded file says."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

from cad110.api.deps import Context
from cad110.api.routing import Router
from cad110.auth.permissions import Permission
from cad110.catalog.loader import LIMIT_NAMES, Category, TimeLimits
from cad110.catalog.search import search

router = Router(tags=["catalog"])


def _limits(limits: TimeLimits) -> dict[str, int]:
    return {name: getattr(limits, name) for name in LIMIT_NAMES}


def category_out(c: Category) -> dict[str, Any]:
    return {
        "code": c.code,
        "zh": c.zh,
        "en": c.en,
        "class": c.cls.value,
        "default_grade": c.default_grade,
        "limits": {str(g): _limits(lim) for g, lim in c.limits.items()},
        "guide": [
            {"code": i.code, "zh": i.zh, "en": i.en, "required": i.required} for i in c.guide
        ],
        "transfer_to": c.transfer_to.value if c.transfer_to else None,
        "criminal_case": c.criminal_case,
        "missing_person": c.missing_person,
        "min_units": c.min_units,
        "capabilities": list(c.capabilities),
    }


@router.get("/categories")
def list_categories(ctx: Context) -> dict[str, Any]:
    """Every category with its grade, time limits, guide and flags; and the grades."""
    ctx.by.require(Permission.READ)
    return {
        "version": ctx.catalog.version,
        "grades": [
            {"grade": g.grade, "zh": g.zh, "en": g.en, "limits": _limits(g.limits)}
            for g in ctx.catalog.grades.values()
        ],
        "categories": [category_out(c) for c in ctx.catalog.categories.values()],
    }


@router.get("/catalog/categories")
def search_categories(
    ctx: Context,
    q: Annotated[str, Query(max_length=40, description="Name, pinyin, initials or synonym")] = "",
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> dict[str, Any]:
    """Categories matching what a call-taker types (盗窃, daoqie, dq, 被偷), best first; an
    empty query lists every category in the catalog's order."""
    ctx.by.require(Permission.READ)
    everything = list(ctx.catalog.categories.values())
    found = search(q, everything, limit=limit) if q.strip() else everything[:limit]
    return {
        "items": [
            {"code": c.code, "zh": c.zh, "en": c.en, "default_grade": c.default_grade}
            for c in found
        ]
    }
