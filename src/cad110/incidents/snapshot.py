"""What the lifecycle rules see of an incident row: status, units, and the catalog's guards.

Built in one place for the action (`actions.py`) and for the `allowed_actions` the screens
show (`views.py`), so a button is offered exactly when the action would be taken.
"""

from __future__ import annotations

from collections.abc import Mapping

from cad110.catalog.loader import Catalog
from cad110.lifecycles.incident import AssignmentState, Snapshot
from cad110.models.incident import Incident


def snapshot_of(
    catalog: Catalog, incident: Incident, units: Mapping[str, AssignmentState]
) -> Snapshot:
    """The incident as the rules see it: the units the category needs at once (1 without a
    category) and whether its category and grade ask for 回访 before 归档."""
    grade = incident.grade or 3
    category = catalog.get(incident.category_code) if incident.category_code else None
    if category is not None:
        min_units, callback = category.min_units, category.needs_callback(grade)
    else:
        min_units, callback = 1, catalog.grades[grade].callback_required
    return Snapshot(
        status=incident.status, units=dict(units), min_units=min_units, callback_due=callback
    )
