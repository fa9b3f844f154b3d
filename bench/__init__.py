"""Benchmarks: `make bench` runs bench.orders_page (GraphQL against a hand-written endpoint)."""
