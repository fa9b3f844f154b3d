"""Market research, worked by hand: a cotton T-shirt (HS 6109.10, 18.50 CNY, 180 g, 300x250x20 mm) sold
on Amazon DE at 19.99 EUR, with 1 EUR = 7.80 CNY and 1 USD = 0.92 EUR, on 2026-11-23 (IOSS with the EUR 3
duty per tariff line, German VAT 19%, a 15% referral fee):

  unit cost   18.50 CNY / 7.80            =  2.37 EUR
  VAT in price 19.99 x 0.19 / 1.19        =  3.19 EUR
  duty        one tariff line             =  3.00 EUR
  fees        19.99 x 15%                 =  3.00 EUR
  sea freight 2.50 + 1.20 x 0.25 kg (volumetric 1,500 cm3 / 6,000) = 2.80 USD = 2.58 EUR
  landed      2.37 + 2.58 + 3.00 + 3.19   = 11.14 EUR
  margin      19.99 - 3.00 - 11.14        =  5.85 EUR, 29.26% of the price
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from domain.markets.reference import DutyTreatment, TaxCollection, validate_market
from domain.markets.rules import regime_for, rules_as_of
from domain.research.landed import Costs, Incoterm, chargeable_kg, landed
from domain.shared.money import Money
from tests.catalog_setup import create_channel, create_listing, create_product
from tests.conftest import TODAY_FOR_TESTS, Seller

ANALYSIS = """query ($p: ID!, $m: [String!]!, $c: [ID!]!, $price: MoneyInput, $i: Incoterm) {
  marketAnalysis(productId: $p, markets: $m, channelIds: $c, price: $price, incoterm: $i) {
    rank market currency price { amount } scheme unitCost { amount } compliance missing problems
    product { sku } channel { name }
    best { method shipping { amount } duty { amount } tax { amount } fees { amount } landedCost { amount }
           margin { amount } marginRate consumerPaysOnDelivery { amount } }
    shippingOptions { method landedCost { amount } } } }"""


def _eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def _ioss_costs(price: str = "19.99", incoterm: Incoterm = Incoterm.DDP) -> Costs:
    rules = rules_as_of(validate_market("DE"), TODAY_FOR_TESTS)
    regime = regime_for(rules, _eur(price), "CN")
    return Costs(
        price=_eur(price),
        unit_cost=_eur("2.37"),
        referral_rate=Decimal("0.15"),
        minimum_referral_fee=_eur("0"),
        per_order_fee=_eur("0"),
        shipping=_eur("2.58"),
        tax_rate=Decimal("0.19"),
        regime=regime,
        duty_rate=Decimal("0.12"),
        per_line_duty=_eur("3"),
        flat_deduction=None,
        incoterm=incoterm,
    )


def test_the_t_shirt_under_ioss_by_hand() -> None:
    costs = _ioss_costs()
    assert costs.regime is not None and (costs.regime.tax, costs.regime.duty) == (
        TaxCollection.AT_SALE,
        DutyTreatment.PER_TARIFF_LINE,
    )
    figures = landed(costs)
    assert (figures.tax, figures.duty, figures.fees) == (_eur("3.19"), _eur("3.00"), _eur("3.00"))
    assert (figures.landed_cost, figures.margin, figures.margin_rate) == (
        _eur("11.14"),
        _eur("5.85"),
        Decimal("0.2926"),
    )
    assert figures.consumer_pays_on_delivery == _eur("0")


def test_above_150_eur_under_dap_the_consumer_pays_at_the_door() -> None:
    """200 EUR: standard import. DAP: the consumer pays 12% duty (24.00) and 19% VAT on value and duty
    ((200 + 24) x 0.19 = 42.56), 66.56 in all; the seller's margin is 200 - 30 - 2.37 - 2.58 = 165.05."""
    figures = landed(_ioss_costs("200", Incoterm.DAP))
    assert (figures.tax, figures.duty) == (_eur("0"), _eur("0"))
    assert figures.consumer_pays_on_delivery == _eur("66.56")
    assert figures.margin == _eur("165.05")
    # DDP: the price covers goods, duty and VAT on both: VAT = 200 x 0.19 / 1.19 = 31.93; the remaining
    # 168.07 is goods plus 12% duty, so goods are 150.06 and duty 18.01; margin 200 - 30 - 54.89.
    ddp = landed(_ioss_costs("200", Incoterm.DDP))
    assert (ddp.tax, ddp.duty, ddp.margin) == (_eur("31.93"), _eur("18.01"), _eur("115.11"))


def test_a_flat_rate_is_not_charged_on_itself() -> None:
    """Mexico, courier from China, 100 USD delivered duty paid: 33.5% on goods of 100 / 1.335 = 74.91."""
    rules = rules_as_of(validate_market("MX"), TODAY_FOR_TESTS)
    regime = regime_for(rules, Money.of("74.91", "USD"), "CN")
    usd = lambda amount: Money.of(amount, "USD")  # noqa: E731
    costs = Costs(
        price=usd("100"),
        unit_cost=usd("5"),
        referral_rate=Decimal("0.15"),
        minimum_referral_fee=usd("0"),
        per_order_fee=usd("0"),
        shipping=usd("3"),
        tax_rate=Decimal("0.16"),
        regime=regime,
        duty_rate=None,
        per_line_duty=None,
        flat_deduction=None,
        incoterm=Incoterm.DDP,
    )
    figures = landed(costs)
    assert regime is not None and regime.name == "COURIER_GLOBAL_RATE"
    assert (figures.tax, figures.duty) == (usd("0"), usd("25.09"))


def test_chargeable_weight_is_the_greater_of_actual_and_volumetric() -> None:
    assert chargeable_kg(180, 300, 250, 20, 6000) == Decimal("0.25")
    assert chargeable_kg(900, 100, 100, 100, 5000) == Decimal("0.9")


async def _rates(seller: Seller) -> None:
    csv = "date,base,quote,rate\n2026-11-01,EUR,CNY,7.80\n2026-11-01,USD,EUR,0.92\n"
    assert (
        await seller.gql(
            "mutation ($c: String!) { exchangeRatesImport(input: {csv: $c}) { ratesWritten } }", {"c": csv}
        )
    )["exchangeRatesImport"]["ratesWritten"] == 2


async def test_the_worked_example_through_the_api(seller: Seller) -> None:
    await _rates(seller)
    channel = await create_channel(seller, "EUR", name="Amazon DE", country="DE")
    product = await create_product(seller, "TEE-DE")
    await create_listing(seller, product, channel, "19.99")
    data = await seller.gql(ANALYSIS, {"p": product, "m": ["DE"], "c": [channel]})
    [row] = data["marketAnalysis"]
    assert row | {"best": None, "shippingOptions": None} == {
        "rank": 1,
        "market": "DE",
        "currency": "EUR",
        "price": {"amount": "19.99"},
        "scheme": "IOSS",
        "unitCost": {"amount": "2.37"},
        "compliance": "READY",
        "missing": [],
        "problems": [],
        "product": {"sku": "TEE-DE"},
        "channel": {"name": "Amazon DE"},
        "best": None,
        "shippingOptions": None,
    }
    assert row["best"] == {
        "method": "SEA_FREIGHT",
        "shipping": {"amount": "2.58"},
        "duty": {"amount": "3.00"},
        "tax": {"amount": "3.19"},
        "fees": {"amount": "3.00"},
        "landedCost": {"amount": "11.14"},
        "margin": {"amount": "5.85"},
        "marginRate": "0.2926",
        "consumerPaysOnDelivery": {"amount": "0.00"},
    }
    # postal 4.69 USD = 4.31 EUR; express 12 + 7 x 0.3 kg = 14.10 USD = 12.97 EUR; air 2.88 USD = 2.65 EUR
    assert {o["method"]: o["landedCost"]["amount"] for o in row["shippingOptions"]} == {
        "POSTAL": "12.87",
        "EXPRESS": "21.53",
        "AIR_FREIGHT": "11.21",
        "SEA_FREIGHT": "11.14",
    }


async def test_missing_rates_and_compliance_show_in_the_rows_and_rank_them_last(seller: Seller) -> None:
    channel = await create_channel(seller, "EUR", name="Amazon DE", country="DE")
    tee = await create_product(seller, "TEE-X")
    phones = await create_product(seller, "HDP-X", category="ELECTRONICS", hsCode="8518.30")
    no_rates = (
        await seller.gql(
            ANALYSIS, {"p": tee, "m": ["DE"], "c": [channel], "price": {"amount": "19.99", "currency": "EUR"}}
        )
    )["marketAnalysis"]
    assert no_rates[0]["best"] is None
    assert no_rates[0]["problems"] == ["no CNY/EUR rate for the unit cost"]
    await _rates(seller)
    rows = (
        await seller.gql(
            ANALYSIS,
            {"p": phones, "m": ["DE", "GB"], "c": [channel], "price": {"amount": "49.90", "currency": "EUR"}},
        )
    )["marketAnalysis"]
    assert [(r["market"], r["compliance"], r["missing"]) for r in rows] == [
        ("DE", "MISSING", ["missing CE certification"]),
        ("GB", "MISSING", ["missing UKCA (or CE) certification"]),
    ]
    assert rows[1]["problems"] == ["no EUR/GBP rate to place the value in a regime band"]


async def test_product_selection_ranks_the_catalogue_for_a_market(seller: Seller) -> None:
    await _rates(seller)
    channel = await create_channel(seller, "EUR", name="Amazon DE", country="DE")
    cheap = await create_product(seller, "TEE-CHEAP")
    dear = await create_product(seller, "TEE-DEAR", unitCost={"amount": "60", "currency": "CNY"})
    for product in (cheap, dear):
        await create_listing(seller, product, channel, "19.99")
    data = await seller.gql('{ productSelection(market: "DE") { rank product { sku } best { marginRate } } }')
    assert [(r["rank"], r["product"]["sku"]) for r in data["productSelection"]] == [
        (1, "TEE-CHEAP"),
        (2, "TEE-DEAR"),
    ]


async def test_bad_analysis_input_is_a_typed_error(seller: Seller) -> None:
    channel = await create_channel(seller, "EUR", country="DE")
    product = await create_product(seller, "TEE-Y")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"p": product, "m": ["XX"], "c": [channel]}, "UNKNOWN_MARKET"),
        ({"p": product, "m": [], "c": [channel]}, "INVALID_SELECTION"),
        ({"p": channel, "m": ["DE"], "c": [channel]}, "INVALID_ID"),
        (
            {"p": product, "m": ["DE"], "c": [channel], "price": {"amount": "1", "currency": "ABC"}},
            "INVALID_CURRENCY",
        ),
    ]
    for variables, code in cases:
        body = (await seller.post(ANALYSIS, variables)).json()
        assert body["errors"][0]["extensions"]["code"] == code, (variables, body)


async def test_the_regime_band_is_judged_without_vat(seller: Seller) -> None:
    """170.00 EUR with VAT is 142.86 without: IOSS. 178.50 is 150.00 exactly: still IOSS. 178.51 is not."""
    await _rates(seller)
    channel = await create_channel(seller, "EUR", name="Amazon DE", country="DE")
    product = await create_product(seller, "TEE-BAND")
    schemes = []
    for price in ("170.00", "178.50", "178.51"):
        rows = await seller.gql(
            ANALYSIS,
            {"p": product, "m": ["DE"], "c": [channel], "price": {"amount": price, "currency": "EUR"}},
        )
        schemes.append(rows["marketAnalysis"][0]["scheme"])
    assert schemes == ["IOSS", "IOSS", "STANDARD_IMPORT"]
    dap = await seller.gql(
        ANALYSIS,
        {
            "p": product,
            "m": ["DE"],
            "c": [channel],
            "price": {"amount": "170.00", "currency": "EUR"},
            "i": "DAP",
        },
    )
    assert dap["marketAnalysis"][0]["scheme"] == "IOSS"  # still collected at sale, so the price carries VAT
    negative = (
        await seller.post(
            ANALYSIS,
            {"p": product, "m": ["DE"], "c": [channel], "price": {"amount": "-5", "currency": "EUR"}},
        )
    ).json()
    assert negative["errors"][0]["extensions"]["code"] == "INVALID_AMOUNT"


async def test_the_platforms_category_fee_applies_where_the_rules_have_one(seller: Seller) -> None:
    """Headphones on Amazon US at 49.90 USD: Amazon's electronics referral is 8% (3.99), not the
    channel's general 15%; a T-shirt there pays the apparel rate, 17% (8.48)."""
    csv = "date,base,quote,rate\n2026-11-01,USD,CNY,7.15\n"
    await seller.gql(
        "mutation ($c: String!) { exchangeRatesImport(input: {csv: $c}) { ratesWritten } }", {"c": csv}
    )
    channel = await create_channel(seller, "USD")
    phones = await create_product(seller, "HDP-FEE", category="ELECTRONICS", hsCode="8518.30")
    tee = await create_product(seller, "TEE-FEE")
    query = """query ($p: ID!, $c: [ID!]!) { marketAnalysis(productId: $p, markets: ["US"], channelIds: $c,
      price: {amount: "49.90", currency: "USD"}) { feeSchedule best { fees { amount } } } }"""
    for product, fee in ((phones, "3.99"), (tee, "8.48")):
        [row] = (await seller.gql(query, {"p": product, "c": [channel]}))["marketAnalysis"]
        assert row == {"feeSchedule": "MARKETPLACE_CATEGORY", "best": {"fees": {"amount": fee}}}


def test_courier_regimes_do_not_apply_to_post() -> None:
    """Canada, 35 CAD from the US: by courier, CUSMA leaves it tax-free; by post only CAD 20 is."""
    from domain.markets.reference import ShippingMethod

    rules = rules_as_of(validate_market("CA"), TODAY_FOR_TESTS)
    courier = regime_for(rules, Money.of("35", "CAD"), "US", ShippingMethod.EXPRESS)
    post = regime_for(rules, Money.of("35", "CAD"), "US", ShippingMethod.POSTAL)
    assert courier is not None and courier.name == "CUSMA_COURIER"
    assert post is not None and post.name == "STANDARD_IMPORT"


async def test_an_own_shop_needs_the_ioss_registration_to_collect_vat_at_sale(seller: Seller) -> None:
    """Own shop, DE, 19.99 EUR, DAP. Without IOSS the consumer pays at the door the EUR 3 duty and 19% VAT
    on goods and duty: 3.00 + 22.99 x 0.19 = 7.37. With IOSS the seller collects 3.19 VAT at sale."""
    await _rates(seller)
    shop = await create_channel(seller, "EUR", name="Own shop", country="DE", platform="OWN_STORE")
    product = await create_product(seller, "TEE-SHOP")
    query = """query ($p: ID!, $c: [ID!]!) { marketAnalysis(productId: $p, markets: ["DE"], channelIds: $c,
      price: {amount: "19.99", currency: "EUR"}, incoterm: DAP) { problems
      best { tax { amount } duty { amount } consumerPaysOnDelivery { amount } } } }"""
    [without] = (await seller.gql(query, {"p": product, "c": [shop]}))["marketAnalysis"]
    assert without["problems"] == ["IOSS registration missing: IOSS tax counted as collected at the border"]
    assert without["best"] == {
        "tax": {"amount": "0.00"},
        "duty": {"amount": "0.00"},
        "consumerPaysOnDelivery": {"amount": "7.37"},
    }
    await seller.gql("""mutation { registrationAdd(input: {kind: IOSS, scope: "EU", number: "IM2760000001",
      issuer: "BZSt", validFrom: "2026-01-01"}) { userErrors { code } } }""")
    [registered] = (await seller.gql(query, {"p": product, "c": [shop]}))["marketAnalysis"]
    assert registered["problems"] == []
    assert registered["best"] == {
        "tax": {"amount": "3.19"},
        "duty": {"amount": "3.00"},
        "consumerPaysOnDelivery": {"amount": "0.00"},
    }
