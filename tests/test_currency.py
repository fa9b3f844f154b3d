"""Exchange rates (set, imported, generated), conversion as of a moment, and rate locks."""

from __future__ import annotations

import itertools
import random
import statistics
from decimal import Decimal
from typing import Any

import pytest

from domain.currency.rates import random_walk, student_t
from tests.conftest import Seller

SET = """mutation ($input: ExchangeRateSetInput!) { exchangeRateSet(input: $input) {
  ratesWritten userErrors { field code message } } }"""
IMPORT = """mutation ($csv: String!) { exchangeRatesImport(input: {csv: $csv}) {
  ratesWritten userErrors { field code message } } }"""
CONVERT = """query ($amount: MoneyInput!, $to: String!, $at: DateTime) { convert(amount: $amount, to: $to, at: $at) {
  amount { amount currency } rate rateAsOf } }"""
GENERATE = """mutation ($input: SandboxExchangeRatesGenerateInput!) { sandboxExchangeRatesGenerate(input: $input) {
  ratesWritten userErrors { field code message } } }"""
LOCK = """mutation ($input: RateLockCreateInput!) { rateLockCreate(input: $input) {
  rateLock { id amount { amount currency } rate maturity timeline { type } } userErrors { field code message } } }"""


async def _convert(
    seller: Seller, amount: str, currency: str, to: str, at: str | None = None
) -> dict[str, Any]:
    data = await seller.gql(CONVERT, {"amount": {"amount": amount, "currency": currency}, "to": to, "at": at})
    result: dict[str, Any] = data["convert"]
    return result


async def test_conversion_uses_the_latest_rate_on_or_before_the_moment_either_way_round(
    seller: Seller,
) -> None:
    csv = "date,base,quote,rate\n2026-11-01,USD,CNY,7.10\n2026-11-20,USD,CNY,7.20\n2026-11-21,EUR,USD,1.08\n"
    assert (await seller.gql(IMPORT, {"csv": csv}))["exchangeRatesImport"] == {
        "ratesWritten": 3,
        "userErrors": [],
    }
    now = await _convert(seller, "100", "USD", "CNY")
    assert now == {
        "amount": {"amount": "720.00", "currency": "CNY"},
        "rate": "7.2",
        "rateAsOf": "2026-11-20T00:00:00+00:00",
    }
    before = await _convert(seller, "100", "USD", "CNY", "2026-11-19T23:59:59Z")
    assert before["amount"]["amount"] == "710.00"
    inverse = await _convert(seller, "720", "CNY", "USD")
    assert inverse["amount"] == {"amount": "100.00", "currency": "USD"}
    same = await _convert(seller, "5", "JPY", "JPY")
    assert same == {"amount": {"amount": "5", "currency": "JPY"}, "rate": "1", "rateAsOf": None}


async def test_a_missing_rate_is_a_typed_error(seller: Seller) -> None:
    body = (await seller.post(CONVERT, {"amount": {"amount": "1", "currency": "USD"}, "to": "BRL"})).json()
    assert body["errors"][0]["extensions"]["code"] == "NO_RATE"
    assert "exchangeRateSet" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"rate": "0"}, "INVALID_RATE"),
        ({"rate": "-1.5"}, "INVALID_RATE"),
        ({"quote": "USD"}, "INVALID_PAIR"),
        ({"base": "XYZ"}, "INVALID_CURRENCY"),
        ({"rate": "NaN"}, "INVALID_RATE"),
    ],
)
async def test_bad_rates_are_refused_and_nothing_is_written(
    seller: Seller, values: dict[str, str], code: str
) -> None:
    data = await seller.gql(SET, {"input": {"base": "USD", "quote": "EUR", "rate": "0.92"} | values})
    assert data["exchangeRateSet"]["ratesWritten"] == 0
    assert data["exchangeRateSet"]["userErrors"][0]["code"] == code
    assert (await seller.gql("{ exchangeRates { totalCount } }"))["exchangeRates"]["totalCount"] == 0


async def test_an_import_with_one_bad_line_writes_nothing_and_names_the_line(seller: Seller) -> None:
    csv = "date,base,quote,rate\n2026-11-01,USD,CNY,7.10\n2026-11-02,USD,CNY,zero\n"
    result = (await seller.gql(IMPORT, {"csv": csv}))["exchangeRatesImport"]
    [error] = result["userErrors"]
    assert (error["code"], error["field"]) == ("INVALID_RATE", ["input", "csv", "line 3"])
    assert error["message"].startswith("Line 3:")
    assert (await seller.gql("{ exchangeRates { totalCount } }"))["exchangeRates"]["totalCount"] == 0
    header = (await seller.gql(IMPORT, {"csv": "day,from,to,rate\n"}))["exchangeRatesImport"]
    assert header["userErrors"][0]["code"] == "INVALID_CSV"


async def test_setting_a_rate_for_the_same_moment_replaces_it(seller: Seller) -> None:
    for rate in ("0.90", "0.91"):
        await seller.gql(
            SET, {"input": {"base": "USD", "quote": "EUR", "rate": rate, "asOf": "2026-11-01T00:00:00Z"}}
        )
    data = await seller.gql("{ exchangeRates { totalCount edges { node { rate source } } } }")
    assert data["exchangeRates"]["totalCount"] == 1
    assert data["exchangeRates"]["edges"][0]["node"] == {"rate": "0.91", "source": "MANUAL"}


async def test_a_sandbox_generates_the_same_rates_from_the_same_seed(
    seller: Seller, other_seller: Seller
) -> None:
    values = {"base": "USD", "quote": "CNY", "startRate": "7.2", "days": 30, "dailySigma": 0.0025, "seed": 42}
    walks = []
    for who in (seller, other_seller):
        assert (await who.gql(GENERATE, {"input": values}))["sandboxExchangeRatesGenerate"][
            "ratesWritten"
        ] == 30
        data = await who.gql("{ exchangeRates(first: 30) { edges { node { rate asOf } } } }")
        walks.append([(e["node"]["asOf"], e["node"]["rate"]) for e in data["exchangeRates"]["edges"]])
    assert walks[0] == walks[1]
    assert walks[0][-1] == ("2026-11-23T00:00:00+00:00", "7.2")  # newest first: the start is last


async def test_rate_generation_is_for_sandboxes_and_bounded(seller: Seller, live_seller: Seller) -> None:
    values = {"base": "USD", "quote": "CNY", "startRate": "7.2", "days": 30}
    live = (await live_seller.gql(GENERATE, {"input": values}))["sandboxExchangeRatesGenerate"]
    assert live["userErrors"][0]["code"] == "SANDBOX_ONLY"
    too_long = (await seller.gql(GENERATE, {"input": values | {"days": 5000}}))[
        "sandboxExchangeRatesGenerate"
    ]
    assert too_long["userErrors"][0]["field"] == ["input", "days"]


def test_the_random_walk_has_the_volatility_asked_for() -> None:
    rng = random.Random(7)
    shocks = [student_t(rng, 5) for _ in range(20_000)]
    assert abs(statistics.pstdev(shocks) - 1) < 0.05
    assert max(abs(s) for s in shocks) > 4  # fat tails: a normal would rarely pass 4 in 20,000 draws
    walk = random_walk(Decimal("7.2"), 5000, 0.0025, 5, random.Random(3))
    returns = [float(b / a) - 1 for a, b in itertools.pairwise(walk)]
    assert 0.0023 < statistics.pstdev(returns) < 0.0027
    assert abs(statistics.mean(returns)) < 0.0001  # the drift correction keeps the walk centred


async def test_a_rate_lock_matures_on_the_clock(seller: Seller) -> None:
    values = {
        "base": "USD",
        "quote": "CNY",
        "amount": "10000",
        "rate": "7.15",
        "maturity": "2026-12-23",
        "counterparty": "Bank of Demo",
    }
    created = (await seller.gql(LOCK, {"input": values}))["rateLockCreate"]
    assert created["userErrors"] == []
    assert created["rateLock"]["amount"] == {"amount": "10000.00", "currency": "USD"}
    await seller.gql("mutation { sandboxClockAdvance(input: {days: 30}) { userErrors { code } } }")
    lock = await seller.gql(
        "query ($id: ID!) { node(id: $id) { ... on RateLock { timeline { type } } } }",
        {"id": created["rateLock"]["id"]},
    )
    assert [e["type"] for e in lock["node"]["timeline"]] == ["RATE_LOCKED", "RATE_LOCK_MATURED"]


@pytest.mark.parametrize(
    ("values", "code", "field"),
    [
        ({"maturity": "2026-11-23"}, "PAST_MATURITY", ["input", "maturity"]),
        ({"maturity": "2025-01-01"}, "PAST_MATURITY", ["input", "maturity"]),
        ({"rate": "0"}, "INVALID_RATE", ["input", "rate"]),
        ({"amount": "-5"}, "INVALID_AMOUNT", ["input", "amount"]),
    ],
)
async def test_bad_locks_are_refused(
    seller: Seller, values: dict[str, str], code: str, field: list[str]
) -> None:
    base = {
        "base": "USD",
        "quote": "CNY",
        "amount": "100",
        "rate": "7.1",
        "maturity": "2027-01-01",
        "counterparty": "Bank",
    }
    result = (await seller.gql(LOCK, {"input": base | values}))["rateLockCreate"]
    assert result["rateLock"] is None
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [(code, field)]
    assert (await seller.gql("{ rateLocks { totalCount } }"))["rateLocks"]["totalCount"] == 0


async def test_an_import_takes_a_bom_and_refuses_extra_values_and_repeats(seller: Seller) -> None:
    bom = "\ufeffdate,base,quote,rate\n2026-11-01,USD,CNY,7.10\n"
    assert (await seller.gql(IMPORT, {"csv": bom}))["exchangeRatesImport"]["ratesWritten"] == 1
    extra = "date,base,quote,rate\n2026-11-02,USD,CNY,7.10,oops\n"
    [error] = (await seller.gql(IMPORT, {"csv": extra}))["exchangeRatesImport"]["userErrors"]
    assert (error["code"], error["field"]) == ("INVALID_CSV", ["input", "csv", "line 2"])
    twice = "date,base,quote,rate\n2026-11-03,USD,CNY,7.10\n2026-11-03,USD,CNY,7.20\n"
    [error] = (await seller.gql(IMPORT, {"csv": twice}))["exchangeRatesImport"]["userErrors"]
    assert "repeats the USD/CNY rate of line 2" in error["message"]
    assert (await seller.gql("{ exchangeRates { totalCount } }"))["exchangeRates"]["totalCount"] == 1
