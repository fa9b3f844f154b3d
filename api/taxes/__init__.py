"""GraphQL for the tax ledger: entries, period reports and the IOSS return."""
