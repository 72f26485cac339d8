"""Call records (every inbound contact) and their outcomes."""
