"""The tax ledger's reports: a period's totals per jurisdiction and tax, and the IOSS monthly return.

Worked figures: an own shop in DE (the seller holds an IOSS registration, so it collects at sale and files
the return). 2 T-shirts at EUR 19.99 + EUR 4.99 shipping: VAT 6.38 on goods (base 39.98 - 6.38 = 33.60)
and 0.80 on shipping (base 4.99 - 0.80 = 4.19), both at 19%; EUR 3 duty for one tariff line. The return
for 2026-11 declares DE VAT 7.18 on 37.79 and EU duty 3.00: EUR 10.18. A second, cancelled order adds its
liabilities and their reversals, which net to nothing.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from domain.shared.clock import FixedClock
from domain.taxes import handlers as tax_handlers
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


# -- filing the return of tax collected at sale ---------------------------------------------------------------

FILE = """mutation ($input: TaxReturnFileInput!) { taxReturnFile(input: $input) {
  filed { scheme jurisdiction month entries totals { currency amount } paidAt }
  userErrors { field code message } } }"""
ADVANCE = """mutation ($h: Int!) { sandboxClockAdvance(input: {hours: $h}) { workspace { now } userErrors { code } } }"""
PAYMENTS = """{ taxEntries(first: 20, filter: {kind: PAYMENT}) { totalCount edges { node {
  taxType jurisdiction scheme payer collection ruleId amount { amount currency } occurredAt } } } }"""
TO_DECEMBER = 183  # hours from the tests' start, 2026-11-23 09:00 UTC, to 2026-12-01 00:00 UTC: 7 x 24 + 15


async def _file(seller: Seller, month: str, scheme: str = "IOSS", **extra: Any) -> dict[str, Any]:
    found: dict[str, Any] = (await seller.gql(FILE, {"input": {"scheme": scheme, "month": month} | extra}))[
        "taxReturnFile"
    ]
    return found


async def _refused(seller: Seller, month: str, scheme: str = "IOSS", **extra: Any) -> dict[str, Any]:
    found = await _file(seller, month, scheme, **extra)
    assert found["filed"] is None
    [error] = found["userErrors"]
    assert error["message"]
    return error  # type: ignore[no-any-return]


async def _advance(seller: Seller, hours: int) -> str:
    moved = (await seller.gql(ADVANCE, {"h": hours}))["sandboxClockAdvance"]
    assert moved["userErrors"] == []
    return str(moved["workspace"]["now"])


async def _payments(seller: Seller) -> dict[str, Any]:
    found: dict[str, Any] = (await seller.gql(PAYMENTS))["taxEntries"]
    return found


def _by_key(rows: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["jurisdiction"], r["taxType"]): r for r in rows}


async def test_filing_a_month_pays_every_open_at_sale_liability_of_the_scheme(seller: Seller) -> None:
    """November (module docstring): the kept order owes DE VAT 6.38 + 0.80 = 7.18 (two liabilities) and EU
    duty 3.00 (one); the cancelled order's three liabilities are reversed. Filing IOSS for 2026-11 on
    2026-12-01 pays the three open ones: 3 PAYMENT entries, EUR 7.18 + 3.00 = 10.18.
    taxReport for November then shows DE VAT payments 7.18 and outstanding 7.18 - 7.18 = 0.00, entries
    6 + 2 payments = 8; EU duty liabilities 6.00, reversals 3.00, payments 3.00, outstanding 0.00."""
    await _own_shop_sales(seller)
    assert await _advance(seller, TO_DECEMBER - 1) == "2026-11-30T23:00:00+00:00"
    early = await _refused(seller, "2026-11")
    assert (early["code"], early["field"]) == ("PERIOD_NOT_ENDED", ["input", "month"])
    assert "2026-12-01 00:00" in early["message"]
    assert (await _payments(seller))["totalCount"] == 0

    assert await _advance(seller, 1) == "2026-12-01T00:00:00+00:00"
    filed = await _file(seller, "2026-11", idempotencyKey="file-2026-11")
    assert filed == {
        "filed": {
            "scheme": "IOSS",
            "jurisdiction": None,
            "month": "2026-11",
            "entries": 3,
            "totals": [{"currency": "EUR", "amount": "10.18"}],
            "paidAt": "2026-12-01T00:00:00+00:00",
        },
        "userErrors": [],
    }
    payments = await _payments(seller)
    assert payments["totalCount"] == 3
    nodes = [edge["node"] for edge in payments["edges"]]
    assert {(n["scheme"], n["payer"], n["collection"], n["occurredAt"]) for n in nodes} == {
        ("IOSS", "SELLER", "AT_SALE", "2026-12-01T00:00:00+00:00")
    }
    assert sorted((n["jurisdiction"], n["taxType"], n["amount"]["amount"]) for n in nodes) == [
        ("DE", "VAT", "0.80"),
        ("DE", "VAT", "6.38"),
        ("EU", "DUTY", "3.00"),
    ]

    rows = _by_key((await seller.gql(REPORT, {"f": "2026-11-01", "t": "2026-11-30"}))["taxReport"])
    vat, duty = rows["DE", "VAT"], rows["EU", "DUTY"]
    assert (vat["owed"]["amount"], vat["payments"]["amount"], vat["outstanding"]["amount"]) == (
        "7.18",
        "7.18",
        "0.00",
    )
    assert vat["entries"] == 8
    assert (
        duty["liabilities"]["amount"],
        duty["reversals"]["amount"],
        duty["payments"]["amount"],
        duty["outstanding"]["amount"],
    ) == ("6.00", "3.00", "3.00", "0.00")
    # The payments count where the tax they pay arose: December has nothing of its own.
    assert (await seller.gql(REPORT, {"f": "2026-12-01", "t": "2026-12-31"}))["taxReport"] == []
    # The return itself reads as it was filed.
    assert (await seller.gql(IOSS, {"m": "2026-11"}))["iossReturn"]["totalEur"]["amount"] == "10.18"

    # The same key and input replays the filing; nothing more is paid.
    assert await _file(seller, "2026-11", idempotencyKey="file-2026-11") == filed
    assert (await _payments(seller))["totalCount"] == 3
    again = await _refused(seller, "2026-11")
    assert again["code"] == "NOTHING_OUTSTANDING"
    reused = await _refused(seller, "2026-10", idempotencyKey="file-2026-11")
    assert reused["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert (await _payments(seller))["totalCount"] == 3


async def test_a_return_can_be_filed_for_one_jurisdiction(seller: Seller) -> None:
    """DE first: its two VAT liabilities, 6.38 + 0.80 = EUR 7.18; the EU duty (3.00) stays outstanding
    until its own filing pays it."""
    await register(seller, "IOSS", "EU", "IM2760000001")
    await confirmed_order(seller, platform="OWN_STORE")
    await _advance(seller, TO_DECEMBER)
    filed = (await _file(seller, "2026-11", jurisdiction=" de "))["filed"]
    assert (filed["jurisdiction"], filed["entries"], filed["totals"]) == (
        "DE",
        2,
        [{"currency": "EUR", "amount": "7.18"}],
    )
    rows = _by_key((await seller.gql(REPORT, {"f": "2026-11-01", "t": "2026-11-30"}))["taxReport"])
    assert (rows["DE", "VAT"]["outstanding"]["amount"], rows["EU", "DUTY"]["outstanding"]["amount"]) == (
        "0.00",
        "3.00",
    )
    assert (await _refused(seller, "2026-11", jurisdiction="DE"))["code"] == "NOTHING_OUTSTANDING"
    rest = (await _file(seller, "2026-11"))["filed"]
    assert (rest["entries"], rest["totals"]) == (1, [{"currency": "EUR", "amount": "3.00"}])


async def test_a_sale_cancelled_after_its_return_was_filed_stays_paid(seller: Seller) -> None:
    """ledger.reverse_open_liabilities leaves a paid liability alone: the cancellation is corrected in a
    later return, not by reversing the filed one. So no REVERSAL, and November still owes 7.18 VAT, paid."""
    await register(seller, "IOSS", "EU", "IM2760000001")
    order = await confirmed_order(seller, platform="OWN_STORE")
    await _advance(seller, TO_DECEMBER)
    assert (await _file(seller, "2026-11"))["userErrors"] == []
    assert (await seller.gql(CANCEL, {"id": order["id"]}))["orderCancel"]["userErrors"] == []
    assert (await seller.gql(ENTRIES))["taxEntries"]["totalCount"] == 0
    vat = _by_key((await seller.gql(REPORT, {"f": "2026-11-01", "t": "2026-11-30"}))["taxReport"])[
        "DE", "VAT"
    ]
    assert (vat["owed"]["amount"], vat["payments"]["amount"], vat["outstanding"]["amount"]) == (
        "7.18",
        "7.18",
        "0.00",
    )


async def test_a_sale_cancelled_before_its_return_is_filed_is_left_out(seller: Seller) -> None:
    """Two November orders (EUR 10.18 of IOSS tax each); one is cancelled on 2026-12-01, before the return
    is filed. Its reversal answers a November liability, so it counts in November: the return declares
    10.18 (not 20.36) and the filing pays 3 liabilities, EUR 10.18; November has nothing outstanding."""
    await register(seller, "IOSS", "EU", "IM2760000001")
    await confirmed_order(seller, platform="OWN_STORE")
    late = await confirmed_order(seller, platform="OWN_STORE")
    await _advance(seller, TO_DECEMBER)
    assert (await seller.gql(CANCEL, {"id": late["id"]}))["orderCancel"]["userErrors"] == []
    assert (await seller.gql(IOSS, {"m": "2026-11"}))["iossReturn"]["totalEur"]["amount"] == "10.18"
    assert (await seller.gql(IOSS, {"m": "2026-12"}))["iossReturn"]["lines"] == []
    filed = (await _file(seller, "2026-11"))["filed"]
    assert (filed["entries"], filed["totals"]) == (3, [{"currency": "EUR", "amount": "10.18"}])
    rows = (await seller.gql(REPORT, {"f": "2026-11-01", "t": "2026-11-30"}))["taxReport"]
    assert {r["outstanding"]["amount"] for r in rows} == {"0.00"}
    assert (await seller.gql(REPORT, {"f": "2026-12-01", "t": "2026-12-31"}))["taxReport"] == []


async def test_concurrent_filings_pay_each_liability_once(
    seller: Seller, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Five filings of the same month at once, without keys: each has found the same 3 open liabilities
    before it waits for the orders' locks (a pause there makes sure of it), so only the one that gets the
    locks first pays them (EUR 10.18); the others read again after it and find NOTHING_OUTSTANDING."""
    lock_orders = tax_handlers._lock_orders

    async def slow_lock(uow: Any, ids: set[Any]) -> None:
        await asyncio.sleep(0.2)
        await lock_orders(uow, ids)

    monkeypatch.setattr(tax_handlers, "_lock_orders", slow_lock)
    await _own_shop_sales(seller)
    await _advance(seller, TO_DECEMBER)
    variables = {"input": {"scheme": "IOSS", "month": "2026-11"}}
    responses = await asyncio.gather(*(seller.post(FILE, variables) for _ in range(5)))
    payloads = [response.json()["data"]["taxReturnFile"] for response in responses]
    assert sorted(p["userErrors"][0]["code"] if p["userErrors"] else "FILED" for p in payloads) == [
        "FILED",
        *["NOTHING_OUTSTANDING"] * 4,
    ]
    assert (await _payments(seller))["totalCount"] == 3


async def test_filing_is_refused_with_a_code_and_writes_nothing(seller: Seller) -> None:
    await _own_shop_sales(seller)
    assert (await _refused(seller, "2026-11"))["code"] == "PERIOD_NOT_ENDED"  # the clock is in November
    unknown = await _refused(seller, "2026-10", "UK_LOW_VALUE")
    assert (unknown["code"], unknown["field"]) == ("UNKNOWN_SCHEME", ["input", "scheme"])
    assert "Schemes in the ledger: IOSS." in unknown["message"]
    assert (await _refused(seller, "2026-10"))["code"] == "NOTHING_OUTSTANDING"  # no October sales
    for month in ["November", "2026-13", "1999-12", "2026-11\u0000", ""]:
        error = await _refused(seller, month)
        assert (error["code"], error["field"]) == ("INVALID_PERIOD", ["input", "month"]), month
    for scheme in ["IOSS\u0000", "I" * 41, " "]:
        error = await _refused(seller, "2026-10", scheme)
        assert (error["code"], error["field"]) == ("INVALID_TEXT", ["input", "scheme"]), scheme
    assert (await _refused(seller, "2026-10", jurisdiction="D\u0000E"))["code"] == "INVALID_TEXT"
    assert (await _payments(seller))["totalCount"] == 0


async def test_what_a_marketplace_collected_is_not_filed_by_the_seller(seller: Seller) -> None:
    await confirmed_order(seller)  # Amazon DE collects the IOSS VAT as deemed supplier
    await _advance(seller, TO_DECEMBER)
    error = await _refused(seller, "2026-11")
    assert error["code"] == "NOTHING_OUTSTANDING" and "marketplace" in error["message"]


async def test_a_live_workspace_files_by_real_time(live_seller: Seller, clock: FixedClock) -> None:
    """Live workspaces cannot place sandbox orders, so their ledger is empty here; what shows is that the
    command runs (no SANDBOX_ONLY) and judges the period by the live clock."""
    assert (await _refused(live_seller, "2026-11"))["code"] == "PERIOD_NOT_ENDED"
    clock.set(datetime(2026, 12, 1, tzinfo=UTC))
    error = await _refused(live_seller, "2026-11")
    assert error["code"] == "UNKNOWN_SCHEME" and "The ledger has none yet." in error["message"]


# -- hostile query arguments --------------------------------------------------------------------------------

TEXT_FILTERS = [
    """query ($t: String!) { shipments(filter: {carrier: $t}) { totalCount edges { cursor } } }""",
    """query ($t: String!) { shipments(filter: {trackingNumber: $t}) { totalCount edges { cursor } } }""",
    """query ($t: String!) { customsDeclarations(filter: {country: $t}) { totalCount edges { cursor } } }""",
    """query ($t: String!) { taxEntries(filter: {jurisdiction: $t}) { totalCount edges { cursor } } }""",
    """query ($t: String!) { taxReport(from: "2026-11-01", to: "2026-11-30", jurisdiction: $t) { entries } }""",
    """query ($t: String!) { warehouses(filter: {country: $t}) { totalCount edges { cursor } } }""",
]


@pytest.mark.parametrize("query", TEXT_FILTERS)
async def test_text_arguments_with_a_nul_or_over_100_characters_are_invalid_text(
    seller: Seller, query: str
) -> None:
    for text in ["DE\u0000", "X" * 101]:
        body = (await seller.post(query, {"t": text})).json()
        [error] = body["errors"]
        assert error["extensions"]["code"] == "INVALID_TEXT", (text, error)
    assert "errors" not in (await seller.post(query, {"t": "X" * 100})).json()  # the limit itself is fine


@pytest.mark.parametrize(
    ("start", "end"),
    [("9999-12-31", "9999-12-31"), ("1999-12-31", "2000-01-01"), ("2100-12-31", "2101-01-01")],
)
async def test_report_days_outside_2000_to_2100_are_an_invalid_period(
    seller: Seller, start: str, end: str
) -> None:
    [error] = (await seller.post(REPORT, {"f": start, "t": end})).json()["errors"]
    assert error["extensions"]["code"] == "INVALID_PERIOD"


async def test_report_days_at_the_edges_of_the_range_are_accepted(seller: Seller) -> None:
    assert (await seller.gql(REPORT, {"f": "2100-12-01", "t": "2100-12-31"}))["taxReport"] == []
    assert (await seller.gql(REPORT, {"f": "2000-01-01", "t": "2000-01-31"}))["taxReport"] == []
