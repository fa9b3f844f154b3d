"""Input a careless or hostile client sends: huge or non-finite numbers, overlong or NUL-laden text,
clock jumps to the end of time, and races. Each is a typed refusal that writes nothing, never a 500."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.catalog_setup import (
    CHANNEL_CREATE,
    LISTING_CREATE,
    ORDER_PLACE,
    PRODUCT_CREATE,
    create_channel,
    create_product,
    pay,
    place_order,
    product_input,
    stock_shop,
)
from tests.conftest import Seller

ADVANCE = """mutation ($input: SandboxClockAdvanceInput!) {
  sandboxClockAdvance(input: $input) { workspace { now } timersFired userErrors { field code message } } }"""


def _only_error(payload: dict[str, Any]) -> dict[str, Any]:
    [error] = payload["userErrors"]
    assert error["message"]
    return error  # type: ignore[no-any-return]


@pytest.mark.parametrize("amount", ["1e30", "1e17", "1000000000000", "-1e20"])
async def test_amounts_too_large_to_be_real_are_refused(seller: Seller, amount: str) -> None:
    product = await seller.gql(
        PRODUCT_CREATE, {"input": product_input("BIG", unitCost={"amount": amount, "currency": "USD"})}
    )
    assert _only_error(product["productCreate"])["code"] == "INVALID_AMOUNT"
    await stock_shop(seller)
    order = await seller.gql(
        ORDER_PLACE,
        {
            "input": {
                "channelId": seller.ids["channel"],
                "lines": [{"listingId": seller.ids["listing"], "quantity": 1}],
                "buyerName": "Ada",
                "shipToCountry": "US",
                "shippingPrice": amount,
            }
        },
    )
    assert _only_error(order["orderPlace"])["code"] == "INVALID_AMOUNT"


async def test_an_order_whose_total_would_overflow_is_refused(seller: Seller) -> None:
    channel = await create_channel(seller)
    product = await create_product(seller, "PRICEY")
    data = await seller.gql(
        LISTING_CREATE,
        {"input": {"productId": product, "channelId": channel, "price": {"amount": "900000000000"}}},
    )
    listing = data["listingCreate"]["listing"]["id"]
    order = await seller.gql(
        ORDER_PLACE,
        {
            "input": {
                "channelId": channel,
                "lines": [{"listingId": listing, "quantity": 10000}],
                "buyerName": "Ada",
                "shipToCountry": "US",
            }
        },
    )
    error = _only_error(order["orderPlace"])
    assert (error["code"], error["field"]) == ("INVALID_AMOUNT", ["input", "lines"])


@pytest.mark.parametrize("rate", ["NaN", "Infinity", "0.12345", "-0.1"])
async def test_a_referral_rate_must_be_a_plain_fraction(seller: Seller, rate: str) -> None:
    data = await seller.gql(
        CHANNEL_CREATE,
        {
            "input": {
                "name": "Amazon US",
                "platform": "AMAZON",
                "country": "US",
                "currency": "USD",
                "feeSchedule": {"referralRate": rate},
            }
        },
    )
    assert _only_error(data["channelCreate"])["code"] == "INVALID_FEE"


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"buyerEmail": "a" * 321}, "buyerEmail"),
        ({"channelOrderId": "9" * 101}, "channelOrderId"),
        ({"buyerName": "a\u0000b"}, "buyerName"),
        ({"buyerName": "x" * 201}, "buyerName"),
    ],
)
async def test_overlong_or_nul_text_is_refused(seller: Seller, override: dict[str, str], field: str) -> None:
    await stock_shop(seller)
    values = {
        "channelId": seller.ids["channel"],
        "lines": [{"listingId": seller.ids["listing"], "quantity": 1}],
        "buyerName": "Ada",
        "shipToCountry": "US",
    } | override
    error = _only_error((await seller.gql(ORDER_PLACE, {"input": values}))["orderPlace"])
    assert (error["code"], error["field"]) == ("INVALID_TEXT", ["input", field])
    assert (await seller.gql("{ orders { totalCount } }"))["orders"]["totalCount"] == 0


async def test_sku_text_limits(seller: Seller) -> None:
    data = await seller.gql(PRODUCT_CREATE, {"input": product_input("S" * 65)})
    assert _only_error(data["productCreate"])["field"] == ["input", "sku"]


async def test_a_decline_needs_a_real_amount(seller: Seller) -> None:
    await stock_shop(seller)
    order = await place_order(seller)
    for amount in ["-5", "1e30"]:
        data = await seller.gql(
            """mutation ($id: ID!, $a: Decimal) { paymentAuthorize(input: {orderId: $id, method: CARD, declined: true,
            amount: $a, declineReason: "no"}) { payment { id } userErrors { code field } } }""",
            {"id": order["id"], "a": amount},
        )
        assert (
            data["paymentAuthorize"]["userErrors"][0]["code"] == "INVALID_AMOUNT"
            if amount == "-5"
            else "AMOUNT_TOO_LARGE"
        )
        assert data["paymentAuthorize"]["payment"] is None


@pytest.mark.parametrize("move", [{"days": 2000000000}, {"to": "9999-12-30T00:00:00Z"}, {"days": 3661}])
async def test_the_clock_cannot_jump_to_the_end_of_time(seller: Seller, move: dict[str, Any]) -> None:
    data = await seller.gql(ADVANCE, {"input": move})
    assert _only_error(data["sandboxClockAdvance"])["code"] == "INVALID_DURATION"
    await stock_shop(seller)
    await place_order(seller)  # the sandbox still works


async def test_a_cursor_beyond_any_row_is_refused(seller: Seller) -> None:
    body = (
        await seller.post('{ orders(after: "c2VxOjk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5") { totalCount } }')
    ).json()
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}


async def test_concurrent_duplicate_listings_are_one_listing_and_clear_refusals(seller: Seller) -> None:
    channel = await create_channel(seller)
    product = await create_product(seller, "RACE")
    variables = {"input": {"productId": product, "channelId": channel, "price": {"amount": "5"}}}
    responses = await asyncio.gather(*(seller.post(LISTING_CREATE, variables) for _ in range(4)))
    results = [r.json()["data"]["listingCreate"] for r in responses]
    assert sum(1 for r in results if r["listing"]) == 1
    assert sorted(e["code"] for r in results for e in r["userErrors"]) == ["DUPLICATE_LISTING"] * 3


async def test_orders_placed_while_the_clock_moves_still_meet_their_deadlines(seller: Seller) -> None:
    await stock_shop(seller)
    values = {
        "input": {
            "channelId": seller.ids["channel"],
            "lines": [{"listingId": seller.ids["listing"], "quantity": 1}],
            "buyerName": "Ada",
            "shipToCountry": "US",
        }
    }
    requests = [seller.post(ORDER_PLACE, values) for _ in range(15)]
    requests.insert(7, seller.post(ADVANCE, {"input": {"hours": 49}}))
    await asyncio.gather(*requests)
    orders = await seller.gql(
        "{ workspace { now } orders(first: 100) { edges { node { status confirmBy cancelledAt } } } }"
    )
    now = orders["workspace"]["now"]
    for edge in orders["orders"]["edges"]:
        order = edge["node"]
        if order["confirmBy"] <= now:  # its deadline is behind the clock: it must have fired, at the deadline
            assert order["status"] == "CANCELLED" and order["cancelledAt"] == order["confirmBy"], order
        else:
            assert order["status"] == "PLACED"


async def test_refunded_money_does_not_count_towards_paid(seller: Seller) -> None:
    await stock_shop(seller, "USD", "10.00")
    order = await place_order(seller, quantity=1)
    capture = """mutation ($id: ID!, $a: Decimal) { paymentCapture(input: {orderId: $id, amount: $a}) {
      order { status } userErrors { code } } }"""
    refund = """mutation ($id: ID!) { paymentRefund(input: {orderId: $id, amount: "4.00", reason: "oops"}) {
      userErrors { code } } }"""
    await seller.gql(
        "mutation ($id: ID!) { paymentAuthorize(input: {orderId: $id, method: CARD}) { userErrors { code } } }",
        {"id": order["id"]},
    )
    await seller.gql(capture, {"id": order["id"], "a": "4.00"})
    await seller.gql(refund, {"id": order["id"]})
    rest = await seller.gql(capture, {"id": order["id"], "a": None})
    assert rest["paymentCapture"]["order"]["status"] == "PLACED"  # 10 captured, 4 returned: 6 of 10 held


async def test_an_order_refunded_in_full_cannot_be_confirmed(seller: Seller) -> None:
    await stock_shop(seller, "USD", "10.00")
    order = await place_order(seller, quantity=1)
    await pay(seller, order["id"])
    await seller.gql(
        'mutation ($id: ID!) { paymentRefund(input: {orderId: $id, amount: "10.00", reason: "sorry"}) { userErrors { code } } }',
        {"id": order["id"]},
    )
    data = await seller.gql(
        "mutation ($id: ID!) { orderConfirm(input: {orderId: $id}) { order { id } userErrors { code } } }",
        {"id": order["id"]},
    )
    assert data["orderConfirm"]["userErrors"] == [{"code": "NOT_PAID"}]


async def test_the_clock_advance_is_idempotent_under_a_key(seller: Seller) -> None:
    first, again = [
        await seller.gql(ADVANCE, {"input": {"hours": 5, "idempotencyKey": "tick-1"}}) for _ in range(2)
    ]
    assert first == again
    assert first["sandboxClockAdvance"]["workspace"]["now"] == "2026-11-23T14:00:00+00:00"


async def test_an_amount_written_differently_is_the_same_request(seller: Seller) -> None:
    await stock_shop(seller, "USD", "10.00")
    order = await place_order(seller, quantity=1)
    await pay(seller, order["id"])
    doc = """mutation ($id: ID!, $a: Decimal!) { paymentRefund(input: {orderId: $id, amount: $a, reason: "r",
      idempotencyKey: "same"}) { order { amountRefunded { amount } } userErrors { code } } }"""
    first = await seller.gql(doc, {"id": order["id"], "a": "1.0"})
    again = await seller.gql(doc, {"id": order["id"], "a": "1.00"})
    assert (
        first
        == again
        == {"paymentRefund": {"order": {"amountRefunded": {"amount": "1.00"}}, "userErrors": []}}
    )


async def test_payments_honour_an_expected_version(seller: Seller) -> None:
    await stock_shop(seller)
    order = await place_order(seller)
    data = await seller.gql(
        "mutation ($id: ID!) { paymentAuthorize(input: {orderId: $id, method: CARD, expectedVersion: 99}) { userErrors { code } } }",
        {"id": order["id"]},
    )
    assert data["paymentAuthorize"]["userErrors"] == [{"code": "CONFLICT"}]


async def test_the_workspace_is_a_node(seller: Seller, other_seller: Seller) -> None:
    mine = (await seller.gql("{ workspace { id } }"))["workspace"]["id"]
    assert (
        await seller.gql("query ($id: ID!) { node(id: $id) { ... on Workspace { kind } } }", {"id": mine})
    ) == {"node": {"kind": "SANDBOX"}}
    assert (await other_seller.gql("query ($id: ID!) { node(id: $id) { id } }", {"id": mine})) == {
        "node": None
    }
