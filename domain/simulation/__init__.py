"""Simulation runs: a season of a scenario played in a sandbox workspace of its own, recorded in the
workspace that started it (the season itself lives in `simulator/`; this is its record)."""
