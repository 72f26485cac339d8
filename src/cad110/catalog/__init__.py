"""The catalog: categories, grades, time limits and handling guides (data, not code)."""
