"""One remedy per unit, across returns and complaints: goods are not given away once their money went
back, units sent again are not also refunded, and an empty parcel takes nothing back.

The standard delivered order: 2 T-shirts at USD 19.99 + 4.99 shipping, 44.97 captured."""

from __future__ import annotations

from typing import Any

from tests.conftest import Seller
from tests.test_complaints import opened, resolve
from tests.test_returns import (
    APPROVE,
    INSPECT,
    approved,
    ask,
    asked,
    codes,
    delivered_order,
    order_view,
    run,
    sent_back,
)

CANCEL_SHIPMENT = """mutation ($id: ID!) { shipmentCancel(input: { shipmentId: $id }) {
  userErrors { code message } } }"""


async def test_no_exchange_or_replacement_once_the_money_went_back(seller: Seller) -> None:
    order = await delivered_order(seller)
    await opened(seller, order["id"], source="CHARGEBACK", amount="44.97")
    rma = await asked(seller, order, 2)
    refused = await run(seller, APPROVE, "returnApprove", returnId=rma["id"], resolution="EXCHANGE")
    assert codes(refused) == ["ALREADY_REFUNDED"]
    assert [r["status"] for r in (await order_view(seller, order["id"]))["returns"]] == ["REQUESTED"]
    other = await delivered_order(seller)
    await opened(seller, other["id"], source="CHARGEBACK", amount="44.97")
    direct = await opened(seller, other["id"])
    replaced = await resolve(seller, direct["id"], "REPLACEMENT")
    assert codes(replaced) == ["ALREADY_REFUNDED"]


async def test_units_sent_again_by_a_complaint_are_not_also_refunded(seller: Seller) -> None:
    order = await delivered_order(seller)
    complaint = await opened(seller, order["id"])
    assert (await resolve(seller, complaint["id"], "REPLACEMENT"))["userErrors"] == []
    again = await ask(seller, order, 1)
    assert codes(again) == ["ALREADY_RETURNED"]


async def test_an_empty_parcel_takes_nothing_back(seller: Seller) -> None:
    """An EXCHANGE of 2 whose parcel arrives empty sends no replacement, and the order stays DELIVERED:
    its units are still with the consumer, who may ask again."""
    order = await delivered_order(seller)
    rma = await approved(seller, (await asked(seller, order, 2))["id"], "EXCHANGE")
    await sent_back(seller, rma)
    settled = await run(seller, INSPECT, "returnInspect", returnId=rma["id"], lines=[])
    assert settled["userErrors"] == []
    assert settled["returnRequest"]["status"] == "RESOLVED"
    assert settled["returnRequest"]["replacementOrder"] is None
    assert settled["order"]["status"] == "DELIVERED"
    resolved = next(e for e in settled["order"]["timeline"] if e["type"] == "RETURN_RESOLVED")
    assert resolved["data"]["replacement"] == "none: nothing came back"


async def test_a_returns_label_is_voided_with_its_return_not_on_its_own(seller: Seller) -> None:
    order = await delivered_order(seller)
    rma = await approved(seller, (await asked(seller, order, 1))["id"], "REFUND")
    label: dict[str, Any] = rma["returnShipment"]
    cancelled = (await seller.gql(CANCEL_SHIPMENT, {"id": label["id"]}))["shipmentCancel"]
    assert codes(cancelled) == ["SHIPMENT_NOT_CANCELLABLE"]
    assert "returnCancel" in cancelled["userErrors"][0]["message"]


async def test_text_that_is_not_valid_unicode_is_refused(seller: Seller) -> None:
    order = await delivered_order(seller)
    response = await seller.client.post(
        "/graphql",
        content=(
            '{"query": "mutation ($i: ReturnRequestInput!) { returnRequest(input: $i) { userErrors { code } } }",'
            ' "variables": {"i": {"orderId": "'
            + order["id"]
            + '", "reason": "SIZE_FIT", "comment": "\\ud800",'
            ' "lines": [{"orderLineId": "' + order["line"] + '", "quantity": 1}]}}}'
        ),
        headers={"Authorization": f"Bearer {seller.key}", "Content-Type": "application/json"},
    )
    assert response.json()["data"]["returnRequest"]["userErrors"] == [{"code": "INVALID_TEXT"}]
