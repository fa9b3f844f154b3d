"""GraphQL documents and a helper that give a seller a channel, products and listings to order from."""

from __future__ import annotations

from typing import Any

from tests.conftest import Seller

CHANNEL_CREATE = """
mutation ($input: ChannelCreateInput!) {
  channelCreate(input: $input) { channel { id currency } userErrors { field code message } }
}"""

PRODUCT_CREATE = """
mutation ($input: ProductCreateInput!) {
  productCreate(input: $input) { product { id sku hsCode } userErrors { field code message } }
}"""

LISTING_CREATE = """
mutation ($input: ListingCreateInput!) {
  listingCreate(input: $input) { listing { id price { amount currency } status } userErrors { field code message } }
}"""

ORDER_PLACE = """
mutation ($input: OrderPlaceInput!) {
  orderPlace(input: $input) {
    order { id status version nextStates total { amount currency } }
    userErrors { field code message }
  }
}"""


def product_input(sku: str, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "sku": sku,
        "title": f"Cotton T-shirt {sku}",
        "category": "APPAREL",
        "hsCode": "6109.10",
        "originCountry": "CN",
        "unitCost": {"amount": "18.50", "currency": "CNY"},
        "weightGrams": 180,
        "dimensions": {"lengthMm": 300, "widthMm": 250, "heightMm": 20},
    }
    values.update(overrides)
    return values


async def create_channel(seller: Seller, currency: str = "USD", **overrides: Any) -> str:
    values: dict[str, Any] = {
        "name": f"Amazon {currency}",
        "platform": "AMAZON",
        "country": "US",
        "currency": currency,
    }
    values.update(overrides)
    data = await seller.gql(CHANNEL_CREATE, {"input": values})
    assert data["channelCreate"]["userErrors"] == []
    channel_id: str = data["channelCreate"]["channel"]["id"]
    return channel_id


async def create_product(seller: Seller, sku: str, **overrides: Any) -> str:
    data = await seller.gql(PRODUCT_CREATE, {"input": product_input(sku, **overrides)})
    assert data["productCreate"]["userErrors"] == []
    product_id: str = data["productCreate"]["product"]["id"]
    return product_id


async def create_listing(seller: Seller, product_id: str, channel_id: str, price: str) -> str:
    data = await seller.gql(
        LISTING_CREATE,
        {"input": {"productId": product_id, "channelId": channel_id, "price": {"amount": price}}},
    )
    assert data["listingCreate"]["userErrors"] == []
    listing_id: str = data["listingCreate"]["listing"]["id"]
    return listing_id


async def stock_shop(seller: Seller, currency: str = "USD", price: str = "19.99") -> dict[str, str]:
    """One channel, one product, one listing; returns their IDs."""
    channel = await create_channel(seller, currency)
    product = await create_product(seller, f"SKU-{currency}-{len(seller.ids)}")
    listing = await create_listing(seller, product, channel, price)
    seller.ids.update(channel=channel, product=product, listing=listing)
    return seller.ids


async def place_order(seller: Seller, quantity: int = 2, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "channelId": seller.ids["channel"],
        "lines": [{"listingId": seller.ids["listing"], "quantity": quantity}],
        "buyerName": "Ada Consumer",
        "shipToCountry": "US",
    }
    values.update(overrides)
    data = await seller.gql(ORDER_PLACE, {"input": values})
    assert data["orderPlace"]["userErrors"] == [], data
    order: dict[str, Any] = data["orderPlace"]["order"]
    return order


PAY = """
mutation ($orderId: ID!) {
  paymentAuthorize(input: { orderId: $orderId, method: CARD }) { userErrors { code message } }
  paymentCapture(input: { orderId: $orderId }) { order { status version } userErrors { code message } }
}"""


async def pay(seller: Seller, order_id: str) -> dict[str, Any]:
    """Authorise and capture the whole order; it becomes PAID."""
    data = await seller.gql(PAY, {"orderId": order_id})
    assert data["paymentAuthorize"]["userErrors"] == [] and data["paymentCapture"]["userErrors"] == [], data
    order: dict[str, Any] = data["paymentCapture"]["order"]
    return order
