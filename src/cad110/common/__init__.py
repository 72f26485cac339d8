"""Small shared value types."""
