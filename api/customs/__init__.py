"""GraphQL for customs: export and import declarations, decisions, holds and charges."""
