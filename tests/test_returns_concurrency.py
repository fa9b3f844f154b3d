"""Returns under concurrency: two inspections restocking into a warehouse that has no stock row for the
product yet, and an exchange's inspection racing a confirmation that takes the same stock rows."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from api.relay import parse_global_id
from tests.catalog_setup import create_channel, create_listing, create_product, pay
from tests.conftest import Seller
from tests.shipping_setup import CONFIRM, PLACE, deliver, register, ship
from tests.test_returns import (
    INSPECT,
    PASS,
    RECEIVE,
    WAREHOUSE,
    approved,
    asked,
    sent_back,
)


async def setup_product(seller: Seller, n_wh: int = 1) -> dict[str, Any]:
    await register(seller, "EXPORT_RIGHTS", "GLOBAL", "CN-EXP-0001")
    channel = await create_channel(seller, "USD", name="Amazon US", platform="AMAZON", country="US")
    product = await create_product(seller, "TEE-RACE")
    listing = await create_listing(seller, product, channel, "19.99")
    whs = []
    for i in range(n_wh):
        made = await seller.gql(WAREHOUSE, {"input": {"name": f"W{i}", "kind": "DOMESTIC", "country": "CN"}})
        w = made["warehouseCreate"]["warehouse"]["id"]
        lot = await seller.gql(RECEIVE, {"input": {"productId": product, "warehouseId": w, "quantity": 10}})
        assert (await seller.gql(PASS, {"id": lot["lotReceive"]["lot"]["id"]}))["lotInspect"][
            "userErrors"
        ] == []
        whs.append(w)
    return {"channel": channel, "product": product, "listing": listing, "warehouses": whs}


async def placed(seller: Seller, s: dict[str, Any], qty: int = 2) -> dict[str, Any]:
    values = {
        "channelId": s["channel"],
        "lines": [{"listingId": s["listing"], "quantity": qty}],
        "buyerName": "Ada",
        "shipToCountry": "US",
        "shippingPrice": "4.99",
    }
    order: dict[str, Any] = (await seller.gql(PLACE, {"input": values}))["orderPlace"]["order"]
    await pay(seller, order["id"])
    return order


async def delivered(seller: Seller, s: dict[str, Any]) -> dict[str, Any]:
    order = await placed(seller, s)
    assert (await seller.gql(CONFIRM, {"id": order["id"]}))["orderConfirm"]["userErrors"] == []
    shipment = await ship(seller, order["id"], incoterm="DDP")
    await deliver(seller, shipment)
    return order | {"shipment": shipment, "line": order["lines"][0]["id"]}


async def test_concurrent_inspections_into_a_new_warehouse_row(seller: Seller, engine: AsyncEngine) -> None:
    s = await setup_product(seller)
    made = await seller.gql(
        WAREHOUSE, {"input": {"name": "Returns hub", "kind": "DOMESTIC", "country": "CN"}}
    )
    hub = made["warehouseCreate"]["warehouse"]["id"]
    rmas = []
    orders = []
    for _ in range(2):
        o = await delivered(seller, s)
        r = await approved(seller, (await asked(seller, o, 1))["id"], "REFUND")
        await sent_back(seller, r)
        rmas.append(r)
        orders.append(o)
    rs = await asyncio.gather(
        *(
            seller.post(
                INSPECT,
                {
                    "input": {
                        "returnId": r["id"],
                        "warehouseId": hub,
                        "lines": [{"orderLineId": o["line"], "restock": 1, "dispose": 0}],
                    }
                },
            )
            for r, o in zip(rmas, orders, strict=True)
        )
    )
    bodies = [r.json() for r in rs]
    assert [b.get("errors") or b["data"]["returnInspect"]["userErrors"] for b in bodies] == [[], []]
    async with engine.connect() as conn:
        on_hand = await conn.scalar(
            sa.text("SELECT sum(on_hand) FROM stock_levels WHERE workspace_id = :ws"),
            {"ws": seller.workspace_id},
        )
    assert on_hand == 10 - 2 * 2 + 2  # two orders of 2 shipped, one unit of each restocked (into the hub)


async def test_exchange_inspection_deadlocks_with_confirmation(
    seller: Seller, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The inspection restocks into the later warehouse, then its exchange reserves the replacement among
    the warehouses; a confirmation of another order takes the same rows in (warehouse, product) order. The
    inspection is paused between its put-away and its reservation while the confirmation starts: with the
    rows taken in one fixed order they queue; taken in two batches they deadlocked."""
    s = await setup_product(seller, 2)
    _, w_hi = sorted(s["warehouses"], key=lambda g: parse_global_id(g)[1])
    a = await delivered(seller, s)
    rma = await approved(seller, (await asked(seller, a, 2))["id"], "EXCHANGE")
    await sent_back(seller, rma)
    b = await placed(seller, s)

    import domain.aftersales.returns as returns
    from domain.aftersales import replacement

    original = replacement.create_replacement_order
    t1_locked, go = asyncio.Event(), asyncio.Event()

    async def paused(*args: Any, **kw: Any) -> Any:
        t1_locked.set()
        await go.wait()
        return await original(*args, **kw)

    monkeypatch.setattr(returns, "create_replacement_order", paused)
    t1 = asyncio.create_task(
        seller.post(
            INSPECT,
            {
                "input": {
                    "returnId": rma["id"],
                    "warehouseId": w_hi,
                    "lines": [{"orderLineId": a["line"], "restock": 2, "dispose": 0}],
                }
            },
        )
    )
    await asyncio.wait_for(t1_locked.wait(), 10)
    t2 = asyncio.create_task(seller.post(CONFIRM, {"id": b["id"]}))
    await asyncio.sleep(0.5)
    go.set()
    r1, r2 = await asyncio.gather(t1, t2)
    assert r1.json()["data"]["returnInspect"]["userErrors"] == []
    assert r2.json()["data"]["orderConfirm"]["userErrors"] == []
