"""Scenario files (simulator/scenarios): the shipped ones load and say what they test, the defaults hold the
figures their comments cite, the simulator's copy of the API's vocabulary matches the API, and a bad file is
refused with the file, line and field at fault. No database."""

from __future__ import annotations

import csv
import dataclasses
import re
import tomllib
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from domain.aftersales.model import BUILTIN_REASONS, ComplaintSource, TicketKind
from domain.catalog.model import Platform, ProductCategory
from domain.customs.model import HoldReason
from domain.logistics.lanes import LogisticsMethod
from domain.orders.model import PaymentMethod
from simulator import scenario as scenario_module
from simulator.scenario import (
    Scenario,
    ScenarioError,
    Spread,
    available_scenarios,
    load_scenario,
    with_orders,
)
from simulator.scenario_rules import (
    API_MARKETS,
    CARRIERS,
    CATEGORIES,
    COMPLAINT_SOURCES,
    HOLD_REASONS,
    LOGISTICS_METHODS,
    PAYMENT_METHODS,
    PLATFORMS,
    RETURN_REASONS,
    TICKET_KINDS,
)
from simulator.scenario_source import _line_index

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ["carrier-disruption", "eu-duty-change", "q4-peak", "smoke"]
EU = {"DE", "FR", "IT", "ES", "NL", "PL", "SE"}
API_CONFIRMATION_WINDOW_HOURS = 48  # domain/catalog/handlers.py, DEFAULT_CONFIRMATION_WINDOW_HOURS

# Only what a scenario must give; everything else comes from defaults.toml.
MINIMAL = """\
# A test season: two markets, two products.

start = 2026-09-07
demand_days = 14

[[markets]]
country = "US"
weight = 1

[[markets]]
country = "DE"
weight = 1

[[channels]]
platform = "AMAZON"
country = "US"
currency = "USD"

[[channels]]
platform = "AMAZON"
country = "DE"
currency = "EUR"

[[products]]
sku = "TEE-001"
title = "Cotton T-shirt"
category = "APPAREL"
hs_code = "6109.10"
unit_cost = "18.50"
weight_grams = 180
length_mm = 300
width_mm = 250
height_mm = 20
prices = { USD = "14.99", EUR = "13.99" }

[[products]]
sku = "EARBUDS-001"
title = "Wireless earbuds"
category = "ELECTRONICS"
hs_code = "8518.30"
unit_cost = "48.00"
weight_grams = 120
length_mm = 100
width_mm = 80
height_mm = 40
prices = { USD = "29.99", EUR = "27.99" }

[customs]
import_hold_rate = 0.01

[[transit]]
method = "POSTAL"
days = { p10 = 10, p90 = 21 }
"""


def _write(tmp_path: Path, text: str, name: str = "season.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _edit(old: str, new: str, count: int = 1) -> str:
    assert old in MINIMAL, old
    return MINIMAL.replace(old, new, count)


def _line(text: str, needle: str, occurrence: int = 0) -> int:
    """The 1-based line of the `occurrence`-th line of `text` that contains `needle`."""
    found = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return found[occurrence]


def _refused(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(str(path))
    return caught.value


# ---- the shipped scenarios ---------------------------------------------------------------------------------
def test_the_four_scenarios_are_shipped() -> None:
    assert available_scenarios() == SHIPPED


@pytest.mark.parametrize("name", SHIPPED)
def test_each_shipped_scenario_loads_and_says_what_it_tests(name: str) -> None:
    scenario = load_scenario(name)
    assert scenario.name == name
    assert len(scenario.description) > 80
    assert not any(line.startswith("#") for line in scenario.description.splitlines())
    # Loading by path gives the same scenario as loading by name.
    assert load_scenario(str(ROOT / "simulator" / "scenarios" / f"{name}.toml")) == scenario


def test_smoke_is_small_and_makes_rare_events_common() -> None:
    smoke, defaults = load_scenario("smoke"), load_scenario("eu-duty-change")
    assert 200 <= smoke.demand.orders <= 400 and smoke.demand_days == 14
    assert 2 <= len(smoke.markets) <= 3 and 2 <= len(smoke.channels) <= 3 and 3 <= len(smoke.products) <= 4
    # Above the realistic defaults (which eu-duty-change keeps), so that each happens a few times in 300.
    for part, rate in [
        ("customs", "import_hold_rate"),
        ("customs", "export_hold_rate"),
        ("customs", "inspection_rate"),
        ("customs", "dap_refusal_rate"),
        ("payments", "chargeback_rate"),
        ("aftersales", "complaint_rate"),
        ("aftersales", "ticket_rate"),
    ]:
        assert getattr(getattr(smoke, part), rate) > getattr(getattr(defaults, part), rate), rate
    assert smoke.customs.inspection_rate * smoke.demand.orders >= 10
    assert any(market.incoterm == "DAP" for market in smoke.markets)
    assert any(product.defect_rate > 0 for product in smoke.products)
    assert smoke.policy.fill_rate < 1
    assert smoke.demand.peaks
    assert [(d.method, d.carrier) for d in smoke.disruptions] == [("POSTAL", "CHINA_POST")]


def test_q4_peak_has_the_years_peaks_across_markets_and_channels() -> None:
    q4 = load_scenario("q4-peak")
    assert q4.start == date(2026, 10, 15)
    assert q4.start + timedelta(days=q4.demand_days - 1) == date(2026, 12, 31)
    assert q4.demand.orders == 5000
    peaks = {peak.day: peak for peak in q4.demand.peaks}
    assert (peaks[date(2026, 11, 11)].multiplier, peaks[date(2026, 11, 11)].platform) == (6, "ALIEXPRESS")
    assert peaks[date(2026, 11, 27)].multiplier == 4  # Black Friday
    assert peaks[date(2026, 11, 30)].multiplier == 4  # Cyber Monday
    run_up = next(peak for peak in q4.demand.peaks if "Christmas" in peak.name)
    # A triangle whose base covers 2026-12-05..12-18 and averages twice the base over it.
    assert run_up.day - timedelta(days=run_up.width_days) <= date(2026, 12, 5)
    assert run_up.day + timedelta(days=run_up.width_days) >= date(2026, 12, 18)
    assert 1 + (run_up.multiplier - 1) / 2 == 2
    assert {"US", "DE", "GB", "FR", "JP", "AU"} <= {market.country for market in q4.markets}
    storefronts = {(channel.platform, channel.country) for channel in q4.channels}
    assert {
        ("AMAZON", "US"),
        ("AMAZON", "DE"),
        ("AMAZON", "GB"),
        ("AMAZON", "JP"),
        ("EBAY", "US"),
    } <= storefronts
    assert {"ALIEXPRESS", "OWN_STORE"} <= {channel.platform for channel in q4.channels}
    assert len({product.category for product in q4.products}) >= 4


def test_eu_duty_change_crosses_the_first_of_july_with_several_tariff_lines() -> None:
    eu = load_scenario("eu-duty-change")
    assert (eu.start, eu.demand_days, eu.demand.orders) == (date(2026, 6, 1), 61, 2000)
    assert eu.start < date(2026, 7, 1) < eu.start + timedelta(days=eu.demand_days)
    countries = {market.country for market in eu.markets}
    assert {"DE", "FR", "IT", "ES", "NL"} <= countries and countries - EU  # a control market outside the EU
    assert sum(share for lines, share in eu.demand.lines.items() if lines > 1) >= 0.3
    assert len({product.hs_code for product in eu.products}) == len(eu.products) >= 3


def test_carrier_disruption_suspends_the_post_to_one_market_for_three_weeks() -> None:
    season = load_scenario("carrier-disruption")
    assert season.demand_days == 60 and season.demand.orders == 2000
    [stop] = season.disruptions
    assert (stop.kind, stop.method, stop.market, stop.carrier) == ("CARRIER_SUSPENSION", "POSTAL", "US", None)
    assert stop.end - stop.start == timedelta(days=21)
    assert season.start <= stop.start and stop.end <= season.start + timedelta(days=season.demand_days)
    assert season.policy.methods["POSTAL"] > 0.5


def test_the_slow_seller_shown_in_carrier_disruption_loads(tmp_path: Path) -> None:
    text = (ROOT / "simulator" / "scenarios" / "carrier-disruption.toml").read_text()
    slow = text.replace("# confirm_hours =", "confirm_hours =").replace(
        "# hold_response_hours =", "hold_response_hours ="
    )
    assert slow != text
    season = load_scenario(str(_write(tmp_path, slow)))
    assert season.policy.confirm_hours.p90 > API_CONFIRMATION_WINDOW_HOURS


def test_a_seller_far_slower_than_the_confirmation_window_is_expressible(tmp_path: Path) -> None:
    text = MINIMAL + "\n[policy]\nconfirm_hours = { p10 = 96, p90 = 400 }\nfill_rate = 0.5\n"
    season = load_scenario(str(_write(tmp_path, text)))
    assert season.policy.confirm_hours == Spread(96.0, 400.0)
    assert season.policy.confirm_hours.p10 > API_CONFIRMATION_WINDOW_HOURS


# ---- the defaults --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def defaults(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    """A scenario that gives only what it must: every other figure is the default."""
    return load_scenario(str(_write(tmp_path_factory.mktemp("defaults"), MINIMAL)))


def test_defaults_hold_the_reference_figures(defaults: Scenario) -> None:
    payments, customs, aftersales, fx = defaults.payments, defaults.customs, defaults.aftersales, defaults.fx
    assert 0.10 <= payments.decline_rate["CARD"] <= 0.30  # s5: cross-border card declines 10-30%
    assert 0.003 <= payments.chargeback_rate <= 0.009  # s5: chargebacks 0.3-0.9%
    assert customs.inspection_rate == pytest.approx(82e-6)  # s4: 82 checks per million
    assert customs.inspection_rate * customs.seizure_rate == pytest.approx(13e-6, rel=0.02)  # 13 per million
    assert customs.clearance_hours == Spread(24.0, 72.0)  # s4: 1-3 days
    transit = {t.method: t.days for t in defaults.transit if t.market is None}
    assert transit == {
        "POSTAL": Spread(10.0, 21.0),  # 7-15 business days
        "AIR_FREIGHT": Spread(5.0, 10.0),
        "EXPRESS": Spread(3.0, 7.0),  # 2-5 business days
    }
    for category, low, high in [
        ("APPAREL", 0.20, 0.30),
        ("FOOTWEAR", 0.25, 0.35),
        ("ELECTRONICS", 0.08, 0.12),
        ("HOME", 0.10, 0.15),
        ("BEAUTY", 0.05, 0.10),
    ]:
        assert low <= aftersales.return_rate[category] <= high, category
    assert set(aftersales.return_rate) == CATEGORIES
    for category in ("BAGS", "TOYS", "JEWELRY", "SPORTS", "OTHER"):
        assert aftersales.return_rate[category] == 0.169  # s5: US retail 2024
    reasons = aftersales.return_reasons
    total = sum(reasons.values())
    assert 0.30 <= reasons["SIZE_FIT"] / total <= 0.40
    assert 0.20 <= reasons["NOT_AS_DESCRIBED"] / total <= 0.30
    assert 0.10 <= reasons["DAMAGED_IN_TRANSIT"] / total <= 0.15
    assert 4 <= fx.tail_nu <= 6  # s7
    assert fx.daily_sigma["USD"] == 0.0025 and 0.0045 <= fx.daily_sigma["EUR"] <= 0.005
    assert fx.daily_sigma["GBP"] == 0.005 and fx.daily_sigma["JPY"] == 0.0065
    assert defaults.seller == scenario_module.Seller("Sandbox Seller", "CNY", "CN")
    assert fx.start_rates["USD"] == Decimal("7.10")


def test_defaults_describe_a_seller_that_keeps_up(defaults: Scenario) -> None:
    policy = defaults.policy
    assert policy.confirm_hours.p90 <= 24  # confirms within hours
    assert 24 <= policy.pack_hours.p90 + policy.ship_hours.p90 <= 48  # ships in 1-2 days
    assert policy.hold_response_hours.p90 <= 24  # answers holds within a day
    assert policy.ticket_response_hours.p90 <= 24  # within the API's first-response SLA
    assert policy.fill_rate == 1


def test_defaults_cover_every_market_and_payment_method_of_the_api(defaults: Scenario) -> None:
    assert set(defaults.payments.decline_rate) == PAYMENT_METHODS
    currencies = {"USD", "CAD", "GBP", "EUR", "PLN", "SEK", "AUD", "JPY", "SGD", "KRW", "BRL", "MXN"}
    assert set(defaults.demand.shipping_price) == currencies
    assert set(defaults.fx.start_rates) == set(defaults.fx.daily_sigma) == currencies
    assert set(defaults.policy.methods) == LOGISTICS_METHODS
    assert len(defaults.demand.weekday_factors) == 7


# ---- the simulator's copy of the API's vocabulary ----------------------------------------------------------
def test_the_vocabulary_matches_the_api() -> None:
    assert {p.value for p in Platform} == PLATFORMS
    assert {c.value for c in ProductCategory} == CATEGORIES
    assert {m.value for m in PaymentMethod} == PAYMENT_METHODS
    assert {r.value for r in HoldReason} == HOLD_REASONS
    assert {k.value for k in TicketKind} == TICKET_KINDS
    assert {s.value for s in ComplaintSource} - {"CHARGEBACK"} == COMPLAINT_SOURCES
    assert set(BUILTIN_REASONS) == RETURN_REASONS
    assert {m.value for m in LogisticsMethod} >= LOGISTICS_METHODS
    rules = tomllib.loads((ROOT / "domain" / "markets" / "data" / "rules.toml").read_text())
    assert [market["code"] for market in rules["market"]] == list(API_MARKETS)
    lanes = tomllib.loads((ROOT / "domain" / "logistics" / "data" / "lanes.toml").read_text())
    carriers = {c["code"]: frozenset(c["methods"]) & LOGISTICS_METHODS for c in lanes["carrier"]}
    assert {code: methods for code, methods in carriers.items() if methods} == CARRIERS


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_products_have_hs_codes_the_api_knows_with_duty_rates(name: str) -> None:
    with (ROOT / "domain" / "catalog" / "data" / "hs_subheadings.csv").open(encoding="utf-8") as f:
        subheadings = {row["hs6"] for row in csv.DictReader(f)}
    rules = tomllib.loads((ROOT / "domain" / "markets" / "data" / "rules.toml").read_text())
    duty_scopes: dict[str, set[str]] = {}
    for duty in rules["duty"]:
        duty_scopes.setdefault(duty["hs6"], set()).add(duty["scope"])
    season = load_scenario(name)
    # Markets whose duty the facts give by HS code; the others (JP, AU, CA...) exempt low-value parcels.
    scopes = {"EU" if m.country in EU else m.country for m in season.markets} & {"US", "EU", "GB"}
    for product in season.products:
        hs6 = product.hs_code.replace(".", "")
        assert hs6 in subheadings, product.sku
        assert scopes <= duty_scopes.get(hs6, set()), (product.sku, scopes - duty_scopes.get(hs6, set()))


# ---- finding scenarios ---------------------------------------------------------------------------------------
def test_an_unknown_scenario_names_the_known_ones() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario("foo")
    assert str(caught.value) == (
        "No scenario 'foo'. Known scenarios: carrier-disruption, eu-duty-change, q4-peak, smoke; "
        "or pass the path of a .toml file."
    )
    assert (caught.value.path, caught.value.line, caught.value.field) == (None, None, None)


def test_the_defaults_are_not_a_scenario() -> None:
    with pytest.raises(ScenarioError, match="No scenario 'defaults'"):
        load_scenario("defaults")


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.toml")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(missing)
    assert caught.value.path == missing and "no such file" in str(caught.value)


# ---- bad files -----------------------------------------------------------------------------------------------
TRANSIT_TAIL = '[[transit]]\nmethod = "POSTAL"\ndays = { p10 = 10, p90 = 21 }\n'

# (id, the bad text, the field at fault, the line's needle and occurrence, a part of the message)
BAD = [
    (
        "negative rate",
        _edit("import_hold_rate = 0.01", "import_hold_rate = -0.1"),
        "customs.import_hold_rate",
        ("import_hold_rate", 0),
        "a rate is a fraction from 0 to 1 (0.12 = 12%); got -0.1.",
    ),
    (
        "rate above one",
        _edit("[customs]\n", "[customs]\nseizure_rate = 16\n"),
        "customs.seizure_rate",
        ("seizure_rate", 0),
        "got 16.0",
    ),
    (
        "typo in a table",
        _edit("import_hold_rate = 0.01", "import_hold_rat = 0.01"),
        "customs.import_hold_rat",
        ("import_hold_rat", 0),
        "unknown field 'import_hold_rat'. Did you mean import_hold_rate?",
    ),
    (
        "typo in an array entry",
        _edit('sku = "EARBUDS-001"', 'sku = "EARBUDS-001"\ncolour = "red"'),
        "products[1].colour",
        ("colour", 0),
        "unknown field 'colour'",
    ),
    (
        "typo in a table name",
        _edit("[customs]", "[custom]"),
        "custom",
        ("[custom]", 0),
        "Did you mean customs?",
    ),
    (
        "a name in the file",
        _edit("start = ", 'name = "mine"\nstart = '),
        "name",
        ("name = ", 0),
        "a scenario's name is its file's name",
    ),
    (
        "missing field",
        _edit('hs_code = "8518.30"\n', ""),
        "products[1].hs_code",
        ("[[products]]", 1),
        "missing: hs_code is required here",
    ),
    (
        "missing markets",
        MINIMAL.replace('[[markets]]\ncountry = "US"\nweight = 1\n', "").replace(
            '[[markets]]\ncountry = "DE"\nweight = 1\n', ""
        ),
        "markets",
        None,
        "add [[markets]]",
    ),
    (
        "number as string",
        _edit("weight = 1", 'weight = "heavy"', 2).replace('weight = "heavy"', "weight = 1", 1),
        "markets[1].weight",
        ('weight = "heavy"', 0),
        "expected a number, got a string ('heavy').",
    ),
    (
        "string as number",
        _edit('platform = "AMAZON"', "platform = 3"),
        "channels[0].platform",
        ("platform = 3", 0),
        "expected a string (in quotes), got an integer (3).",
    ),
    (
        "whole number as float",
        _edit("weight_grams = 180", "weight_grams = 180.5"),
        "products[0].weight_grams",
        ("weight_grams = 180.5", 0),
        "expected a whole number, got a float (180.5).",
    ),
    (
        "date as string",
        _edit("start = 2026-09-07", 'start = "2026-09-07"'),
        "start",
        ("start = ", 0),
        "expected a date written bare",
    ),
    (
        "money as float",
        _edit('unit_cost = "18.50"', "unit_cost = 18.50"),
        "products[0].unit_cost",
        ("unit_cost = 18.50", 0),
        "a float is not exact",
    ),
    (
        "money with too many decimals",
        _edit('USD = "14.99"', 'USD = "14.999"'),
        "products[0].prices.USD",
        ('USD = "14.999"', 0),
        "USD has 2 decimal places; got 14.999.",
    ),
    (
        "a price missing in a channel currency",
        _edit('prices = { USD = "29.99", EUR = "27.99" }', 'prices = { USD = "29.99" }'),
        "products[1].prices",
        ('prices = { USD = "29.99" }', 0),
        "no price in EUR, the currency of channels[1] (AMAZON DE)",
    ),
    (
        "not a country",
        _edit('country = "DE"\nweight', 'country = "XX"\nweight'),
        "markets[1].country",
        ('country = "XX"', 0),
        "'XX' is not an ISO 3166-1 alpha-2 country code",
    ),
    (
        "a market the API has no rules for",
        _edit('country = "DE"\nweight', 'country = "NZ"\nweight'),
        "markets[1].country",
        ('country = "NZ"', 0),
        "the API has no tax rules for NZ",
    ),
    (
        "a market twice",
        _edit('country = "DE"\nweight', 'country = "US"\nweight'),
        "markets[1].country",
        ('country = "US"', 1),
        "US is listed twice (also markets[0])",
    ),
    (
        "not a currency",
        _edit('currency = "EUR"', 'currency = "EUX"'),
        "channels[1].currency",
        ('currency = "EUX"', 0),
        "'EUX' is not an ISO 4217 currency code",
    ),
    (
        "a currency without an exchange rate",
        _edit('currency = "EUR"', 'currency = "CHF"')
        .replace('EUR = "13.99"', 'CHF = "13.99"')
        .replace('EUR = "27.99"', 'CHF = "27.99"')
        + '\n[demand]\nshipping_price = { CHF = "4.90" }\n',
        "channels[1].currency",
        ('currency = "CHF"', 0),
        "CHF needs a starting rate: add [fx] start_rates",
    ),
    (
        "an unknown platform",
        _edit('platform = "AMAZON"', 'platform = "AMAZONE"'),
        "channels[0].platform",
        ('platform = "AMAZONE"', 0),
        "'AMAZONE' is not a platform of the API; use one of ALIEXPRESS,",
    ),
    (
        "an unknown category",
        _edit('category = "APPAREL"', 'category = "CLOTHES"'),
        "products[0].category",
        ('category = "CLOTHES"', 0),
        "is not a product category of the API",
    ),
    (
        "an HS code without its dot",
        _edit('hs_code = "6109.10"', 'hs_code = "610910"'),
        "products[0].hs_code",
        ('hs_code = "610910"', 0),
        "dddd.dd",
    ),
    (
        "a spread upside down",
        _edit("days = { p10 = 10, p90 = 21 }", "days = { p10 = 10, p90 = 2 }"),
        "transit[0].days.p90",
        ("days = {", 0),
        "p90, the 90th percentile, cannot be below p10 (10.0); got 2.0.",
    ),
    (
        "a spread from zero",
        _edit("days = { p10 = 10, p90 = 21 }", "days = { p10 = 0, p90 = 21 }"),
        "transit[0].days.p10",
        ("days = {", 0),
        "must be above 0; got 0.0.",
    ),
    (
        # The scenario's second [[transit]] lands fourth after the merge; the field names it as written.
        "a spread in the file's second transit entry",
        MINIMAL + '\n[[transit]]\nmethod = "EXPRESS"\nmarket = "US"\ndays = { p10 = 3, p90 = 1 }\n',
        "transit[1].days.p90",
        ("days = { p10 = 3", 0),
        "cannot be below p10",
    ),
    (
        "a transit entry twice",
        MINIMAL + "\n" + TRANSIT_TAIL,
        "transit[1]",
        ("[[transit]]", 1),
        "a second entry for POSTAL (any market)",
    ),
    (
        "a negative share",
        MINIMAL + "\n[payments]\nmethods = { CARD = 1, PAYPAL = -1 }\n",
        "payments.methods.PAYPAL",
        ("methods = ", 0),
        "a share cannot be negative; got -1.0.",
    ),
    (
        "shares that add up to nothing",
        MINIMAL + "\n[payments]\nmethods = { CARD = 0 }\n",
        "payments.methods",
        ("methods = ", 0),
        "the shares add up to 0",
    ),
    (
        "an unknown payment method",
        MINIMAL + "\n[payments]\nmethods = { CRAD = 1 }\n",
        "payments.methods.CRAD",
        ("methods = ", 0),
        "Did you mean CARD?",
    ),
    (
        "a logistics method the simulator does not ship with",
        MINIMAL + "\n[policy]\nmethods = { SEA_FREIGHT_TO_OVERSEAS_WAREHOUSE = 1 }\n",
        "policy.methods.SEA_FREIGHT_TO_OVERSEAS_WAREHOUSE",
        ("methods = ", 0),
        "use one of AIR_FREIGHT, EXPRESS, POSTAL",
    ),
    (
        "a carrier that does not carry the method",
        MINIMAL + '\n[policy]\ncarriers = { POSTAL = "DHL_EXPRESS" }\n',
        "policy.carriers.POSTAL",
        ("carriers = ", 0),
        "DHL_EXPRESS does not carry POSTAL parcels; it carries EXPRESS.",
    ),
    (
        "an unknown carrier",
        MINIMAL + '\n[policy]\ncarriers = { EXPRESS = "DHL_EXPRES" }\n',
        "policy.carriers.EXPRESS",
        ("carriers = ", 0),
        'is not a carrier of the API; use one of CAINIAO, CHINA_POST, DHL_EXPRESS, FEDEX, UPS, YUNEXPRESS. Did you mean DHL_EXPRESS? ("" lets',
    ),
    (
        "an unknown hold reason",
        MINIMAL.replace("import_hold_rate = 0.01", "hold_reasons = { PAPERWORK = 1 }"),
        "customs.hold_reasons.PAPERWORK",
        ("hold_reasons", 0),
        "is not a customs hold reason of the API",
    ),
    (
        "an unknown return reason",
        MINIMAL + "\n[aftersales]\nreturn_reasons = { TOO_BIG = 1 }\n",
        "aftersales.return_reasons.TOO_BIG",
        ("return_reasons", 0),
        "is not a return reason of the API",
    ),
    (
        "a chargeback in the complaint mix",
        MINIMAL + "\n[aftersales]\ncomplaint_sources = { CHARGEBACK = 1 }\n",
        "aftersales.complaint_sources.CHARGEBACK",
        ("complaint_sources", 0),
        "payments.chargeback_rate",
    ),
    (
        "an unknown ticket kind",
        MINIMAL + "\n[aftersales]\nticket_kinds = { REFUND = 1 }\n",
        "aftersales.ticket_kinds.REFUND",
        ("ticket_kinds", 0),
        "is not a ticket kind of the API",
    ),
    (
        "a rating of six stars",
        MINIMAL + "\n[aftersales]\nratings = { 5 = 1, 6 = 1 }\n",
        "aftersales.ratings.6",
        ("ratings", 0),
        "a key here is a whole number from 1 to 5; got 6.",
    ),
    (
        "a key that is not a number",
        MINIMAL + "\n[demand]\nlines = { one = 1 }\n",
        "demand.lines.one",
        ("lines = ", 0),
        "a key here is a whole number such as 1; got 'one'.",
    ),
    (
        "a return rate per category out of range",
        MINIMAL + "\n[aftersales]\nreturn_rate = { APPAREL = 1.5 }\n",
        "aftersales.return_rate.APPAREL",
        ("return_rate", 0),
        "a rate is a fraction from 0 to 1",
    ),
    (
        "six weekday factors",
        MINIMAL + "\n[demand]\nweekday_factors = [1, 1, 1, 1, 1, 1]\n",
        "demand.weekday_factors",
        ("weekday_factors", 0),
        "give 7 factors, Monday first; got 6.",
    ),
    (
        "a negative weekday factor",
        MINIMAL + "\n[demand]\nweekday_factors = [\n  1, 1, 1,\n  1, 1, -1, 1,\n]\n",
        "demand.weekday_factors[5]",
        ("weekday_factors", 0),
        "a factor cannot be negative; got -1.0.",
    ),
    (
        "no orders",
        MINIMAL + "\n[demand]\norders = 0\n",
        "demand.orders",
        ("orders = 0", 0),
        "must be at least 1; got 0.",
    ),
    (
        "no demand days",
        _edit("demand_days = 14", "demand_days = 0"),
        "demand_days",
        ("demand_days", 0),
        "must be at least 1; got 0.",
    ),
    (
        "negative drain days",
        _edit("demand_days = 14", "demand_days = 14\ndrain_days = -1"),
        "drain_days",
        ("drain_days", 0),
        "must be at least 0; got -1.",
    ),
    (
        "an incoterm the API does not use",
        _edit('country = "US"\nweight = 1', 'country = "US"\nweight = 1\nincoterm = "FOB"'),
        "markets[0].incoterm",
        ("incoterm", 0),
        "'FOB' is not an incoterm of the API; use one of DAP, DDP.",
    ),
    (
        "a peak outside the season",
        MINIMAL
        + '\n[[demand.peaks]]\nname = "Black Friday"\nday = 2026-11-27\nmultiplier = 4\nwidth_days = 2\n',
        "demand.peaks[0].day",
        ("day = 2026-11-27", 0),
        "2026-11-27 is outside the days orders arrive (2026-09-07 to 2026-09-20)",
    ),
    (
        "a peak on a platform not sold on",
        MINIMAL
        + '\n[[demand.peaks]]\nname = "11.11"\nday = 2026-09-11\nmultiplier = 6\nwidth_days = 2\nplatform = "ALIEXPRESS"\n',
        "demand.peaks[0].platform",
        ("ALIEXPRESS", 0),
        "no channel of the scenario is on ALIEXPRESS",
    ),
    (
        "a disruption that ends before it starts",
        MINIMAL
        + '\n[[disruptions]]\nkind = "CARRIER_SUSPENSION"\nmethod = "POSTAL"\nmarket = "US"\nstart = 2026-09-10\nend = 2026-09-10\n',
        "disruptions[0].end",
        ("end = ", 0),
        "a disruption ends after it starts (2026-09-10); got 2026-09-10.",
    ),
    (
        "a disruption to a market not sold in",
        MINIMAL
        + '\n[[disruptions]]\nkind = "CARRIER_SUSPENSION"\nmethod = "POSTAL"\nmarket = "GB"\nstart = 2026-09-10\nend = 2026-09-12\n',
        "disruptions[0].market",
        ('market = "GB"', 0),
        "GB is not a market of the scenario (US, DE).",
    ),
    (
        "an unknown disruption",
        MINIMAL
        + '\n[[disruptions]]\nkind = "STRIKE"\nmethod = "POSTAL"\nmarket = "US"\nstart = 2026-09-10\nend = 2026-09-12\n',
        "disruptions[0].kind",
        ('kind = "STRIKE"', 0),
        "'STRIKE' is not a disruption kind the simulator knows; use one of CARRIER_SUSPENSION.",
    ),
    (
        "a disruption as a table, not an array",
        MINIMAL + '\n[disruptions]\nkind = "CARRIER_SUSPENSION"\n',
        "disruptions",
        ("[disruptions]", 0),
        "expected an array, got a table (write each entry as [[disruptions]]).",
    ),
    (
        "a home currency without its own rates",
        MINIMAL + '\n[seller]\nhome_currency = "USD"\n',
        "seller.home_currency",
        ("home_currency", 0),
        "the default fx.start_rates are in CNY",
    ),
]


@pytest.mark.parametrize(
    ("text", "field", "where", "message"), [case[1:] for case in BAD], ids=[case[0] for case in BAD]
)
def test_a_bad_file_is_refused_at_its_line_and_field(
    tmp_path: Path, text: str, field: str, where: tuple[str, int] | None, message: str
) -> None:
    path = _write(tmp_path, text)
    error = _refused(path)
    line = None if where is None else _line(text, *where)
    assert (error.path, error.line, error.field) == (str(path), line, field)
    assert message in error.reason
    prefix = ", ".join(part for part in (str(path), None if line is None else f"line {line}", field) if part)
    assert str(error) == f"{prefix}: {error.reason}"


def test_the_line_and_column_of_a_toml_syntax_error(tmp_path: Path) -> None:
    text = _edit('currency = "EUR"', 'currency = "EUR')
    path = _write(tmp_path, text)
    error = _refused(path)
    assert (error.path, error.line, error.field) == (str(path), _line(text, 'currency = "EUR'), None)
    assert re.match(r"not valid TOML at column \d+: ", error.reason)


def test_a_file_without_a_header_comment_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, MINIMAL.split("\n", 2)[2])
    error = _refused(path)
    assert (error.path, error.line) == (str(path), 1)
    assert "must start with a comment block" in error.reason


def test_a_fault_in_the_defaults_is_reported_in_the_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = (ROOT / "simulator" / "scenarios" / "defaults.toml").read_text()
    broken = shipped.replace("tail_nu = 5", "tail_nu = 1.5")
    assert broken != shipped
    folder = tmp_path / "scenarios"
    folder.mkdir()
    defaults = _write(folder, broken, "defaults.toml")
    monkeypatch.setattr(scenario_module, "SCENARIO_DIR", folder)
    error = _refused(_write(tmp_path, MINIMAL))
    assert (error.path, error.line, error.field) == (
        str(defaults),
        _line(broken, "tail_nu = 1.5"),
        "fx.tail_nu",
    )


# ---- merging over the defaults -------------------------------------------------------------------------------
def test_a_table_of_shares_replaces_the_default_whole(tmp_path: Path) -> None:
    season = load_scenario(str(_write(tmp_path, MINIMAL + "\n[payments]\nmethods = { PAYPAL = 1 }\n")))
    assert season.payments.methods == {"PAYPAL": 1.0}
    assert season.payments.decline_rate["CARD"] == 0.15  # a table of figures by key keeps the other keys


def test_a_table_of_figures_overrides_the_default_key_by_key(tmp_path: Path) -> None:
    text = (
        MINIMAL + '\n[aftersales]\nreturn_rate = { APPAREL = 0.5 }\n\n[fx]\nstart_rates = { EUR = "8.00" }\n'
    )
    season = load_scenario(str(_write(tmp_path, text)))
    assert season.aftersales.return_rate["APPAREL"] == 0.5
    assert season.aftersales.return_rate["FOOTWEAR"] == 0.30
    assert season.fx.start_rates["EUR"] == Decimal("8.00") and season.fx.start_rates["USD"] == Decimal("7.10")


def test_a_transit_entry_replaces_the_default_for_its_method_and_market(tmp_path: Path) -> None:
    text = MINIMAL.replace("days = { p10 = 10, p90 = 21 }", "days = { p10 = 12, p90 = 30 }")
    text += '\n[[transit]]\nmethod = "EXPRESS"\nmarket = "US"\ndays = { p10 = 2, p90 = 5 }\n'
    season = load_scenario(str(_write(tmp_path, text)))
    lanes = {(t.method, t.market): t for t in season.transit}
    assert set(lanes) == {("POSTAL", None), ("AIR_FREIGHT", None), ("EXPRESS", None), ("EXPRESS", "US")}
    assert lanes["POSTAL", None].days == Spread(12.0, 30.0)
    assert lanes["POSTAL", None].loss_rate == 0.0  # the whole entry is the scenario's: no default loss rate
    assert lanes["EXPRESS", None].days == Spread(3.0, 7.0)  # the default, kept
    assert lanes["EXPRESS", "US"].days == Spread(2.0, 5.0)


def test_a_home_currency_with_its_own_rates_loads(tmp_path: Path) -> None:
    text = MINIMAL + '\n[seller]\nhome_currency = "USD"\n\n[fx]\nstart_rates = { EUR = "1.17" }\n'
    text = text.replace('unit_cost = "18.50"', 'unit_cost = "2.60"')
    season = load_scenario(str(_write(tmp_path, text)))
    assert season.seller.home_currency == "USD" and season.fx.start_rates["EUR"] == Decimal("1.17")


# ---- the line index ------------------------------------------------------------------------------------------
def test_the_line_of_each_field_is_found() -> None:
    text = """\
# header
top = 1

[policy]
confirm_hours = { p10 = 1, p90 = 2 }  # inline: the key's line
fill.rate = 0.5
note = \"\"\"
fake = 1
\"\"\"

[[products]]
sku = "A"
factors = [
  1, 2,
  [3],
]
after = 2

[products.prices]
USD = "1.00"

[[products]]
sku = "B"

["quoted key"]
x = 1
"""
    index = _line_index(text)
    assert index["top"] == 2
    assert index["policy"] == 4
    assert index["policy.confirm_hours"] == 5
    assert "policy.confirm_hours.p10" not in index  # a lookup falls back to the key's line
    assert index["policy.fill"] == index["policy.fill.rate"] == 6
    assert index["policy.note"] == 7 and "policy.fake" not in index and "fake" not in index
    assert index["products"] == index["products[0]"] == 11
    assert index["products[0].sku"] == 12
    assert index["products[0].factors"] == 13 and "3" not in index
    assert index["products[0].after"] == 17
    assert index["products[0].prices"] == 19 and index["products[0].prices.USD"] == 20
    assert index["products[1]"] == 22 and index["products[1].sku"] == 23
    assert index["quoted key.x"] == 26


# ---- --orders --------------------------------------------------------------------------------------------------
def test_with_orders_changes_only_the_number_of_orders() -> None:
    smoke = load_scenario("smoke")
    bigger = with_orders(smoke, 1234)
    assert bigger.demand.orders == 1234 and smoke.demand.orders == 300
    pairs: list[tuple[str, Any, Any]] = [("", smoke, bigger), ("demand.", smoke.demand, bigger.demand)]
    changed = [
        f"{part}{spec.name}"
        for part, before, after in pairs
        for spec in dataclasses.fields(before)
        if getattr(before, spec.name) != getattr(after, spec.name)
    ]
    assert changed == ["demand", "demand.orders"]


@pytest.mark.parametrize("orders", [0, -5, True])
def test_with_orders_refuses_fewer_than_one(orders: int) -> None:
    with pytest.raises(ScenarioError) as caught:
        with_orders(load_scenario("smoke"), orders)
    assert caught.value.field == "demand.orders" and "at least 1" in str(caught.value)
