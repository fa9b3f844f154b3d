"""Prepare, market research: what a product costs landed in a market through a channel, what it earns,
whether it may be sold there, and which products and markets rank best."""
