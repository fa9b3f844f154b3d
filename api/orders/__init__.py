"""GraphQL for orders and their payments."""
