"""After-sales: returns and exchanges, refunds, service tickets, complaints with SLAs, feedback."""
