"""Repeat incidents (重复警情): links between incidents and the repeat case file (重复警情档案)."""
