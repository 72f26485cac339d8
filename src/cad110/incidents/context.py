"""What every use case needs besides its own input."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from cad110.auth.principal import Principal
from cad110.catalog.loader import Catalog
from cad110.geo.eta import EtaModel, StraightLineEta
from cad110.missing.rules import Rules, load_rules


@dataclass(frozen=True)
class Ctx:
    """The unit of work (session), who acts, when, and the catalog in force."""

    session: Session
    by: Principal
    at: datetime
    catalog: Catalog
    tz: ZoneInfo
    # How travel times are estimated for recommendations (road graph or straight line).
    eta: EtaModel = field(default_factory=StraightLineEta)
    # The missing-person rules in force (寻人规则).
    missing_rules: Rules = field(default_factory=load_rules)
