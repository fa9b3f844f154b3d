"""The sandbox clock moves only forward and only when told; timed rules fire in time order, exactly once,
as a clock passes them; live workspaces fire them from real time."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncEngine

from api.relay import to_global_id
from domain.accounts.handlers import Principal, find_principal
from domain.accounts.model import WorkspaceKind
from domain.catalog import handlers as catalog
from domain.catalog.model import Platform, ProductCategory
from domain.clock.service import fire_live_timers
from domain.db.uow import UnitOfWork
from domain.orders import handlers as orders
from domain.shared.clock import FixedClock
from tests.catalog_setup import create_channel, create_listing, create_product, pay, place_order, stock_shop
from tests.conftest import START, Seller

ADVANCE = """mutation ($input: SandboxClockAdvanceInput!) {
  sandboxClockAdvance(input: $input) { workspace { now kind } timersFired userErrors { field code message } } }"""

ORDER = """query ($id: ID!) { node(id: $id) { ... on Order {
  status cancelReason cancelledAt amountRefunded { amount } timeline { type occurredAt } } } }"""


async def test_the_sandbox_clock_stands_still_until_moved(seller: Seller, clock: FixedClock) -> None:
    clock.set(START + timedelta(days=3))  # real time passing does not move a sandbox
    now = (await seller.gql("{ workspace { now kind } }"))["workspace"]
    assert now == {"now": "2026-11-23T09:00:00+00:00", "kind": "SANDBOX"}
    moved = await seller.gql(ADVANCE, {"input": {"hours": 2, "minutes": 30}})
    assert moved["sandboxClockAdvance"]["workspace"]["now"] == "2026-11-23T11:30:00+00:00"
    to = await seller.gql(ADVANCE, {"input": {"to": "2026-12-01T00:00:00+00:00"}})
    assert to["sandboxClockAdvance"]["workspace"]["now"] == "2026-12-01T00:00:00+00:00"


async def test_the_sandbox_clock_never_goes_back(seller: Seller) -> None:
    back = await seller.gql(ADVANCE, {"input": {"to": "2026-11-22T00:00:00+00:00"}})
    [error] = back["sandboxClockAdvance"]["userErrors"]
    assert error["code"] == "CLOCK_BACKWARDS" and "only moves forward" in error["message"]
    negative = await seller.gql(ADVANCE, {"input": {"hours": -1}})
    assert negative["sandboxClockAdvance"]["userErrors"][0]["code"] == "INVALID_DURATION"
    nothing = await seller.gql(ADVANCE, {"input": {}})
    assert nothing["sandboxClockAdvance"]["userErrors"][0]["code"] == "INVALID_DURATION"
    both = await seller.gql(ADVANCE, {"input": {"hours": 1, "to": "2026-12-01T00:00:00+00:00"}})
    assert both["sandboxClockAdvance"]["userErrors"][0]["code"] == "INVALID_DURATION"
    naive = await seller.gql(ADVANCE, {"input": {"to": "2026-12-01T00:00:00"}})
    assert naive["sandboxClockAdvance"]["userErrors"][0]["field"] == ["input", "to"]
    assert (await seller.gql("{ workspace { now } }"))["workspace"]["now"] == "2026-11-23T09:00:00+00:00"


async def test_a_live_workspace_has_no_clock_to_move(live_seller: Seller) -> None:
    data = await live_seller.gql(ADVANCE, {"input": {"hours": 1}})
    assert data["sandboxClockAdvance"]["userErrors"][0]["code"] == "SANDBOX_ONLY"


async def test_an_unconfirmed_order_is_cancelled_and_refunded_when_its_window_passes(seller: Seller) -> None:
    await stock_shop(seller, "USD", "10.00")
    paid = await place_order(seller, quantity=1)
    await pay(seller, paid["id"])
    unpaid = await place_order(seller, quantity=1)
    confirmed = await place_order(seller, quantity=1)
    await pay(seller, confirmed["id"])
    await seller.gql(
        "mutation ($id: ID!) { orderConfirm(input: {orderId: $id}) { userErrors { code } } }",
        {"id": confirmed["id"]},
    )

    early = await seller.gql(ADVANCE, {"input": {"hours": 47, "minutes": 59}})
    assert early["sandboxClockAdvance"]["timersFired"] == 0
    assert (await seller.gql(ORDER, {"id": paid["id"]}))["node"]["status"] == "PAID"

    passed = await seller.gql(ADVANCE, {"input": {"hours": 1}})
    assert passed["sandboxClockAdvance"]["timersFired"] == 3
    cancelled = (await seller.gql(ORDER, {"id": paid["id"]}))["node"]
    assert cancelled["status"] == "CANCELLED"
    assert cancelled["cancelReason"] == "CONFIRMATION_WINDOW_EXPIRED"
    assert cancelled["cancelledAt"] == "2026-11-25T09:00:00+00:00"  # the deadline itself, not the clock's end
    assert cancelled["amountRefunded"] == {"amount": "10.00"}
    assert [e["type"] for e in cancelled["timeline"]][-2:] == ["ORDER_CANCELLED", "PAYMENT_REFUNDED"]
    assert (await seller.gql(ORDER, {"id": unpaid["id"]}))["node"]["status"] == "CANCELLED"
    assert (await seller.gql(ORDER, {"id": confirmed["id"]}))["node"]["status"] == "CONFIRMED"

    later = await seller.gql(ADVANCE, {"input": {"days": 30}})
    assert later["sandboxClockAdvance"]["timersFired"] == 0  # each timer fires once


async def test_timers_fire_in_time_order_across_one_long_advance(seller: Seller) -> None:
    fast = await create_channel(seller, "USD", name="Fast", confirmationWindowHours=2)
    slow = await create_channel(seller, "USD", name="Slow", confirmationWindowHours=5)
    product = await create_product(seller, "T-1")
    orders = {}
    for name, channel in (("slow", slow), ("fast", fast)):
        seller.ids.update(channel=channel, listing=await create_listing(seller, product, channel, "1.00"))
        orders[name] = await place_order(seller, quantity=1)
    data = await seller.gql(ADVANCE, {"input": {"days": 1}})
    assert data["sandboxClockAdvance"]["timersFired"] == 2
    fast_at = (await seller.gql(ORDER, {"id": orders["fast"]["id"]}))["node"]["cancelledAt"]
    slow_at = (await seller.gql(ORDER, {"id": orders["slow"]["id"]}))["node"]["cancelledAt"]
    assert (fast_at, slow_at) == ("2026-11-23T11:00:00+00:00", "2026-11-23T14:00:00+00:00")


async def _live_order(engine: AsyncEngine, seller: Seller) -> uuid.UUID:
    """An order in a live workspace. Live orders will come from channel imports; until those exist, the
    domain handlers place it with a principal that lets the sandbox-only command through."""
    async with engine.connect() as conn:
        principal = await find_principal(conn, seller.key)
        assert principal is not None and principal.kind is WorkspaceKind.LIVE
        importer = Principal(principal.workspace_id, principal.seller_id, WorkspaceKind.SANDBOX)
        async with UnitOfWork(conn, importer, FixedClock(START)) as uow:
            channel = await catalog.create_channel(
                uow, catalog.CreateChannel("Shop", Platform.OWN_STORE, "US", "USD")
            )
            product = await catalog.create_product(
                uow,
                catalog.CreateProduct(
                    "L-1", "Lamp", ProductCategory.HOME, "9503.00", "CN", Decimal(1), "USD", 1, 1, 1, 1
                ),
            )
            await uow.flush()
            listing = await catalog.create_listing(uow, catalog.CreateListing(product, channel, Decimal("5")))
            await uow.flush()
            order_id = await orders.place_order(
                uow, orders.PlaceOrder(channel, [orders.OrderLineInput(listing, 1)], "Bo", "US")
            )
            await uow.commit()
    return order_id


async def test_live_timers_fire_from_real_time(
    engine: AsyncEngine, live_seller: Seller, seller: Seller
) -> None:
    await stock_shop(seller)
    sandbox_order = await place_order(seller)
    order_id = await _live_order(engine, live_seller)
    assert await fire_live_timers(engine, FixedClock(START + timedelta(hours=47))) == 0
    assert await fire_live_timers(engine, FixedClock(START + timedelta(hours=48))) == 1
    assert await fire_live_timers(engine, FixedClock(START + timedelta(hours=49))) == 0
    live = await live_seller.gql(ORDER, {"id": to_global_id("Order", order_id)})
    assert live["node"]["status"] == "CANCELLED"
    # the sandbox order's deadline passed in real time too, but only its own clock fires its timers
    assert (await seller.gql(ORDER, {"id": sandbox_order["id"]}))["node"]["status"] == "PLACED"
