"""Proving the record whole (`cad110 audit verify`): every chain of the event log, the
checkpoint file, and each incident's and call's row against what its events say."""
