"""Benchmark tooling: a synthetic monorepo generator (generate.py) and a runner (run.py)."""
