"""Market research, worked by hand: a cotton T-shirt (HS 6109.10, made in CN, 18.50 CNY, 180 g,
300 x 250 x 20 mm = 1,500 cm3) sold on Amazon DE at 19.99 EUR, with 1 EUR = 7.80 CNY and 1 USD = 0.92 EUR,
on 2026-11-23. Rules (reference-facts): German VAT 19% (s1, EU standard VAT); IOSS up to EUR 150 with the
EUR 3 duty per tariff line from 2026-07-01 (s1, EU row); EU MFN duty 12% on 610910 (s2); a 15% referral fee.

Shipping is, for each method, the cheapest lane from CN to DE (an EU market) in
domain/logistics/data/lanes.toml, for one unit. Chargeable kg = the greater of the actual 0.18 kg and
1,500 cm3 / the lane's divisor, rounded up to the next 0.1 kg; cost = base + per_kg x chargeable kg, in USD;
transit p50 = the lognormal's median, the geometric mean of p10 and p90, rounded:

  POSTAL   CAINIAO "Cainiao Economy" (CN to AU, CA, EU, GB, US): 1,500 / 8,000 = 0.1875 -> 0.2 kg;
           1.50 + 7.00 x 0.2 = 2.90 USD (China Post ePacket: 3.00 + 9.00 x 0.2 = 4.80) = 2.668 -> 2.67 EUR;
           transit 20-45, p50 sqrt(20 x 45) = 30
  EXPRESS  DHL_EXPRESS "DHL Express Worldwide" (CN to EU, GB): 1,500 / 5,000 = 0.3 kg;
           12.00 + 7.00 x 0.3 = 14.10 USD (UPS Express Saver: 13.00 + 6.50 x 0.3 = 14.95) = 12.972 -> 12.97 EUR;
           transit 3-6, p50 sqrt(18) = 4.24 -> 4
  AIR      CAINIAO "AliExpress Standard Shipping" (CN to EU, GB): 1,500 / 6,000 = 0.25 -> 0.3 kg;
           2.00 + 7.50 x 0.3 = 4.25 USD (YunExpress 2.50 + 8.00 x 0.3 = 4.90; Cainiao Premium
           3.00 + 8.50 x 0.3 = 5.55) = 3.91 EUR; transit 10-18, p50 sqrt(180) = 13.42 -> 13
  SEA      SEA_FORWARDER "LCL sea freight to an EU warehouse": 0.3 kg; 2.80 + 1.30 x 0.3 = 3.19 USD
           = 2.9348 -> 2.93 EUR; transit 37-54, p50 sqrt(1,998) = 44.70 -> 45

  unit cost    18.50 CNY / 7.80                 =  2.37 EUR
  fees         19.99 x 15%                      =  3.00 EUR
  VAT in price 19.99 x 0.19 / 1.19              =  3.19 EUR

Per parcel (POSTAL, EXPRESS, AIR_FREIGHT) the unit falls under IOSS: duty one tariff line = 3.00 EUR.
  POSTAL   landed 2.37 + 2.67 + 3.00 + 3.19  = 11.23; margin 19.99 - 3.00 - 11.23 = 5.76 (0.2881)
  EXPRESS  landed 2.37 + 12.97 + 3.00 + 3.19 = 21.53
  AIR      landed 2.37 + 3.91 + 3.00 + 3.19  = 12.47
By sea the goods are imported in bulk by the seller under the ordinary rules (no IOSS): the VAT is still
3.19, and the 16.80 left covers goods and 12% duty: goods 16.80 / 1.12 = 15.00, duty 1.80.
  SEA      landed 2.37 + 2.93 + 1.80 + 3.19  = 10.29; margin 19.99 - 3.00 - 10.29 = 6.70 (6.70 / 19.99 = 0.3352)
Sea freight is the best option; as it uses no low-value regime, the row names none.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from domain.logistics.lanes import LogisticsMethod, Parcel, lane_book, quotes
from domain.markets.reference import DutyTreatment, TaxCollection, validate_market
from domain.markets.rules import regime_for, rules_as_of
from domain.research.analysis import cheapest_lanes
from domain.research.landed import Costs, Incoterm, landed
from domain.shared.money import Money
from tests.catalog_setup import create_channel, create_listing, create_product
from tests.conftest import TODAY_FOR_TESTS, Seller

OPTION = """method carrier { code } service laneId transitDaysP10 transitDaysP50 transitDaysP90 customsMode
    scheme shipping { amount } duty { amount } tax { amount } landedCost { amount }
    consumerPaysOnDelivery { amount }"""

ANALYSIS = f"""query ($p: ID!, $m: [String!]!, $c: [ID!]!, $price: MoneyInput, $i: Incoterm) {{
  marketAnalysis(productId: $p, markets: $m, channelIds: $c, price: $price, incoterm: $i) {{
    rank market currency price {{ amount }} scheme unitCost {{ amount }} compliance missing problems
    product {{ sku }} channel {{ name }}
    best {{ method shipping {{ amount }} duty {{ amount }} tax {{ amount }} fees {{ amount }} landedCost {{ amount }}
           margin {{ amount }} marginRate consumerPaysOnDelivery {{ amount }} }}
    shippingOptions {{ {OPTION} }} }} }}"""

TEE = Parcel(180, 300, 250, 20)


def _eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def _ioss_costs(price: str = "19.99", incoterm: Incoterm = Incoterm.DDP) -> Costs:
    """The worked example's POSTAL figures: shipping 2.67 EUR on Cainiao Economy (module docstring)."""
    rules = rules_as_of(validate_market("DE"), TODAY_FOR_TESTS)
    regime = regime_for(rules, _eur(price), "CN")
    return Costs(
        price=_eur(price),
        unit_cost=_eur("2.37"),
        referral_rate=Decimal("0.15"),
        minimum_referral_fee=_eur("0"),
        per_order_fee=_eur("0"),
        shipping=_eur("2.67"),
        tax_rate=Decimal("0.19"),
        regime=regime,
        duty_rate=Decimal("0.12"),
        per_line_duty=_eur("3"),
        flat_deduction=None,
        incoterm=incoterm,
    )


def test_the_t_shirt_under_ioss_by_hand() -> None:
    """By post: landed 2.37 + 2.67 + 3.00 + 3.19 = 11.23, margin 19.99 - 3.00 - 11.23 = 5.76 = 28.81%."""
    costs = _ioss_costs()
    assert costs.regime is not None and (costs.regime.tax, costs.regime.duty) == (
        TaxCollection.AT_SALE,
        DutyTreatment.PER_TARIFF_LINE,
    )
    figures = landed(costs)
    assert (figures.tax, figures.duty, figures.fees) == (_eur("3.19"), _eur("3.00"), _eur("3.00"))
    assert (figures.landed_cost, figures.margin, figures.margin_rate) == (
        _eur("11.23"),
        _eur("5.76"),
        Decimal("0.2881"),
    )
    assert figures.consumer_pays_on_delivery == _eur("0")


def test_above_150_eur_under_dap_the_consumer_pays_at_the_door() -> None:
    """200 EUR: standard import. DAP: the consumer pays 12% duty (24.00) and 19% VAT on value and duty
    ((200 + 24) x 0.19 = 42.56), 66.56 in all; the seller's margin is 200 - 30 - 2.37 - 2.67 = 164.96."""
    figures = landed(_ioss_costs("200", Incoterm.DAP))
    assert (figures.tax, figures.duty) == (_eur("0"), _eur("0"))
    assert figures.consumer_pays_on_delivery == _eur("66.56")
    assert figures.margin == _eur("164.96")
    # DDP: the price covers goods, duty and VAT on both: VAT = 200 x 0.19 / 1.19 = 31.93; the remaining
    # 168.07 is goods plus 12% duty, so goods are 150.06 and duty 18.01; landed 2.37 + 2.67 + 18.01 + 31.93
    # = 54.98, margin 200 - 30 - 54.98 = 115.02.
    ddp = landed(_ioss_costs("200", Incoterm.DDP))
    assert (ddp.tax, ddp.duty, ddp.margin) == (_eur("31.93"), _eur("18.01"), _eur("115.02"))


def test_a_flat_rate_is_not_charged_on_itself() -> None:
    """Mexico, courier from China, 100 USD delivered duty paid: 33.5% on goods of 100 / 1.335 = 74.91."""
    rules = rules_as_of(validate_market("MX"), TODAY_FOR_TESTS)
    regime = regime_for(rules, Money.of("74.91", "USD"), "CN")

    def usd(amount: str) -> Money:
        return Money.of(amount, "USD")

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


def _yen(amount: str) -> Money:
    return Money.of(amount, "JPY")


def _jp_costs(price: str, incoterm: Incoterm, duty_rate: str | None = "0.10") -> Costs:
    """A T-shirt to Japan (facts s1, JP row: consumption tax 10%; customs value <= JPY 10,000 exempt;
    personal imports valued at 60% of the overseas retail price), in JPY, with a 10% duty rate put in for
    the test (the rules hold no JP rate). The regime is placed at 60% of the price."""
    rules = rules_as_of(validate_market("JP"), TODAY_FOR_TESTS)
    return Costs(
        price=_yen(price),
        unit_cost=_yen("389"),
        referral_rate=Decimal("0.10"),
        minimum_referral_fee=_yen("0"),
        per_order_fee=_yen("0"),
        shipping=_yen("585"),
        tax_rate=Decimal("0.10"),
        regime=regime_for(rules, _yen(price) * Decimal("0.6"), "CN"),
        duty_rate=None if duty_rate is None else Decimal(duty_rate),
        per_line_duty=None,
        flat_deduction=None,
        incoterm=incoterm,
        customs_value_factor=Decimal("0.6"),
    )


def test_japan_dap_the_consumer_pays_on_60_percent_of_the_price() -> None:
    """15,000 JPY: 15,000 x 0.6 = 9,000 <= 10,000, SMALL_AMOUNT_EXEMPTION: nothing at the door.
    20,000 JPY: 12,000 > 10,000, STANDARD_IMPORT: duty 12,000 x 0.10 = 1,200, tax (12,000 + 1,200) x 0.10
    = 1,320, 2,520 at the door (on the whole price it would be 2,000 + 2,200 = 4,200). The seller's margin
    is untouched: 20,000 - fees 2,000 - 389 - 585 = 17,026."""
    costs = _jp_costs("15000", Incoterm.DAP)
    assert costs.regime is not None and costs.regime.name == "SMALL_AMOUNT_EXEMPTION"
    exempt = landed(costs)
    assert exempt.consumer_pays_on_delivery == _yen("0")
    taxed = landed(_jp_costs("20000", Incoterm.DAP))
    assert (taxed.tax, taxed.duty, taxed.consumer_pays_on_delivery) == (_yen("0"), _yen("0"), _yen("2520"))
    assert taxed.margin == _yen("17026")
    whole = landed(replace(_jp_costs("20000", Incoterm.DAP), customs_value_factor=Decimal(1)))
    assert whole.consumer_pays_on_delivery == _yen("4200")


def test_japan_ddp_the_seller_pays_duty_and_tax_on_60_percent_of_the_goods() -> None:
    """20,000 JPY delivered duty paid covers goods g, duty 10% of 0.6 g and tax 10% of (0.6 g + duty):
      20,000 = g x (1 + 0.6 x 0.10 + 0.10 x 0.6 x 1.10) = g x 1.126  ->  g = 17,761.99 -> 17,762
      customs value 17,762 x 0.6 = 10,657.2 -> 10,657; duty 1,065.7 -> 1,066
      tax (10,657 + 1,066) x 0.10 = 1,172.3 -> 1,172;  17,762 + 1,066 + 1,172 = 20,000
    landed 389 + 585 + 1,066 + 1,172 = 3,212; margin 20,000 - 2,000 - 3,212 = 14,788. Without a duty
    rate: g = 20,000 / 1.06 = 18,868, tax 10% of 18,868 x 0.6 = 11,321 -> 1,132 (duty unknown, 0)."""
    figures = landed(_jp_costs("20000", Incoterm.DDP))
    assert (figures.duty, figures.tax, figures.landed_cost, figures.margin) == (
        _yen("1066"),
        _yen("1172"),
        _yen("3212"),
        _yen("14788"),
    )
    assert figures.consumer_pays_on_delivery == _yen("0")
    unknown = landed(_jp_costs("20000", Incoterm.DDP, duty_rate=None))
    assert (unknown.duty, unknown.tax, unknown.duty_rate_unknown) == (_yen("0"), _yen("1132"), True)


@given(
    price=st.integers(min_value=16_670, max_value=2_000_000), duty=st.sampled_from([None, "0", "0.05", "0.3"])
)
def test_japan_ddp_reconciles_to_the_price(price: int, duty: str | None) -> None:
    """For any DDP price placed over the exemption (16,670 x 0.6 = 10,002): the goods (price - duty - tax)
    valued at 60%, dutied and taxed as the engine would, give back the duty and tax research counted, to a
    yen or two of rounding."""
    costs = _jp_costs(str(price), Incoterm.DDP, duty)
    assert costs.regime is not None and costs.regime.name == "STANDARD_IMPORT"
    figures = landed(costs)
    goods = costs.price - figures.duty - figures.tax
    customs = goods * Decimal("0.6")
    duty_again = customs * (costs.duty_rate or Decimal(0))
    tax_again = (customs + duty_again) * Decimal("0.10")
    assert abs(duty_again.amount - figures.duty.amount) <= 1
    assert abs(tax_again.amount - figures.tax.amount) <= 2


def test_each_method_is_priced_on_its_cheapest_lane_from_the_origin() -> None:
    """The T-shirt from CN to DE: the four lanes of the module docstring, in the methods' order, in USD.
    To the US, sea freight has two lanes: the West Coast's 2.50 + 1.20 x 0.3 = 2.86 beats the East
    Coast's 2.70 + 1.30 x 0.3 = 3.09. A 3 kg unit is over the 2 kg of every postal lane and of AliExpress
    Standard, so by air it goes by YunExpress (3.0 kg is more than 1,500 / 6,000): 2.50 + 8.00 x 3.0 = 26.50,
    under Cainiao Premium's 3.00 + 8.50 x 3.0 = 28.50.
    Platform fulfilment starts in the market only, so it is never offered from the origin."""
    de = validate_market("DE")
    found = cheapest_lanes("CN", de, TEE, TODAY_FOR_TESTS)
    assert [(q.method, q.carrier.code, q.service, q.cost.amount, q.transit_p50_days) for q in found] == [
        (LogisticsMethod.POSTAL, "CAINIAO", "Cainiao Economy", Decimal("2.90"), 30),
        (LogisticsMethod.EXPRESS, "DHL_EXPRESS", "DHL Express Worldwide", Decimal("14.10"), 4),
        (LogisticsMethod.AIR_FREIGHT, "CAINIAO", "AliExpress Standard Shipping", Decimal("4.25"), 13),
        (
            LogisticsMethod.SEA_FREIGHT_TO_OVERSEAS_WAREHOUSE,
            "SEA_FORWARDER",
            "LCL sea freight to an EU warehouse",
            Decimal("3.19"),
            45,
        ),
    ]
    [sea] = [
        q
        for q in cheapest_lanes("CN", validate_market("US"), TEE, TODAY_FOR_TESTS)
        if q.method is LogisticsMethod.SEA_FREIGHT_TO_OVERSEAS_WAREHOUSE
    ]
    assert (sea.service, sea.cost.amount) == ("LCL sea freight to a US West Coast warehouse", Decimal("2.86"))
    heavy = cheapest_lanes("CN", de, Parcel(3000, 300, 250, 20), TODAY_FOR_TESTS)
    assert [q.method for q in heavy] == [
        LogisticsMethod.EXPRESS,
        LogisticsMethod.AIR_FREIGHT,
        LogisticsMethod.SEA_FREIGHT_TO_OVERSEAS_WAREHOUSE,
    ]
    assert (heavy[1].service, heavy[1].cost.amount) == ("YunExpress Global Direct Line", Decimal("26.50"))
    # Made in the market itself, or somewhere no lane starts: nothing to price.
    assert cheapest_lanes("US", validate_market("US"), TEE, TODAY_FOR_TESTS) == []
    assert cheapest_lanes("DE", validate_market("FR"), TEE, TODAY_FOR_TESTS) == []
    # Before the lanes' figures are meant to hold (2026-01-01), no lane is guessed.
    assert cheapest_lanes("CN", de, TEE, TODAY_FOR_TESTS.replace(year=2025)) == []


@given(
    market=st.sampled_from(sorted(lane_book().markets)),
    origin=st.sampled_from(["CN", "US", "DE"]),
    grams=st.integers(1, 80_000),
    side=st.integers(1, 1_500),
)
def test_the_lane_chosen_is_the_cheapest_of_its_method(
    market: str, origin: str, grams: int, side: int
) -> None:
    parcel = Parcel(grams, side, side, side)
    chosen = cheapest_lanes(origin, validate_market(market), parcel, TODAY_FOR_TESTS)
    methods = [q.method for q in chosen]
    assert methods == [m for m in LogisticsMethod if m in methods]  # one each, in the methods' order
    every = quotes(lane_book(), origin, market, [parcel], TODAY_FOR_TESTS)
    from_origin = [q for q in every if q.lane.origin != market]
    assert set(methods) == {q.method for q in from_origin}
    assert LogisticsMethod.PLATFORM_FULFILLED not in methods
    for quote in chosen:
        assert quote.lane.origin == origin != market
        assert quote.cost == min(
            (q.cost for q in from_origin if q.method is quote.method), key=lambda m: m.amount
        )


async def _rates(seller: Seller, csv: str = "2026-11-01,EUR,CNY,7.80\n2026-11-01,USD,EUR,0.92\n") -> None:
    written = (
        await seller.gql(
            "mutation ($c: String!) { exchangeRatesImport(input: {csv: $c}) { ratesWritten } }",
            {"c": "date,base,quote,rate\n" + csv},
        )
    )["exchangeRatesImport"]["ratesWritten"]
    assert written == csv.count("\n")


def _options(row: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {option["method"]: option for option in row["shippingOptions"]}


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
        "scheme": None,
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
        "method": "SEA_FREIGHT_TO_OVERSEAS_WAREHOUSE",
        "shipping": {"amount": "2.93"},
        "duty": {"amount": "1.80"},
        "tax": {"amount": "3.19"},
        "fees": {"amount": "3.00"},
        "landedCost": {"amount": "10.29"},
        "margin": {"amount": "6.70"},
        "marginRate": "0.3352",
        "consumerPaysOnDelivery": {"amount": "0.00"},
    }
    options = _options(row)
    assert list(options) == ["POSTAL", "EXPRESS", "AIR_FREIGHT", "SEA_FREIGHT_TO_OVERSEAS_WAREHOUSE"]
    # A lane's id is carrier/service/origin-destinations/valid_from/digest of its terms.
    lanes = {
        "POSTAL": "CAINIAO/cainiao-economy/CN-AU+CA+EU+GB+US/2026-01-01/",
        "EXPRESS": "DHL_EXPRESS/dhl-express-worldwide/CN-EU+GB/2026-01-01/",
        "AIR_FREIGHT": "CAINIAO/aliexpress-standard-shipping/CN-EU+GB/2026-01-01/",
        "SEA_FREIGHT_TO_OVERSEAS_WAREHOUSE": "SEA_FORWARDER/lcl-sea-freight-to-an-eu-warehouse/CN-EU/2026-01-01/",
    }
    for method, prefix in lanes.items():
        assert options[method].pop("laneId").startswith(prefix), method
    per_parcel = {"customsMode": "PER_PARCEL", "scheme": "IOSS", "duty": {"amount": "3.00"}}
    assert options == {
        "POSTAL": {
            "method": "POSTAL",
            "carrier": {"code": "CAINIAO"},
            "service": "Cainiao Economy",
            "transitDaysP10": 20,
            "transitDaysP50": 30,
            "transitDaysP90": 45,
            "shipping": {"amount": "2.67"},
            "tax": {"amount": "3.19"},
            "landedCost": {"amount": "11.23"},
            "consumerPaysOnDelivery": {"amount": "0.00"},
            **per_parcel,
        },
        "EXPRESS": {
            "method": "EXPRESS",
            "carrier": {"code": "DHL_EXPRESS"},
            "service": "DHL Express Worldwide",
            "transitDaysP10": 3,
            "transitDaysP50": 4,
            "transitDaysP90": 6,
            "shipping": {"amount": "12.97"},
            "tax": {"amount": "3.19"},
            "landedCost": {"amount": "21.53"},
            "consumerPaysOnDelivery": {"amount": "0.00"},
            **per_parcel,
        },
        "AIR_FREIGHT": {
            "method": "AIR_FREIGHT",
            "carrier": {"code": "CAINIAO"},
            "service": "AliExpress Standard Shipping",
            "transitDaysP10": 10,
            "transitDaysP50": 13,
            "transitDaysP90": 18,
            "shipping": {"amount": "3.91"},
            "tax": {"amount": "3.19"},
            "landedCost": {"amount": "12.47"},
            "consumerPaysOnDelivery": {"amount": "0.00"},
            **per_parcel,
        },
        "SEA_FREIGHT_TO_OVERSEAS_WAREHOUSE": {
            "method": "SEA_FREIGHT_TO_OVERSEAS_WAREHOUSE",
            "carrier": {"code": "SEA_FORWARDER"},
            "service": "LCL sea freight to an EU warehouse",
            "transitDaysP10": 37,
            "transitDaysP50": 45,
            "transitDaysP90": 54,
            "customsMode": "IN_BULK",
            "scheme": None,
            "shipping": {"amount": "2.93"},
            "duty": {"amount": "1.80"},
            "tax": {"amount": "3.19"},
            "landedCost": {"amount": "10.29"},
            "consumerPaysOnDelivery": {"amount": "0.00"},
        },
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
    await _rates(seller, "2026-11-01,EUR,CNY,7.80\n")
    # The lanes are priced in USD: without a USD/EUR rate no option has a cost (said once, not per method).
    no_usd = (
        await seller.gql(
            ANALYSIS, {"p": tee, "m": ["DE"], "c": [channel], "price": {"amount": "19.99", "currency": "EUR"}}
        )
    )["marketAnalysis"]
    assert (no_usd[0]["best"], no_usd[0]["shippingOptions"]) == (None, [])
    assert no_usd[0]["problems"] == ["no USD/EUR rate for the shipping"]
    await _rates(seller, "2026-11-01,USD,EUR,0.92\n")
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
    # Without EUR/GBP the parcel cannot be placed in a UK band: no option is shown, not even sea freight.
    assert rows[1]["problems"] == ["no EUR/GBP rate to place the value in a regime band"]
    assert (rows[1]["best"], rows[1]["shippingOptions"]) == (None, [])


async def test_without_a_lane_from_the_origin_there_is_nothing_to_price(seller: Seller) -> None:
    """A T-shirt made in the US: no lane starts there for GB (lanes.toml starts only in CN, or domestic
    lanes in the market itself), and in the US only domestic deliveries of stock already there run. A unit
    of 1,500 kg is over the 1,000 kg a parcel may weigh, so no lane can be quoted for it."""
    channel = await create_channel(seller, "USD", name="Own shop", country="US", platform="OWN_STORE")
    await _rates(seller, "2026-11-01,USD,CNY,7.15\n2026-11-01,USD,GBP,0.79\n")
    made_in_us = await create_product(seller, "TEE-US", originCountry="US")
    rows = (
        await seller.gql(
            ANALYSIS,
            {
                "p": made_in_us,
                "m": ["GB", "US"],
                "c": [channel],
                "price": {"amount": "19.99", "currency": "USD"},
            },
        )
    )["marketAnalysis"]
    assert {r["market"]: (r["best"], r["shippingOptions"], r["problems"]) for r in rows} == {
        "GB": (None, [], ["no carrier lane from US to GB in force on 2026-11-23"]),
        "US": (
            None,
            [],
            [
                "no carrier lane from US to US in force on 2026-11-23: the product's origin is the market itself"
            ],
        ),
    }
    crate = await create_product(seller, "CRATE", weightGrams=1_500_000)
    [row] = (
        await seller.gql(
            ANALYSIS,
            {"p": crate, "m": ["US"], "c": [channel], "price": {"amount": "19.99", "currency": "USD"}},
        )
    )["marketAnalysis"]
    assert (row["best"], row["shippingOptions"]) == (None, [])
    assert row["problems"] == [
        "one unit cannot be quoted as a parcel: Parcel 1: weightGrams must be a whole number of grams "
        "from 1 to 1,000,000."
    ]


async def test_each_method_falls_under_its_own_regime(seller: Seller) -> None:
    """Mexico, a T-shirt from CN at 20.00 USD DDP, net of 16% VAT 20.00 / 1.16 = 17.24 USD. By courier
    (EXPRESS, FedEx International Priority MX: 14.50 + 8.50 x 0.3 = 17.05, under DHL's 15.00 + 9.00 x 0.3
    = 17.70) it falls under COURIER_GLOBAL_RATE (courier only, up to USD 2,500). By post (China Post
    Registered Air Mail MX: 3.50 + 12.00 x 0.2 = 5.90) and air freight (YunExpress, CN to MX:
    2.50 + 8.00 x 0.3 = 4.90) no regime of the rules covers it, and no MX duty rate is known for 610910.
    No sea lane runs from CN to MX."""
    channel = await create_channel(seller, "USD", name="Amazon MX", country="MX")
    await _rates(seller, "2026-11-01,USD,CNY,7.15\n")
    product = await create_product(seller, "TEE-MX")
    [row] = (
        await seller.gql(
            ANALYSIS,
            {"p": product, "m": ["MX"], "c": [channel], "price": {"amount": "20.00", "currency": "USD"}},
        )
    )["marketAnalysis"]
    assert {
        m: (o["carrier"]["code"], o["service"], o["shipping"]["amount"], o["scheme"])
        for m, o in _options(row).items()
    } == {
        "POSTAL": ("CHINA_POST", "Registered Air Mail", "5.90", None),
        "EXPRESS": ("FEDEX", "FedEx International Priority", "17.05", "COURIER_GLOBAL_RATE"),
        "AIR_FREIGHT": ("YUNEXPRESS", "YunExpress Global Direct Line", "4.90", None),
    }
    assert row["problems"] == [
        "no import regime known for postal consignments of this value to MX: counted as a standard import",
        "no import regime known for air_freight consignments of this value to MX: counted as a standard import",
        "no duty rate known for HS 610910 in MX: duty counted as 0",
    ]


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
    """170.00 EUR with VAT is 142.86 without: IOSS. 178.50 is 150.00 exactly: still IOSS. 178.51 is not.
    Sea freight is imported in bulk, under no low-value regime, at every price."""
    await _rates(seller)
    channel = await create_channel(seller, "EUR", name="Amazon DE", country="DE")
    product = await create_product(seller, "TEE-BAND")
    schemes = []
    for price in ("170.00", "178.50", "178.51"):
        rows = await seller.gql(
            ANALYSIS,
            {"p": product, "m": ["DE"], "c": [channel], "price": {"amount": price, "currency": "EUR"}},
        )
        schemes.append({m: o["scheme"] for m, o in _options(rows["marketAnalysis"][0]).items()})
    by_post = ["IOSS", "IOSS", "STANDARD_IMPORT"]
    assert schemes == [
        {"POSTAL": s, "EXPRESS": s, "AIR_FREIGHT": s, "SEA_FREIGHT_TO_OVERSEAS_WAREHOUSE": None}
        for s in by_post
    ]
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
    # Still collected at sale, so the price carries VAT.
    assert _options(dap["marketAnalysis"][0])["POSTAL"]["scheme"] == "IOSS"
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
    await _rates(seller, "2026-11-01,USD,CNY,7.15\n")
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
    """Own shop, DE, 19.99 EUR, DAP. Without IOSS, by post (Cainiao Economy, 2.67 EUR) the consumer pays at
    the door the EUR 3 duty and 19% VAT on goods and duty: 3.00 + 22.99 x 0.19 = 7.37, and the seller's
    landed cost is 2.37 + 2.67 = 5.04, the lowest. With IOSS the seller collects 3.19 VAT at sale and pays
    the 3.00 duty. By sea the seller imports the goods itself whatever the incoterm: VAT 3.19 and duty
    1.80 (module docstring), nothing at the door, with or without IOSS."""
    await _rates(seller)
    shop = await create_channel(seller, "EUR", name="Own shop", country="DE", platform="OWN_STORE")
    product = await create_product(seller, "TEE-SHOP")
    query = """query ($p: ID!, $c: [ID!]!) { marketAnalysis(productId: $p, markets: ["DE"], channelIds: $c,
      price: {amount: "19.99", currency: "EUR"}, incoterm: DAP) { problems
      best { method tax { amount } duty { amount } consumerPaysOnDelivery { amount } }
      shippingOptions { method tax { amount } duty { amount } consumerPaysOnDelivery { amount } } } }"""
    by_sea = {
        "method": "SEA_FREIGHT_TO_OVERSEAS_WAREHOUSE",
        "tax": {"amount": "3.19"},
        "duty": {"amount": "1.80"},
        "consumerPaysOnDelivery": {"amount": "0.00"},
    }
    [without] = (await seller.gql(query, {"p": product, "c": [shop]}))["marketAnalysis"]
    assert without["problems"] == ["IOSS registration missing: IOSS tax counted as collected at the border"]
    assert without["best"] == {
        "method": "POSTAL",
        "tax": {"amount": "0.00"},
        "duty": {"amount": "0.00"},
        "consumerPaysOnDelivery": {"amount": "7.37"},
    }
    assert without["shippingOptions"][-1] == by_sea
    await seller.gql("""mutation { registrationAdd(input: {kind: IOSS, scope: "EU", number: "IM2760000001",
      issuer: "BZSt", validFrom: "2026-01-01"}) { userErrors { code } } }""")
    [registered] = (await seller.gql(query, {"p": product, "c": [shop]}))["marketAnalysis"]
    assert registered["problems"] == []
    assert registered["shippingOptions"][0] == {
        "method": "POSTAL",
        "tax": {"amount": "3.19"},
        "duty": {"amount": "3.00"},
        "consumerPaysOnDelivery": {"amount": "0.00"},
    }
    assert registered["shippingOptions"][-1] == registered["best"] == by_sea


async def test_japan_judges_the_band_at_60_percent_but_not_for_goods_imported_in_bulk(seller: Seller) -> None:
    """A T-shirt from CN on Rakuten JP, DAP (facts s1, JP row). Lanes CN to JP: China Post ePacket,
    DHL Express, YunExpress, LCL sea freight to a Japan warehouse. No JP duty rate for 610910 is known.
      15,000 JPY: 15,000 x 0.6 = 9,000 <= 10,000: every parcel SMALL_AMOUNT_EXEMPTION, nothing at the door
      20,000 JPY: 12,000 > 10,000: STANDARD_IMPORT, 10% of 12,000 = 1,200 at the door
    By sea the seller imports in bulk to sell, which is not personal use: tax on the whole price,
    15,000 x 0.10 / 1.10 = 1,363.6 -> 1,364 and 20,000 x 0.10 / 1.10 = 1,818.2 -> 1,818, no regime."""
    await _rates(seller, "2026-11-01,CNY,JPY,21\n2026-11-01,USD,JPY,150\n")
    channel = await create_channel(seller, "JPY", name="Rakuten JP", country="JP", platform="RAKUTEN")
    product = await create_product(seller, "TEE-JP")
    found = {}
    for price in ("15000", "20000"):
        [row] = (
            await seller.gql(
                ANALYSIS,
                {
                    "p": product,
                    "m": ["JP"],
                    "c": [channel],
                    "price": {"amount": price, "currency": "JPY"},
                    "i": "DAP",
                },
            )
        )["marketAnalysis"]
        found[price] = {
            m: (o["scheme"], o["tax"]["amount"], o["consumerPaysOnDelivery"]["amount"])
            for m, o in _options(row).items()
        }
    parcel = ("SMALL_AMOUNT_EXEMPTION", "0", "0")
    assert found["15000"] == {
        "POSTAL": parcel,
        "EXPRESS": parcel,
        "AIR_FREIGHT": parcel,
        "SEA_FREIGHT_TO_OVERSEAS_WAREHOUSE": (None, "1364", "0"),
    }
    parcel = ("STANDARD_IMPORT", "0", "1200")
    assert found["20000"] == {
        "POSTAL": parcel,
        "EXPRESS": parcel,
        "AIR_FREIGHT": parcel,
        "SEA_FREIGHT_TO_OVERSEAS_WAREHOUSE": (None, "1818", "0"),
    }
