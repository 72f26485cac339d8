"""cad110 — computer-aided dispatch for a 110 public-security command centre."""

__version__ = "0.1.0"
