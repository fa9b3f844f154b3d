"""Placing orders and moving money: bad input refused with a code, the ledger never gives back more than
it took, and every refusal leaves the order as it was."""

from __future__ import annotations

from typing import Any

import pytest

from tests.catalog_setup import ORDER_PLACE, create_channel, pay, place_order, stock_shop
from tests.conftest import Seller

ORDER = """query ($id: ID!) { node(id: $id) { ... on Order {
  status version amountCaptured { amount } amountRefunded { amount } amountAuthorized { amount }
  payments { kind amount { amount } reason } timeline { type } } } }"""

REFUND = """mutation ($orderId: ID!, $amount: Decimal!) {
  paymentRefund(input: { orderId: $orderId, amount: $amount, reason: "damaged" }) {
    payment { kind amount { amount } } order { amountRefunded { amount } } userErrors { field code message } } }"""

CHARGEBACK = """mutation ($orderId: ID!, $amount: Decimal!) {
  paymentChargeback(input: { orderId: $orderId, amount: $amount, reason: "fraud" }) {
    order { amountChargedBack { amount } } userErrors { code message } } }"""


async def _place(seller: Seller, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "channelId": seller.ids["channel"],
        "lines": [{"listingId": seller.ids["listing"], "quantity": 1}],
        "buyerName": "Ada",
        "shipToCountry": "US",
    }
    values.update(overrides)
    result: dict[str, Any] = (await seller.gql(ORDER_PLACE, {"input": values}))["orderPlace"]
    return result


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"lines": []}, "EMPTY_ORDER", ["input", "lines"]),
        (
            {"lines": [{"listingId": "LISTING", "quantity": 0}]},
            "INVALID_QUANTITY",
            ["input", "lines", "0", "quantity"],
        ),
        (
            {"lines": [{"listingId": "LISTING", "quantity": -3}]},
            "INVALID_QUANTITY",
            ["input", "lines", "0", "quantity"],
        ),
        ({"currency": "EUR"}, "CURRENCY_MISMATCH", ["input", "currency"]),
        ({"currency": "XYZ"}, "INVALID_CURRENCY", ["input", "currency"]),
        ({"shipToCountry": "Narnia"}, "INVALID_COUNTRY", ["input", "shipToCountry"]),
        ({"channelId": "not-an-id"}, "INVALID_ID", ["input", "channelId"]),
        ({"channelId": "LISTING"}, "INVALID_ID", ["input", "channelId"]),
        (
            {
                "lines": [
                    {"listingId": "T3JkZXI6MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAw", "quantity": 1}
                ]
            },
            "INVALID_ID",
            ["input", "lines", "0", "listingId"],
        ),
        (
            {
                "lines": [
                    {
                        "listingId": "TGlzdGluZzowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA",
                        "quantity": 1,
                    }
                ]
            },
            "NOT_FOUND",
            ["input", "lines", "0", "listingId"],
        ),
        (
            {"channelId": "Q2hhbm5lbDowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA"},
            "NOT_FOUND",
            ["input", "channelId"],
        ),
    ],
)
async def test_bad_orders_are_refused_and_nothing_is_written(
    seller: Seller, overrides: dict[str, Any], code: str, field: list[str]
) -> None:
    await stock_shop(seller)
    for key, value in list(overrides.items()):
        if value == "LISTING":
            overrides[key] = seller.ids["listing"]
        if key == "lines":
            for line in value:
                if line["listingId"] == "LISTING":
                    line["listingId"] = seller.ids["listing"]
    result = await _place(seller, **overrides)
    assert result["order"] is None
    [error] = result["userErrors"]
    assert (error["code"], error["field"]) == (code, field), error
    assert error["message"]
    assert (await seller.gql("{ orders { totalCount } }"))["orders"]["totalCount"] == 0


async def test_a_listing_of_another_channel_or_not_active_cannot_be_ordered(seller: Seller) -> None:
    await stock_shop(seller)
    other_channel = await create_channel(seller, "USD", name="eBay US", platform="EBAY")
    wrong = await _place(seller, channelId=other_channel)
    assert wrong["userErrors"][0]["code"] == "LISTING_NOT_ON_CHANNEL"
    await seller.gql(
        "mutation ($id: ID!) { listingStatusSet(input: {listingId: $id, status: PAUSED}) { userErrors { code } } }",
        {"id": seller.ids["listing"]},
    )
    paused = await _place(seller)
    assert paused["userErrors"][0]["code"] == "LISTING_NOT_ACTIVE"


async def test_orders_are_placed_only_in_a_sandbox(live_seller: Seller) -> None:
    await stock_shop(live_seller)
    result = await _place(live_seller)
    assert result["userErrors"][0]["code"] == "SANDBOX_ONLY"


async def test_money_is_rounded_to_the_currencys_minor_units(seller: Seller) -> None:
    await stock_shop(seller, "JPY", "1999")
    order = await place_order(seller, quantity=3, shippingPrice="500.4")
    assert order["total"] == {"amount": "6497", "currency": "JPY"}


async def test_refunds_never_exceed_what_was_captured(seller: Seller) -> None:
    await stock_shop(seller, "USD", "10.00")
    order = await place_order(seller, quantity=1)
    before_capture = await seller.gql(REFUND, {"orderId": order["id"], "amount": "1.00"})
    assert before_capture["paymentRefund"]["userErrors"][0]["code"] == "AMOUNT_TOO_LARGE"
    await pay(seller, order["id"])
    first = await seller.gql(REFUND, {"orderId": order["id"], "amount": "6.00"})
    assert first["paymentRefund"]["order"]["amountRefunded"] == {"amount": "6.00"}
    too_much = await seller.gql(REFUND, {"orderId": order["id"], "amount": "4.01"})
    [error] = too_much["paymentRefund"]["userErrors"]
    assert error["code"] == "AMOUNT_TOO_LARGE" and "at most 4.00" in error["message"]
    chargeback = await seller.gql(CHARGEBACK, {"orderId": order["id"], "amount": "4.00"})
    assert chargeback["paymentChargeback"]["order"]["amountChargedBack"] == {"amount": "4.00"}
    nothing_left = await seller.gql(REFUND, {"orderId": order["id"], "amount": "0.01"})
    assert nothing_left["paymentRefund"]["userErrors"][0]["code"] == "AMOUNT_TOO_LARGE"
    zero = await seller.gql(REFUND, {"orderId": order["id"], "amount": "0"})
    assert zero["paymentRefund"]["userErrors"][0]["code"] == "INVALID_AMOUNT"
    state = (await seller.gql(ORDER, {"id": order["id"]}))["node"]
    assert [(p["kind"], p["amount"]["amount"]) for p in state["payments"]] == [
        ("AUTHORIZATION", "10.00"),
        ("CAPTURE", "10.00"),
        ("REFUND", "6.00"),
        ("CHARGEBACK", "4.00"),
    ]


async def test_a_declined_payment_is_recorded_and_the_order_stays_placed(seller: Seller) -> None:
    await stock_shop(seller)
    order = await place_order(seller)
    data = await seller.gql(
        """mutation ($id: ID!) { paymentAuthorize(input: {orderId: $id, method: ALIPAY, declined: true,
        declineReason: "insufficient funds"}) { payment { kind reason } order { status } userErrors { code } } }""",
        {"id": order["id"]},
    )
    assert data["paymentAuthorize"]["payment"] == {"kind": "DECLINE", "reason": "insufficient funds"}
    assert data["paymentAuthorize"]["order"]["status"] == "PLACED"
    capture = await seller.gql(
        "mutation ($id: ID!) { paymentCapture(input: {orderId: $id}) { userErrors { code } } }",
        {"id": order["id"]},
    )
    assert capture["paymentCapture"]["userErrors"] == [{"code": "NOTHING_TO_CAPTURE"}]


async def test_partial_captures_make_the_order_paid_only_when_the_total_is_in(seller: Seller) -> None:
    await stock_shop(seller, "USD", "10.00")
    order = await place_order(seller, quantity=1)
    capture = """mutation ($id: ID!, $a: Decimal) { paymentCapture(input: {orderId: $id, amount: $a}) {
        order { status amountCaptured { amount } amountAuthorized { amount } } userErrors { code } } }"""
    await seller.gql(
        "mutation ($id: ID!) { paymentAuthorize(input: {orderId: $id, method: PAYPAL}) { userErrors { code } } }",
        {"id": order["id"]},
    )
    part = await seller.gql(capture, {"id": order["id"], "a": "4.00"})
    assert part["paymentCapture"]["order"] == {
        "status": "PLACED",
        "amountCaptured": {"amount": "4.00"},
        "amountAuthorized": {"amount": "6.00"},
    }
    over = await seller.gql(capture, {"id": order["id"], "a": "6.01"})
    assert over["paymentCapture"]["userErrors"] == [{"code": "AMOUNT_TOO_LARGE"}]
    rest = await seller.gql(capture, {"id": order["id"], "a": None})
    assert rest["paymentCapture"]["order"]["status"] == "PAID"


async def test_cancelling_a_paid_order_refunds_it(seller: Seller) -> None:
    await stock_shop(seller, "EUR", "25.00")
    order = await place_order(seller, quantity=2)
    await pay(seller, order["id"])
    data = await seller.gql(
        """mutation ($id: ID!) { orderCancel(input: {orderId: $id, reason: OUT_OF_STOCK}) {
        order { status cancelReason nextStates amountRefunded { amount currency } } userErrors { code } } }""",
        {"id": order["id"]},
    )
    assert data["orderCancel"]["order"] == {
        "status": "CANCELLED",
        "cancelReason": "OUT_OF_STOCK",
        "nextStates": [],
        "amountRefunded": {"amount": "50.00", "currency": "EUR"},
    }
    again = await seller.gql(
        "mutation ($id: ID!) { orderCancel(input: {orderId: $id}) { userErrors { code message } } }",
        {"id": order["id"]},
    )
    [error] = again["orderCancel"]["userErrors"]
    assert error["code"] == "ILLEGAL_TRANSITION" and "none (it is final)" in error["message"]


async def test_an_expected_version_guards_a_move(seller: Seller) -> None:
    await stock_shop(seller)
    order = await place_order(seller)
    paid = await pay(seller, order["id"])
    stale = await seller.gql(
        "mutation ($id: ID!, $v: Int) { orderConfirm(input: {orderId: $id, expectedVersion: $v}) { userErrors { code field } } }",
        {"id": order["id"], "v": order["version"]},
    )
    assert stale["orderConfirm"]["userErrors"] == [
        {"code": "CONFLICT", "field": ["input", "expectedVersion"]}
    ]
    fresh = await seller.gql(
        "mutation ($id: ID!, $v: Int) { orderConfirm(input: {orderId: $id, expectedVersion: $v}) { order { status } } }",
        {"id": order["id"], "v": paid["version"]},
    )
    assert fresh["orderConfirm"]["order"]["status"] == "CONFIRMED"
