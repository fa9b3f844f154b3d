"""GraphQL for the catalog: channels, products, listings."""
