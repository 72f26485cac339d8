"""The append-only event log: keyed hash chains per subject, their heads, checkpoints, audit."""
