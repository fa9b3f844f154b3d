"""GraphQL for simulation runs: start a season in a sandbox of its own, read it, and watch it progress."""
