"""Stock through the API: warehouses and the markets they serve, lots that become sellable only through
inspection, reservations made on confirmation in one serving warehouse and released on cancellation, bad
input refused with nothing written, no overselling under concurrent confirmations, and the SQL a stock
page costs."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.db.uow import enter_workspace
from tests.catalog_setup import create_channel, create_listing, create_product, pay, place_order, stock_shop
from tests.conftest import Seller

WAREHOUSE_CREATE = """mutation ($input: WarehouseCreateInput!) {
  warehouseCreate(input: $input) {
    warehouse { id name kind country servedCountries channel { id } }
    userErrors { field code message }
  } }"""

LOT_RECEIVE = """mutation ($input: LotReceiveInput!) {
  lotReceive(input: $input) {
    lot { id quantity status inspection { result } product { id } warehouse { id } }
    stockLevel { onHand reserved available awaitingInspection rejected }
    userErrors { field code message }
  } }"""

LOT_INSPECT = """mutation ($input: LotInspectInput!) {
  lotInspect(input: $input) {
    lot { id status inspection { sampleSize defectsFound result passedQuantity inspectedAt } }
    stockLevel { onHand reserved available awaitingInspection rejected }
    userErrors { field code message }
  } }"""

STOCK = """query ($filter: StockFilter) { stock(filter: $filter) { totalCount edges { node {
  onHand reserved available awaitingInspection rejected product { id sku } warehouse { id name } } } } }"""

CONFIRM = """mutation ($id: ID!) { orderConfirm(input: {orderId: $id}) {
  order { status reservations { quantity releasedAt warehouse { name } product { sku } } }
  userErrors { field code message } } }"""

CANCEL = """mutation ($id: ID!) { orderCancel(input: {orderId: $id}) {
  order { status reservations { quantity releasedAt warehouse { name } } } userErrors { code message } } }"""

ORDER = """query ($id: ID!) { node(id: $id) { ... on Order {
  status reservations { quantity reservedAt releasedAt warehouse { name } product { sku } }
  timeline { type data } } } }"""


async def _warehouse(
    seller: Seller, name: str, kind: str = "DOMESTIC", country: str = "CN", **more: Any
) -> str:
    data = await seller.gql(
        WAREHOUSE_CREATE, {"input": {"name": name, "kind": kind, "country": country, **more}}
    )
    assert data["warehouseCreate"]["userErrors"] == [], data
    warehouse_id: str = data["warehouseCreate"]["warehouse"]["id"]
    return warehouse_id


async def _receive(
    seller: Seller, product: str, warehouse: str, quantity: int, **more: Any
) -> dict[str, Any]:
    data = await seller.gql(
        LOT_RECEIVE, {"input": {"productId": product, "warehouseId": warehouse, "quantity": quantity, **more}}
    )
    result: dict[str, Any] = data["lotReceive"]
    return result


async def _inspect(
    seller: Seller, lot: str, sample: int, defects: int, result: str, **more: Any
) -> dict[str, Any]:
    data = await seller.gql(
        LOT_INSPECT,
        {"input": {"lotId": lot, "sampleSize": sample, "defectsFound": defects, "result": result, **more}},
    )
    found: dict[str, Any] = data["lotInspect"]
    return found


async def _stock_in(seller: Seller, product: str, warehouse: str, quantity: int) -> None:
    """A lot that arrives and passes inspection."""
    received = await _receive(seller, product, warehouse, quantity)
    assert received["userErrors"] == [], received
    inspected = await _inspect(seller, received["lot"]["id"], 1, 0, "PASS")
    assert inspected["userErrors"] == [], inspected


async def _levels(seller: Seller, **filter: str) -> list[dict[str, Any]]:
    edges = (await seller.gql(STOCK, {"filter": filter or None}))["stock"]["edges"]
    return [
        {
            "warehouse": e["node"]["warehouse"]["name"],
            "sku": e["node"]["product"]["sku"],
            **{
                k: e["node"][k] for k in ("onHand", "reserved", "available", "awaitingInspection", "rejected")
            },
        }
        for e in edges
    ]


async def _paid_order(seller: Seller, quantity: int = 1, **overrides: Any) -> str:
    order = await place_order(seller, quantity=quantity, **overrides)
    await pay(seller, order["id"])
    order_id: str = order["id"]
    return order_id


async def _order(seller: Seller, order_id: str) -> dict[str, Any]:
    node: dict[str, Any] = (await seller.gql(ORDER, {"id": order_id}))["node"]
    return node


# -- warehouses -----------------------------------------------------------------------------------------


async def test_a_domestic_warehouse_serves_every_market_and_the_others_their_own(seller: Seller) -> None:
    channel = await create_channel(seller, "USD")
    await _warehouse(seller, "Shenzhen DC", "DOMESTIC", "cn")
    await _warehouse(seller, "Leipzig", "OVERSEAS", "DE")
    data = await seller.gql(
        WAREHOUSE_CREATE,
        {
            "input": {
                "name": "FBA Phoenix",
                "kind": "PLATFORM_FULFILLED",
                "country": "USA",
                "channelId": channel,
            }
        },
    )
    assert data["warehouseCreate"]["warehouse"]["channel"] == {"id": channel}
    page = await seller.gql(
        "{ warehouses { totalCount edges { node { name kind country servedCountries channel { id } } } } }"
    )
    assert page["warehouses"]["totalCount"] == 3
    assert [e["node"] for e in page["warehouses"]["edges"]] == [
        {
            "name": "Shenzhen DC",
            "kind": "DOMESTIC",
            "country": "CN",
            "servedCountries": None,
            "channel": None,
        },
        {"name": "Leipzig", "kind": "OVERSEAS", "country": "DE", "servedCountries": ["DE"], "channel": None},
        {
            "name": "FBA Phoenix",
            "kind": "PLATFORM_FULFILLED",
            "country": "US",
            "servedCountries": ["US"],
            "channel": {"id": channel},
        },
    ]
    overseas = await seller.gql("{ warehouses(filter: {kind: OVERSEAS}) { edges { node { name } } } }")
    assert [e["node"]["name"] for e in overseas["warehouses"]["edges"]] == ["Leipzig"]
    in_us = await seller.gql('{ warehouses(filter: {country: "us"}) { edges { node { name } } } }')
    assert [e["node"]["name"] for e in in_us["warehouses"]["edges"]] == ["FBA Phoenix"]


async def test_stock_objects_are_nodes_of_their_workspace_only(seller: Seller, other_seller: Seller) -> None:
    ids = await stock_shop(seller)
    warehouse = await _warehouse(seller, "Shenzhen DC")
    received = await _receive(seller, ids["product"], warehouse, 5)
    lot = received["lot"]["id"]
    level_id = (await seller.gql("{ stock { edges { node { id } } } }"))["stock"]["edges"][0]["node"]["id"]
    query = """query ($id: ID!) { node(id: $id) { __typename ... on Warehouse { name }
      ... on Lot { quantity } ... on StockLevel { awaitingInspection } } }"""
    found = [(await seller.gql(query, {"id": i}))["node"] for i in (warehouse, lot, level_id)]
    assert found == [
        {"__typename": "Warehouse", "name": "Shenzhen DC"},
        {"__typename": "Lot", "quantity": 5},
        {"__typename": "StockLevel", "awaitingInspection": 5},
    ]
    for i in (warehouse, lot, level_id):
        assert (await other_seller.gql(query, {"id": i}))["node"] is None
    assert (await other_seller.gql("{ stock { totalCount } lots { totalCount } }")) == {
        "stock": {"totalCount": 0},
        "lots": {"totalCount": 0},
    }


# -- lots and inspection --------------------------------------------------------------------------------


async def test_a_lot_becomes_sellable_only_through_inspection(seller: Seller) -> None:
    ids = await stock_shop(seller)
    warehouse = await _warehouse(seller, "Shenzhen DC")
    received = await _receive(seller, ids["product"], warehouse, 100)
    assert received["userErrors"] == []
    assert received["lot"] == {
        "id": received["lot"]["id"],
        "quantity": 100,
        "status": "RECEIVED",
        "inspection": None,
        "product": {"id": ids["product"]},
        "warehouse": {"id": warehouse},
    }
    assert received["stockLevel"] == {
        "onHand": 0,
        "reserved": 0,
        "available": 0,
        "awaitingInspection": 100,
        "rejected": 0,
    }
    inspected = await _inspect(seller, received["lot"]["id"], 20, 4, "PARTIAL", passedQuantity=80)
    assert inspected["userErrors"] == []
    assert inspected["lot"]["status"] == "INSPECTED"
    assert inspected["lot"]["inspection"] == {
        "sampleSize": 20,
        "defectsFound": 4,
        "result": "PARTIAL",
        "passedQuantity": 80,
        "inspectedAt": "2026-11-23T09:00:00+00:00",
    }
    assert inspected["stockLevel"] == {
        "onHand": 80,
        "reserved": 0,
        "available": 80,
        "awaitingInspection": 0,
        "rejected": 20,
    }
    failed = await _receive(seller, ids["product"], warehouse, 30)
    assert (await _inspect(seller, failed["lot"]["id"], 10, 6, "FAIL"))["stockLevel"]["rejected"] == 50
    assert await _levels(seller) == [
        {
            "warehouse": "Shenzhen DC",
            "sku": "SKU-USD-0",
            "onHand": 80,
            "reserved": 0,
            "available": 80,
            "awaitingInspection": 0,
            "rejected": 50,
        }
    ]
    lots = await seller.gql(
        """query ($p: ID!) { lots(filter: {productId: $p, status: INSPECTED}) { totalCount
        edges { node { quantity inspection { result passedQuantity } } } } }""",
        {"p": ids["product"]},
    )
    assert lots["lots"]["totalCount"] == 2
    assert [e["node"] for e in lots["lots"]["edges"]] == [  # newest first
        {"quantity": 30, "inspection": {"result": "FAIL", "passedQuantity": 0}},
        {"quantity": 100, "inspection": {"result": "PARTIAL", "passedQuantity": 80}},
    ]


NO_SUCH_PRODUCT = "UHJvZHVjdDowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA"
NO_SUCH_WAREHOUSE = "V2FyZWhvdXNlOjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMA"
NO_SUCH_LOT = "TG90OjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMA"


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"productId": NO_SUCH_PRODUCT}, "NOT_FOUND", ["input", "productId"]),
        ({"warehouseId": NO_SUCH_WAREHOUSE}, "NOT_FOUND", ["input", "warehouseId"]),
        ({"warehouseId": "PRODUCT"}, "INVALID_ID", ["input", "warehouseId"]),
        ({"quantity": 0}, "INVALID_QUANTITY", ["input", "quantity"]),
        ({"quantity": -4}, "INVALID_QUANTITY", ["input", "quantity"]),
        ({"quantity": 1_000_001}, "INVALID_QUANTITY", ["input", "quantity"]),
    ],
)
async def test_a_bad_receipt_is_refused_and_nothing_is_written(
    seller: Seller, overrides: dict[str, Any], code: str, field: list[str]
) -> None:
    ids = await stock_shop(seller)
    warehouse = await _warehouse(seller, "Shenzhen DC")
    values: dict[str, Any] = {"productId": ids["product"], "warehouseId": warehouse, "quantity": 10}
    values.update({k: ids["product"] if v == "PRODUCT" else v for k, v in overrides.items()})
    result = (await seller.gql(LOT_RECEIVE, {"input": values}))["lotReceive"]
    assert result["lot"] is None and result["stockLevel"] is None
    [error] = result["userErrors"]
    assert (error["code"], error["field"]) == (code, field), error
    assert error["message"]
    assert await seller.gql("{ lots { totalCount } stock { totalCount } }") == {
        "lots": {"totalCount": 0},
        "stock": {"totalCount": 0},
    }


@pytest.mark.parametrize(
    ("inspection", "code", "field"),
    [
        ({"sampleSize": 11, "defectsFound": 0, "result": "PASS"}, "INVALID_SAMPLE_SIZE", "sampleSize"),
        ({"sampleSize": 0, "defectsFound": 0, "result": "PASS"}, "INVALID_SAMPLE_SIZE", "sampleSize"),
        ({"sampleSize": 5, "defectsFound": 6, "result": "FAIL"}, "DEFECTS_EXCEED_SAMPLE", "defectsFound"),
        ({"sampleSize": 5, "defectsFound": -1, "result": "PASS"}, "DEFECTS_EXCEED_SAMPLE", "defectsFound"),
        (
            {"sampleSize": 5, "defectsFound": 0, "result": "PASS", "passedQuantity": 9},
            "INVALID_PASSED_QUANTITY",
            "passedQuantity",
        ),
        (
            {"sampleSize": 5, "defectsFound": 5, "result": "FAIL", "passedQuantity": 2},
            "INVALID_PASSED_QUANTITY",
            "passedQuantity",
        ),
        (
            {"sampleSize": 5, "defectsFound": 1, "result": "PARTIAL"},
            "INVALID_PASSED_QUANTITY",
            "passedQuantity",
        ),
        (
            {"sampleSize": 5, "defectsFound": 1, "result": "PARTIAL", "passedQuantity": 10},
            "INVALID_PASSED_QUANTITY",
            "passedQuantity",
        ),
        (
            {"sampleSize": 5, "defectsFound": 1, "result": "PARTIAL", "passedQuantity": 0},
            "INVALID_PASSED_QUANTITY",
            "passedQuantity",
        ),
        (
            {"lotId": NO_SUCH_LOT, "sampleSize": 5, "defectsFound": 0, "result": "PASS"},
            "NOT_FOUND",
            "lotId",
        ),
        (
            {"lotId": NO_SUCH_WAREHOUSE, "sampleSize": 5, "defectsFound": 0, "result": "PASS"},
            "INVALID_ID",
            "lotId",
        ),
    ],
)
async def test_an_inconsistent_inspection_is_refused_and_nothing_is_written(
    seller: Seller, inspection: dict[str, Any], code: str, field: str
) -> None:
    ids = await stock_shop(seller)
    warehouse = await _warehouse(seller, "Shenzhen DC")
    lot = (await _receive(seller, ids["product"], warehouse, 10))["lot"]["id"]
    result = (await seller.gql(LOT_INSPECT, {"input": {"lotId": lot, **inspection}}))["lotInspect"]
    assert result["lot"] is None and result["stockLevel"] is None
    [error] = result["userErrors"]
    assert (error["code"], error["field"]) == (code, ["input", field]), error
    assert await _levels(seller) == [
        {
            "warehouse": "Shenzhen DC",
            "sku": "SKU-USD-0",
            "onHand": 0,
            "reserved": 0,
            "available": 0,
            "awaitingInspection": 10,
            "rejected": 0,
        }
    ]
    status = await seller.gql("{ lots { edges { node { status inspection { result } } } } }")
    assert status["lots"]["edges"] == [{"node": {"status": "RECEIVED", "inspection": None}}]


async def test_a_lot_is_inspected_once(seller: Seller) -> None:
    ids = await stock_shop(seller)
    warehouse = await _warehouse(seller, "Shenzhen DC")
    lot = (await _receive(seller, ids["product"], warehouse, 10))["lot"]["id"]
    assert (await _inspect(seller, lot, 2, 0, "PASS"))["userErrors"] == []
    again = await _inspect(seller, lot, 2, 2, "FAIL")
    [error] = again["userErrors"]
    assert (error["code"], error["field"]) == ("LOT_ALREADY_INSPECTED", ["input", "lotId"])
    assert "inspected once" in error["message"]
    # A second inspection racing the first counts the lot's units once as well.
    racing = (await _receive(seller, ids["product"], warehouse, 10))["lot"]["id"]
    results = await asyncio.gather(*(_inspect(seller, racing, 2, 0, "PASS") for _ in range(5)))
    assert sorted(len(r["userErrors"]) for r in results) == [0, 1, 1, 1, 1]
    [level] = await _levels(seller)
    assert (level["onHand"], level["rejected"], level["awaitingInspection"]) == (20, 0, 0)


@pytest.mark.parametrize(
    ("values", "code", "field"),
    [
        ({"name": "X", "kind": "OVERSEAS", "country": "Narnia"}, "INVALID_COUNTRY", ["input", "country"]),
        ({"name": "  ", "kind": "OVERSEAS", "country": "DE"}, "INVALID_TEXT", ["input", "name"]),
        (
            {"name": "X", "kind": "OVERSEAS", "country": "US", "channelId": "CHANNEL"},
            "CHANNEL_NOT_ALLOWED",
            ["input", "channelId"],
        ),
        (
            {
                "name": "X",
                "kind": "PLATFORM_FULFILLED",
                "country": "US",
                "channelId": "Q2hhbm5lbDowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA",
            },
            "NOT_FOUND",
            ["input", "channelId"],
        ),
    ],
)
async def test_a_bad_warehouse_is_refused_and_nothing_is_written(
    seller: Seller, values: dict[str, Any], code: str, field: list[str]
) -> None:
    channel = await create_channel(seller)
    values = {k: channel if v == "CHANNEL" else v for k, v in values.items()}
    result = (await seller.gql(WAREHOUSE_CREATE, {"input": values}))["warehouseCreate"]
    assert result["warehouse"] is None
    [error] = result["userErrors"]
    assert (error["code"], error["field"]) == (code, field), error
    assert (await seller.gql("{ warehouses { totalCount } }"))["warehouses"]["totalCount"] == 0


async def test_creating_mutations_replay_under_an_idempotency_key(seller: Seller) -> None:
    ids = await stock_shop(seller)
    made = [
        await seller.gql(
            WAREHOUSE_CREATE,
            {"input": {"name": "Shenzhen DC", "kind": "DOMESTIC", "country": "CN", "idempotencyKey": "wh-1"}},
        )
        for _ in range(2)
    ]
    assert made[0] == made[1]
    warehouse = made[0]["warehouseCreate"]["warehouse"]["id"]
    first, again = [
        await _receive(seller, ids["product"], warehouse, 40, idempotencyKey="lot-1") for _ in range(2)
    ]
    assert first == again
    other = await _receive(seller, ids["product"], warehouse, 41, idempotencyKey="lot-1")
    assert other["userErrors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"
    counts = await seller.gql("{ warehouses { totalCount } lots { totalCount } }")
    assert counts == {"warehouses": {"totalCount": 1}, "lots": {"totalCount": 1}}
    assert (await _levels(seller))[0]["awaitingInspection"] == 40


# -- reservations ---------------------------------------------------------------------------------------


async def test_confirming_reserves_in_the_serving_warehouse_with_most_available_and_cancelling_releases(
    seller: Seller,
) -> None:
    ids = await stock_shop(seller)
    cn = await _warehouse(seller, "Shenzhen DC", "DOMESTIC", "CN")
    us = await _warehouse(seller, "New Jersey", "OVERSEAS", "US")
    de = await _warehouse(seller, "Leipzig", "OVERSEAS", "DE")
    await _stock_in(seller, ids["product"], cn, 10)
    await _stock_in(seller, ids["product"], us, 20)
    await _stock_in(seller, ids["product"], de, 100)  # most of all, but it does not ship to the US

    order = await _paid_order(seller, quantity=3)
    confirmed = (await seller.gql(CONFIRM, {"id": order}))["orderConfirm"]
    assert confirmed["userErrors"] == []
    assert confirmed["order"] == {
        "status": "CONFIRMED",
        "reservations": [
            {
                "quantity": 3,
                "releasedAt": None,
                "warehouse": {"name": "New Jersey"},
                "product": {"sku": "SKU-USD-0"},
            }
        ],
    }
    assert [(lv["warehouse"], lv["reserved"], lv["available"]) for lv in await _levels(seller)] == [
        ("Shenzhen DC", 0, 10),
        ("New Jersey", 3, 17),
        ("Leipzig", 0, 100),
    ]
    assert (await _levels(seller, warehouseId=us))[0]["onHand"] == 20  # reserved, not yet shipped

    pack = "mutation ($id: ID!) { orderPack(input: {orderId: $id}) { userErrors { code } } }"
    assert (await seller.gql(pack, {"id": order}))["orderPack"]["userErrors"] == []
    cancelled = (await seller.gql(CANCEL, {"id": order}))["orderCancel"]
    assert cancelled["userErrors"] == []
    [reservation] = cancelled["order"]["reservations"]
    assert reservation["releasedAt"] == "2026-11-23T09:00:00+00:00"
    assert [(lv["reserved"], lv["available"]) for lv in await _levels(seller, warehouseId=us)] == [(0, 20)]

    timeline = (await _order(seller, order))["timeline"]
    events = [e["type"] for e in timeline]
    assert events[-6:] == [
        "ORDER_CONFIRMED",
        "ORDER_STOCK_RESERVED",
        "ORDER_PACKED",
        "ORDER_CANCELLED",
        "PAYMENT_REFUNDED",
        "ORDER_STOCK_RELEASED",
    ]
    reserved = next(e for e in timeline if e["type"] == "ORDER_STOCK_RESERVED")
    assert reserved["data"]["warehouse"] == "New Jersey"
    assert reserved["data"]["lines"] == [{"sku": "SKU-USD-0", "quantity": 3}]
    released = next(e for e in timeline if e["type"] == "ORDER_STOCK_RELEASED")
    assert released["data"]["units"] == 3


async def test_a_domestic_warehouse_ships_where_no_overseas_one_does(seller: Seller) -> None:
    ids = await stock_shop(seller)
    cn = await _warehouse(seller, "Shenzhen DC", "DOMESTIC", "CN")
    us = await _warehouse(seller, "New Jersey", "OVERSEAS", "US")
    await _stock_in(seller, ids["product"], cn, 2)
    await _stock_in(seller, ids["product"], us, 50)
    order = await _paid_order(seller, quantity=2, shipToCountry="BR")
    confirmed = (await seller.gql(CONFIRM, {"id": order}))["orderConfirm"]
    assert [r["warehouse"]["name"] for r in confirmed["order"]["reservations"]] == ["Shenzhen DC"]


async def test_an_order_that_no_serving_warehouse_can_fill_is_refused_and_nothing_is_written(
    seller: Seller,
) -> None:
    ids = await stock_shop(seller)
    us = await _warehouse(seller, "New Jersey", "OVERSEAS", "US")
    de = await _warehouse(seller, "Leipzig", "OVERSEAS", "DE")
    await _stock_in(seller, ids["product"], us, 4)
    await _stock_in(seller, ids["product"], de, 100)
    unseen = await _receive(seller, ids["product"], us, 50)  # received, not inspected: not sellable
    assert unseen["userErrors"] == []

    order = await _paid_order(seller, quantity=5)
    refused = (await seller.gql(CONFIRM, {"id": order}))["orderConfirm"]
    assert refused["order"] is None
    [error] = refused["userErrors"]
    assert (error["code"], error["field"]) == ("OUT_OF_STOCK", ["input", "orderId"])
    assert "SKU-USD-0: 5 needed, 4 available (short)" in error["message"]
    state = await _order(seller, order)
    assert state["status"] == "PAID" and state["reservations"] == []
    assert "ORDER_STOCK_RESERVED" not in [e["type"] for e in state["timeline"]]
    assert [(lv["warehouse"], lv["reserved"]) for lv in await _levels(seller)] == [
        ("New Jersey", 0),
        ("Leipzig", 0),
    ]

    to_japan = await _paid_order(seller, quantity=1, shipToCountry="JP")
    [error] = (await seller.gql(CONFIRM, {"id": to_japan}))["orderConfirm"]["userErrors"]
    assert error["code"] == "OUT_OF_STOCK" and "No warehouse ships to JP" in error["message"]


async def test_every_line_is_held_in_one_warehouse(seller: Seller) -> None:
    ids = await stock_shop(seller)
    cap = await create_product(seller, "CAP-1", title="Cap")
    cap_listing = await create_listing(seller, cap, ids["channel"], "9.99")
    a = await _warehouse(seller, "A", "DOMESTIC", "CN")
    b = await _warehouse(seller, "B", "DOMESTIC", "VN")
    await _stock_in(seller, ids["product"], a, 5)
    await _stock_in(seller, cap, b, 5)
    lines = [{"listingId": ids["listing"], "quantity": 2}, {"listingId": cap_listing, "quantity": 1}]
    split = await _paid_order(seller, lines=lines)
    [error] = (await seller.gql(CONFIRM, {"id": split}))["orderConfirm"]["userErrors"]
    assert error["code"] == "OUT_OF_STOCK"
    assert "no single warehouse" in error["message"]
    assert "SKU-USD-0: 2 needed, 5 available; CAP-1: 1 needed, 5 available" in error["message"]

    await _stock_in(seller, cap, a, 1)
    # Two lines of the same product add up: 2 + 3 shirts need 5.
    lines.append({"listingId": ids["listing"], "quantity": 3})
    whole = await _paid_order(seller, lines=lines)
    confirmed = (await seller.gql(CONFIRM, {"id": whole}))["orderConfirm"]
    assert confirmed["userErrors"] == []
    assert [
        (r["warehouse"]["name"], r["product"]["sku"], r["quantity"])
        for r in confirmed["order"]["reservations"]
    ] == [
        ("A", "SKU-USD-0", 2),
        ("A", "CAP-1", 1),
        ("A", "SKU-USD-0", 3),
    ]
    assert {(lv["warehouse"], lv["sku"]): lv["available"] for lv in await _levels(seller)} == {
        ("A", "SKU-USD-0"): 0,
        ("B", "CAP-1"): 5,
        ("A", "CAP-1"): 0,
    }


async def test_products_without_stock_tracking_are_confirmed_without_reservation(seller: Seller) -> None:
    """No lot of a product received anywhere: its stock is not tracked, and orders of it are confirmed as
    before warehouses existed. A tracked product in the same order is still reserved."""
    ids = await stock_shop(seller)
    untracked = await _paid_order(seller, quantity=3)
    confirmed = (await seller.gql(CONFIRM, {"id": untracked}))["orderConfirm"]
    assert confirmed == {"order": {"status": "CONFIRMED", "reservations": []}, "userErrors": []}

    cap = await create_product(seller, "CAP-1", title="Cap")
    cap_listing = await create_listing(seller, cap, ids["channel"], "9.99")
    warehouse = await _warehouse(seller, "Shenzhen DC")
    await _stock_in(seller, cap, warehouse, 1)
    mixed = await _paid_order(
        seller,
        lines=[{"listingId": ids["listing"], "quantity": 7}, {"listingId": cap_listing, "quantity": 1}],
    )
    confirmed = (await seller.gql(CONFIRM, {"id": mixed}))["orderConfirm"]
    assert [(r["product"]["sku"], r["quantity"]) for r in confirmed["order"]["reservations"]] == [
        ("CAP-1", 1)
    ]


async def test_a_platform_warehouse_fills_only_its_channels_orders(seller: Seller) -> None:
    ids = await stock_shop(seller)
    ebay = await create_channel(seller, "USD", name="eBay US", platform="EBAY")
    ebay_listing = await create_listing(seller, await create_product(seller, "SKU-EBAY"), ebay, "19.99")
    fba = await _warehouse(seller, "FBA Phoenix", "PLATFORM_FULFILLED", "US", channelId=ids["channel"])
    await _stock_in(seller, ids["product"], fba, 5)
    amazon_order = await _paid_order(seller, quantity=1)
    assert (await seller.gql(CONFIRM, {"id": amazon_order}))["orderConfirm"]["userErrors"] == []

    # Listed on eBay too, the product's FBA stock is not for eBay orders.
    shirt_on_ebay = await create_listing(seller, ids["product"], ebay, "21.00")
    ebay_order = await _paid_order(
        seller, channelId=ebay, lines=[{"listingId": shirt_on_ebay, "quantity": 1}]
    )
    [error] = (await seller.gql(CONFIRM, {"id": ebay_order}))["orderConfirm"]["userErrors"]
    assert error["code"] == "OUT_OF_STOCK"
    assert ebay_listing  # another product on eBay, untracked, still sells without reservation


async def test_an_order_cancelled_by_its_deadline_holds_no_stock(seller: Seller) -> None:
    ids = await stock_shop(seller)
    warehouse = await _warehouse(seller, "Shenzhen DC")
    await _stock_in(seller, ids["product"], warehouse, 5)
    late = await _paid_order(seller, quantity=2)
    held = await _paid_order(seller, quantity=3)
    assert (await seller.gql(CONFIRM, {"id": held}))["orderConfirm"]["userErrors"] == []
    advance = "mutation { sandboxClockAdvance(input: {hours: 49}) { timersFired userErrors { code } } }"
    assert (await seller.gql(advance))["sandboxClockAdvance"]["timersFired"] == 2
    cancelled = await _order(seller, late)
    assert cancelled["status"] == "CANCELLED" and cancelled["reservations"] == []
    assert "ORDER_STOCK_RELEASED" not in [e["type"] for e in cancelled["timeline"]]
    assert (await _order(seller, held))["status"] == "CONFIRMED"
    [level] = await _levels(seller)
    assert (level["reserved"], level["available"]) == (3, 2)


# -- concurrency ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("units", "per_order", "warehouses"), [(5, 1, 1), (7, 2, 1), (6, 1, 3)])
async def test_twenty_concurrent_confirmations_never_oversell(
    seller: Seller, units: int, per_order: int, warehouses: int
) -> None:
    ids = await stock_shop(seller)
    for n in range(warehouses):
        await _warehouse(seller, f"DC {n}", "DOMESTIC", "CN")
    page = await seller.gql("{ warehouses { edges { node { id } } } }")
    for n, edge in enumerate(page["warehouses"]["edges"]):  # `units` in all, spread over the warehouses
        share = units // warehouses + (1 if n < units % warehouses else 0)
        await _stock_in(seller, ids["product"], edge["node"]["id"], share)
    orders = [await _paid_order(seller, quantity=per_order) for _ in range(20)]

    responses = await asyncio.gather(*(seller.post(CONFIRM, {"id": order}) for order in orders))
    assert [r.status_code for r in responses] == [200] * 20
    results = [r.json()["data"]["orderConfirm"] for r in responses]
    confirmed = [r for r in results if not r["userErrors"]]
    refused = [r for r in results if r["userErrors"]]
    # Whole orders only, one warehouse each: 3 warehouses of 2 units fill 6 orders of one unit.
    fillable = sum(
        (units // warehouses + (1 if n < units % warehouses else 0)) // per_order for n in range(warehouses)
    )
    assert len(confirmed) == fillable
    assert all(r["userErrors"][0]["code"] == "OUT_OF_STOCK" for r in refused)
    levels = await _levels(seller)
    assert sum(lv["reserved"] for lv in levels) == fillable * per_order
    assert all(lv["available"] >= 0 and lv["reserved"] <= lv["onHand"] for lv in levels)
    statuses = await seller.gql(
        "{ orders(first: 100) { edges { node { status reservations { quantity } } } } }"
    )
    nodes = [e["node"] for e in statuses["orders"]["edges"]]
    assert sum(n["status"] == "CONFIRMED" for n in nodes) == fillable
    assert sum(r["quantity"] for n in nodes for r in n["reservations"]) == fillable * per_order


async def test_concurrent_cancellations_release_once(seller: Seller) -> None:
    ids = await stock_shop(seller)
    warehouse = await _warehouse(seller, "Shenzhen DC")
    await _stock_in(seller, ids["product"], warehouse, 5)
    order = await _paid_order(seller, quantity=4)
    assert (await seller.gql(CONFIRM, {"id": order}))["orderConfirm"]["userErrors"] == []
    responses = await asyncio.gather(*(seller.post(CANCEL, {"id": order}) for _ in range(5)))
    results = [r.json()["data"]["orderCancel"] for r in responses]
    assert sum(not r["userErrors"] for r in results) == 1
    assert {e["code"] for r in results for e in r["userErrors"]} <= {"ILLEGAL_TRANSITION", "CONFLICT"}
    [level] = await _levels(seller)
    assert (level["reserved"], level["available"]) == (0, 5)


# -- the database's own walls ---------------------------------------------------------------------------


async def test_the_database_refuses_negative_stock_and_other_workspaces_rows(
    engine: AsyncEngine, seller: Seller, other_seller: Seller
) -> None:
    for who in (seller, other_seller):
        ids = await stock_shop(who)
        await _stock_in(who, ids["product"], await _warehouse(who, "DC"), 3)
    async with engine.connect() as conn:
        await enter_workspace(conn, seller.workspace_id)
        for table in ("warehouses", "inbound_lots", "stock_levels"):
            seen = (await conn.execute(sa.text(f"SELECT DISTINCT workspace_id FROM {table}"))).scalars().all()
            assert seen == [seller.workspace_id], table
        for change in ("reserved = on_hand + 1", "on_hand = -1", "rejected = -1"):
            with pytest.raises(IntegrityError, match="ck_stock_levels"):
                async with conn.begin_nested():
                    await conn.execute(sa.text(f"UPDATE stock_levels SET {change}"))
        await conn.rollback()


# -- what a page costs ----------------------------------------------------------------------------------

STOCK_PAGE = """query ($first: Int!) { stock(first: $first) { edges { node {
  available product { sku title } warehouse { name country channel { id } } } } } }"""

# API key look-up, entering the workspace, the page of stock levels, then one batch each for the products
# and the warehouses.
STOCK_PAGE_STATEMENTS = 5


@pytest.mark.parametrize("first", [1, 10])
async def test_a_stock_page_costs_the_same_statements_for_any_page_size(
    seller: Seller, count_statements: Any, first: int
) -> None:
    ids = await stock_shop(seller)
    warehouses = [await _warehouse(seller, f"DC {n}", "DOMESTIC", "CN") for n in range(5)]
    products = [ids["product"], await create_product(seller, "SKU-B")]
    for warehouse in warehouses:
        for product in products:
            await _receive(seller, product, warehouse, 10)
    with count_statements() as counter:
        data = await seller.gql(STOCK_PAGE, {"first": first})
    edges = data["stock"]["edges"]
    assert len(edges) == first
    assert all(e["node"]["warehouse"]["name"].startswith("DC ") for e in edges)
    assert all(e["node"]["product"]["title"].startswith("Cotton T-shirt") for e in edges)
    assert counter.count == STOCK_PAGE_STATEMENTS, counter.statements


LOTS_PAGE = """query ($first: Int!) { lots(first: $first) { edges { node {
  quantity product { sku } warehouse { name } } } } }"""


@pytest.mark.parametrize("first", [1, 10])
async def test_a_lots_page_costs_the_same_statements_for_any_page_size(
    seller: Seller, count_statements: Any, first: int
) -> None:
    ids = await stock_shop(seller)
    warehouses = [await _warehouse(seller, f"DC {n}", "DOMESTIC", "CN") for n in range(5)]
    for warehouse in warehouses:
        for _ in range(2):
            await _receive(seller, ids["product"], warehouse, 10)
    with count_statements() as counter:
        data = await seller.gql(LOTS_PAGE, {"first": first})
    assert len(data["lots"]["edges"]) == first
    assert counter.count == STOCK_PAGE_STATEMENTS, counter.statements


ORDERS_WITH_RESERVATIONS = """{ orders(first: 10) { edges { node {
  reservations { quantity warehouse { name } product { sku } } } } } }"""


@pytest.mark.parametrize("orders", [1, 10])
async def test_reservations_on_an_orders_page_cost_the_same_statements_for_any_page_size(
    seller: Seller, count_statements: Any, orders: int
) -> None:
    ids = await stock_shop(seller)
    await _stock_in(seller, ids["product"], await _warehouse(seller, "DC"), 50)
    for _ in range(orders):
        assert (await seller.gql(CONFIRM, {"id": await _paid_order(seller)}))["orderConfirm"][
            "userErrors"
        ] == []
    with count_statements() as counter:
        data = await seller.gql(ORDERS_WITH_RESERVATIONS)
    edges = data["orders"]["edges"]
    assert len(edges) == orders
    assert all(
        e["node"]["reservations"]
        == [{"quantity": 1, "warehouse": {"name": "DC"}, "product": {"sku": "SKU-USD-0"}}]
        for e in edges
    )
    # Key, workspace, orders, then one batch each for reservations, their warehouses and products.
    assert counter.count == 6, counter.statements
