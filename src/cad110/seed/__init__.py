"""Seeding: the demo city."""
