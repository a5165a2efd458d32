"""Starts and supervises the whole system on one machine: `make run`, end-to-end tests, benchmarks."""
