"""Channels, products and listings: what is accepted, and bad input refused with a code and nothing written."""

from __future__ import annotations

from typing import Any

import pytest

from tests.catalog_setup import (
    CHANNEL_CREATE,
    LISTING_CREATE,
    PRODUCT_CREATE,
    create_channel,
    create_product,
    product_input,
    stock_shop,
)
from tests.conftest import Seller

COUNTS = "{ channels { totalCount } products { totalCount } listings { totalCount } }"


async def _counts(seller: Seller) -> tuple[int, int, int]:
    data = await seller.gql(COUNTS)
    return data["channels"]["totalCount"], data["products"]["totalCount"], data["listings"]["totalCount"]


async def test_a_channel_keeps_its_currency_fees_and_window(seller: Seller) -> None:
    data = await seller.gql(
        CHANNEL_CREATE.replace(
            "channel { id currency }",
            "channel { id currency country platform confirmationWindowHours feeSchedule { referralRate minimumReferralFee { amount currency } } }",
        ),
        {
            "input": {
                "name": "Rakuten JP",
                "platform": "RAKUTEN",
                "country": "jpn",
                "currency": "jpy",
                "feeSchedule": {"referralRate": "0.1", "minimumReferralFee": "30.4"},
                "confirmationWindowHours": 24,
            }
        },
    )
    channel = data["channelCreate"]["channel"]
    assert channel["currency"] == "JPY" and channel["country"] == "JP" and channel["platform"] == "RAKUTEN"
    assert channel["confirmationWindowHours"] == 24
    assert channel["feeSchedule"] == {
        "referralRate": "0.1",
        "minimumReferralFee": {"amount": "30", "currency": "JPY"},
    }


async def test_platform_fees_default_to_the_platforms_usual_rate(seller: Seller) -> None:
    data = await seller.gql(
        CHANNEL_CREATE.replace("channel { id currency }", "channel { feeSchedule { referralRate } }"),
        {"input": {"name": "eBay UK", "platform": "EBAY", "country": "GB", "currency": "GBP"}},
    )
    assert data["channelCreate"]["channel"]["feeSchedule"]["referralRate"] == "0.1325"


async def test_a_product_keeps_its_hs_code_as_digits_and_its_cost_rounded(seller: Seller) -> None:
    data = await seller.gql(
        PRODUCT_CREATE.replace(
            "product { id sku hsCode }",
            "product { sku hsCode originCountry unitCost { amount currency } dimensions { heightMm } }",
        ),
        {
            "input": product_input(
                "TEE-1", hsCode="6109.10.00 10", unitCost={"amount": "1.2345", "currency": "kwd"}
            )
        },
    )
    assert data["productCreate"]["product"] == {
        "sku": "TEE-1",
        "hsCode": "6109100010",
        "originCountry": "CN",
        "unitCost": {"amount": "1.235", "currency": "KWD"},
        "dimensions": {"heightMm": 20},
    }


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"hsCode": "6109"}, "INVALID_HS_CODE", ["input", "hsCode"]),
        ({"hsCode": "7700.10"}, "INVALID_HS_CODE", ["input", "hsCode"]),
        ({"hsCode": "6109.1A"}, "INVALID_HS_CODE", ["input", "hsCode"]),
        ({"hsCode": "9999.99"}, "INVALID_HS_CODE", ["input", "hsCode"]),
        ({"originCountry": "XX"}, "INVALID_COUNTRY", ["input", "originCountry"]),
        ({"unitCost": {"amount": "1", "currency": "ABC"}}, "INVALID_CURRENCY", ["input", "unitCost"]),
        (
            {"unitCost": {"amount": "-1", "currency": "USD"}},
            "INVALID_AMOUNT",
            ["input", "unitCost", "amount"],
        ),
        ({"weightGrams": 0}, "INVALID_MEASURE", ["input", "weightGrams"]),
        ({"title": "  "}, "INVALID_TEXT", ["input", "title"]),
    ],
)
async def test_bad_product_input_is_refused_and_nothing_is_written(
    seller: Seller, overrides: dict[str, Any], code: str, field: list[str]
) -> None:
    data = await seller.gql(PRODUCT_CREATE, {"input": product_input("SKU-BAD", **overrides)})
    [error] = data["productCreate"]["userErrors"]
    assert (error["code"], error["field"]) == (code, field)
    assert error["message"]
    assert data["productCreate"]["product"] is None
    assert await _counts(seller) == (0, 0, 0)


async def test_a_duplicate_sku_is_refused(seller: Seller) -> None:
    await create_product(seller, "DUP-1")
    data = await seller.gql(PRODUCT_CREATE, {"input": product_input("DUP-1")})
    assert data["productCreate"]["userErrors"][0]["code"] == "DUPLICATE_SKU"
    assert "already used" in data["productCreate"]["userErrors"][0]["message"]
    assert (await _counts(seller))[1] == 1


async def test_the_same_sku_is_fine_in_another_workspace(seller: Seller, other_seller: Seller) -> None:
    await create_product(seller, "SHARED-1")
    await create_product(other_seller, "SHARED-1")


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"currency": "EURO"}, "INVALID_CURRENCY"),
        ({"country": "ZZ"}, "INVALID_COUNTRY"),
        ({"confirmationWindowHours": 0}, "INVALID_MEASURE"),
        ({"feeSchedule": {"referralRate": "1.5"}}, "INVALID_FEE"),
    ],
)
async def test_bad_channel_input_is_refused(seller: Seller, overrides: dict[str, Any], code: str) -> None:
    values = {"name": "Amazon US", "platform": "AMAZON", "country": "US", "currency": "USD"} | overrides
    data = await seller.gql(CHANNEL_CREATE, {"input": values})
    assert data["channelCreate"]["userErrors"][0]["code"] == code
    assert await _counts(seller) == (0, 0, 0)


async def test_a_listing_is_priced_in_its_channels_currency(seller: Seller) -> None:
    channel = await create_channel(seller, "EUR", country="DE")
    product = await create_product(seller, "P-1")
    mismatch = await seller.gql(
        LISTING_CREATE,
        {
            "input": {
                "productId": product,
                "channelId": channel,
                "price": {"amount": "9.99", "currency": "USD"},
            }
        },
    )
    [error] = mismatch["listingCreate"]["userErrors"]
    assert error["code"] == "CURRENCY_MISMATCH" and "sells in EUR" in error["message"]
    ok = await seller.gql(
        LISTING_CREATE, {"input": {"productId": product, "channelId": channel, "price": {"amount": "9.995"}}}
    )
    assert ok["listingCreate"]["listing"]["price"] == {"amount": "10.00", "currency": "EUR"}
    again = await seller.gql(
        LISTING_CREATE, {"input": {"productId": product, "channelId": channel, "price": {"amount": "5"}}}
    )
    assert again["listingCreate"]["userErrors"][0]["code"] == "DUPLICATE_LISTING"
    assert await _counts(seller) == (1, 1, 1)


async def test_listing_status_moves_through_its_table(seller: Seller) -> None:
    ids = await stock_shop(seller)
    doc = """mutation ($id: ID!, $s: ListingStatus!) { listingStatusSet(input: {listingId: $id, status: $s}) {
      listing { status version } userErrors { code message } } }"""
    paused = await seller.gql(doc, {"id": ids["listing"], "s": "PAUSED"})
    assert paused["listingStatusSet"]["listing"] == {"status": "PAUSED", "version": 2}
    ended = await seller.gql(doc, {"id": ids["listing"], "s": "ENDED"})
    assert ended["listingStatusSet"]["listing"]["status"] == "ENDED"
    back = await seller.gql(doc, {"id": ids["listing"], "s": "ACTIVE"})
    assert back["listingStatusSet"]["userErrors"][0]["code"] == "ILLEGAL_TRANSITION"


async def test_a_listings_price_can_change(seller: Seller) -> None:
    ids = await stock_shop(seller)
    doc = """mutation ($id: ID!) { listingPriceSet(input: {listingId: $id, price: {amount: "0"}}) {
      listing { price { amount } } userErrors { code field } } }"""
    data = await seller.gql(doc, {"id": ids["listing"]})
    assert data["listingPriceSet"]["userErrors"] == [
        {"code": "INVALID_AMOUNT", "field": ["input", "price", "amount"]}
    ]


async def test_filters_and_pages(seller: Seller) -> None:
    for n in range(5):
        await create_product(seller, f"PG-{n}", category="TOYS" if n % 2 else "APPAREL")
    first = await seller.gql(
        "{ products(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { node { sku } } } }"
    )
    page = first["products"]
    assert [e["node"]["sku"] for e in page["edges"]] == ["PG-0", "PG-1"] and page["totalCount"] == 5
    rest = await seller.gql(
        "query ($after: String) { products(first: 10, after: $after) { pageInfo { hasNextPage } edges { node { sku } } } }",
        {"after": page["pageInfo"]["endCursor"]},
    )
    assert [e["node"]["sku"] for e in rest["products"]["edges"]] == ["PG-2", "PG-3", "PG-4"]
    assert rest["products"]["pageInfo"]["hasNextPage"] is False
    toys = await seller.gql("{ products(filter: {category: TOYS}) { totalCount } }")
    assert toys["products"]["totalCount"] == 2
