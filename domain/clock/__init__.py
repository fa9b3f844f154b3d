"""Each workspace's clock and the timers that timed rules register on it."""
