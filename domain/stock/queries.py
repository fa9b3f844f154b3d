"""Reads of warehouses, lots, stock levels and reservations."""

from __future__ import annotations

from typing import cast

import sqlalchemy as sa

from domain.stock.model import InboundLot, StockLevel, StockReservation, Warehouse

WAREHOUSES = cast(sa.Table, Warehouse.__table__)
LOTS = cast(sa.Table, InboundLot.__table__)
STOCK_LEVELS = cast(sa.Table, StockLevel.__table__)
RESERVATIONS = cast(sa.Table, StockReservation.__table__)
