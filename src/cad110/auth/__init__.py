"""Users, roles, tokens and jurisdiction scoping."""
