"""Tradelane's GraphQL API (strawberry on Starlette) and its command line. Thin: input becomes a domain
command, the result becomes a payload; no business rule lives here."""
