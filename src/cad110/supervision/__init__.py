"""Supervision (督办): deadlines for each step, overdue detection, escalation up the tree."""
