"""Reads of orders, their lines and their payment ledgers."""

from __future__ import annotations

from domain.orders.model import Order, OrderLine, PaymentEntry

ORDERS = Order.__table__
ORDER_LINES = OrderLine.__table__
PAYMENTS = PaymentEntry.__table__
