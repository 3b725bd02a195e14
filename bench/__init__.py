"""Benchmarks: each prints its figures as one JSON object, with a same-run baseline ratio."""
