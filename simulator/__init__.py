"""The simulated world: consumers, platforms, payment providers, carriers, customs and currency markets.

Filled by the Simulated-seasons work; empty until then.
"""
