"""Reads of the catalog."""

from __future__ import annotations

from domain.catalog.model import Channel, Listing, Product

CHANNELS = Channel.__table__
PRODUCTS = Product.__table__
LISTINGS = Listing.__table__
