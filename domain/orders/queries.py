"""Reads of orders, their lines and their payment ledgers."""

from __future__ import annotations

from typing import cast

import sqlalchemy as sa

from domain.orders.model import Order, OrderLine, PaymentEntry

ORDERS = cast(sa.Table, Order.__table__)
ORDER_LINES = cast(sa.Table, OrderLine.__table__)
PAYMENTS = cast(sa.Table, PaymentEntry.__table__)
