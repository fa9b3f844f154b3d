"""An order from placement to packing through the API, with its payments and timeline."""

from __future__ import annotations

from tests.catalog_setup import place_order, stock_shop
from tests.conftest import Seller

PAY = """
mutation ($orderId: ID!) {
  paymentAuthorize(input: { orderId: $orderId, method: CARD }) {
    payment { kind amount { amount currency } } userErrors { code message }
  }
  paymentCapture(input: { orderId: $orderId }) {
    order { status amountCaptured { amount } } userErrors { code message }
  }
}"""

MOVE = """
mutation ($orderId: ID!) {
  orderConfirm(input: { orderId: $orderId }) { order { status nextStates } userErrors { field code message } }
}"""

PACK = """
mutation ($orderId: ID!) {
  orderPack(input: { orderId: $orderId }) { order { status nextStates } userErrors { field code message } }
}"""

TIMELINE = """
query ($id: ID!) { node(id: $id) { ... on Order { status timeline { type occurredAt data } } } }"""


async def test_an_order_goes_from_placement_to_packing(seller: Seller) -> None:
    await stock_shop(seller, "USD", "19.99")
    order = await place_order(seller, quantity=2)
    assert order["status"] == "PLACED"
    assert order["total"] == {"amount": "39.98", "currency": "USD"}
    assert order["nextStates"] == ["CANCELLED", "PAID"]

    paid = await seller.gql(PAY, {"orderId": order["id"]})
    assert paid["paymentAuthorize"] == {
        "payment": {"kind": "AUTHORIZATION", "amount": {"amount": "39.98", "currency": "USD"}},
        "userErrors": [],
    }
    assert paid["paymentCapture"]["order"] == {"status": "PAID", "amountCaptured": {"amount": "39.98"}}

    confirmed = await seller.gql(MOVE, {"orderId": order["id"]})
    assert confirmed["orderConfirm"] == {
        "order": {"status": "CONFIRMED", "nextStates": ["CANCELLED", "PACKED"]},
        "userErrors": [],
    }
    packed = await seller.gql(PACK, {"orderId": order["id"]})
    assert packed["orderPack"]["order"]["status"] == "PACKED"

    timeline = (await seller.gql(TIMELINE, {"id": order["id"]}))["node"]["timeline"]
    assert [event["type"] for event in timeline] == [
        "ORDER_PLACED",
        "PAYMENT_AUTHORIZED",
        "PAYMENT_CAPTURED",
        "ORDER_PAID",
        "ORDER_CONFIRMED",
        "ORDER_PACKED",
    ]
    assert {event["occurredAt"] for event in timeline} == {"2026-11-23T09:00:00+00:00"}


async def test_an_illegal_move_names_the_current_state_and_the_allowed_ones(seller: Seller) -> None:
    await stock_shop(seller)
    order = await place_order(seller)
    result = await seller.gql(PACK, {"orderId": order["id"]})
    assert result["orderPack"]["order"] is None
    [error] = result["orderPack"]["userErrors"]
    assert error["code"] == "ILLEGAL_TRANSITION"
    assert "The order is PLACED; it cannot become PACKED" in error["message"]
    assert "CANCELLED, PAID" in error["message"]
    after = await seller.gql(TIMELINE, {"id": order["id"]})
    assert after["node"]["status"] == "PLACED"
    assert [e["type"] for e in after["node"]["timeline"]] == ["ORDER_PLACED"]
