"""Tradelane's domain: the seller's export lifecycle, one package per stage.

Nothing here imports the GraphQL layer, the web framework or the simulator; time and randomness are
injected.
"""
