"""GraphQL for the caller's workspace."""
