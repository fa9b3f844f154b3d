"""Order: placement on a channel, the payment ledger, seller confirmation with a deadline, packing."""
