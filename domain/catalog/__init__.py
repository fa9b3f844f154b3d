"""Prepare, first part: sales channels, products with their HS codes, and listings of products on
channels."""
