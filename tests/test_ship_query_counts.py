"""The shipping stage's connections cost a fixed number of SQL statements, whatever the page size: each
relation is loaded once for the whole page."""

from __future__ import annotations

from typing import Any

from tests.conftest import Seller
from tests.shipping_setup import confirmed_order, ship

SHIPMENTS = """{ shipments(first: 50) { edges { node { trackingNumber status cost { amount }
  order { status lines { sku } } packages { weightGrams } lines { quantity }
  timeline { type applied } history { type }
  declarations { direction status items { hsCode value { amount } } } } } } }"""
DECLARATIONS = """{ customsDeclarations(first: 50) { edges { node { direction status assessment { regime }
  items { hsCode } shipment { trackingNumber } order { status } timeline { type } } } } }"""
TAXES = """{ taxEntries(first: 50) { edges { node { kind taxType amount { amount } } } } }"""
ORDERS = """{ orders(first: 50) { edges { node { status shipments { trackingNumber timeline { type } }
  declarations { status } taxEntries { amount { amount } } } } } }"""

# Each count: the API key, entering the workspace, the page, then one statement per relation loaded.
CASES = {
    # + order, order lines, packages, lines, tracking events, events, declarations, declaration items
    "shipments": (SHIPMENTS, 11),
    # + items, shipment, order, events
    "customsDeclarations": (DECLARATIONS, 7),
    # (nothing below)
    "taxEntries": (TAXES, 3),
    # + shipments, their tracking events, declarations, tax entries
    "orders": (ORDERS, 7),
}


async def test_pages_cost_the_same_for_1_and_10_shipments(seller: Seller, count_statements: Any) -> None:
    made = 0
    for size in (1, 10):
        while made < size:
            order = await confirmed_order(seller)
            await ship(seller, order["id"])
            made += 1
        for name, (query, statements) in CASES.items():
            with count_statements() as counter:
                data = await seller.gql(query)
            assert len(data[name]["edges"]) >= size, name
            assert counter.count == statements, (name, size, counter.statements)
