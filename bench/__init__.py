"""Benchmarks and load tests: they print figures and assert nothing about time."""
