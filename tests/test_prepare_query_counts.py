"""The new connections of the preparation stage cost a fixed number of SQL statements for 1 and 10 items."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Seller

REGISTER = """mutation ($n: String!) { registrationAdd(input: {kind: VAT, scope: "GB", number: $n, issuer: "HMRC",
  validFrom: "2026-01-01", validTo: "2027-01-01"}) { userErrors { code } } }"""
LOCK = """mutation ($n: String!) { rateLockCreate(input: {base: "USD", quote: "CNY", amount: "100", rate: "7.1",
  maturity: "2027-01-01", counterparty: $n}) { userErrors { code } } }"""
RATE = """mutation ($n: DateTime!) { exchangeRateSet(input: {base: "USD", quote: "CNY", rate: "7.1",
  asOf: $n}) { userErrors { code } } }"""

WAREHOUSE = """mutation ($n: String!) { warehouseCreate(input: {name: $n, kind: DOMESTIC, country: "CN"}) {
  userErrors { code } } }"""

CASES = {
    # key, workspace, the page
    "warehouses": (WAREHOUSE, "{ warehouses(first: 50) { edges { node { name kind country } } } }", 3),
    # key, workspace, the page, the timelines
    "registrations": (
        REGISTER,
        "{ registrations(first: 50) { edges { node { number timeline { type } } } } }",
        4,
    ),
    "rateLocks": (LOCK, "{ rateLocks(first: 50) { edges { node { counterparty timeline { type } } } } }", 4),
    # key, workspace, the page
    "exchangeRates": (RATE, "{ exchangeRates(first: 50) { edges { node { rate asOf } } } }", 3),
}


@pytest.mark.parametrize("name", sorted(CASES))
async def test_a_page_costs_the_same_for_1_and_10_items(
    seller: Seller, count_statements: Any, name: str
) -> None:
    create, query, statements = CASES[name]
    made = 0
    for size in (1, 10):
        while made < size:
            value = f"2026-11-{made + 1:02d}T00:00:00Z" if name == "exchangeRates" else f"N-{made}"
            result = await seller.gql(create, {"n": value})
            assert next(iter(result.values()))["userErrors"] == []
            made += 1
        with count_statements() as counter:
            data = await seller.gql(query)
        assert len(data[name]["edges"]) == size
        assert counter.count == statements, counter.statements
