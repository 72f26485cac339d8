"""The append-only event log and its per-subject SHA-256 chains."""
