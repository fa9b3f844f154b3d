"""GraphQL for stock: warehouses, inbound lots and their inspection, stock levels, reservations."""
