"""Benchmarks of netplay against its peers on one simulated lab (not part of the test suite)."""
