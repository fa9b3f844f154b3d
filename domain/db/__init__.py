"""Persistence: the mapped base, the engine (a configured server or the embedded one) and the unit of
work, the only transaction boundary."""
