"""What a server process has cost: its CPU time, read from Linux's /proc."""

from __future__ import annotations

import math
import os
from pathlib import Path


def server_cpu_s(pid: int) -> float:
    """The CPU seconds the server process and its worker processes have used so far (Linux's
    /proc; NaN where there is none): what requests cost the server alone, apart from the load
    generator and the database on the same machine."""
    try:
        return _cpu_of_tree(pid)
    except (OSError, ValueError, IndexError):
        return math.nan


def _cpu_of_tree(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    used = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            children += [int(c) for c in (task / "children").read_text().split()]
        except OSError:  # the thread ended meanwhile
            continue
    return used + sum(_cpu_of_tree(child) for child in children)
