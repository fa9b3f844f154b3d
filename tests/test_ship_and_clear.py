"""Ship and clear through the API: an order walked from confirmation to delivery, through a customs hold
and release, to seizure, and to a refusal under DAP; who pays what; the tax ledger and its reports.

Worked figures (reference-facts section 1 and 2, rules.toml):
- DE, Amazon (a marketplace: deemed supplier under IOSS): 2 T-shirts at EUR 19.99 + EUR 4.99 shipping on
  2026-11-23. Goods 39.98 / 1.19 = 33.596... -> intrinsic value EUR 33.60 <= 150: IOSS. VAT at sale on the
  goods 39.98 x 0.19 / 1.19 = 6.383 -> 6.38 and on the shipping 4.99 x 0.19 / 1.19 = 0.797 -> 0.80; duty EUR
  3 for the one tariff line (6109.10), 2026-07-01 to 2028-07-01. All collected at sale by the marketplace;
  nothing due at the border.
- US, Amazon: 2 T-shirts at USD 19.99: no de minimis since 2025-08-29, so MFN duty 16.5% on the FOB value
  39.98 -> 6.5967 -> USD 6.60; no VAT. Under DAP the consumer owes it; under DDP the seller pays it.
"""

from __future__ import annotations

from typing import Any

from tests.catalog_setup import create_channel, create_listing, create_product
from tests.conftest import Seller
from tests.shipping_setup import (
    CHARGES,
    LODGE,
    RESPOND,
    SHIP,
    confirmed_order,
    decide,
    declaration,
    deliver,
    order_view,
    register,
    scan,
    ship,
    through_export,
)

SHIPMENT_VIEW = """query ($id: ID!) { node(id: $id) { ... on Shipment { status
  timeline { type applied source } history { type }
  declarations { direction status } } } }"""


def money(amount: str, currency: str) -> dict[str, str]:
    return {"amount": amount, "currency": currency}


async def test_an_order_walks_from_confirmation_to_delivery(seller: Seller) -> None:
    order = await confirmed_order(seller)
    assert order["saleTaxes"]["regime"] == "IOSS"
    assert [(t["taxType"], t["amount"], t["payer"]) for t in order["saleTaxes"]["lines"]] == [
        ("VAT", money("6.38", "EUR"), "MARKETPLACE"),
        ("VAT", money("0.80", "EUR"), "MARKETPLACE"),
        ("DUTY", money("3.00", "EUR"), "MARKETPLACE"),
    ]

    shipment = await ship(seller, order["id"])
    assert shipment["status"] == "LABEL_CREATED"
    assert shipment["method"] == "POSTAL" and shipment["customsMode"] == "PER_PARCEL"
    assert shipment["incoterm"] == "DDP"  # the tax was collected at sale
    assert shipment["lines"] == [{"orderLineId": order["lines"][0]["id"], "quantity": 2}]
    # One box from the product: 2 x 180 g, 300 x 250 mm, 2 x 20 mm high.
    assert shipment["packages"] == [{"weightGrams": 360, "lengthMm": 300, "widthMm": 250, "heightMm": 40}]
    export, import_ = declaration(shipment, "EXPORT"), declaration(shipment, "IMPORT")
    assert (export["status"], import_["status"]) == ("LODGED", "LODGED")
    assert (import_["scheme"], import_["schemeCollector"]) == ("IOSS", "MARKETPLACE")
    # Declared net of the VAT collected at sale: 39.98 / 1.19.
    assert import_["items"][0]["value"] == money("33.60", "EUR")
    assert import_["items"][0]["hsCode"] == "610910"
    assert (await order_view(seller, order["id"]))["status"] == "PACKED"

    number = shipment["trackingNumber"]
    assert (await scan(seller, number, "PICKED_UP"))["shipment"]["status"] == "PICKED_UP"
    assert (await order_view(seller, order["id"]))["status"] == "SHIPPED"
    released = await decide(seller, export["id"], "RELEASE")
    assert released["declaration"]["status"] == "RELEASED"
    assert released["shipment"]["status"] == "EXPORT_CLEARED"
    for step in ("DEPARTED_ORIGIN", "ARRIVED_DESTINATION"):
        assert (await scan(seller, number, step))["shipment"]["status"] == step
    assessed = await decide(seller, import_["id"], "ASSESS")
    assert assessed["userErrors"] == []
    assert assessed["declaration"]["status"] == "ASSESSED"  # nothing due at the border: no payment step
    assert assessed["declaration"]["assessment"]["regime"] == "IOSS"
    assert assessed["declaration"]["assessment"]["lines"] == []
    assert assessed["declaration"]["dueFromConsumer"] == money("0.00", "EUR")
    cleared = await decide(seller, import_["id"], "RELEASE")
    assert cleared["shipment"]["status"] == "IMPORT_CLEARED"
    assert (await scan(seller, number, "OUT_FOR_DELIVERY"))["applied"] is True
    assert (await scan(seller, number, "DELIVERED"))["shipment"]["status"] == "DELIVERED"
    late = await scan(seller, number, "ARRIVED_DESTINATION", eventId="late-1")
    assert (late["applied"], late["shipment"]["status"]) == (False, "DELIVERED")

    view = await order_view(seller, order["id"])
    assert view["status"] == "DELIVERED" and view["completedAt"] is not None
    assert [e["type"] for e in view["timeline"]][-4:] == [
        "ORDER_PACKED",
        "ORDER_SHIPMENT_CREATED",
        "ORDER_SHIPPED",
        "ORDER_DELIVERED",
    ]
    seen = (await seller.gql(SHIPMENT_VIEW, {"id": shipment["id"]}))["node"]
    assert [(e["type"], e["applied"], e["source"]) for e in seen["timeline"]] == [
        ("LABEL_CREATED", True, "SELLER"),
        ("PICKED_UP", True, "SANDBOX"),
        ("EXPORT_CLEARED", True, "CUSTOMS"),
        ("DEPARTED_ORIGIN", True, "SANDBOX"),
        ("ARRIVED_DESTINATION", True, "SANDBOX"),
        ("IMPORT_CLEARED", True, "CUSTOMS"),
        ("OUT_FOR_DELIVERY", True, "SANDBOX"),
        ("DELIVERED", True, "SANDBOX"),
        ("ARRIVED_DESTINATION", False, "SANDBOX"),
    ]
    assert "SCAN_IGNORED" in [e["type"] for e in seen["history"]]
    assert seen["declarations"] == [
        {"direction": "EXPORT", "status": "RELEASED"},
        {"direction": "IMPORT", "status": "RELEASED"},
    ]


async def test_a_hold_is_answered_and_the_parcel_released_after_the_consumer_pays(seller: Seller) -> None:
    order = await confirmed_order(seller, country="US", currency="USD")
    assert order["saleTaxes"]["lines"] == []  # no tax at sale in the US; duty at the border
    shipment = await ship(seller, order["id"])
    assert shipment["incoterm"] == "DAP"
    import_ = declaration(shipment, "IMPORT")
    assert import_["items"][0]["value"] == money("39.98", "USD")
    await through_export(seller, shipment)

    held = await decide(seller, import_["id"], "HOLD", holdReason="VALUATION_QUERY", note="invoice please")
    assert held["declaration"]["status"] == "HELD" and held["declaration"]["holdReason"] == "VALUATION_QUERY"
    assert held["declaration"]["nextStates"] == ["INSPECTED", "RESUBMITTED", "RETURNED", "SEIZED"]
    assert held["shipment"]["status"] == "IMPORT_CUSTOMS_HOLD"

    item = import_["items"][0]["id"]
    answer = {
        "declarationId": import_["id"],
        "documents": ["invoice INV-2026-0042.pdf"],
        "items": [{"itemId": item, "value": "35.00"}],
        "note": "a promotion price",
    }
    responded = (await seller.gql(RESPOND, {"input": answer}))["customsDeclarationRespond"]
    assert responded["userErrors"] == []
    assert responded["declaration"]["status"] == "RESUBMITTED"
    assert responded["declaration"]["documents"] == ["invoice INV-2026-0042.pdf"]
    assert responded["declaration"]["items"] == [{"hsCode": "610910", "value": money("35.00", "USD")}]

    assessed = await decide(seller, import_["id"], "ASSESS")
    decl = assessed["declaration"]
    assert decl["status"] == "ASSESSED"
    # 35.00 x 16.5% = 5.775 -> 5.78, owed by the consumer under DAP.
    assert decl["dutyTotal"] == money("5.78", "USD") and decl["taxTotal"] == money("0.00", "USD")
    assert decl["dueFromConsumer"] == money("5.78", "USD")
    [line] = decl["assessment"]["lines"]
    assert (line["taxType"], line["rate"], line["payer"], line["collection"]) == (
        "DUTY",
        "0.165",
        "CONSUMER",
        "AT_BORDER",
    )
    assert line["ruleId"].startswith("duty/US/610910/")

    early = await decide(seller, import_["id"], "RELEASE")
    assert [e["code"] for e in early["userErrors"]] == ["CHARGES_UNPAID"]
    paid = await seller.gql(CHARGES, {"input": {"declarationId": import_["id"], "paid": True}})
    assert paid["customsChargesCollect"]["declaration"]["status"] == "PAID"
    released = await decide(seller, import_["id"], "RELEASE")
    assert released["declaration"]["status"] == "RELEASED"
    assert released["shipment"]["status"] == "IMPORT_CLEARED"
    entries = (await order_view(seller, order["id"]))["taxEntries"]
    assert [(e["kind"], e["payer"], e["amount"]["amount"]) for e in entries] == [
        ("LIABILITY", "CONSUMER", "5.78"),
        ("PAYMENT", "CONSUMER", "5.78"),
    ]


async def test_a_seizure_ends_the_shipment_and_the_order(seller: Seller) -> None:
    order = await confirmed_order(seller, country="US", currency="USD")
    shipment = await ship(seller, order["id"])
    await through_export(seller, shipment)
    import_ = declaration(shipment, "IMPORT")
    await decide(seller, import_["id"], "HOLD", holdReason="RESTRICTED_GOODS")
    seized = await decide(seller, import_["id"], "SEIZE", note="counterfeit suspected")
    assert seized["declaration"]["status"] == "SEIZED" and seized["declaration"]["nextStates"] == []
    assert seized["shipment"]["status"] == "SEIZED"
    view = await order_view(seller, order["id"])
    assert view["status"] == "SEIZED"
    after = await scan(seller, shipment["trackingNumber"], "DELIVERED")
    assert (after["applied"], after["shipment"]["status"]) == (False, "SEIZED")
    again = await decide(seller, import_["id"], "RELEASE")
    assert [e["code"] for e in again["userErrors"]] == ["ILLEGAL_TRANSITION"]
    assert "it is final" in again["userErrors"][0]["message"]


async def test_under_dap_the_consumer_may_refuse_and_the_parcel_goes_back(seller: Seller) -> None:
    order = await confirmed_order(seller, country="US", currency="USD")
    shipment = await ship(seller, order["id"], incoterm="DAP")
    await through_export(seller, shipment)
    import_ = declaration(shipment, "IMPORT")
    assessed = await decide(seller, import_["id"], "ASSESS")
    assert assessed["declaration"]["dueFromConsumer"] == money("6.60", "USD")
    refused = await seller.gql(CHARGES, {"input": {"declarationId": import_["id"], "paid": False}})
    result = refused["customsChargesCollect"]
    assert result["declaration"]["status"] == "RETURNED"
    assert result["shipment"]["status"] == "RETURNED_TO_SENDER"
    view = await order_view(seller, order["id"])
    assert view["status"] == "RETURNED_TO_SENDER"
    assert [(e["kind"], e["payer"], e["amount"]["amount"]) for e in view["taxEntries"]] == [
        ("LIABILITY", "CONSUMER", "6.60"),
        ("REVERSAL", "CONSUMER", "6.60"),
    ]


async def test_under_ddp_the_seller_pays_at_assessment_and_the_parcel_proceeds(seller: Seller) -> None:
    order = await confirmed_order(seller, country="US", currency="USD")
    shipment = await ship(seller, order["id"], incoterm="DDP")
    await through_export(seller, shipment)
    import_ = declaration(shipment, "IMPORT")
    assessed = await decide(seller, import_["id"], "ASSESS")
    decl = assessed["declaration"]
    assert decl["status"] == "PAID"
    assert decl["dueFromConsumer"] == money("0.00", "USD") and decl["dutyTotal"] == money("6.60", "USD")
    assert decl["assessment"]["lines"][0]["payer"] == "SELLER"
    released = await decide(seller, import_["id"], "RELEASE")
    assert released["declaration"]["status"] == "RELEASED"
    entries = (await order_view(seller, order["id"]))["taxEntries"]
    assert [(e["kind"], e["payer"], e["amount"]["amount"]) for e in entries] == [
        ("LIABILITY", "SELLER", "6.60"),
        ("PAYMENT", "SELLER", "6.60"),
    ]
    charges = await seller.gql(CHARGES, {"input": {"declarationId": import_["id"], "paid": True}})
    assert [e["code"] for e in charges["customsChargesCollect"]["userErrors"]] == ["NO_CHARGES_DUE"]


async def test_an_order_in_two_shipments_is_delivered_when_both_are(seller: Seller) -> None:
    order = await confirmed_order(seller, country="US", currency="USD", quantity=3)
    line = order["lines"][0]["id"]
    first = await ship(seller, order["id"], lines=[{"orderLineId": line, "quantity": 1}], incoterm="DDP")
    second = await ship(seller, order["id"], method="EXPRESS")
    assert second["lines"] == [{"orderLineId": line, "quantity": 2}]
    assert second["carrier"]["code"] != first["carrier"]["code"]
    more = await seller.gql(SHIP, {"input": {"orderId": order["id"], "method": "POSTAL"}})
    assert [e["code"] for e in more["shipmentCreate"]["userErrors"]] == ["NOTHING_TO_SHIP"]
    await deliver(seller, first)
    assert (await order_view(seller, order["id"]))["status"] == "SHIPPED"
    await scan(seller, second["trackingNumber"], "LOST")
    assert (await order_view(seller, order["id"]))["status"] == "PARTIALLY_DELIVERED"


CANCEL_ORDER = """mutation ($id: ID!) { orderCancel(input: { orderId: $id }) {
  order { status } userErrors { code message } } }"""
CANCEL_SHIPMENT = """mutation ($id: ID!) { shipmentCancel(input: { shipmentId: $id }) {
  shipment { status declarations { status } } userErrors { code message } } }"""


async def test_a_voided_label_frees_its_units_and_withdraws_its_declarations(seller: Seller) -> None:
    order = await confirmed_order(seller)
    shipment = await ship(seller, order["id"])
    voided = (await seller.gql(CANCEL_SHIPMENT, {"id": shipment["id"]}))["shipmentCancel"]
    assert voided["shipment"]["status"] == "CANCELLED"
    assert voided["shipment"]["declarations"] == [{"status": "WITHDRAWN"}, {"status": "WITHDRAWN"}]
    again = await ship(seller, order["id"])
    assert again["lines"][0]["quantity"] == 2
    await scan(seller, again["trackingNumber"], "PICKED_UP")
    late = (await seller.gql(CANCEL_SHIPMENT, {"id": again["id"]}))["shipmentCancel"]
    assert [e["code"] for e in late["userErrors"]] == ["SHIPMENT_NOT_CANCELLABLE"]


async def test_cancelling_a_packed_order_voids_its_label_and_reverses_the_tax_of_the_sale(
    seller: Seller,
) -> None:
    order = await confirmed_order(seller)
    shipment = await ship(seller, order["id"])
    cancelled = (await seller.gql(CANCEL_ORDER, {"id": order["id"]}))["orderCancel"]
    assert cancelled["userErrors"] == [] and cancelled["order"]["status"] == "CANCELLED"
    seen = (await seller.gql(SHIPMENT_VIEW, {"id": shipment["id"]}))["node"]
    assert seen["status"] == "CANCELLED"
    assert {d["status"] for d in seen["declarations"]} == {"WITHDRAWN"}
    entries = (await order_view(seller, order["id"]))["taxEntries"]
    kinds = [(e["kind"], e["taxType"], e["amount"]["amount"]) for e in entries]
    assert kinds == [
        ("LIABILITY", "VAT", "6.38"),
        ("LIABILITY", "VAT", "0.80"),
        ("LIABILITY", "DUTY", "3.00"),
        ("REVERSAL", "VAT", "6.38"),
        ("REVERSAL", "VAT", "0.80"),
        ("REVERSAL", "DUTY", "3.00"),
    ]


WAREHOUSE = """mutation ($input: WarehouseCreateInput!) { warehouseCreate(input: $input) { warehouse { id } userErrors { code } } }"""
RECEIVE = (
    """mutation ($input: LotReceiveInput!) { lotReceive(input: $input) { lot { id } userErrors { code } } }"""
)
INSPECT = """mutation ($input: LotInspectInput!) { lotInspect(input: $input) { stockLevel { id } userErrors { code } } }"""
STOCK = """{ stock(first: 10) { edges { node { onHand reserved available } } } }"""


async def test_stock_leaves_the_warehouse_when_the_carrier_picks_it_up(seller: Seller) -> None:
    await register(seller, "EXPORT_RIGHTS", "GLOBAL", "CN-EXP-0001")
    seller.ids["export_rights"] = "yes"
    channel = await create_channel(seller, "USD", name="Amazon US", country="US")
    product = await create_product(seller, "TEE-TRACKED")
    listing = await create_listing(seller, product, channel, "19.99")
    seller.ids["AMAZON-US-USD"], seller.ids["AMAZON-US-USD/channel"] = listing, channel
    house = await seller.gql(WAREHOUSE, {"input": {"name": "Shenzhen", "kind": "DOMESTIC", "country": "CN"}})
    warehouse = house["warehouseCreate"]["warehouse"]["id"]
    lot = await seller.gql(
        RECEIVE, {"input": {"productId": product, "warehouseId": warehouse, "quantity": 10}}
    )
    lot_id = lot["lotReceive"]["lot"]["id"]
    await seller.gql(
        INSPECT, {"input": {"lotId": lot_id, "sampleSize": 2, "defectsFound": 0, "result": "PASS"}}
    )
    order = await confirmed_order(seller, country="US", currency="USD", quantity=3)
    assert _level(await seller.gql(STOCK)) == {"onHand": 10, "reserved": 3, "available": 7}
    shipment = await ship(seller, order["id"])
    assert _level(await seller.gql(STOCK)) == {"onHand": 10, "reserved": 3, "available": 7}
    await scan(seller, shipment["trackingNumber"], "PICKED_UP")
    assert _level(await seller.gql(STOCK)) == {"onHand": 7, "reserved": 0, "available": 7}
    await scan(seller, shipment["trackingNumber"], "DEPARTED_ORIGIN")  # leaves stock once, not per scan
    assert _level(await seller.gql(STOCK)) == {"onHand": 7, "reserved": 0, "available": 7}


def _level(data: dict[str, Any]) -> dict[str, int]:
    [edge] = data["stock"]["edges"]
    level: dict[str, int] = edge["node"]
    return level


async def test_an_export_inspection_comes_before_the_export_release(seller: Seller) -> None:
    order = await confirmed_order(seller)
    shipment = await ship(seller, order["id"])
    export = declaration(shipment, "EXPORT")
    early = await decide(seller, export["id"], "INSPECT")
    assert [e["code"] for e in early["userErrors"]] == ["NOT_PRESENTED"]
    await scan(seller, shipment["trackingNumber"], "PICKED_UP")
    inspected = await decide(seller, export["id"], "INSPECT", note="random check at Shenzhen")
    assert inspected["declaration"]["status"] == "INSPECTED"
    assert inspected["declaration"]["nextStates"] == ["HELD", "RELEASED", "RETURNED", "SEIZED"]
    released = await decide(seller, export["id"], "RELEASE")
    assert released["shipment"]["status"] == "EXPORT_CLEARED"


ADVANCE = (
    """mutation ($h: Int!) { sandboxClockAdvance(input: { hours: $h }) { userErrors { code message } } }"""
)
SALE_TAXES = """query ($id: ID!) { node(id: $id) { ... on Order { saleTaxes { asOf regime regimeRuleId
  lines { taxType amount { amount } ruleId } } } } }"""


async def test_the_sellers_scheme_number_is_declared_and_its_absence_refused(seller: Seller) -> None:
    """An own shop collects IOSS VAT under its own number, which its import declarations must carry. Here
    the registration lapses between the sale and the shipment, so the draft has no number to carry."""
    valid = {
        "kind": "IOSS",
        "scope": "EU",
        "number": "IM2760000042",
        "issuer": "BZSt",
        "validFrom": "2026-01-01",
        "validTo": "2026-11-24",
    }
    added = await seller.gql(
        """mutation ($input: RegistrationAddInput!) { registrationAdd(input: $input) { userErrors { code } } }""",
        {"input": valid},
    )
    assert added["registrationAdd"]["userErrors"] == []
    first = await confirmed_order(seller, platform="OWN_STORE")
    shipped = await ship(seller, first["id"])
    assert (declaration(shipped, "IMPORT")["scheme"], declaration(shipped, "IMPORT")["schemeCollector"]) == (
        "IOSS",
        "SELLER",
    )
    lapsed = await confirmed_order(seller, platform="OWN_STORE")
    assert (await seller.gql(ADVANCE, {"h": 48}))["sandboxClockAdvance"]["userErrors"] == []
    refused = await seller.gql(SHIP, {"input": {"orderId": lapsed["id"], "method": "POSTAL"}})
    assert [e["code"] for e in refused["shipmentCreate"]["userErrors"]] == ["MISSING_SCHEME_NUMBER"]
    draft = await ship(seller, lapsed["id"], lodgeDeclarations=False)
    import_ = declaration(draft, "IMPORT")
    lodged = await seller.gql(
        LODGE, {"input": {"declarationId": import_["id"], "schemeNumber": "IM2760000042"}}
    )
    assert lodged["customsDeclarationLodge"]["userErrors"] == []
    assert lodged["customsDeclarationLodge"]["declaration"]["status"] == "LODGED"


async def test_a_later_rule_change_never_rewrites_a_snapshot(seller: Seller) -> None:
    """Sold on 2026-11-23 under IOSS with the EUR 3 per tariff line; on 2028-07-01 the EUR 3 gives way to
    normal duty. The order's snapshot keeps the rules it was sold under."""
    order = await confirmed_order(seller)
    before = (await seller.gql(SALE_TAXES, {"id": order["id"]}))["node"]["saleTaxes"]
    assert before["asOf"] == "2026-11-23" and before["regimeRuleId"].startswith("regime/EU/IOSS/2026-07-01")
    assert (await seller.gql(ADVANCE, {"h": 24 * 600}))["sandboxClockAdvance"]["userErrors"] == []
    after = (await seller.gql(SALE_TAXES, {"id": order["id"]}))["node"]["saleTaxes"]
    assert after == before
    # A sale now falls under the later rules: no EUR 3 at sale any more.
    later = await confirmed_order(seller)
    assert later["saleTaxes"]["regime"] == "IOSS"
    assert [t["taxType"] for t in later["saleTaxes"]["lines"]] == ["VAT", "VAT"]
    # Declarations dated after HS 2028 took effect cannot be checked against a nomenclature we hold.
    refused = await seller.gql(SHIP, {"input": {"orderId": later["id"], "method": "POSTAL"}})
    assert [e["code"] for e in refused["shipmentCreate"]["userErrors"]] == ["HS_EDITION_NOT_LOADED"]


async def test_a_pickup_racing_an_order_cancel_ends_one_way_or_the_other(seller: Seller) -> None:
    """Both lock the order first, then its shipments: they queue instead of deadlocking, and the order ends
    either cancelled with its label voided or shipped with the cancel refused."""
    import asyncio

    for _ in range(5):
        order = await confirmed_order(seller)
        shipment = await ship(seller, order["id"])
        scanned, cancelled = await asyncio.gather(
            scan(seller, shipment["trackingNumber"], "PICKED_UP"),
            seller.gql(CANCEL_ORDER, {"id": order["id"]}),
        )
        view = await order_view(seller, order["id"])
        seen = (await seller.gql(SHIPMENT_VIEW, {"id": shipment["id"]}))["node"]
        if view["status"] == "CANCELLED":
            assert cancelled["orderCancel"]["userErrors"] == []
            assert seen["status"] == "CANCELLED"
        else:
            assert (view["status"], seen["status"]) == ("SHIPPED", "PICKED_UP")
            assert [e["code"] for e in cancelled["orderCancel"]["userErrors"]] == ["ILLEGAL_TRANSITION"]
            assert scanned["applied"] is True


HISTORY = """query ($id: ID!) { node(id: $id) { ... on Shipment { status history { type data } } } }"""


async def test_a_carrier_cannot_move_a_parcel_past_customs(seller: Seller) -> None:
    """Customs say where a parcel stands with customs: a carrier's DEPARTED_ORIGIN before export is released,
    its DELIVERED while import holds the parcel, and its own IMPORT_CLEARED are kept, not applied."""
    order = await confirmed_order(seller, country="US", currency="USD")
    shipment = await ship(seller, order["id"], incoterm="DDP")
    number = shipment["trackingNumber"]
    await scan(seller, number, "PICKED_UP")
    assert (await scan(seller, number, "DEPARTED_ORIGIN"))["applied"] is False
    await through_export(seller, shipment)
    import_ = declaration(shipment, "IMPORT")
    await decide(seller, import_["id"], "HOLD", holdReason="MISSING_DOCUMENTS")
    delivered = await scan(seller, number, "DELIVERED")
    assert (delivered["applied"], delivered["shipment"]["status"]) == (False, "IMPORT_CUSTOMS_HOLD")
    assert (await scan(seller, number, "IMPORT_CLEARED"))["applied"] is False
    history = (await seller.gql(HISTORY, {"id": shipment["id"]}))["node"]["history"]
    reasons = [e["data"]["reason"] for e in history if e["type"] == "SCAN_IGNORED"]
    assert reasons == [
        "export is not released (the export declaration is LODGED)",
        "it does not move the shipment forward (late, repeated or out of order)",  # the second PICKED_UP
        "import is not released (the import declaration is HELD)",
        "customs clearance comes from the declarations, not from the carrier",
    ]
    assert (await order_view(seller, order["id"]))["status"] == "SHIPPED"


async def test_customs_decide_only_on_goods_presented_to_them(seller: Seller) -> None:
    order = await confirmed_order(seller, country="US", currency="USD")
    shipment = await ship(seller, order["id"])
    import_, export = declaration(shipment, "IMPORT"), declaration(shipment, "EXPORT")
    assert [e["code"] for e in (await decide(seller, import_["id"], "SEIZE"))["userErrors"]] == [
        "EXPORT_NOT_CLEARED"
    ]
    assert [e["code"] for e in (await decide(seller, export["id"], "RELEASE"))["userErrors"]] == [
        "NOT_PRESENTED"
    ]
    view = await order_view(seller, order["id"])
    assert view["status"] == "PACKED" and view["shipments"][0]["status"] == "LABEL_CREATED"


async def test_goods_seized_at_export_never_reach_import_customs(seller: Seller) -> None:
    order = await confirmed_order(seller, country="US", currency="USD")
    shipment = await ship(seller, order["id"], incoterm="DDP")
    await scan(seller, shipment["trackingNumber"], "PICKED_UP")
    seized = await decide(seller, declaration(shipment, "EXPORT")["id"], "SEIZE")
    assert seized["shipment"]["status"] == "SEIZED"
    seen = (await seller.gql(SHIPMENT_VIEW, {"id": shipment["id"]}))["node"]
    assert seen["declarations"] == [
        {"direction": "EXPORT", "status": "SEIZED"},
        {"direction": "IMPORT", "status": "WITHDRAWN"},
    ]
    assessed = await decide(seller, declaration(shipment, "IMPORT")["id"], "ASSESS")
    assert [e["code"] for e in assessed["userErrors"]] == ["ILLEGAL_TRANSITION"]
    view = await order_view(seller, order["id"])
    assert view["status"] == "SEIZED" and view["taxEntries"] == []


async def test_a_parcel_the_carrier_returns_closes_its_import_and_what_the_consumer_owed(
    seller: Seller,
) -> None:
    order = await confirmed_order(seller, country="US", currency="USD")
    shipment = await ship(seller, order["id"])
    await through_export(seller, shipment)
    import_ = declaration(shipment, "IMPORT")
    assert (await decide(seller, import_["id"], "ASSESS"))["declaration"]["dueFromConsumer"][
        "amount"
    ] == "6.60"
    returned = await scan(seller, shipment["trackingNumber"], "RETURNED_TO_SENDER")
    assert returned["shipment"]["status"] == "RETURNED_TO_SENDER"
    charges = await seller.gql(CHARGES, {"input": {"declarationId": import_["id"], "paid": True}})
    assert [e["code"] for e in charges["customsChargesCollect"]["userErrors"]] == ["NO_CHARGES_DUE"]
    view = await order_view(seller, order["id"])
    assert view["status"] == "RETURNED_TO_SENDER"
    assert [(e["kind"], e["amount"]["amount"]) for e in view["taxEntries"]] == [
        ("LIABILITY", "6.60"),
        ("REVERSAL", "6.60"),
    ]


IOSS_TOTAL = """query { iossReturn(month: "2026-11") { totalEur { amount } } }"""


async def test_tax_collected_on_a_sale_whose_goods_were_seized_is_reversed(seller: Seller) -> None:
    await register(seller, "IOSS", "EU", "IM2760000001")
    order = await confirmed_order(seller, platform="OWN_STORE")
    assert (await seller.gql(IOSS_TOTAL))["iossReturn"]["totalEur"]["amount"] == "10.18"
    shipment = await ship(seller, order["id"])
    await through_export(seller, shipment)
    await decide(seller, declaration(shipment, "IMPORT")["id"], "SEIZE")
    assert (await order_view(seller, order["id"]))["status"] == "SEIZED"
    assert (await seller.gql(IOSS_TOTAL))["iossReturn"]["totalEur"]["amount"] == "0.00"


async def test_a_scan_from_before_the_label_is_refused(seller: Seller) -> None:
    order = await confirmed_order(seller)
    shipment = await ship(seller, order["id"])
    early = await scan(seller, shipment["trackingNumber"], "LOST", occurredAt="2026-05-01T00:00:00Z")
    assert [e["code"] for e in early["userErrors"]] == ["INVALID_TIME"]
    skewed = await scan(seller, shipment["trackingNumber"], "PICKED_UP", occurredAt="2026-11-23T08:30:00Z")
    assert skewed["applied"] is True  # a carrier's clock half an hour behind is tolerated


async def test_the_same_tracking_number_given_twice_at_once_is_refused_once(seller: Seller) -> None:
    import asyncio

    first, second = await confirmed_order(seller), await confirmed_order(seller)
    results = await asyncio.gather(
        *(
            seller.gql(
                SHIP,
                {"input": {"orderId": o["id"], "method": "POSTAL", "trackingNumber": "LP00000000424242"}},
            )
            for o in (first, second)
        )
    )
    outcomes = sorted(tuple(e["code"] for e in r["shipmentCreate"]["userErrors"]) for r in results)
    assert outcomes == [(), ("DUPLICATE_TRACKING_NUMBER",)]


QUOTES = """query ($id: ID!) { shipmentQuotes(orderId: $id) { method carrier { code } service cost { amount currency }
  chargeableKg transitDaysP10 transitDaysP50 transitDaysP90 estimatedDelivery customsMode available unavailableReason } }"""


async def test_quotes_compare_every_way_an_order_could_travel(seller: Seller) -> None:
    order = await confirmed_order(seller)
    quotes = (await seller.gql(QUOTES, {"id": order["id"]}))["shipmentQuotes"]
    usable = [q for q in quotes if q["available"]]
    assert {q["method"] for q in usable} >= {"POSTAL", "EXPRESS", "AIR_FREIGHT"}
    costs = [float(q["cost"]["amount"]) for q in usable]
    assert costs == sorted(costs)  # cheapest usable first
    assert all(q["customsMode"] == "PER_PARCEL" and q["unavailableReason"] is None for q in usable)
    # The box of two T-shirts weighs 0.36 kg; 300 x 250 x 40 mm is 3,000 cm3, which no divisor makes heavier
    # than 0.6 kg, so every lane bills 0.4 to 0.6 kg.
    assert all(0.4 <= float(q["chargeableKg"]) <= 0.6 for q in usable)
    for q in quotes:
        assert q["transitDaysP10"] <= q["transitDaysP50"] <= q["transitDaysP90"]
    bulk = [q for q in quotes if q["customsMode"] == "IN_BULK"]
    assert bulk and not any(q["available"] for q in bulk)
    assert all("warehouse" in q["unavailableReason"] for q in bulk)
    express = next(q for q in usable if q["method"] == "EXPRESS")
    created = await ship(seller, order["id"], method="EXPRESS")
    assert created["carrier"]["code"] == express["carrier"]["code"]  # the cheapest express lane
    assert created["cost"] == express["cost"]
