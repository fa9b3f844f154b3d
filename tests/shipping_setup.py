"""GraphQL documents and helpers for shipping an order and walking it through customs."""

from __future__ import annotations

from typing import Any

from tests.catalog_setup import create_channel, create_listing, create_product, pay
from tests.conftest import Seller

REGISTER = """mutation ($input: RegistrationAddInput!) { registrationAdd(input: $input) {
  registration { id } userErrors { field code message } } }"""
CONFIRM = """mutation ($id: ID!) { orderConfirm(input: { orderId: $id }) { order { status } userErrors { code } } }"""
PLACE = """mutation ($input: OrderPlaceInput!) { orderPlace(input: $input) {
  order { id status lines { id sku quantity } saleTaxes { regime lines { taxType amount { amount currency } payer } } }
  userErrors { field code message } } }"""

SHIPMENT = """id status version method carrier { code } trackingNumber incoterm customsMode
  cost { amount currency } estimatedDelivery
  packages { weightGrams lengthMm widthMm heightMm }
  lines { orderLineId quantity }
  timeline { type applied source eventId occurredAt }
  declarations { id direction status reference incoterm scheme schemeCollector items { id hsCode quantity value { amount currency } } }"""

SHIP = f"""mutation ($input: ShipmentCreateInput!) {{ shipmentCreate(input: $input) {{
  shipment {{ {SHIPMENT} }} order {{ status }} userErrors {{ field code message }} }} }}"""
SCAN = """mutation ($input: TrackingScanRecordInput!) { trackingScanRecord(input: $input) {
  shipment { status } applied userErrors { field code message } } }"""
DECIDE = """mutation ($input: CustomsDecisionRecordInput!) { customsDecisionRecord(input: $input) {
  declaration { id status holdReason nextStates dutyTotal { amount currency } taxTotal { amount currency }
    dueFromConsumer { amount currency }
    assessment { regime rulesVersion incoterm lines { taxType jurisdiction base { amount } rate amount { amount currency } payer collection ruleId } problems } }
  shipment { status } userErrors { field code message } } }"""
RESPOND = """mutation ($input: CustomsDeclarationRespondInput!) { customsDeclarationRespond(input: $input) {
  declaration { status documents items { hsCode value { amount currency } } } userErrors { field code message } } }"""
LODGE = """mutation ($input: CustomsDeclarationLodgeInput!) { customsDeclarationLodge(input: $input) {
  declaration { status reference items { hsCode value { amount } } } userErrors { field code message } } }"""
CHARGES = """mutation ($input: CustomsChargesCollectInput!) { customsChargesCollect(input: $input) {
  declaration { status } shipment { status } userErrors { field code message } } }"""
ORDER = """query ($id: ID!) { node(id: $id) { ... on Order { status version shippedAt completedAt
  timeline { type }
  taxEntries { kind taxType jurisdiction payer collection amount { amount currency } }
  shipments { id status } } } }"""


async def register(seller: Seller, kind: str, scope: str, number: str) -> None:
    values = {
        "kind": kind,
        "scope": scope,
        "number": number,
        "issuer": "authority",
        "validFrom": "2026-01-01",
    }
    data = await seller.gql(REGISTER, {"input": values})
    assert data["registrationAdd"]["userErrors"] == [], data


async def confirmed_order(
    seller: Seller,
    *,
    country: str = "DE",
    currency: str = "EUR",
    price: str = "19.99",
    quantity: int = 2,
    platform: str = "AMAZON",
    export_rights: bool = True,
    shipping: str = "4.99",
) -> dict[str, Any]:
    """A T-shirt (HS 6109.10, from CN) sold on a channel of `country`, paid and confirmed."""
    if export_rights and not seller.ids.get("export_rights"):
        await register(seller, "EXPORT_RIGHTS", "GLOBAL", "CN-EXP-0001")
        seller.ids["export_rights"] = "yes"
    key = f"{platform}-{country}-{currency}"
    if key not in seller.ids:
        channel = await create_channel(
            seller, currency, name=f"{platform} {country}", platform=platform, country=country
        )
        product = await create_product(seller, f"TEE-{key}")
        seller.ids[key] = await create_listing(seller, product, channel, price)
        seller.ids[f"{key}/channel"] = channel
    values = {
        "channelId": seller.ids[f"{key}/channel"],
        "lines": [{"listingId": seller.ids[key], "quantity": quantity}],
        "buyerName": "Ada Consumer",
        "shipToCountry": country,
        "shippingPrice": shipping,
    }
    placed = await seller.gql(PLACE, {"input": values})
    assert placed["orderPlace"]["userErrors"] == [], placed
    order: dict[str, Any] = placed["orderPlace"]["order"]
    await pay(seller, order["id"])
    confirmed = await seller.gql(CONFIRM, {"id": order["id"]})
    assert confirmed["orderConfirm"]["userErrors"] == [], confirmed
    return order


async def ship(seller: Seller, order_id: str, **extra: Any) -> dict[str, Any]:
    data = await seller.gql(SHIP, {"input": {"orderId": order_id, "method": "POSTAL"} | extra})
    assert data["shipmentCreate"]["userErrors"] == [], data
    shipment: dict[str, Any] = data["shipmentCreate"]["shipment"]
    return shipment


async def scan(seller: Seller, tracking_number: str, type_: str, **extra: Any) -> dict[str, Any]:
    data = await seller.gql(SCAN, {"input": {"trackingNumber": tracking_number, "type": type_} | extra})
    result: dict[str, Any] = data["trackingScanRecord"]
    return result


async def decide(seller: Seller, declaration_id: str, decision: str, **extra: Any) -> dict[str, Any]:
    data = await seller.gql(
        DECIDE, {"input": {"declarationId": declaration_id, "decision": decision} | extra}
    )
    result: dict[str, Any] = data["customsDecisionRecord"]
    return result


def declaration(shipment: dict[str, Any], direction: str) -> dict[str, Any]:
    found: dict[str, Any] = next(d for d in shipment["declarations"] if d["direction"] == direction)
    return found


async def order_view(seller: Seller, order_id: str) -> dict[str, Any]:
    data = await seller.gql(ORDER, {"id": order_id})
    node: dict[str, Any] = data["node"]
    return node


async def through_export(seller: Seller, shipment: dict[str, Any]) -> None:
    """The carrier picks the parcel up, export customs release it, it flies and lands: import customs
    may decide from here."""
    number = shipment["trackingNumber"]
    picked = await scan(seller, number, "PICKED_UP")  # not applied again if it was picked up already
    assert picked["userErrors"] == [] and picked["shipment"]["status"] == "PICKED_UP", picked
    released = await decide(seller, declaration(shipment, "EXPORT")["id"], "RELEASE")
    assert released["userErrors"] == [], released
    for step in ("DEPARTED_ORIGIN", "ARRIVED_DESTINATION"):
        assert (await scan(seller, number, step))["applied"] is True


async def deliver(seller: Seller, shipment: dict[str, Any]) -> None:
    """Through export and import (nothing due at the border, or paid under DDP) to the consumer's door."""
    await through_export(seller, shipment)
    import_ = declaration(shipment, "IMPORT")["id"]
    assessed = await decide(seller, import_, "ASSESS")
    assert assessed["userErrors"] == [], assessed
    released = await decide(seller, import_, "RELEASE")
    assert released["userErrors"] == [], released
    assert (await scan(seller, shipment["trackingNumber"], "DELIVERED"))["applied"] is True
