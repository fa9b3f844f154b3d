"""The tax ledger's reports: a period's totals per jurisdiction and tax, and the IOSS monthly return.

Worked figures: an own shop in DE (the seller holds an IOSS registration, so it collects at sale and files
the return). 2 T-shirts at EUR 19.99 + EUR 4.99 shipping: VAT 6.38 on goods (base 39.98 - 6.38 = 33.60)
and 0.80 on shipping (base 4.99 - 0.80 = 4.19), both at 19%; EUR 3 duty for one tariff line. The return
for 2026-11 declares DE VAT 7.18 on 37.79 and EU duty 3.00: EUR 10.18. A second, cancelled order adds its
liabilities and their reversals, which net to nothing.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import Seller
from tests.shipping_setup import confirmed_order, register

IOSS = """query ($m: String!) { iossReturn(month: $m) { period totalEur { amount currency }
  lines { memberState taxType rate base { amount currency } amount { amount currency } amountEur { amount } } } }"""
REPORT = """query ($f: Date!, $t: Date!) { taxReport(from: $f, to: $t) { jurisdiction taxType payer collection scheme
  liabilities { amount currency } reversals { amount } owed { amount } payments { amount } outstanding { amount } entries } }"""
CANCEL = """mutation ($id: ID!) { orderCancel(input: { orderId: $id }) { userErrors { code } } }"""
ENTRIES = """{ taxEntries(first: 20, filter: {kind: REVERSAL}) { totalCount edges { node { taxType amount { amount } } } } }"""


async def _own_shop_sales(seller: Seller) -> None:
    await register(seller, "IOSS", "EU", "IM2760000001")
    await confirmed_order(seller, platform="OWN_STORE")
    cancelled = await confirmed_order(seller, platform="OWN_STORE")
    assert (await seller.gql(CANCEL, {"id": cancelled["id"]}))["orderCancel"]["userErrors"] == []


async def test_the_ioss_return_totals_what_the_seller_collected_by_member_state(seller: Seller) -> None:
    await _own_shop_sales(seller)
    found = (await seller.gql(IOSS, {"m": "2026-11"}))["iossReturn"]
    assert found["period"] == "2026-11"
    assert found["lines"] == [
        {
            "memberState": "DE",
            "taxType": "VAT",
            "rate": "0.19",
            "base": {"amount": "37.79", "currency": "EUR"},
            "amount": {"amount": "7.18", "currency": "EUR"},
            "amountEur": {"amount": "7.18"},
        },
        {
            "memberState": "EU",
            "taxType": "DUTY",
            "rate": None,
            "base": {"amount": "33.60", "currency": "EUR"},
            "amount": {"amount": "3.00", "currency": "EUR"},
            "amountEur": {"amount": "3.00"},
        },
    ]
    assert found["totalEur"] == {"amount": "10.18", "currency": "EUR"}
    assert (await seller.gql(IOSS, {"m": "2026-10"}))["iossReturn"]["lines"] == []
    reversals = (await seller.gql(ENTRIES))["taxEntries"]
    assert reversals["totalCount"] == 3


async def test_marketplace_collections_are_not_in_the_sellers_return(seller: Seller) -> None:
    await confirmed_order(seller)  # Amazon DE collects as deemed supplier
    found = (await seller.gql(IOSS, {"m": "2026-11"}))["iossReturn"]
    assert found["lines"] == [] and found["totalEur"]["amount"] == "0.00"


async def test_the_period_report_nets_reversals_and_shows_what_is_outstanding(seller: Seller) -> None:
    await _own_shop_sales(seller)
    rows = (await seller.gql(REPORT, {"f": "2026-11-01", "t": "2026-11-30"}))["taxReport"]
    by_key = {(r["jurisdiction"], r["taxType"]): r for r in rows}
    vat = by_key["DE", "VAT"]
    assert (vat["payer"], vat["collection"], vat["scheme"]) == ("SELLER", "AT_SALE", "IOSS")
    assert vat["liabilities"] == {"amount": "14.36", "currency": "EUR"}
    assert (vat["reversals"]["amount"], vat["owed"]["amount"], vat["payments"]["amount"]) == (
        "7.18",
        "7.18",
        "0.00",
    )
    assert vat["outstanding"]["amount"] == "7.18" and vat["entries"] == 6
    assert by_key["EU", "DUTY"]["owed"]["amount"] == "3.00"


async def test_bad_periods_are_refused_with_a_code(seller: Seller) -> None:
    cases: list[tuple[str, dict[str, Any]]] = [
        (IOSS, {"m": "November"}),
        (IOSS, {"m": "2026-13"}),
        (REPORT, {"f": "2026-11-30", "t": "2026-11-01"}),
        (REPORT, {"f": "2024-01-01", "t": "2026-01-01"}),
    ]
    for query, variables in cases:
        response = await seller.post(query, variables)
        [error] = response.json()["errors"]
        assert error["extensions"]["code"] == "INVALID_PERIOD", (variables, error)


async def test_a_return_of_sales_in_another_currency_is_converted_at_the_periods_rate(seller: Seller) -> None:
    """A USD shop selling to DE: 2 x USD 19.99 + 4.99 at 19% -> VAT 6.38 + 0.80 = USD 7.18 (the band judged at
    USD 33.60 x 0.9 = EUR 30.24); at 0.9 EUR per USD the return declares EUR 6.46 (7.18 x 0.9 = 6.462)."""
    rate = """mutation { exchangeRateSet(input: {base: "USD", quote: "EUR", rate: "0.9",
      asOf: "2026-11-01T00:00:00Z"}) { userErrors { code } } }"""
    assert (await seller.gql(rate))["exchangeRateSet"]["userErrors"] == []
    await register(seller, "IOSS", "EU", "IM2760000001")
    await confirmed_order(seller, platform="OWN_STORE", currency="USD")
    found = (await seller.gql(IOSS, {"m": "2026-11"}))["iossReturn"]
    vat = next(line for line in found["lines"] if line["taxType"] == "VAT")
    assert vat["amount"] == {"amount": "7.18", "currency": "USD"}
    assert vat["amountEur"] == {"amount": "6.46"}


async def test_what_a_marketplace_collected_is_not_outstanding_for_the_seller(seller: Seller) -> None:
    await confirmed_order(seller)  # Amazon DE collects the VAT as deemed supplier
    rows = (await seller.gql(REPORT, {"f": "2026-11-01", "t": "2026-11-30"}))["taxReport"]
    vat = next(r for r in rows if r["taxType"] == "VAT")
    assert (vat["payer"], vat["owed"]["amount"], vat["outstanding"]["amount"]) == (
        "MARKETPLACE",
        "7.18",
        "0.00",
    )
