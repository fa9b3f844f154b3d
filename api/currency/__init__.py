"""GraphQL for currency: rates, conversion, rate locks."""
