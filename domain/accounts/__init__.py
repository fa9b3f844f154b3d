"""Sellers, their workspaces (LIVE or SANDBOX) and the API keys that open a workspace."""
