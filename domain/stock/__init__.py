"""Stock: warehouses, inbound lots and their quality inspection, stock levels and order reservations."""
