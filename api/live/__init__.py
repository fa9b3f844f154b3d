"""GraphQL for what happens in a workspace as it happens: its events, as they commit (subscriptions)."""
