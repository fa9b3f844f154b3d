"""Hostile input to the preparation stage: typed refusals, never an internal error."""

from __future__ import annotations

from tests.conftest import Seller


async def test_rules_before_a_markets_currency_existed_are_a_typed_error(seller: Seller) -> None:
    body = (await seller.post('{ market(code: "SG") { rulesAsOf(date: "0001-01-01") { currency } } }')).json()
    assert body["errors"][0]["extensions"]["code"] == "INVALID_DATE"


async def test_a_rate_that_rounds_to_zero_is_refused(seller: Seller) -> None:
    data = await seller.gql(
        'mutation { exchangeRateSet(input: {base: "USD", quote: "CNY", rate: "1e-11"}) { userErrors { code } } }'
    )
    assert data["exchangeRateSet"]["userErrors"] == [{"code": "INVALID_RATE"}]


async def test_a_generated_walk_that_leaves_storable_rates_is_refused(seller: Seller) -> None:
    data = await seller.gql(
        """mutation { sandboxExchangeRatesGenerate(input: {base: "USD", quote: "CNY", startRate: "1", days: 3660,
        dailySigma: 0.2}) { ratesWritten userErrors { code field } } }"""
    )
    result = data["sandboxExchangeRatesGenerate"]
    assert result == {
        "ratesWritten": 0,
        "userErrors": [{"code": "INVALID_RANGE", "field": ["input", "dailySigma"]}],
    }
    assert (await seller.gql("{ exchangeRates { totalCount } }"))["exchangeRates"]["totalCount"] == 0


async def test_validity_dates_far_in_the_past_are_refused(seller: Seller) -> None:
    data = await seller.gql(
        """mutation { registrationAdd(input: {kind: VAT, scope: "GB", number: "GB1", issuer: "HMRC",
        validFrom: "0001-01-01", validTo: "0001-01-02"}) { registration { id } userErrors { code field } } }"""
    )
    assert data["registrationAdd"] == {
        "registration": None,
        "userErrors": [{"code": "INVALID_VALIDITY", "field": ["input", "validFrom"]}],
    }
