"""Bad input in shipping and customs: a typed error each, and nothing written."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.db.uow import enter_workspace
from tests.catalog_setup import create_listing, create_product, pay
from tests.conftest import Seller
from tests.shipping_setup import (
    CONFIRM,
    LODGE,
    PLACE,
    RESPOND,
    SHIP,
    confirmed_order,
    decide,
    declaration,
    order_view,
    scan,
    ship,
    through_export,
)

DECLARATION = """query ($id: ID!) { node(id: $id) { ... on CustomsDeclaration { status version reference
  items { hsCode value { amount currency } } timeline { type } } } }"""
SHIPMENT = (
    """query ($id: ID!) { node(id: $id) { ... on Shipment { status version timeline { type eventId } } } }"""
)


def codes(result: dict[str, Any]) -> list[str]:
    return [error["code"] for error in result["userErrors"]]


async def _view(seller: Seller, query: str, id_: str) -> dict[str, Any]:
    node: dict[str, Any] = (await seller.gql(query, {"id": id_}))["node"]
    return node


async def test_a_shipment_for_an_unconfirmed_order_is_refused(seller: Seller) -> None:
    order = await confirmed_order(seller)  # sets up the channel and export rights
    values = {
        "channelId": seller.ids["AMAZON-DE-EUR/channel"],
        "lines": [{"listingId": seller.ids["AMAZON-DE-EUR"], "quantity": 1}],
        "buyerName": "Bo",
        "shipToCountry": "DE",
    }
    placed = (await seller.gql(PLACE, {"input": values}))["orderPlace"]["order"]
    await pay(seller, placed["id"])
    result = (await seller.gql(SHIP, {"input": {"orderId": placed["id"], "method": "POSTAL"}}))[
        "shipmentCreate"
    ]
    assert codes(result) == ["ORDER_NOT_SHIPPABLE"] and result["shipment"] is None
    assert "Confirm it first" in result["userErrors"][0]["message"]
    view = await order_view(seller, placed["id"])
    assert view["shipments"] == [] and view["status"] == "PAID"
    assert (await order_view(seller, order["id"]))["shipments"] == []


async def test_shipping_without_export_rights_or_certificates_names_all_that_is_missing(
    seller: Seller,
) -> None:
    order = await confirmed_order(seller, export_rights=False)
    result = (await seller.gql(SHIP, {"input": {"orderId": order["id"], "method": "POSTAL"}}))[
        "shipmentCreate"
    ]
    assert codes(result) == ["COMPLIANCE_MISSING"]
    assert "missing EXPORT_RIGHTS registration" in result["userErrors"][0]["message"]
    assert (await order_view(seller, order["id"]))["shipments"] == []

    # Headphones certified CE only, sold on Amazon DE but sent to a consumer in the US: FCC is missing.
    channel = seller.ids["AMAZON-DE-EUR/channel"]
    product = await create_product(seller, "HDP-1", category="ELECTRONICS", hsCode="8518.30")
    certify = """mutation ($p: ID!) { productCertificationAdd(input: {productId: $p, code: CE, number: "CE-1",
      issuer: "TUV", validFrom: "2026-01-01"}) { userErrors { code } } }"""
    await seller.gql(certify, {"p": product})
    listing = await create_listing(seller, product, channel, "49.00")
    values = {
        "channelId": channel,
        "lines": [{"listingId": listing, "quantity": 1}],
        "buyerName": "Cy",
        "shipToCountry": "US",
    }
    placed = (await seller.gql(PLACE, {"input": values}))["orderPlace"]["order"]
    await pay(seller, placed["id"])
    await seller.gql(CONFIRM, {"id": placed["id"]})
    refused = (await seller.gql(SHIP, {"input": {"orderId": placed["id"], "method": "EXPRESS"}}))[
        "shipmentCreate"
    ]
    assert codes(refused) == ["COMPLIANCE_MISSING"]
    message = refused["userErrors"][0]["message"]
    assert "HDP-1: missing FCC certification" in message and "missing EXPORT_RIGHTS" in message


async def test_shipment_input_is_checked(seller: Seller) -> None:
    order = await confirmed_order(seller)
    line = order["lines"][0]["id"]
    cases: list[tuple[dict[str, Any], str]] = [
        ({"lines": [{"orderLineId": line, "quantity": 3}]}, "INVALID_QUANTITY"),
        (
            {"lines": [{"orderLineId": line, "quantity": 1}, {"orderLineId": line, "quantity": 1}]},
            "DUPLICATE_LINE",
        ),
        ({"lines": []}, "NOTHING_TO_SHIP"),
        ({"packages": [{"weightGrams": 0, "lengthMm": 1, "widthMm": 1, "heightMm": 1}]}, "INVALID_PACKAGE"),
        ({"method": "PLATFORM_FULFILLED"}, "METHOD_NOT_POSSIBLE"),
        ({"carrier": "NO_SUCH_CARRIER"}, "NO_LANE"),
        ({"trackingNumber": "no spaces!"}, "INVALID_TRACKING_NUMBER"),
        ({"lines": [{"orderLineId": order["id"], "quantity": 1}]}, "INVALID_ID"),
    ]
    for extra, code in cases:
        values = {"orderId": order["id"], "method": "POSTAL"} | extra
        result = (await seller.gql(SHIP, {"input": values}))["shipmentCreate"]
        assert codes(result) == [code], (extra, result)
    view = await order_view(seller, order["id"])
    assert view["shipments"] == [] and view["status"] == "CONFIRMED"


async def test_scans_for_unknown_numbers_repeats_and_the_future_are_refused(seller: Seller) -> None:
    order = await confirmed_order(seller)
    shipment = await ship(seller, order["id"])
    number = shipment["trackingNumber"]
    assert codes(await scan(seller, "LX000000000CN", "PICKED_UP")) == ["UNKNOWN_TRACKING_NUMBER"]
    assert codes(await scan(seller, number, "SEIZED")) == ["INVALID_EVENT_TYPE"]
    assert codes(await scan(seller, number, "PICKED_UP", occurredAt="2026-11-24T00:00:00Z")) == [
        "INVALID_TIME"
    ]
    first = await scan(seller, number, "PICKED_UP", eventId="evt-1")
    assert first["applied"] is True
    assert codes(await scan(seller, number, "DEPARTED_ORIGIN", eventId="evt-1")) == ["DUPLICATE_EVENT"]
    view = await _view(seller, SHIPMENT, shipment["id"])
    assert view["status"] == "PICKED_UP"
    assert [e["eventId"] for e in view["timeline"]][1:] == ["evt-1"]


async def test_customs_decisions_on_a_draft_and_bad_holds_are_refused(seller: Seller) -> None:
    order = await confirmed_order(seller, country="US", currency="USD")
    shipment = await ship(seller, order["id"], lodgeDeclarations=False)
    import_ = declaration(shipment, "IMPORT")
    assert import_["status"] == "DRAFT" and import_["reference"] is None
    assert codes(await decide(seller, import_["id"], "ASSESS")) == ["NOT_LODGED"]
    assert codes(await decide(seller, declaration(shipment, "EXPORT")["id"], "HOLD")) == ["NOT_LODGED"]
    lodged = (await seller.gql(LODGE, {"input": {"declarationId": import_["id"]}}))["customsDeclarationLodge"]
    assert lodged["declaration"]["status"] == "LODGED" and lodged["declaration"]["reference"].startswith(
        "26US"
    )
    assert codes(await decide(seller, import_["id"], "HOLD")) == ["HOLD_REASON_REQUIRED"]
    assert codes(await decide(seller, import_["id"], "RELEASE", holdReason="INSPECTION")) == [
        "UNEXPECTED_HOLD_REASON"
    ]
    export = declaration(shipment, "EXPORT")
    await seller.gql(LODGE, {"input": {"declarationId": export["id"]}})
    assert codes(await decide(seller, export["id"], "ASSESS")) == ["ILLEGAL_TRANSITION"]
    not_held = await seller.gql(RESPOND, {"input": {"declarationId": import_["id"], "note": "hello"}})
    assert codes(not_held["customsDeclarationRespond"]) == ["NOT_HELD"]
    view = await _view(seller, DECLARATION, import_["id"])
    assert view["status"] == "LODGED"
    assert [e["type"] for e in view["timeline"]] == ["DECLARATION_DRAFTED", "DECLARATION_LODGED"]


async def test_declared_values_and_codes_are_checked(seller: Seller) -> None:
    order = await confirmed_order(seller)
    shipment = await ship(seller, order["id"], lodgeDeclarations=False)
    import_ = declaration(shipment, "IMPORT")
    item = import_["items"][0]["id"]
    cases = [
        ({"hsCode": "9999.99"}, "INVALID_HS_CODE"),
        ({"hsCode": "7700.10"}, "INVALID_HS_CODE"),
        ({"value": "0"}, "INVALID_DECLARED_VALUE"),
        ({"value": "-5"}, "INVALID_DECLARED_VALUE"),
        ({"value": "30.00", "currency": "USD"}, "CURRENCY_MISMATCH"),
        ({}, "EMPTY_CORRECTION"),
    ]
    for fix, code in cases:
        result = await seller.gql(
            LODGE, {"input": {"declarationId": import_["id"], "items": [{"itemId": item} | fix]}}
        )
        assert codes(result["customsDeclarationLodge"]) == [code], fix
    view = await _view(seller, DECLARATION, import_["id"])
    assert view["status"] == "DRAFT" and view["reference"] is None
    assert view["items"] == [{"hsCode": "610910", "value": {"amount": "33.60", "currency": "EUR"}}]
    fixed = {
        "declarationId": import_["id"],
        "items": [{"itemId": item, "hsCode": "6109.10.00", "value": "30.00", "currency": "EUR"}],
    }
    lodged = (await seller.gql(LODGE, {"input": fixed}))["customsDeclarationLodge"]
    assert lodged["userErrors"] == [] and lodged["declaration"]["items"] == [
        {"hsCode": "61091000", "value": {"amount": "30.00"}}
    ]


async def test_a_hold_answer_with_a_bad_value_changes_nothing(seller: Seller) -> None:
    order = await confirmed_order(seller, country="US", currency="USD")
    shipment = await ship(seller, order["id"])
    await through_export(seller, shipment)
    import_ = declaration(shipment, "IMPORT")
    await decide(seller, import_["id"], "HOLD", holdReason="CLASSIFICATION_QUERY")
    item = import_["items"][0]["id"]
    bad = {
        "declarationId": import_["id"],
        "documents": ["spec.pdf"],
        "items": [{"itemId": item, "hsCode": "610910", "value": "0"}],
    }
    result = (await seller.gql(RESPOND, {"input": bad}))["customsDeclarationRespond"]
    assert codes(result) == ["INVALID_DECLARED_VALUE"]
    empty = (await seller.gql(RESPOND, {"input": {"declarationId": import_["id"]}}))[
        "customsDeclarationRespond"
    ]
    assert codes(empty) == ["EMPTY_RESPONSE"]
    view = await _view(seller, DECLARATION, import_["id"])
    assert view["status"] == "HELD"
    assert view["items"] == [{"hsCode": "610910", "value": {"amount": "39.98", "currency": "USD"}}]


async def test_sandbox_stand_ins_are_refused_in_a_live_workspace(live_seller: Seller) -> None:
    scanned = await scan(live_seller, "LX000000000CN", "PICKED_UP")
    assert codes(scanned) == ["SANDBOX_ONLY"]


async def test_the_service_cannot_rewrite_a_ledger_line(engine: AsyncEngine, seller: Seller) -> None:
    """Tracking events and tax entries are only ever added: the service's role may insert them, not update."""
    order = await confirmed_order(seller)
    await ship(seller, order["id"])
    for table in ("tax_entries", "tracking_events"):
        async with engine.connect() as conn:
            await enter_workspace(conn, seller.workspace_id)
            with pytest.raises(DBAPIError, match="permission denied"):
                await conn.execute(sa.text(f"UPDATE {table} SET occurred_at = occurred_at"))
            await conn.rollback()
    async with engine.connect() as conn:
        await enter_workspace(conn, seller.workspace_id)
        updated = await conn.execute(sa.text("UPDATE shipments SET version = version"))
        assert updated.rowcount == 1  # the others are updated as they move
        await conn.rollback()


async def test_values_past_what_tradelane_stores_are_refused_at_lodging(seller: Seller) -> None:
    order = await confirmed_order(seller)
    shipment = await ship(seller, order["id"], lodgeDeclarations=False)
    import_ = declaration(shipment, "IMPORT")
    item = import_["items"][0]["id"]
    for value in ("999999999999.99", "999999999999.995"):  # with the 4.99 freight / rounding past the limit
        fix = {"declarationId": import_["id"], "items": [{"itemId": item, "value": value}]}
        result = (await seller.gql(LODGE, {"input": fix}))["customsDeclarationLodge"]
        assert codes(result) == ["INVALID_AMOUNT"], value
    view = await _view(seller, DECLARATION, import_["id"])
    assert view["status"] == "DRAFT" and view["items"][0]["value"]["amount"] == "33.60"


async def test_import_customs_wait_for_the_parcel_to_arrive(seller: Seller) -> None:
    order = await confirmed_order(seller, country="US", currency="USD")
    shipment = await ship(seller, order["id"])
    await scan(seller, shipment["trackingNumber"], "PICKED_UP")
    await decide(seller, declaration(shipment, "EXPORT")["id"], "RELEASE")
    early = await decide(seller, declaration(shipment, "IMPORT")["id"], "ASSESS")
    assert codes(early) == ["NOT_PRESENTED"]
    assert (await _view(seller, SHIPMENT, shipment["id"]))["status"] == "EXPORT_CLEARED"


async def test_a_lost_parcel_closes_its_declarations_and_what_the_consumer_owed(seller: Seller) -> None:
    order = await confirmed_order(seller, country="US", currency="USD")
    shipment = await ship(seller, order["id"])
    await through_export(seller, shipment)
    import_ = declaration(shipment, "IMPORT")
    await decide(seller, import_["id"], "ASSESS")
    assert (await scan(seller, shipment["trackingNumber"], "LOST"))["applied"] is True
    assert (await _view(seller, DECLARATION, import_["id"]))["status"] == "RETURNED"
    view = await order_view(seller, order["id"])
    assert view["status"] == "LOST"
    assert [(e["kind"], e["amount"]["amount"]) for e in view["taxEntries"]] == [
        ("LIABILITY", "6.60"),
        ("REVERSAL", "6.60"),
    ]


async def test_a_draft_of_a_lost_parcel_cannot_be_lodged(seller: Seller) -> None:
    order = await confirmed_order(seller)
    shipment = await ship(seller, order["id"], lodgeDeclarations=False)
    await scan(seller, shipment["trackingNumber"], "PICKED_UP")
    await scan(seller, shipment["trackingNumber"], "LOST")
    export = declaration(shipment, "EXPORT")
    assert (await _view(seller, DECLARATION, export["id"]))["status"] == "WITHDRAWN"
    lodged = (await seller.gql(LODGE, {"input": {"declarationId": export["id"]}}))["customsDeclarationLodge"]
    assert codes(lodged) == ["SHIPMENT_ENDED"]


async def test_an_idempotency_key_with_control_characters_is_refused(seller: Seller) -> None:
    order = await confirmed_order(seller)
    values = {"orderId": order["id"], "method": "POSTAL", "idempotencyKey": "ab\x00cd"}
    result = (await seller.gql(SHIP, {"input": values}))["shipmentCreate"]
    assert codes(result) == ["INVALID_IDEMPOTENCY_KEY"]
    assert (await order_view(seller, order["id"]))["shipments"] == []
