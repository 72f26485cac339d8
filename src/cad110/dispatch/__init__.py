"""Dispatch: recommendation by ETA, the queue of incidents waiting for a unit, offers."""
