"""FX on orders through the API: the home currency, the rate each order keeps at placement and at
settlement, realised gains and losses per order and in total, and the exposure of open receivables.
Every figure is worked by hand in the comments."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from api.cli import main
from tests.catalog_setup import ORDER_PLACE, pay, stock_shop
from tests.conftest import Seller

SET_RATE = (
    """mutation ($input: ExchangeRateSetInput!) { exchangeRateSet(input: $input) { userErrors { code } } }"""
)
SET_HOME = """mutation ($currency: String!) { workspaceHomeCurrencySet(input: {homeCurrency: $currency}) {
  workspace { homeCurrency } ordersRerated userErrors { field code message } } }"""
FX = "fx { orderRate orderRateAsOf settlementRate settlementRateAsOf settledAmount { amount currency } "
FX += "realisedGainLoss { amount currency } settledAt }"
SETTLE = (
    """mutation ($id: ID!, $key: String) { orderSettle(input: {orderId: $id, idempotencyKey: $key}) {
  order { id version """
    + FX
    + """ } userErrors { field code message } } }"""
)
ORDER = "query ($id: ID!) { node(id: $id) { ... on Order { version " + FX + " timeline { type data } } } }"
SUMMARY = "{ fxSummary { homeCurrency realisedGainLoss { amount currency } settledOrders settledWithoutOrderRate } }"
EXPOSURE = """query ($asOf: DateTime) { currencyExposure(asOf: $asOf) { homeCurrency asOf
  currencies { currency receivables { amount } locked { amount } unlocked { amount } rate rateAsOf
    unlockedValue { amount currency } }
  totalUnlockedValue { amount currency } } }"""
LOCK = """mutation ($input: RateLockCreateInput!) { rateLockCreate(input: $input) { userErrors { code } } }"""
REFUND = """mutation ($id: ID!, $amount: Decimal!) { paymentRefund(input: {orderId: $id, amount: $amount,
  reason: "damaged"}) { userErrors { code } } }"""
CONFIRM = """mutation ($id: ID!) { orderConfirm(input: {orderId: $id}) { userErrors { code } } }"""
CANCEL = """mutation ($id: ID!) { orderCancel(input: {orderId: $id}) { userErrors { code } } }"""
ADVANCE = """mutation ($days: Int!) { sandboxClockAdvance(input: {days: $days}) { userErrors { code } } }"""


async def _rate(seller: Seller, base: str, quote: str, rate: str) -> None:
    """A rate from now (the workspace clock) on."""
    data = await seller.gql(SET_RATE, {"input": {"base": base, "quote": quote, "rate": rate}})
    assert data["exchangeRateSet"]["userErrors"] == []


async def _home(seller: Seller, currency: str) -> dict[str, Any]:
    result: dict[str, Any] = (await seller.gql(SET_HOME, {"currency": currency}))["workspaceHomeCurrencySet"]
    return result


async def _shop(seller: Seller, currency: str, price: str) -> dict[str, str]:
    return dict(await stock_shop(seller, currency, price))


async def _order(seller: Seller, shop: dict[str, str], quantity: int = 1) -> str:
    values = {
        "channelId": shop["channel"],
        "lines": [{"listingId": shop["listing"], "quantity": quantity}],
        "buyerName": "Ada Consumer",
        "shipToCountry": "US",
    }
    data = await seller.gql(ORDER_PLACE, {"input": values})
    assert data["orderPlace"]["userErrors"] == [], data
    order_id: str = data["orderPlace"]["order"]["id"]
    return order_id


async def _paid(seller: Seller, shop: dict[str, str], quantity: int = 1) -> str:
    """Paid and confirmed, so that the confirmation deadline leaves it alone as the clock moves."""
    order_id = await _order(seller, shop, quantity)
    await pay(seller, order_id)
    assert (await seller.gql(CONFIRM, {"id": order_id}))["orderConfirm"]["userErrors"] == []
    return order_id


async def _settle(seller: Seller, order_id: str, key: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = (await seller.gql(SETTLE, {"id": order_id, "key": key}))["orderSettle"]
    return result


async def _node(seller: Seller, order_id: str) -> dict[str, Any]:
    node: dict[str, Any] = (await seller.gql(ORDER, {"id": order_id}))["node"]
    return node


async def _advance(seller: Seller, days: int) -> None:
    data = await seller.gql(ADVANCE, {"days": days})
    assert data["sandboxClockAdvance"]["userErrors"] == []


async def _summary(seller: Seller) -> dict[str, Any]:
    summary: dict[str, Any] = (await seller.gql(SUMMARY))["fxSummary"]
    return summary


async def _exposure(seller: Seller, as_of: str | None = None) -> dict[str, Any]:
    exposure: dict[str, Any] = (await seller.gql(EXPOSURE, {"asOf": as_of}))["currencyExposure"]
    return exposure


# -- the worked examples -------------------------------------------------------------------------------------
async def test_an_order_booked_at_7_10_and_paid_out_at_7_25_gains_15_cny(seller: Seller) -> None:
    assert (await _home(seller, "CNY")) == {
        "workspace": {"homeCurrency": "CNY"},
        "ordersRerated": 0,
        "userErrors": [],
    }
    await _rate(seller, "USD", "CNY", "7.10")  # from 2026-11-23 09:00, the sandbox's start
    order = await _paid(seller, await _shop(seller, "USD", "50.00"), quantity=2)  # 100.00 USD
    placed = await _node(seller, order)
    assert placed["fx"] == {
        "orderRate": "7.1",
        "orderRateAsOf": "2026-11-23T09:00:00+00:00",
        "settlementRate": None,
        "settlementRateAsOf": None,
        "settledAmount": None,
        "realisedGainLoss": None,
        "settledAt": None,
    }
    assert placed["timeline"][0]["data"]["orderRate"] == "7.1"

    await _advance(seller, 14)
    await _rate(seller, "USD", "CNY", "7.25")
    settled = await _settle(seller, order)
    assert settled["userErrors"] == []
    # 100.00 x 7.25 = 725.00 CNY paid out; 100.00 x (7.25 - 7.10) = 15.00 CNY gained.
    assert settled["order"]["fx"] == {
        "orderRate": "7.1",
        "orderRateAsOf": "2026-11-23T09:00:00+00:00",
        "settlementRate": "7.25",
        "settlementRateAsOf": "2026-12-07T09:00:00+00:00",
        "settledAmount": {"amount": "725.00", "currency": "CNY"},
        "realisedGainLoss": {"amount": "15.00", "currency": "CNY"},
        "settledAt": "2026-12-07T09:00:00+00:00",
    }
    assert settled["order"]["version"] == placed["version"] + 1
    event = (await _node(seller, order))["timeline"][-1]
    assert event == {
        "type": "ORDER_SETTLED",
        "data": {
            "held": "100.00",
            "currency": "USD",
            "orderRate": "7.1",
            "settlementRate": "7.25",
            "settlementRateAsOf": "2026-12-07T09:00:00+00:00",
            "settledAmount": "725.00",
            "homeCurrency": "CNY",
            "realisedGainLoss": "15.00",
        },
    }
    assert await _summary(seller) == {
        "homeCurrency": "CNY",
        "realisedGainLoss": {"amount": "15.00", "currency": "CNY"},
        "settledOrders": 1,
        "settledWithoutOrderRate": 0,
    }


async def test_gains_losses_and_refunded_parts_add_up_in_the_summary(seller: Seller) -> None:
    await _home(seller, "CNY")
    await _rate(seller, "USD", "CNY", "7.10")
    await _rate(seller, "CNY", "EUR", "0.125")  # only the inverse is quoted: EUR/CNY 8 at placement
    usd = await _shop(seller, "USD", "100.00")
    eur = await _shop(seller, "EUR", "25.00")
    falls, refunded, rises = [await _paid(seller, usd) for _ in range(3)]
    in_euros = await _paid(seller, eur, quantity=2)  # 50.00 EUR
    assert (await _node(seller, in_euros))["fx"]["orderRate"] == "8"
    await seller.gql(REFUND, {"id": refunded, "amount": "30.00"})  # 70.00 USD left with the platform

    await _advance(seller, 7)
    await _rate(seller, "USD", "CNY", "7.25")
    await _rate(seller, "EUR", "CNY", "7.9")
    gains = {}
    for order in (refunded, rises, in_euros):
        gains[order] = (await _settle(seller, order))["order"]["fx"]
    # 70.00 x 7.25 = 507.50 paid; 70.00 x 0.15 = 10.50 gained.
    assert gains[refunded]["settledAmount"]["amount"] == "507.50"
    assert gains[refunded]["realisedGainLoss"]["amount"] == "10.50"
    assert gains[rises]["realisedGainLoss"]["amount"] == "15.00"
    # 50.00 EUR x 7.9 = 395.00 paid; 50.00 x (7.9 - 8) = -5.00: a loss.
    assert gains[in_euros]["settledAmount"] == {"amount": "395.00", "currency": "CNY"}
    assert gains[in_euros]["realisedGainLoss"] == {"amount": "-5.00", "currency": "CNY"}

    await _advance(seller, 7)
    await _rate(seller, "USD", "CNY", "6.95")
    lost = (await _settle(seller, falls))["order"]["fx"]
    # 100.00 x 6.95 = 695.00 paid; 100.00 x (6.95 - 7.10) = -15.00 lost.
    assert lost["settledAmount"]["amount"] == "695.00"
    assert lost["realisedGainLoss"] == {"amount": "-15.00", "currency": "CNY"}
    # 10.50 + 15.00 - 5.00 - 15.00 = 5.50
    assert await _summary(seller) == {
        "homeCurrency": "CNY",
        "realisedGainLoss": {"amount": "5.50", "currency": "CNY"},
        "settledOrders": 4,
        "settledWithoutOrderRate": 0,
    }


async def test_an_order_placed_without_a_rate_is_placed_and_settles_with_an_unknown_gain(
    seller: Seller,
) -> None:
    await _home(seller, "CNY")
    order = await _paid(seller, await _shop(seller, "USD", "20.00"))
    before = await _node(seller, order)
    assert before["fx"]["orderRate"] is None and before["fx"]["orderRateAsOf"] is None
    assert before["timeline"][0]["data"]["orderRate"] is None

    refused = await _settle(seller, order)
    assert refused["order"] is None
    [error] = refused["userErrors"]
    assert error["code"] == "NO_RATE" and "exchangeRateSet" in error["message"]
    unchanged = await _node(seller, order)
    assert unchanged["version"] == before["version"] and unchanged["fx"] == before["fx"]
    assert "ORDER_SETTLED" not in [e["type"] for e in unchanged["timeline"]]

    await _rate(seller, "USD", "CNY", "7.2")
    fx = (await _settle(seller, order))["order"]["fx"]
    assert fx["settledAmount"] == {"amount": "144.00", "currency": "CNY"}  # 20.00 x 7.2
    assert fx["orderRate"] is None and fx["realisedGainLoss"] is None
    assert await _summary(seller) == {
        "homeCurrency": "CNY",
        "realisedGainLoss": {"amount": "0.00", "currency": "CNY"},
        "settledOrders": 1,
        "settledWithoutOrderRate": 1,
    }


async def test_an_order_in_the_home_currency_has_no_fx_to_realise(seller: Seller) -> None:
    order = await _paid(seller, await _shop(seller, "USD", "12.00"))  # home is USD by default
    assert (await _node(seller, order))["fx"]["orderRate"] == "1"
    fx = (await _settle(seller, order))["order"]["fx"]
    assert (fx["settlementRate"], fx["settlementRateAsOf"]) == ("1", None)
    assert fx["settledAmount"] == {"amount": "12.00", "currency": "USD"}
    assert fx["realisedGainLoss"] == {"amount": "0.00", "currency": "USD"}


# -- refusals ----------------------------------------------------------------------------------------------
async def test_an_order_is_settled_once_and_a_repeat_with_the_key_replays(seller: Seller) -> None:
    order = await _paid(seller, await _shop(seller, "USD", "10.00"))
    first = await _settle(seller, order, key="payout-1")
    replay = await _settle(seller, order, key="payout-1")
    assert replay == first and first["userErrors"] == []
    again = await _settle(seller, order, key="payout-2")
    assert again["order"] is None
    [error] = again["userErrors"]
    assert (error["code"], error["field"]) == ("ALREADY_SETTLED", ["input", "orderId"])
    assert "10.00 USD" in error["message"]
    timeline = [e["type"] for e in (await _node(seller, order))["timeline"]]
    assert timeline.count("ORDER_SETTLED") == 1


async def test_concurrent_settlements_pay_out_once(seller: Seller) -> None:
    order = await _paid(seller, await _shop(seller, "USD", "10.00"))
    responses = await asyncio.gather(*(seller.post(SETTLE, {"id": order}) for _ in range(5)))
    results = [r.json()["data"]["orderSettle"] for r in responses]
    codes = sorted(tuple(e["code"] for e in r["userErrors"]) for r in results)
    assert codes == [(), *[("ALREADY_SETTLED",)] * 4]
    assert (await _summary(seller))["settledOrders"] == 1


async def test_orders_still_paying_or_holding_nothing_cannot_be_settled(seller: Seller) -> None:
    shop = await _shop(seller, "USD", "10.00")
    placed = await _order(seller, shop)
    assert [e["code"] for e in (await _settle(seller, placed))["userErrors"]] == ["NOT_PAID"]
    cancelled = await _paid(seller, shop)
    await seller.gql(CANCEL, {"id": cancelled})  # refunds all 10.00: the platform holds nothing
    [error] = (await _settle(seller, cancelled))["userErrors"]
    assert error["code"] == "NOTHING_TO_SETTLE" and "cancelled" in error["message"]
    assert (await _summary(seller))["settledOrders"] == 0


async def test_settling_is_for_sandboxes(live_seller: Seller) -> None:
    some_order = "T3JkZXI6MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAw"
    [error] = (await _settle(live_seller, some_order))["userErrors"]
    assert error["code"] == "SANDBOX_ONLY"


@pytest.mark.parametrize(
    ("order_id", "code"),
    [
        ("T3JkZXI6MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAw", "NOT_FOUND"),
        ("Q2hhbm5lbDowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA", "INVALID_ID"),  # a Channel's
        ("not-an-id", "INVALID_ID"),
    ],
)
async def test_settling_an_unknown_order_is_refused(seller: Seller, order_id: str, code: str) -> None:
    result = await _settle(seller, order_id)
    assert result["order"] is None
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [(code, ["input", "orderId"])]


async def test_another_workspaces_order_cannot_be_settled(seller: Seller, other_seller: Seller) -> None:
    order = await _paid(seller, await _shop(seller, "USD", "10.00"))
    [error] = (await _settle(other_seller, order))["userErrors"]
    assert error["code"] == "NOT_FOUND"
    assert (await _node(seller, order))["fx"]["settledAt"] is None


# -- the home currency ------------------------------------------------------------------------------------
async def test_an_unknown_home_currency_is_refused_and_nothing_changes(seller: Seller) -> None:
    for bad in ("XYZ", "usd dollars", ""):
        result = await _home(seller, bad)
        assert result["workspace"] is None
        assert [(e["code"], e["field"]) for e in result["userErrors"]] == [
            ("INVALID_CURRENCY", ["input", "homeCurrency"])
        ]
    assert (await seller.gql("{ workspace { homeCurrency } }"))["workspace"] == {"homeCurrency": "USD"}


async def test_a_live_workspace_sets_its_home_currency_too(live_seller: Seller) -> None:
    assert (await _home(live_seller, "CNY"))["workspace"] == {"homeCurrency": "CNY"}
    assert (await live_seller.gql(SUMMARY))["fxSummary"]["homeCurrency"] == "CNY"


async def test_the_home_currency_is_fixed_once_an_order_is_settled(seller: Seller) -> None:
    order = await _paid(seller, await _shop(seller, "USD", "10.00"))
    await _settle(seller, order)
    result = await _home(seller, "CNY")
    [error] = result["userErrors"]
    assert (error["code"], error["field"]) == ("HOME_CURRENCY_LOCKED", ["input", "homeCurrency"])
    assert "settled in USD (1 so far)" in error["message"]
    assert (await seller.gql("{ workspace { homeCurrency } }"))["workspace"] == {"homeCurrency": "USD"}
    assert (await _home(seller, "usd"))["userErrors"] == []  # the same currency is no change


async def test_a_new_home_currency_retakes_order_time_rates_as_of_placement(seller: Seller) -> None:
    await _rate(seller, "USD", "CNY", "7.10")
    usd = await _shop(seller, "USD", "10.00")
    before = await _paid(seller, usd)  # home USD: rate 1
    await _advance(seller, 1)
    await _rate(seller, "USD", "CNY", "7.25")
    later = await _order(seller, usd)
    jpy = await _order(seller, await _shop(seller, "JPY", "1500"))  # no JPY/CNY rate at all
    versions = {o: (await _node(seller, o))["version"] for o in (before, later, jpy)}
    assert (await _node(seller, before))["fx"]["orderRate"] == "1"

    changed = await _home(seller, "CNY")
    assert changed["ordersRerated"] == 3 and changed["userErrors"] == []
    rerated = {o: await _node(seller, o) for o in (before, later, jpy)}
    # Each order's rate is the one of its placement, not today's.
    assert rerated[before]["fx"]["orderRate"] == "7.1"
    assert rerated[before]["fx"]["orderRateAsOf"] == "2026-11-23T09:00:00+00:00"
    assert rerated[later]["fx"]["orderRate"] == "7.25"
    assert rerated[jpy]["fx"]["orderRate"] is None
    assert all(rerated[o]["version"] == versions[o] + 1 for o in versions)

    await _rate(seller, "EUR", "USD", "1.08")
    quoted = await _order(seller, usd)
    assert (await _node(seller, quoted))["fx"]["orderRate"] == "7.25"
    assert (await _home(seller, "EUR"))["ordersRerated"] == 4
    assert (await _node(seller, before))["fx"]["orderRate"] is None  # no USD/EUR rate at its placement
    # Only EUR/USD is quoted: its inverse, 1 / 1.08, rounded to ten places as `convert` rounds it.
    assert (await _node(seller, quoted))["fx"]["orderRate"] == "0.9259259259"


async def test_a_settlement_and_a_change_of_home_currency_never_disagree(seller: Seller) -> None:
    await _rate(seller, "USD", "CNY", "7.10")
    await _rate(seller, "EUR", "USD", "1.08")
    order = await _paid(seller, await _shop(seller, "EUR", "10.00"))
    settle = seller.post(SETTLE, {"id": order})
    change = seller.post(SET_HOME, {"currency": "CNY"})
    await asyncio.gather(settle, change)
    home = (await seller.gql("{ workspace { homeCurrency } }"))["workspace"]["homeCurrency"]
    settled = (await _node(seller, order))["fx"]["settledAmount"]
    # Either the settlement came first (in USD, and the change was refused) or the change did (CNY, and
    # the settlement found no EUR/CNY rate): never a settlement in one currency and a home in another.
    assert settled is None or settled["currency"] == home
    assert (home, settled is None) in {("USD", False), ("CNY", True)}


def test_seller_create_takes_a_home_currency(database_url: str) -> None:
    name = f"Shenzhen Export {secrets.token_hex(3)}"
    env = {"DATABASE_URL": database_url}
    runner = CliRunner()
    made = runner.invoke(main, ["seller", "create", "--name", name, "--home-currency", "cny"], env=env)
    assert made.exit_code == 0, made.output
    bad_name = f"{name} bad"
    bad = runner.invoke(main, ["seller", "create", "--name", bad_name, "--home-currency", "XYZ"], env=env)
    assert bad.exit_code != 0 and "not an ISO 4217 currency code" in bad.output
    conninfo = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute(
            "SELECT s.name, w.home_currency FROM sellers s JOIN workspaces w ON w.seller_id = s.id"
            " WHERE s.name LIKE %s",
            (f"{name}%",),
        ).fetchall()
    assert rows == [(name, "CNY")]  # the refused one wrote nothing


# -- exposure ---------------------------------------------------------------------------------------------
async def test_exposure_with_and_without_locks(seller: Seller, count_statements: Any) -> None:
    await _home(seller, "CNY")
    await _rate(seller, "USD", "CNY", "7.25")
    usd = await _shop(seller, "USD", "100.00")
    eur = await _shop(seller, "EUR", "80.00")
    cny = await _shop(seller, "CNY", "500.00")
    await _paid(seller, usd)  # 100.00 USD open
    refunded = await _paid(seller, usd)
    await seller.gql(REFUND, {"id": refunded, "amount": "70.00"})  # 30.00 USD open
    await _settle(seller, await _paid(seller, usd))  # settled: no longer open
    await seller.gql(CANCEL, {"id": await _paid(seller, usd)})  # cancelled, holds nothing
    await _order(seller, usd)  # placed, nothing captured yet
    await _paid(seller, eur)  # 80.00 EUR open, no EUR rate known
    await _paid(seller, cny)  # the home currency: no exposure

    # Without locks: USD 130.00 x 7.25 = 942.50 CNY; EUR without a rate, so no total.
    bare = await _exposure(seller)
    assert bare["homeCurrency"] == "CNY" and bare["asOf"] == "2026-11-23T09:00:00+00:00"
    assert bare["currencies"] == [
        {
            "currency": "EUR",
            "receivables": {"amount": "80.00"},
            "locked": {"amount": "0.00"},
            "unlocked": {"amount": "80.00"},
            "rate": None,
            "rateAsOf": None,
            "unlockedValue": None,
        },
        {
            "currency": "USD",
            "receivables": {"amount": "130.00"},
            "locked": {"amount": "0.00"},
            "unlocked": {"amount": "130.00"},
            "rate": "7.25",
            "rateAsOf": "2026-11-23T09:00:00+00:00",
            "unlockedValue": {"amount": "942.50", "currency": "CNY"},
        },
    ]
    assert bare["totalUnlockedValue"] is None

    for base, quote, amount, maturity in [
        ("USD", "CNY", "100", "2026-12-23"),
        ("USD", "CNY", "20", "2026-11-30"),
        ("EUR", "CNY", "200", "2027-01-10"),  # more than is owed: over-hedged
        ("USD", "EUR", "500", "2026-12-23"),  # not into the home currency: no hedge of it
        ("CNY", "USD", "900", "2026-12-23"),  # selling the home currency: no hedge either
    ]:
        values = {"base": base, "quote": quote, "amount": amount, "rate": "7.2"}
        values |= {"maturity": maturity, "counterparty": "Bank of Demo"}
        assert (await seller.gql(LOCK, {"input": values}))["rateLockCreate"]["userErrors"] == []
    await _rate(seller, "EUR", "CNY", "7.8")

    def summary(exposure: dict[str, Any]) -> list[tuple[str, str, str, str | None]]:
        return [
            (
                line["currency"],
                line["locked"]["amount"],
                line["unlocked"]["amount"],
                line["unlockedValue"] and line["unlockedValue"]["amount"],
            )
            for line in exposure["currencies"]
        ]

    # Now: USD 130 - 120 locked = 10 -> 72.50; EUR 80 - 200 = -120 -> -936.00; total -863.50.
    hedged = await _exposure(seller)
    assert summary(hedged) == [("EUR", "200.00", "-120.00", "-936.00"), ("USD", "120.00", "10.00", "72.50")]
    assert hedged["totalUnlockedValue"] == {"amount": "-863.50", "currency": "CNY"}
    # On 1 December the 20.00 lock has matured: USD 30 open -> 217.50; total -718.50.
    december = await _exposure(seller, "2026-12-01T00:00:00Z")
    assert summary(december) == [
        ("EUR", "200.00", "-120.00", "-936.00"),
        ("USD", "100.00", "30.00", "217.50"),
    ]
    assert december["totalUnlockedValue"]["amount"] == "-718.50"
    # Once every lock has matured: 130 x 7.25 = 942.50 and 80 x 7.8 = 624.00; total 1566.50.
    with count_statements() as counter:
        spring = await _exposure(seller, "2027-02-01T00:00:00Z")
    assert summary(spring) == [("EUR", "0.00", "80.00", "624.00"), ("USD", "0.00", "130.00", "942.50")]
    assert spring["totalUnlockedValue"]["amount"] == "1566.50"
    # API key, entering the workspace, then home currency, receivables, locks and rates.
    assert counter.count == 6, counter.statements
    # Before the EUR rate was set (it holds from now on), EUR has no value.
    earlier = await _exposure(seller, "2026-11-23T08:00:00Z")
    assert [line["rate"] for line in earlier["currencies"]] == [None, None]


async def test_exposure_and_the_summary_cost_the_same_statements_for_any_number_of_orders(
    seller: Seller, count_statements: Any
) -> None:
    await _home(seller, "CNY")
    counts = []
    for currency, price in [("USD", "10.00"), ("EUR", "9.00"), ("GBP", "8.00")]:
        await _rate(seller, currency, "CNY", "7.5")
        shop = await _shop(seller, currency, price)
        for _ in range(3):
            await _settle(seller, await _paid(seller, shop))
            await _paid(seller, shop)
        with count_statements() as exposure:
            await _exposure(seller, "2026-12-01T00:00:00Z")
        with count_statements() as summary:
            await _summary(seller)
        counts.append((exposure.count, summary.count))
    # currencyExposure: key, workspace, four reads; fxSummary: key, workspace, one aggregate.
    assert counts == [(6, 3)] * 3
    assert (await _summary(seller))["realisedGainLoss"]["amount"] == "0.00"  # 7.5 both times


async def test_a_naive_as_of_is_refused(seller: Seller) -> None:
    body = (await seller.post(EXPOSURE, {"asOf": "2026-12-01T00:00:00"})).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "timezone" in body["errors"][0]["message"]
