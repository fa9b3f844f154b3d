"""Returns and exchanges (issue 5, point 1), walked through the API: the consumer asks (sandbox), the seller
approves or declines, the return parcel is tracked like any shipment, inspection restocks or disposes,
and the resolution is carried out through the payment ledger or a replacement order.

Every order here is the shipping stage's standard one (tests/shipping_setup.py): 2 T-shirts at USD 19.99
plus USD 4.99 shipping, so total = captured = 2 x 19.99 + 4.99 = USD 44.97; one unit's value is 19.99.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine

from api.relay import parse_global_id
from domain.aftersales.model import Resolution
from domain.aftersales.returns import (
    check_partial_amount,
    refund_due,
    returnable_units,
    status_after_returns,
)
from domain.orders.model import OrderStatus
from domain.shared.errors import DomainError
from domain.shared.money import Money
from tests.catalog_setup import create_channel, create_listing, create_product, pay
from tests.conftest import Seller
from tests.shipping_setup import CONFIRM, PLACE, confirmed_order, deliver, register, scan, ship

RETURN = """id status version reason comment resolution refundAmount { amount currency } declineReason
  requestedAt decidedAt receivedAt resolvedAt nextStates
  lines { orderLineId quantity restocked disposed product { sku } }
  returnShipment { id status trackingNumber carrier { code } originCountry destinationCountry
    cost { amount currency } lines { orderLineId quantity } }
  replacementOrder { id status total { amount } lines { sku quantity } replacementFor { id } }
  timeline { type data }"""
ORDER_FIELDS = """id status amountRefunded { amount } amountCaptured { amount }
  payments { kind amount { amount } reason } timeline { type data }"""
PAYLOAD = f"""returnRequest {{ {RETURN} }} order {{ {ORDER_FIELDS} }} userErrors {{ field code message }}"""

REQUEST = f"""mutation ($input: ReturnRequestInput!) {{ returnRequest(input: $input) {{ {PAYLOAD} }} }}"""
APPROVE = f"""mutation ($input: ReturnApproveInput!) {{ returnApprove(input: $input) {{ {PAYLOAD} }} }}"""
DECLINE = f"""mutation ($input: ReturnDeclineInput!) {{ returnDecline(input: $input) {{ {PAYLOAD} }} }}"""
INSPECT = f"""mutation ($input: ReturnInspectInput!) {{ returnInspect(input: $input) {{ {PAYLOAD} }} }}"""
CANCEL = f"""mutation ($input: ReturnCancelInput!) {{ returnCancel(input: $input) {{ {PAYLOAD} }} }}"""
REASON_ADD = """mutation ($input: ReturnReasonAddInput!) { returnReasonAdd(input: $input) {
  reason { code label builtIn } userErrors { field code message } } }"""
REASONS = "{ returnReasons { code label builtIn } }"
NODE = f"""query ($id: ID!) {{ node(id: $id) {{ ... on ReturnRequest {{ {RETURN} }} }} }}"""
ORDER = """query ($id: ID!) { node(id: $id) { ... on Order { status amountRefunded { amount }
  payments { kind amount { amount } } timeline { type }
  returns { id status }
  shipments { id status trackingNumber carrier { code } timeline { type occurredAt applied } } } } }"""
REFUND = """mutation ($input: PaymentRefundInput!) { paymentRefund(input: $input) { userErrors { code } } }"""
ADVANCE = (
    """mutation ($hours: Int!) { sandboxClockAdvance(input: { hours: $hours }) { userErrors { code } } }"""
)
RETURNS = """query ($filter: ReturnFilter) { returns(filter: $filter) { totalCount edges { node { id status } } } }"""


# -- helpers ------------------------------------------------------------------------------------------


async def delivered_order(seller: Seller, quantity: int = 2) -> dict[str, Any]:
    """The standard order, shipped DDP and delivered; with its outbound shipment as `shipment`."""
    order = await confirmed_order(seller, country="US", currency="USD", quantity=quantity)
    shipment = await ship(seller, order["id"], incoterm="DDP")
    await deliver(seller, shipment)
    return order | {"shipment": shipment, "line": order["lines"][0]["id"]}


async def ask(
    seller: Seller, order: dict[str, Any], quantity: int = 1, reason: str = "SIZE_FIT", **more: Any
) -> dict[str, Any]:
    values = {
        "orderId": order["id"],
        "lines": [{"orderLineId": order["line"], "quantity": quantity}],
        "reason": reason,
    } | more
    result: dict[str, Any] = (await seller.gql(REQUEST, {"input": values}))["returnRequest"]
    return result


async def asked(seller: Seller, order: dict[str, Any], quantity: int = 1) -> dict[str, Any]:
    result = await ask(seller, order, quantity)
    assert result["userErrors"] == [], result
    rma: dict[str, Any] = result["returnRequest"]
    return rma


async def run(seller: Seller, document: str, name: str, **values: Any) -> dict[str, Any]:
    result: dict[str, Any] = (await seller.gql(document, {"input": values}))[name]
    return result


async def approved(seller: Seller, rma_id: str, resolution: str, **more: Any) -> dict[str, Any]:
    result = await run(seller, APPROVE, "returnApprove", returnId=rma_id, resolution=resolution, **more)
    assert result["userErrors"] == [], result
    rma: dict[str, Any] = result["returnRequest"]
    return rma


async def sent_back(seller: Seller, rma: dict[str, Any]) -> dict[str, Any]:
    """The consumer hands the parcel to the carrier, and it is delivered back to the seller."""
    number = rma["returnShipment"]["trackingNumber"]
    assert (await scan(seller, number, "PICKED_UP"))["applied"] is True
    assert (await return_view(seller, rma["id"]))["status"] == "IN_TRANSIT"
    assert (await scan(seller, number, "DELIVERED"))["applied"] is True
    back = await return_view(seller, rma["id"])
    assert back["status"] == "RECEIVED" and back["receivedAt"] is not None
    return back


async def return_view(seller: Seller, rma_id: str) -> dict[str, Any]:
    node: dict[str, Any] = (await seller.gql(NODE, {"id": rma_id}))["node"]
    return node


async def order_view(seller: Seller, order_id: str) -> dict[str, Any]:
    node: dict[str, Any] = (await seller.gql(ORDER, {"id": order_id}))["node"]
    return node


def codes(result: dict[str, Any]) -> list[str]:
    return [e["code"] for e in result["userErrors"]]


def types(events: list[dict[str, Any]]) -> list[str]:
    return [e["type"] for e in events]


def outbound(view: dict[str, Any], shipment_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in view["shipments"] if s["id"] == shipment_id)
    return found


# -- pure rules ---------------------------------------------------------------------------------------

A, B = uuid.uuid4(), uuid.uuid4()


def test_the_order_is_returned_when_every_delivered_unit_came_back() -> None:
    """Delivered {A: 2, B: 1}. Back {A: 1}: 1 of 3 -> PARTIALLY_RETURNED; {A: 2, B: 1}: 3 of 3 ->
    RETURNED; nothing back -> no move."""
    assert status_after_returns({A: 2, B: 1}, {A: 1}) is OrderStatus.PARTIALLY_RETURNED
    assert status_after_returns({A: 2, B: 1}, {A: 2, B: 1}) is OrderStatus.RETURNED
    assert status_after_returns({A: 2, B: 1}, {}) is None


@given(st.dictionaries(st.sampled_from([A, B]), st.integers(1, 50), min_size=1), st.data())
def test_returned_means_all_and_partially_means_some(delivered: dict[uuid.UUID, int], data: Any) -> None:
    back = {k: data.draw(st.integers(0, v)) for k, v in delivered.items()}
    status = status_after_returns(delivered, back)
    if sum(back.values()) == 0:
        assert status is None
    elif back == delivered:
        assert status is OrderStatus.RETURNED
    else:
        assert status is OrderStatus.PARTIALLY_RETURNED


def test_units_in_returns_are_not_returnable_twice() -> None:
    """2 delivered, 1 in a return: 1 left; 2 in returns: 0 left (never negative)."""
    assert returnable_units(2, 1) == 1
    assert returnable_units(2, 2) == 0
    assert returnable_units(1, 3) == 0


def test_a_partial_refund_is_above_zero_and_at_most_the_lines_value() -> None:
    value = Money.of("19.99", "USD")
    assert check_partial_amount(Resolution.PARTIAL_REFUND, Decimal("5.005"), value) == Decimal("5.01")
    for asked, code in (
        (None, "INVALID_AMOUNT"),
        (Decimal(0), "INVALID_AMOUNT"),
        (Decimal("20"), "AMOUNT_TOO_LARGE"),
    ):
        with pytest.raises(DomainError) as refused:
            check_partial_amount(Resolution.PARTIAL_REFUND, asked, value)
        assert refused.value.code == code
    with pytest.raises(DomainError) as refused:
        check_partial_amount(Resolution.REFUND, Decimal(1), value)
    assert refused.value.code == "INVALID_AMOUNT"
    assert refund_due(Resolution.REFUND, value, None) == value
    assert refund_due(Resolution.RETURNLESS_REFUND, value, None) == value
    assert refund_due(Resolution.PARTIAL_REFUND, value, Decimal("5.01")) == Money.of("5.01", "USD")
    assert refund_due(Resolution.EXCHANGE, value, None) is None


# -- reasons ------------------------------------------------------------------------------------------


async def test_a_seller_adds_reasons_of_its_own_next_to_the_built_in_ones(seller: Seller) -> None:
    before = (await seller.gql(REASONS))["returnReasons"]
    assert [r["code"] for r in before] == [
        "DEFECTIVE",
        "NOT_AS_DESCRIBED",
        "WRONG_ITEM",
        "DAMAGED_IN_TRANSIT",
        "SIZE_FIT",
        "NO_LONGER_NEEDED",
        "LATE_DELIVERY",
    ]
    assert all(r["builtIn"] for r in before)
    added = await run(seller, REASON_ADD, "returnReasonAdd", code="COLOUR_DIFFERS", label="Colour differs")
    assert added == {
        "reason": {"code": "COLOUR_DIFFERS", "label": "Colour differs", "builtIn": False},
        "userErrors": [],
    }
    for code, expected in (
        ("COLOUR_DIFFERS", "DUPLICATE_REASON"),
        ("DEFECTIVE", "DUPLICATE_REASON"),
        ("colour differs", "INVALID_REASON_CODE"),
        ("TWO__UNDERSCORES", "INVALID_REASON_CODE"),
    ):
        refused = await run(seller, REASON_ADD, "returnReasonAdd", code=code, label="x")
        assert refused["reason"] is None and codes(refused) == [expected], (code, refused)
    after = (await seller.gql(REASONS))["returnReasons"]
    assert after[-1] == {"code": "COLOUR_DIFFERS", "label": "Colour differs", "builtIn": False}
    assert len(after) == 8  # the refusals wrote nothing


# -- the flows ----------------------------------------------------------------------------------------


async def test_a_refund_return_travels_back_is_inspected_and_refunds_the_lines_value(seller: Seller) -> None:
    """1 of 2 units back, REFUND: the refund is the unit's value, 19.99 (shipping is not refunded); the
    order holds 44.97 - 19.99 = 24.98 and is PARTIALLY_RETURNED (1 of 2 delivered units back)."""
    order = await delivered_order(seller)
    before = outbound(await order_view(seller, order["id"]), order["shipment"]["id"])

    rma = await asked(seller, order, 1)
    assert rma["status"] == "REQUESTED" and rma["reason"] == "SIZE_FIT"
    assert rma["lines"] == [
        {
            "orderLineId": order["line"],
            "quantity": 1,
            "restocked": 0,
            "disposed": 0,
            "product": {"sku": "TEE-AMAZON-US-USD"},
        }
    ]

    rma = await approved(seller, rma["id"], "REFUND", returnShippingCost="3.50")
    label = rma["returnShipment"]
    assert rma["status"] == "APPROVED" and rma["resolution"] == "REFUND" and rma["decidedAt"]
    assert label["status"] == "LABEL_CREATED"
    assert label["carrier"] == order["shipment"]["carrier"]  # the carrier that delivered the goods
    assert label["trackingNumber"] != order["shipment"]["trackingNumber"]
    assert (label["originCountry"], label["destinationCountry"]) == ("US", "CN")  # the other way
    assert label["cost"] == {"amount": "3.50", "currency": order["shipment"]["cost"]["currency"]}
    assert label["lines"] == [{"orderLineId": order["line"], "quantity": 1}]

    await sent_back(seller, rma)
    done = await run(
        seller,
        INSPECT,
        "returnInspect",
        returnId=rma["id"],
        lines=[{"orderLineId": order["line"], "restock": 1, "dispose": 0}],
    )
    assert done["userErrors"] == [], done
    rma = done["returnRequest"]
    assert rma["status"] == "RESOLVED" and rma["resolvedAt"] and rma["nextStates"] == []
    assert rma["refundAmount"] == {"amount": "19.99", "currency": "USD"}
    assert rma["lines"][0]["restocked"] == 1 and rma["lines"][0]["disposed"] == 0
    assert types(rma["timeline"]) == [
        "RETURN_REQUESTED",
        "RETURN_APPROVED",
        "RETURN_IN_TRANSIT",
        "RETURN_RECEIVED",
        "RETURN_INSPECTED",
        "RETURN_RESOLVED",
    ]
    after = done["order"]
    assert after["status"] == "PARTIALLY_RETURNED"
    assert after["amountRefunded"] == {"amount": "19.99"}
    assert after["payments"][-1]["kind"] == "REFUND" and after["payments"][-1]["amount"] == {
        "amount": "19.99"
    }
    timeline = types(after["timeline"])
    for event in (
        "RETURN_REQUESTED",
        "RETURN_APPROVED",
        "RETURN_LABEL_CREATED",
        "RETURN_IN_TRANSIT",
        "RETURN_RECEIVED",
        "RETURN_INSPECTED",
        "PAYMENT_REFUNDED",
        "RETURN_RESOLVED",
        "ORDER_PARTIALLY_RETURNED",
    ):
        assert event in timeline, event
    assert timeline.index("PAYMENT_REFUNDED") < timeline.index("ORDER_PARTIALLY_RETURNED")

    # The original parcel and its tracking are untouched by the return (Saleor issue #17712).
    view = await order_view(seller, order["id"])
    assert outbound(view, order["shipment"]["id"]) == before
    assert before["status"] == "DELIVERED"
    assert [s["status"] for s in view["shipments"]] == ["DELIVERED", "DELIVERED"]  # outbound, then return
    assert view["returns"] == [{"id": rma["id"], "status": "RESOLVED"}]


async def test_a_partial_refund_refunds_the_agreed_amount(seller: Seller) -> None:
    """Both units back, PARTIAL_REFUND of 15.00 (the lines are worth 2 x 19.99 = 39.98): 15.00 is
    refunded, and the order is RETURNED (2 of 2 delivered units back)."""
    order = await delivered_order(seller)
    rma = await asked(seller, order, 2)
    too_much = await run(
        seller,
        APPROVE,
        "returnApprove",
        returnId=rma["id"],
        resolution="PARTIAL_REFUND",
        refundAmount="39.99",
    )
    assert codes(too_much) == ["AMOUNT_TOO_LARGE"] and too_much["userErrors"][0]["field"] == [
        "input",
        "refundAmount",
    ]
    missing = await run(seller, APPROVE, "returnApprove", returnId=rma["id"], resolution="PARTIAL_REFUND")
    assert codes(missing) == ["INVALID_AMOUNT"]
    assert (await return_view(seller, rma["id"]))["status"] == "REQUESTED"  # nothing written

    rma = await approved(seller, rma["id"], "PARTIAL_REFUND", refundAmount="15.00")
    assert rma["refundAmount"] == {"amount": "15.00", "currency": "USD"}
    assert rma["returnShipment"]["cost"]["amount"] in ("0.00", "0")  # no cost given: 0
    await sent_back(seller, rma)
    done = await run(
        seller,
        INSPECT,
        "returnInspect",
        returnId=rma["id"],
        lines=[{"orderLineId": order["line"], "restock": 0, "dispose": 2}],
    )
    assert done["userErrors"] == [], done
    assert done["returnRequest"]["refundAmount"] == {"amount": "15.00", "currency": "USD"}
    assert done["order"]["amountRefunded"] == {"amount": "15.00"}
    assert done["order"]["status"] == "RETURNED"


async def test_an_exchange_sends_a_free_replacement_order_linked_to_the_original(
    seller: Seller, engine: AsyncEngine
) -> None:
    """Both units back for an EXCHANGE: nothing is refunded; a replacement order on the same channel,
    CONFIRMED, total 0, carries the same 2 units; the original is RETURNED."""
    order = await delivered_order(seller)
    rma = await asked(seller, order, 2)
    rma = await approved(seller, rma["id"], "EXCHANGE")
    assert rma["refundAmount"] is None
    await sent_back(seller, rma)
    done = await run(
        seller,
        INSPECT,
        "returnInspect",
        returnId=rma["id"],
        lines=[{"orderLineId": order["line"], "restock": 2, "dispose": 0}],
    )
    assert done["userErrors"] == [], done
    rma = done["returnRequest"]
    replacement = rma["replacementOrder"]
    assert replacement["status"] == "CONFIRMED" and replacement["total"] == {"amount": "0.00"}
    assert replacement["lines"] == [{"sku": "TEE-AMAZON-US-USD", "quantity": 2}]
    assert replacement["replacementFor"] == {"id": order["id"]}
    assert done["order"]["status"] == "RETURNED" and done["order"]["amountRefunded"] == {"amount": "0.00"}
    assert "REFUND" not in [p["kind"] for p in done["order"]["payments"]]

    link = """query ($id: ID!) { node(id: $id) { ... on Order { channel { id } shipTo: shipToCountry } } }"""
    original = (await seller.gql(link, {"id": order["id"]}))["node"]
    again = (await seller.gql(link, {"id": replacement["id"]}))["node"]
    assert again == original  # same channel, same destination
    async with engine.connect() as conn:
        linked = await conn.scalar(
            sa.text("SELECT replacement_for_order_id FROM orders WHERE id = :id"),
            {"id": parse_global_id(replacement["id"])[1]},
        )
    assert linked == parse_global_id(order["id"])[1]
    # The replacement ships like any confirmed order.
    shipped = await ship(seller, replacement["id"], incoterm="DDP")
    assert shipped["status"] == "LABEL_CREATED"


async def test_a_returnless_refund_is_refunded_and_resolved_at_once(seller: Seller) -> None:
    """RETURNLESS_REFUND of both units: 2 x 19.99 = 39.98 refunded at approval, no parcel; the order
    holds 44.97 - 39.98 = 4.99 (the shipping) and is RETURNED, so nothing more can be returned."""
    order = await delivered_order(seller)
    rma = await asked(seller, order, 2)
    result = await run(seller, APPROVE, "returnApprove", returnId=rma["id"], resolution="RETURNLESS_REFUND")
    assert result["userErrors"] == [], result
    rma = result["returnRequest"]
    assert rma["status"] == "RESOLVED" and rma["returnShipment"] is None
    assert rma["refundAmount"] == {"amount": "39.98", "currency": "USD"}
    assert types(rma["timeline"]) == ["RETURN_REQUESTED", "RETURN_APPROVED", "RETURN_RESOLVED"]
    assert result["order"]["status"] == "RETURNED"
    assert result["order"]["amountRefunded"] == {"amount": "39.98"}
    assert len((await order_view(seller, order["id"]))["shipments"]) == 1  # no return parcel
    again = await ask(seller, order, 1)
    assert codes(again) == ["ALREADY_RETURNED"] and again["returnRequest"] is None


# -- bad input: a typed error each, nothing written ----------------------------------------------------


async def returns_of(seller: Seller, order_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (await order_view(seller, order_id))["returns"]
    return found


async def test_a_return_on_undelivered_units_is_refused(seller: Seller) -> None:
    order = await confirmed_order(seller, country="US", currency="USD")
    refused = await ask(seller, order | {"line": order["lines"][0]["id"]}, 1)
    assert codes(refused) == ["NOT_DELIVERED"] and refused["userErrors"][0]["field"] == ["input", "orderId"]
    assert await returns_of(seller, order["id"]) == []


async def test_quantities_above_what_was_delivered_or_already_returned_are_refused(seller: Seller) -> None:
    """2 delivered. Asking for 3 is above delivered; after a return of 2, nothing is left (ALREADY_RETURNED);
    once that return is declined its units are free again."""
    order = await delivered_order(seller)
    above = await ask(seller, order, 3)
    assert codes(above) == ["QUANTITY_ABOVE_DELIVERED"]
    assert above["userErrors"][0]["field"] == ["input", "lines", "0", "quantity"]
    assert "2 delivered unit(s)" in above["userErrors"][0]["message"]
    assert await returns_of(seller, order["id"]) == []

    first = await asked(seller, order, 1)
    above = await ask(seller, order, 2)  # 2 - 1 in an open return = 1 left
    assert (
        codes(above) == ["QUANTITY_ABOVE_DELIVERED"]
        and "1 delivered unit(s)" in above["userErrors"][0]["message"]
    )
    second = await asked(seller, order, 1)
    twice = await ask(seller, order, 1)
    assert codes(twice) == ["ALREADY_RETURNED"]
    assert [r["id"] for r in await returns_of(seller, order["id"])] == [first["id"], second["id"]]

    declined = await run(seller, DECLINE, "returnDecline", returnId=second["id"], reason="Worn and washed")
    assert declined["userErrors"] == [] and declined["returnRequest"]["status"] == "DECLINED"
    assert declined["returnRequest"]["declineReason"] == "Worn and washed"
    assert "RETURN_DECLINED" in types(declined["order"]["timeline"])
    assert declined["order"]["status"] == "DELIVERED"  # a declined return moves nothing
    assert (await ask(seller, order, 1))["userErrors"] == []  # its unit is free again
    final = await run(seller, APPROVE, "returnApprove", returnId=second["id"], resolution="REFUND")
    assert codes(final) == ["ILLEGAL_TRANSITION"]  # DECLINED is final
    assert (await return_view(seller, second["id"]))["status"] == "DECLINED"


async def test_a_repeated_request_under_one_idempotency_key_makes_one_return(seller: Seller) -> None:
    order = await delivered_order(seller)
    first = await ask(seller, order, 1, idempotencyKey="rma-1")
    again = await ask(seller, order, 1, idempotencyKey="rma-1")
    assert first["userErrors"] == [] and again["returnRequest"]["id"] == first["returnRequest"]["id"]
    assert len(await returns_of(seller, order["id"])) == 1


async def test_bad_lines_and_reasons_are_refused(seller: Seller) -> None:
    order = await delivered_order(seller)
    unknown = await ask(seller, order, 1, reason="CHANGED_MY_MIND")
    assert codes(unknown) == ["UNKNOWN_REASON"] and unknown["userErrors"][0]["field"] == ["input", "reason"]
    line = {"orderLineId": order["line"], "quantity": 1}
    for lines, code in (
        ([], "EMPTY_RETURN"),
        ([line, line], "DUPLICATE_LINE"),
        ([line | {"quantity": 0}], "INVALID_QUANTITY"),
    ):
        refused = await ask(seller, order, 1, lines=lines)
        assert codes(refused) == [code], (code, refused)
    other = await confirmed_order(seller, country="US", currency="USD")
    foreign = await ask(seller, order, 1, lines=[{"orderLineId": other["lines"][0]["id"], "quantity": 1}])
    assert codes(foreign) == ["NOT_FOUND"]
    assert await returns_of(seller, order["id"]) == []


async def test_a_return_after_the_channels_window_is_refused(seller: Seller) -> None:
    """The channel's window is 30 days from delivery (the default): at 30 days it is open, an hour later
    it is closed."""
    order = await delivered_order(seller)
    assert (await seller.gql(ADVANCE, {"hours": 30 * 24}))["sandboxClockAdvance"]["userErrors"] == []
    rma = await asked(seller, order, 1)
    await run(seller, DECLINE, "returnDecline", returnId=rma["id"], reason="Testing the window")
    assert (await seller.gql(ADVANCE, {"hours": 1}))["sandboxClockAdvance"]["userErrors"] == []
    late = await ask(seller, order, 1)
    assert codes(late) == ["RETURN_WINDOW_CLOSED"]
    assert [r["status"] for r in await returns_of(seller, order["id"])] == ["DECLINED"]


async def test_a_refund_above_what_is_held_is_refused_at_approval_and_capped_at_inspection(
    seller: Seller,
) -> None:
    """44.97 captured. After a manual refund of 30.00, 14.97 is held: refunding a unit (19.99) is refused
    at approval. A return approved while 44.97 was held, then a manual refund of 30.00: at inspection the
    goods are back, so the return is settled with what is still held, 14.97, and the 5.02 short is on
    the timeline (money is never paid out twice, and the return does not get stuck)."""
    order = await delivered_order(seller)
    rma = await asked(seller, order, 1)
    refunded = await seller.gql(
        REFUND, {"input": {"orderId": order["id"], "amount": "30.00", "reason": "goodwill"}}
    )
    assert refunded["paymentRefund"]["userErrors"] == []
    refused = await run(seller, APPROVE, "returnApprove", returnId=rma["id"], resolution="REFUND")
    assert codes(refused) == ["AMOUNT_TOO_LARGE"] and "14.97" in refused["userErrors"][0]["message"]
    assert (await return_view(seller, rma["id"]))["status"] == "REQUESTED"

    order = await delivered_order(seller)
    rma = await approved(seller, (await asked(seller, order, 1))["id"], "REFUND")
    await sent_back(seller, rma)
    refunded = await seller.gql(
        REFUND, {"input": {"orderId": order["id"], "amount": "30.00", "reason": "goodwill"}}
    )
    assert refunded["paymentRefund"]["userErrors"] == []
    settled = await run(
        seller,
        INSPECT,
        "returnInspect",
        returnId=rma["id"],
        lines=[{"orderLineId": order["line"], "restock": 1, "dispose": 0}],
    )
    assert settled["userErrors"] == []
    view = await return_view(seller, rma["id"])
    assert view["status"] == "RESOLVED" and view["refundAmount"]["amount"] == "14.97"
    assert (await order_view(seller, order["id"]))["amountRefunded"] == {"amount": "44.97"}
    resolved = next(e for e in settled["order"]["timeline"] if e["type"] == "RETURN_RESOLVED")
    assert resolved["data"]["shortfall"] == "5.02"


async def test_a_refund_pays_for_the_units_that_came_back(seller: Seller) -> None:
    """Two units asked back (2 x 19.99 = 39.98); the parcel holds one: the refund is 19.99."""
    order = await delivered_order(seller)
    rma = await approved(seller, (await asked(seller, order, 2))["id"], "REFUND")
    await sent_back(seller, rma)
    settled = await run(
        seller,
        INSPECT,
        "returnInspect",
        returnId=rma["id"],
        lines=[{"orderLineId": order["line"], "restock": 1, "dispose": 0}],
    )
    assert settled["returnRequest"]["refundAmount"]["amount"] == "19.99"


async def test_a_return_parcel_the_carrier_loses_is_settled_without_inspection(seller: Seller) -> None:
    """The consumer sent both units back and the carrier lost them: the return is settled as if they came
    back (refunded in full, 39.98), with nothing restocked."""
    order = await delivered_order(seller)
    rma = await approved(seller, (await asked(seller, order, 2))["id"], "REFUND")
    label = (await return_view(seller, rma["id"]))["returnShipment"]["trackingNumber"]
    await scan(seller, label, "PICKED_UP")
    assert (await return_view(seller, rma["id"]))["status"] == "IN_TRANSIT"
    early = await run(seller, INSPECT, "returnInspect", returnId=rma["id"], lines=[])
    assert codes(early) == ["NOT_RECEIVED"]
    await scan(seller, label, "LOST")
    restocked = await run(
        seller,
        INSPECT,
        "returnInspect",
        returnId=rma["id"],
        lines=[{"orderLineId": order["line"], "restock": 1, "dispose": 0}],
    )
    assert codes(restocked) == ["INVALID_QUANTITY"]
    settled = await run(seller, INSPECT, "returnInspect", returnId=rma["id"], lines=[])
    assert settled["userErrors"] == [] and settled["returnRequest"]["status"] == "RESOLVED"
    assert settled["returnRequest"]["refundAmount"]["amount"] == "39.98"


async def test_an_exchange_can_be_settled_as_a_refund_at_inspection(seller: Seller) -> None:
    order = await delivered_order(seller)
    rma = await approved(seller, (await asked(seller, order, 1))["id"], "EXCHANGE")
    await sent_back(seller, rma)
    wrong = await run(
        seller, INSPECT, "returnInspect", returnId=rma["id"], lines=[], resolution="RETURNLESS_REFUND"
    )
    assert codes(wrong) == ["INVALID_RESOLUTION"]
    settled = await run(
        seller,
        INSPECT,
        "returnInspect",
        returnId=rma["id"],
        lines=[{"orderLineId": order["line"], "restock": 1, "dispose": 0}],
        resolution="PARTIAL_REFUND",
        refundAmount="10.00",
    )
    assert settled["userErrors"] == []
    assert (settled["returnRequest"]["resolution"], settled["returnRequest"]["refundAmount"]["amount"]) == (
        "PARTIAL_REFUND",
        "10.00",
    )
    assert settled["returnRequest"]["replacementOrder"] is None


async def test_a_reason_with_control_characters_is_refused(seller: Seller) -> None:
    order = await delivered_order(seller)
    assert codes(await ask(seller, order, 1, reason="SIZE\x00FIT")) == ["INVALID_TEXT"]


async def test_inspection_names_only_returned_lines_and_units(seller: Seller) -> None:
    order = await delivered_order(seller)
    rma = await approved(seller, (await asked(seller, order, 1))["id"], "REFUND")
    early = await run(seller, INSPECT, "returnInspect", returnId=rma["id"], lines=[])
    assert codes(early) == ["NOT_RECEIVED"]  # the parcel is not back yet
    await sent_back(seller, rma)
    line = order["line"]
    for lines, code in (
        ([{"orderLineId": line, "restock": 1, "dispose": 1}], "INVALID_QUANTITY"),
        ([{"orderLineId": line, "restock": -1, "dispose": 0}], "INVALID_QUANTITY"),
        ([{"orderLineId": line, "restock": 1, "dispose": 0}] * 2, "DUPLICATE_LINE"),
    ):
        refused = await run(seller, INSPECT, "returnInspect", returnId=rma["id"], lines=lines)
        assert codes(refused) == [code], (code, refused)
    assert (await return_view(seller, rma["id"]))["status"] == "RECEIVED"


async def test_the_consumer_withdraws_before_the_parcel_leaves_and_not_after(seller: Seller) -> None:
    order = await delivered_order(seller)
    rma = await approved(seller, (await asked(seller, order, 1))["id"], "REFUND")
    withdrawn = await run(seller, CANCEL, "returnCancel", returnId=rma["id"])
    assert withdrawn["userErrors"] == [] and withdrawn["returnRequest"]["status"] == "CANCELLED"
    assert withdrawn["returnRequest"]["returnShipment"]["status"] == "CANCELLED"  # the label is voided
    assert "RETURN_CANCELLED" in types(withdrawn["order"]["timeline"])

    rma = await approved(seller, (await asked(seller, order, 1))["id"], "REFUND")
    assert (await scan(seller, rma["returnShipment"]["trackingNumber"], "PICKED_UP"))["applied"] is True
    late = await run(seller, CANCEL, "returnCancel", returnId=rma["id"])
    assert codes(late) == ["ILLEGAL_TRANSITION"]
    assert (await return_view(seller, rma["id"]))["status"] == "IN_TRANSIT"


async def test_consumers_commands_are_sandbox_only_and_returns_stay_in_their_workspace(
    seller: Seller, live_seller: Seller, other_seller: Seller
) -> None:
    order = await delivered_order(seller)
    rma = await asked(seller, order, 1)
    live = await ask(live_seller, order, 1)
    assert codes(live) == ["SANDBOX_ONLY"]
    assert (await other_seller.gql(NODE, {"id": rma["id"]}))["node"] is None
    foreign = await run(other_seller, APPROVE, "returnApprove", returnId=rma["id"], resolution="REFUND")
    assert codes(foreign) == ["NOT_FOUND"]
    listed = (await seller.gql(RETURNS, {"filter": {"status": ["REQUESTED"], "orderId": order["id"]}}))[
        "returns"
    ]
    assert listed["totalCount"] == 1 and listed["edges"][0]["node"]["id"] == rma["id"]
    assert (await other_seller.gql(RETURNS))["returns"]["totalCount"] == 0


# -- stock --------------------------------------------------------------------------------------------

WAREHOUSE = """mutation ($input: WarehouseCreateInput!) { warehouseCreate(input: $input) { warehouse { id } userErrors { code } } }"""
RECEIVE = (
    """mutation ($input: LotReceiveInput!) { lotReceive(input: $input) { lot { id } userErrors { code } } }"""
)
PASS = """mutation ($id: ID!) { lotInspect(input: { lotId: $id, sampleSize: 1, defectsFound: 0, result: PASS }) { userErrors { code } } }"""


async def tracked_delivered_order(seller: Seller) -> dict[str, Any]:
    """2 units of a product with 10 on hand in a domestic warehouse in CN, delivered to the US."""
    await register(seller, "EXPORT_RIGHTS", "GLOBAL", "CN-EXP-0001")
    channel = await create_channel(seller, "USD", name="Amazon US", platform="AMAZON", country="US")
    product = await create_product(seller, "TEE-TRACKED")
    listing = await create_listing(seller, product, channel, "19.99")
    made = await seller.gql(WAREHOUSE, {"input": {"name": "Shenzhen", "kind": "DOMESTIC", "country": "CN"}})
    warehouse = made["warehouseCreate"]["warehouse"]["id"]
    lot = await seller.gql(
        RECEIVE, {"input": {"productId": product, "warehouseId": warehouse, "quantity": 10}}
    )
    assert (await seller.gql(PASS, {"id": lot["lotReceive"]["lot"]["id"]}))["lotInspect"]["userErrors"] == []
    values = {
        "channelId": channel,
        "lines": [{"listingId": listing, "quantity": 2}],
        "buyerName": "Ada Consumer",
        "shipToCountry": "US",
        "shippingPrice": "4.99",
    }
    order: dict[str, Any] = (await seller.gql(PLACE, {"input": values}))["orderPlace"]["order"]
    await pay(seller, order["id"])
    assert (await seller.gql(CONFIRM, {"id": order["id"]}))["orderConfirm"]["userErrors"] == []
    shipment = await ship(seller, order["id"], incoterm="DDP")
    await deliver(seller, shipment)
    return order | {"shipment": shipment, "line": order["lines"][0]["id"], "warehouse": warehouse}


async def levels(engine: AsyncEngine, workspace_id: uuid.UUID) -> list[tuple[int, int, int, int, int]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            sa.text(
                "SELECT on_hand, reserved, shipped, returned, disposed FROM stock_levels "
                "WHERE workspace_id = :ws ORDER BY seq"
            ),
            {"ws": workspace_id},
        )
        return [(r.on_hand, r.reserved, r.shipped, r.returned, r.disposed) for r in rows]


async def test_inspection_restocks_and_disposes_and_an_exchange_holds_stock(
    seller: Seller, engine: AsyncEngine
) -> None:
    """10 on hand, 2 shipped: on hand 8. Both come back; 1 restocked, 1 disposed: on hand 8 + 1 = 9,
    returned 1, disposed 1. The exchange's replacement then holds its 2 units: reserved 2."""
    order = await tracked_delivered_order(seller)
    assert await levels(engine, seller.workspace_id) == [(8, 0, 2, 0, 0)]
    rma = await approved(seller, (await asked(seller, order, 2))["id"], "EXCHANGE")
    await sent_back(seller, rma)
    assert await levels(engine, seller.workspace_id) == [(8, 0, 2, 0, 0)]  # nothing until inspected
    done = await run(
        seller,
        INSPECT,
        "returnInspect",
        returnId=rma["id"],
        lines=[{"orderLineId": order["line"], "restock": 1, "dispose": 1}],
    )
    assert done["userErrors"] == [], done
    assert done["returnRequest"]["lines"][0] | {"product": None} == {
        "orderLineId": order["line"],
        "quantity": 2,
        "restocked": 1,
        "disposed": 1,
        "product": None,
    }
    assert done["returnRequest"]["replacementOrder"]["status"] == "CONFIRMED"
    assert await levels(engine, seller.workspace_id) == [(9, 2, 2, 1, 1)]


async def test_a_tracked_product_needs_a_warehouse_it_can_go_back_to(
    seller: Seller, engine: AsyncEngine
) -> None:
    """A product tracked, but the goods shipped without a reservation (the order came before the stock):
    the return names the warehouse, and the units go on hand there."""
    order = await delivered_order(seller)  # untracked when shipped
    made = await seller.gql(
        WAREHOUSE, {"input": {"name": "Returns hub", "kind": "DOMESTIC", "country": "CN"}}
    )
    warehouse = made["warehouseCreate"]["warehouse"]["id"]
    rma_id = (await asked(seller, order, 1))["id"]
    products = (await seller.gql("{ products(first: 5) { edges { node { id sku } } } }"))["products"]
    product_id = next(e["node"]["id"] for e in products["edges"] if e["node"]["sku"] == "TEE-AMAZON-US-USD")
    lot = await seller.gql(
        RECEIVE, {"input": {"productId": product_id, "warehouseId": warehouse, "quantity": 1}}
    )
    assert lot["lotReceive"]["userErrors"] == []
    rma = await approved(seller, rma_id, "REFUND")
    await sent_back(seller, rma)
    line = [{"orderLineId": order["line"], "restock": 1, "dispose": 0}]
    refused = await run(seller, INSPECT, "returnInspect", returnId=rma_id, lines=line)
    assert codes(refused) == ["WAREHOUSE_REQUIRED"]
    done = await run(seller, INSPECT, "returnInspect", returnId=rma_id, lines=line, warehouseId=warehouse)
    assert done["userErrors"] == [], done
    # on hand 0 + 1 restocked; the received lot (1) still awaits inspection
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                sa.text(
                    "SELECT on_hand, returned, awaiting_inspection FROM stock_levels WHERE workspace_id = :ws"
                ),
                {"ws": seller.workspace_id},
            )
        ).one()
    assert tuple(row) == (1, 1, 1)


# -- statement counts ----------------------------------------------------------------------------------

RETURNS_PAGE = """{ returns(first: 50) { edges { node { status refundAmount { amount }
  lines { quantity product { sku } } order { status } returnShipment { trackingNumber }
  replacementOrder { status } timeline { type } } } } }"""
ORDERS_PAGE = """{ orders(first: 50) { edges { node { status returns { status lines { quantity } } } } } }"""
# Each count: the API key, entering the workspace, the page, then one statement per relation loaded.
RETURN_CASES = {
    # + return lines, products, orders, return shipments, replacement orders (none: no statement), events
    "returns": (RETURNS_PAGE, 8),
    # + returns, their lines
    "orders": (ORDERS_PAGE, 5),
}


async def test_return_pages_cost_the_same_for_1_and_10_returns(seller: Seller, count_statements: Any) -> None:
    made = 0
    for size in (1, 10):
        while made < size:
            order = await delivered_order(seller, quantity=1)
            await approved(seller, (await asked(seller, order, 1))["id"], "REFUND")
            made += 1
        for name, (query, statements) in RETURN_CASES.items():
            with count_statements() as counter:
                data = await seller.gql(query)
            assert len(data[name]["edges"]) >= size, name
            assert counter.count == statements, (name, size, counter.statements)


async def test_the_order_completes_when_its_return_window_closes_with_nothing_open(seller: Seller) -> None:
    """Delivered at 09:00 on 2026-11-23 through a channel with the default 30-day window: an order with no
    return open is COMPLETED once the window has passed; one with a return still open waits until the
    return ends, looked at again a day later."""
    quiet = await delivered_order(seller)
    busy = await delivered_order(seller)
    rma = await asked(seller, busy, 1)
    assert (await seller.gql(ADVANCE, {"hours": 30 * 24 + 1}))["sandboxClockAdvance"]["userErrors"] == []
    assert (await order_view(seller, quiet["id"]))["status"] == "COMPLETED"
    assert "ORDER_COMPLETED" in types((await order_view(seller, quiet["id"]))["timeline"])
    assert (await order_view(seller, busy["id"]))["status"] == "DELIVERED"
    assert codes(await ask(seller, quiet, 1)) == ["RETURN_WINDOW_CLOSED"]
    await run(seller, DECLINE, "returnDecline", returnId=rma["id"], reason="Worn")
    assert (await seller.gql(ADVANCE, {"hours": 24}))["sandboxClockAdvance"]["userErrors"] == []
    assert (await order_view(seller, busy["id"]))["status"] == "COMPLETED"
