"""Live pushes: server-sent events of every committed change, scoped to each viewer's
jurisdiction; in-process on one worker, PostgreSQL LISTEN/NOTIFY across workers."""

from cad110.live.bus import Bus, InProcessBus, Subscription
from cad110.live.install import Live, install_live
from cad110.live.notice import Notice, Resync
from cad110.live.postgres import PostgresBus

__all__ = [
    "Bus",
    "InProcessBus",
    "Live",
    "Notice",
    "PostgresBus",
    "Resync",
    "Subscription",
    "install_live",
]
