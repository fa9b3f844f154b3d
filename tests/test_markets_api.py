"""Markets and their rules through GraphQL, as of the workspace clock or a given day."""

from __future__ import annotations

from typing import Any

from tests.conftest import Seller

RULES = """query ($code: String!, $date: Date) { market(code: $code) { code name customsUnion
  rulesAsOf(date: $date) { asOf currency
    taxes { kind rate validity { validFrom source confidence } }
    lowValueRegimes { name upTo { amount currency } tax duty dutyPerTariffLine { amount currency } }
    dutyRates { hs6 rate } certifications { code category accepts } fees { platform category referralRate } } } }"""


async def test_the_markets_are_listed_with_iso_names(seller: Seller) -> None:
    data = await seller.gql("{ markets { code name customsUnion } referenceRulesVersion }")
    codes = [m["code"] for m in data["markets"]]
    assert codes == sorted(codes) and len(codes) == 16
    assert {"code": "DE", "name": "Germany", "customsUnion": "EU"} in data["markets"]
    assert data["referenceRulesVersion"] == "2026.11.23"


async def test_rules_default_to_the_workspace_clocks_day(seller: Seller, count_statements: Any) -> None:
    with count_statements() as counter:
        data = await seller.gql(RULES, {"code": "fr"})
    market = data["market"]
    assert (market["code"], market["customsUnion"]) == ("FR", "EU")
    rules = market["rulesAsOf"]
    assert rules["asOf"] == "2026-11-23" and rules["currency"] == "EUR"
    assert [(t["kind"], t["rate"]) for t in rules["taxes"]] == [("VAT", "0.20")]
    ioss = [r for r in rules["lowValueRegimes"] if r["name"] == "IOSS"]
    assert ioss == [
        {
            "name": "IOSS",
            "upTo": {"amount": "150.00", "currency": "EUR"},
            "tax": "AT_SALE",
            "duty": "PER_TARIFF_LINE",
            "dutyPerTariffLine": {"amount": "3.00", "currency": "EUR"},
        }
    ]
    assert {"code": "CE", "category": "TOYS", "accepts": []} in rules["certifications"]
    assert counter.count == 3  # the key, entering the workspace, reading its clock: rules are in memory


async def test_rules_as_of_another_day(seller: Seller) -> None:
    data = await seller.gql(RULES, {"code": "US", "date": "2025-08-01"})
    regimes = data["market"]["rulesAsOf"]["lowValueRegimes"]
    assert [r["name"] for r in regimes] == ["DE_MINIMIS", "STANDARD_IMPORT"]
    after = await seller.gql(RULES, {"code": "US", "date": "2025-09-01"})
    assert [r["name"] for r in after["market"]["rulesAsOf"]["lowValueRegimes"]] == ["NO_DE_MINIMIS"]


async def test_an_unknown_market_is_a_typed_error(seller: Seller) -> None:
    body = (await seller.post(RULES, {"code": "XX"})).json()
    [error] = body["errors"]
    assert error["extensions"] == {"code": "UNKNOWN_MARKET"}
    assert "Markets: AU, BR" in error["message"]
