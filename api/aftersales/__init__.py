"""GraphQL for after-sales: returns and exchanges, service tickets, complaints, feedback."""
