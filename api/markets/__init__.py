"""GraphQL for markets and their reference rules."""
