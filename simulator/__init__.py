"""The simulated world (consumers, platforms, providers, carriers, customs, markets); filled by the Simulated-seasons work."""
