"""The compliance registry: registrations and certifications with validity; the check of a product in a
market; listings that cannot go live without what the market requires; expiry warnings on the clock."""

from __future__ import annotations

from typing import Any

import pytest

from tests.catalog_setup import LISTING_CREATE, create_channel, create_product
from tests.conftest import Seller

CERTIFY = """mutation ($input: ProductCertificationAddInput!) { productCertificationAdd(input: $input) {
  certification { id code number validFrom validTo product { sku } } userErrors { field code message } } }"""
REGISTER = """mutation ($input: RegistrationAddInput!) { registrationAdd(input: $input) {
  registration { id kind scope number } userErrors { field code message } } }"""
CHECK = """query ($p: ID!, $m: String!, $d: Date) { complianceCheck(productId: $p, market: $m, asOf: $d) {
  market asOf status missing requirements { kind code accepts blocking status heldNumber validTo } } }"""
ADVANCE = "mutation ($h: Int!) { sandboxClockAdvance(input: {hours: $h}) { userErrors { code } } }"


async def _certify(seller: Seller, product: str, code: str, **extra: Any) -> dict[str, Any]:
    values = {
        "productId": product,
        "code": code,
        "number": f"{code}-001",
        "issuer": "TUV",
        "validFrom": "2026-01-01",
    }
    result: dict[str, Any] = (await seller.gql(CERTIFY, {"input": values | extra}))["productCertificationAdd"]
    return result


async def test_an_electronics_product_needs_fcc_in_the_us_and_ce_or_ukca_in_gb(seller: Seller) -> None:
    product = await create_product(seller, "HDP-1", category="ELECTRONICS", hsCode="8518.30")
    us = (await seller.gql(CHECK, {"p": product, "m": "US"}))["complianceCheck"]
    assert (us["status"], us["missing"]) == ("MISSING", ["missing FCC certification"])
    await _certify(seller, product, "CE")
    gb = (await seller.gql(CHECK, {"p": product, "m": "GB"}))["complianceCheck"]
    assert gb["status"] == "READY"
    [ukca] = [r for r in gb["requirements"] if r["kind"] == "CERTIFICATION"]
    assert ukca == {
        "kind": "CERTIFICATION",
        "code": "UKCA",
        "accepts": ["CE"],
        "blocking": True,
        "status": "PRESENT",
        "heldNumber": "CE-001",
        "validTo": None,
    }
    [vat] = [r for r in gb["requirements"] if r["kind"] == "REGISTRATION"]
    assert (vat["code"], vat["blocking"], vat["status"]) == ("VAT", False, "MISSING")


async def test_a_listing_cannot_go_live_without_what_the_market_requires(seller: Seller) -> None:
    channel = await create_channel(seller, "USD")
    product = await create_product(seller, "TOY-1", category="TOYS", hsCode="9503.00")
    variables = {"input": {"productId": product, "channelId": channel, "price": {"amount": "9.99"}}}
    refused = (await seller.gql(LISTING_CREATE, variables))["listingCreate"]
    [error] = refused["userErrors"]
    assert error["code"] == "COMPLIANCE_MISSING" and "missing CPC certification" in error["message"]
    assert (await seller.gql("{ listings { totalCount } }"))["listings"]["totalCount"] == 0
    paused = await seller.gql(LISTING_CREATE, {"input": variables["input"] | {"status": "PAUSED"}})
    listing = paused["listingCreate"]["listing"]["id"]
    activate = """mutation ($id: ID!) { listingStatusSet(input: {listingId: $id, status: ACTIVE}) {
      listing { status } userErrors { code message } } }"""
    still = (await seller.gql(activate, {"id": listing}))["listingStatusSet"]
    assert still["userErrors"][0]["code"] == "COMPLIANCE_MISSING"
    await _certify(seller, product, "CPC")
    live = (await seller.gql(activate, {"id": listing}))["listingStatusSet"]
    assert live == {"listing": {"status": "ACTIVE"}, "userErrors": []}


async def test_an_expired_certificate_blocks_and_a_future_one_does_not_count(seller: Seller) -> None:
    product = await create_product(seller, "HDP-2", category="ELECTRONICS", hsCode="8518.30")
    await _certify(seller, product, "FCC", validFrom="2024-01-01", validTo="2025-01-01")
    expired = (await seller.gql(CHECK, {"p": product, "m": "US"}))["complianceCheck"]
    assert expired["status"] == "BLOCKED" and expired["missing"] == ["expired FCC certification FCC-001"]
    back_then = (await seller.gql(CHECK, {"p": product, "m": "US", "d": "2024-06-01"}))["complianceCheck"]
    assert back_then["status"] == "READY"
    await _certify(seller, product, "FCC", number="FCC-002", validFrom="2027-01-01")
    future = (await seller.gql(CHECK, {"p": product, "m": "US"}))["complianceCheck"]
    assert future["status"] == "BLOCKED" and future["missing"] == ["not yet valid FCC certification FCC-002"]


async def test_expiry_warns_30_days_before_and_then_expires_on_the_clock(seller: Seller) -> None:
    product = await create_product(seller, "HDP-3", category="ELECTRONICS", hsCode="8518.30")
    added = await _certify(seller, product, "FCC", validFrom="2026-01-01", validTo="2027-01-01")
    timeline = """query ($id: ID!) { node(id: $id) { ... on ProductCertification { timeline { type occurredAt } } } }"""
    await seller.gql(ADVANCE, {"h": 24 * 10})  # 2026-12-03: the warning is due 2026-12-02
    events = (await seller.gql(timeline, {"id": added["certification"]["id"]}))["node"]["timeline"]
    assert [(e["type"], e["occurredAt"]) for e in events] == [
        ("CERTIFICATION_ADDED", "2026-11-23T09:00:00+00:00"),
        ("EXPIRING_SOON", "2026-12-02T00:00:00+00:00"),
    ]
    soon = (await seller.gql(CHECK, {"p": product, "m": "US"}))["complianceCheck"]
    assert soon["status"] == "READY" and soon["requirements"][0]["status"] == "EXPIRING_SOON"
    await seller.gql(ADVANCE, {"h": 24 * 30})
    events = (await seller.gql(timeline, {"id": added["certification"]["id"]}))["node"]["timeline"]
    assert [e["type"] for e in events] == ["CERTIFICATION_ADDED", "EXPIRING_SOON", "EXPIRED"]


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"validTo": "2025-12-31"}, "INVALID_VALIDITY", ["input", "validTo"]),
        ({"validTo": "2026-01-01"}, "INVALID_VALIDITY", ["input", "validTo"]),
        ({"number": " "}, "INVALID_TEXT", ["input", "number"]),
        (
            {"productId": "UHJvZHVjdDowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA"},
            "NOT_FOUND",
            ["input", "productId"],
        ),
    ],
)
async def test_bad_certifications_are_refused_and_nothing_is_written(
    seller: Seller, overrides: dict[str, Any], code: str, field: list[str]
) -> None:
    product = await create_product(seller, "BAD-1", category="ELECTRONICS", hsCode="8518.30")
    result = await _certify(seller, product, "CE", **overrides)
    assert result["certification"] is None
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [(code, field)]
    assert (await seller.gql("{ productCertifications { totalCount } }"))["productCertifications"][
        "totalCount"
    ] == 0


async def test_registrations_count_where_their_scope_covers_the_market(seller: Seller) -> None:
    product = await create_product(seller, "TEE-9")
    ioss = {
        "kind": "IOSS",
        "scope": "eu",
        "number": "IM2760000001",
        "issuer": "Bundeszentralamt",
        "validFrom": "2025-01-01",
    }
    added = (await seller.gql(REGISTER, {"input": ioss}))["registrationAdd"]
    assert added["registration"]["scope"] == "EU" and added["userErrors"] == []
    de = (await seller.gql(CHECK, {"p": product, "m": "DE"}))["complianceCheck"]
    assert [(r["code"], r["status"]) for r in de["requirements"]] == [("IOSS", "PRESENT")]
    bad = (await seller.gql(REGISTER, {"input": ioss | {"scope": "Atlantis"}}))["registrationAdd"]
    assert bad["userErrors"][0]["code"] == "INVALID_COUNTRY"


async def test_an_unknown_market_or_product_is_a_typed_error(seller: Seller) -> None:
    product = await create_product(seller, "TEE-10")
    body = (await seller.post(CHECK, {"p": product, "m": "XX"})).json()
    assert body["errors"][0]["extensions"]["code"] == "UNKNOWN_MARKET"


async def test_the_certifications_page_costs_a_fixed_number_of_statements(
    seller: Seller, count_statements: Any
) -> None:
    query = (
        "{ productCertifications(first: 50) { edges { node { code product { sku } timeline { type } } } } }"
    )
    counts = []
    for n in (1, 5):
        while True:
            have = (await seller.gql("{ productCertifications { totalCount } }"))["productCertifications"][
                "totalCount"
            ]
            if have >= n:
                break
            product = await create_product(seller, f"CNT-{have}", category="ELECTRONICS", hsCode="8518.30")
            await _certify(seller, product, "CE")
        with count_statements() as counter:
            data = await seller.gql(query)
        assert len(data["productCertifications"]["edges"]) == n
        counts.append(counter.count)
    assert counts == [5, 5]  # key, workspace, the page, its products, their timelines
