"""GraphQL for shipping: quotes, shipments, packages, tracking and the carriers' webhook."""
