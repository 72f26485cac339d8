"""Benchmarks run by `cad110 bench …`: the real stack measured against raw floors."""
