"""Which units suit an incident: the category's required capabilities, and where it lies."""

from __future__ import annotations

from cad110.catalog.loader import Catalog
from cad110.models.incident import Incident
from cad110.models.unit import Unit


def required_capabilities(catalog: Catalog, incident: Incident) -> frozenset[str]:
    category = catalog.get(incident.category_code) if incident.category_code else None
    return frozenset(category.capabilities) if category else frozenset()


def units_needed(catalog: Catalog, incident: Incident) -> int:
    category = catalog.get(incident.category_code) if incident.category_code else None
    return category.min_units if category else 1


def district_path(path: str) -> str:
    """The district prefix of a jurisdiction path ("350100/350102/35010201/" → "350100/350102/")."""
    parts = [p for p in path.split("/") if p]
    return "/".join(parts[:2]) + "/" if len(parts) >= 2 else path


def suits(catalog: Catalog, unit: Unit, incident: Incident) -> bool:
    """A unit suits an incident in its own district that needs nothing it lacks."""
    if not incident.jurisdiction_path.startswith(district_path(unit.jurisdiction_path)):
        return False
    return required_capabilities(catalog, incident) <= set(unit.capabilities)
