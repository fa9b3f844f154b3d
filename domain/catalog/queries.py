"""Reads of the catalog."""

from __future__ import annotations

from typing import cast

import sqlalchemy as sa

from domain.catalog.model import Channel, Listing, Product

CHANNELS = cast(sa.Table, Channel.__table__)
PRODUCTS = cast(sa.Table, Product.__table__)
LISTINGS = cast(sa.Table, Listing.__table__)
