"""Which units suit an incident: the category's required capabilities, and where it lies."""

from __future__ import annotations

from cad110.catalog.loader import Catalog
from cad110.models.incident import Incident
from cad110.models.unit import PatrolLevel, Unit

# A station's own units (本所): its patrols and community police. District and city units
# (巡特警, traffic) are parked at a station but answer to the district or the city.
_STATION_LEVELS = frozenset({PatrolLevel.STATION, PatrolLevel.COMMUNITY})


def required_capabilities(catalog: Catalog, incident: Incident) -> frozenset[str]:
    category = catalog.get(incident.category_code) if incident.category_code else None
    return frozenset(category.capabilities) if category else frozenset()


def units_needed(catalog: Catalog, incident: Incident) -> int:
    category = catalog.get(incident.category_code) if incident.category_code else None
    return category.min_units if category else 1


def serves(catalog: Catalog, kind: str, category_code: str | None) -> bool:
    """A unit kind serves the categories the catalog gives it (traffic police: traffic only).

    Without a category every kind serves: nothing is known yet to hold against one."""
    category = catalog.get(category_code) if category_code else None
    return category is None or kind in category.served_by


def own_station(unit: Unit, incident: Incident) -> bool:
    """The unit belongs to the station whose area the incident is in (本所)."""
    return unit.patrol_level in _STATION_LEVELS and unit.station_code == incident.jurisdiction_code


def district_path(path: str) -> str:
    """The district prefix of a jurisdiction path ("350100/350102/35010201/" → "350100/350102/")."""
    parts = [p for p in path.split("/") if p]
    return "/".join(parts[:2]) + "/" if len(parts) >= 2 else path


def suits(catalog: Catalog, unit: Unit, incident: Incident) -> bool:
    """A unit suits an incident in its own district that needs nothing it lacks."""
    if not incident.jurisdiction_path.startswith(district_path(unit.jurisdiction_path)):
        return False
    return required_capabilities(catalog, incident) <= set(unit.capabilities)
