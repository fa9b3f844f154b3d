"""The tax ledger: what is owed and paid, per jurisdiction and tax type, and period returns."""
