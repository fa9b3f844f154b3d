"""GraphQL for market research: landed cost, margin and compliance per market and channel."""
