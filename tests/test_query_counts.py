"""The SQL statements one GraphQL request costs are pinned, and do not grow with the page size."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from api.context import Services
from domain.accounts.handlers import find_principal
from domain.db.uow import UnitOfWork
from domain.orders import handlers as orders
from domain.orders.model import PaymentMethod
from tests.catalog_setup import create_listing, create_product, stock_shop
from tests.conftest import Seller

ORDERS_PAGE = """
query ($first: Int!) {
  orders(first: $first) {
    edges { node { lines { product { title } } payments { amount { amount } } timeline { type } } }
  }
}"""

# API key look-up, entering the workspace, the page of orders, then one batch each for the lines, their
# products, the payments and the timelines.
ORDERS_PAGE_STATEMENTS = 7


async def _place_orders(engine: AsyncEngine, services: Services, seller: Seller, count: int) -> None:
    """Orders of three lines each, authorised and captured, placed through the domain handlers."""
    ids = await stock_shop(seller)
    second = await create_listing(seller, await create_product(seller, "SKU-2"), ids["channel"], "5.00")
    third = await create_listing(seller, await create_product(seller, "SKU-3"), ids["channel"], "7.50")
    from api.relay import parse_global_id

    channel = parse_global_id(ids["channel"])[1]
    listings = [parse_global_id(i)[1] for i in (ids["listing"], second, third)]
    async with engine.connect() as conn:
        principal = await find_principal(conn, seller.key)
        assert principal is not None
        async with UnitOfWork(conn, principal, services.clock) as uow:
            for n in range(count):
                order_id = await orders.place_order(
                    uow,
                    orders.PlaceOrder(
                        channel_id=channel,
                        lines=[orders.OrderLineInput(listing, n % 3 + 1) for listing in listings],
                        buyer_name=f"Consumer {n}",
                        ship_to_country="DE",
                    ),
                )
                await uow.flush()
                await orders.authorize_payment(uow, orders.AuthorizePayment(order_id, PaymentMethod.CARD))
                await orders.capture_payment(uow, orders.CapturePayment(order_id, Decimal("1.00")))
            await uow.commit()


@pytest.fixture
async def hundred_orders(engine: AsyncEngine, services: Services, seller: Seller) -> Seller:
    await _place_orders(engine, services, seller, 100)
    return seller


@pytest.mark.parametrize("first", [1, 10, 100])
async def test_orders_page_costs_the_same_statements_for_any_page_size(
    hundred_orders: Seller, count_statements: Any, first: int
) -> None:
    with count_statements() as counter:
        data = await hundred_orders.gql(ORDERS_PAGE, {"first": first})
    edges = data["orders"]["edges"]
    assert len(edges) == first
    assert all(len(edge["node"]["lines"]) == 3 for edge in edges)
    assert all(edge["node"]["lines"][0]["product"]["title"].startswith("Cotton T-shirt") for edge in edges)
    assert all(
        [p["amount"]["amount"] for p in edge["node"]["payments"]]
        == [edge["node"]["payments"][0]["amount"]["amount"], "1.00"]
        for edge in edges
    )
    assert all(
        [e["type"] for e in edge["node"]["timeline"]][:3]
        == ["ORDER_PLACED", "PAYMENT_AUTHORIZED", "PAYMENT_CAPTURED"]
        for edge in edges
    )
    assert counter.count == ORDERS_PAGE_STATEMENTS, counter.statements
