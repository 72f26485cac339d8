"""Incidents (警情): lifecycle, storage, use cases and API."""
