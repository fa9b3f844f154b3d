"""Idempotency keys replay the first result; concurrent duplicates have one effect; concurrent conflicting
moves end with one success and one clear userError, never a 500 and never both."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.catalog_setup import ORDER_PLACE, pay, place_order, stock_shop
from tests.conftest import Seller


def _order_input(seller: Seller, key: str | None, quantity: int = 1) -> dict[str, Any]:
    return {
        "input": {
            "channelId": seller.ids["channel"],
            "lines": [{"listingId": seller.ids["listing"], "quantity": quantity}],
            "buyerName": "Ada",
            "shipToCountry": "US",
            "idempotencyKey": key,
        }
    }


async def _count(seller: Seller) -> int:
    count: int = (await seller.gql("{ orders { totalCount } }"))["orders"]["totalCount"]
    return count


async def test_a_repeat_with_the_same_key_returns_the_first_result(seller: Seller) -> None:
    await stock_shop(seller)
    first = await seller.gql(ORDER_PLACE, _order_input(seller, "order-1"))
    again = await seller.gql(ORDER_PLACE, _order_input(seller, "order-1"))
    assert again["orderPlace"]["order"]["id"] == first["orderPlace"]["order"]["id"]
    assert await _count(seller) == 1


async def test_the_same_key_with_other_input_is_refused(seller: Seller) -> None:
    await stock_shop(seller)
    await seller.gql(ORDER_PLACE, _order_input(seller, "order-2"))
    other = await seller.gql(ORDER_PLACE, _order_input(seller, "order-2", quantity=5))
    assert other["orderPlace"]["order"] is None
    [error] = other["orderPlace"]["userErrors"]
    assert error["code"] == "IDEMPOTENCY_KEY_REUSED" and error["field"] == ["input", "idempotencyKey"]
    assert await _count(seller) == 1


async def test_keys_are_per_workspace(seller: Seller, other_seller: Seller) -> None:
    for who in (seller, other_seller):
        await stock_shop(who)
        data = await who.gql(ORDER_PLACE, _order_input(who, "shared-key"))
        assert data["orderPlace"]["userErrors"] == []
        assert await _count(who) == 1


async def test_a_refused_command_does_not_use_up_its_key(seller: Seller) -> None:
    await stock_shop(seller)
    bad = await seller.gql(ORDER_PLACE, _order_input(seller, "retry-me", quantity=0))
    assert bad["orderPlace"]["userErrors"][0]["code"] == "INVALID_QUANTITY"
    good = await seller.gql(ORDER_PLACE, _order_input(seller, "retry-me", quantity=1))
    assert good["orderPlace"]["userErrors"] == []


async def test_an_overlong_key_is_refused(seller: Seller) -> None:
    await stock_shop(seller)
    data = await seller.gql(ORDER_PLACE, _order_input(seller, "k" * 256))
    assert data["orderPlace"]["userErrors"][0]["code"] == "INVALID_IDEMPOTENCY_KEY"


async def test_twenty_concurrent_duplicates_have_exactly_one_effect(seller: Seller) -> None:
    await stock_shop(seller)
    responses = await asyncio.gather(
        *(seller.post(ORDER_PLACE, _order_input(seller, "burst")) for _ in range(20))
    )
    assert [r.status_code for r in responses] == [200] * 20
    bodies = [r.json() for r in responses]
    assert all("errors" not in body for body in bodies), bodies
    ids = {body["data"]["orderPlace"]["order"]["id"] for body in bodies}
    assert len(ids) == 1
    assert await _count(seller) == 1


async def test_twenty_concurrent_refunds_under_one_key_refund_once(seller: Seller) -> None:
    await stock_shop(seller, "USD", "10.00")
    order = await place_order(seller, quantity=1)
    await pay(seller, order["id"])
    refund = """mutation ($id: ID!) { paymentRefund(input: {orderId: $id, amount: "3.00", reason: "late",
      idempotencyKey: "refund-1"}) { payment { id } userErrors { code } } }"""
    responses = await asyncio.gather(*(seller.post(refund, {"id": order["id"]}) for _ in range(20)))
    payments = {r.json()["data"]["paymentRefund"]["payment"]["id"] for r in responses}
    assert len(payments) == 1
    state = await seller.gql(
        "query ($id: ID!) { node(id: $id) { ... on Order { amountRefunded { amount } } } }",
        {"id": order["id"]},
    )
    assert state["node"]["amountRefunded"] == {"amount": "3.00"}


MOVES = {
    "confirm": "mutation ($id: ID!, $v: Int) { orderConfirm(input: {orderId: $id, expectedVersion: $v}) "
    "{ order { status } userErrors { code message } } }",
    "cancel": "mutation ($id: ID!, $v: Int) { orderCancel(input: {orderId: $id, expectedVersion: $v}) "
    "{ order { status } userErrors { code message } } }",
}


@pytest.mark.parametrize("with_version", [True, False])
async def test_concurrent_conflicting_moves_end_with_one_success_and_one_clear_refusal(
    seller: Seller, with_version: bool
) -> None:
    await stock_shop(seller)
    for _ in range(5):  # several rounds: the two requests interleave differently each time
        order = await place_order(seller)
        paid = await pay(seller, order["id"])
        variables = {"id": order["id"], "v": paid["version"] if with_version else None}
        # With a version, confirm and cancel race; without, two confirms do: only one can move PAID on.
        docs = [MOVES["confirm"], MOVES["cancel" if with_version else "confirm"]]
        responses = await asyncio.gather(*(seller.post(doc, variables) for doc in docs))
        assert [r.status_code for r in responses] == [200, 200]
        results = [next(iter(r.json()["data"].values())) for r in responses]
        succeeded = [r for r in results if not r["userErrors"]]
        refused = [r for r in results if r["userErrors"]]
        assert len(succeeded) == 1 and len(refused) == 1, results
        assert refused[0]["order"] is None
        assert refused[0]["userErrors"][0]["code"] in {"CONFLICT", "ILLEGAL_TRANSITION"}
        final = await seller.gql(
            "query ($id: ID!) { node(id: $id) { ... on Order { status } } }", {"id": order["id"]}
        )
        assert final["node"]["status"] == succeeded[0]["order"]["status"]


async def test_a_cancellation_under_a_key_refunds_once(seller: Seller) -> None:
    await stock_shop(seller, "USD", "10.00")
    order = await place_order(seller, quantity=1)
    await pay(seller, order["id"])
    cancel = """mutation ($id: ID!) { orderCancel(input: {orderId: $id, idempotencyKey: "cancel-1"}) {
      order { status amountRefunded { amount } } userErrors { code } } }"""
    first, again = [await seller.gql(cancel, {"id": order["id"]}) for _ in range(2)]
    assert first == again
    assert first["orderCancel"]["order"] == {"status": "CANCELLED", "amountRefunded": {"amount": "10.00"}}
