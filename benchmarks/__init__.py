"""Benchmarks of Deep Learning Labs: time-to-quality, latency, cold start and memory.

Run `python -m benchmarks --list` to see them, `python -m benchmarks [NAME...]` to run them.
Not run as tests: `tests/test_benchmarks.py` only checks that the harness works (`--quick`).
"""
