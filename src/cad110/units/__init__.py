"""Police units (警组)."""
