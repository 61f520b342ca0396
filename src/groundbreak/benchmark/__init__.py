"""Benchmark tooling: a seeded data generator and a load harness (see docs/performance.md).

Nothing here is imported by the running site; `groundbreak bench …` is the entry point.
"""
