"""What a season is: the scenario a TOML file describes (`simulator/scenarios/*.toml`).

A scenario file holds only what differs from `simulator/scenarios/defaults.toml`, whose figures come from
../shared/reference-facts.md with their section named beside them. `load_scenario` merges the two and checks
every field; a field that is wrong is reported with its file, line and dotted name (`ScenarioError`).

Units: rates and shares are fractions (0.12 = 12%) per order or per unit as named; durations are hours or
days as the field's name says; a `Spread` is a lognormal distribution given by its 10th and 90th
percentiles (reference-facts section 4 suggests exactly this for transit times).

Reading the TOML, finding the line of each field and merging over the defaults live in
`simulator/scenario_source.py`; the API's vocabulary and the checks of single values in
`simulator/scenario_rules.py`.

Merging: a table of the file overrides the defaults key by key, except a table of shares (a payment mix, the
hold reasons, the ratings...: `DISTRIBUTIONS`), which replaces the default's whole, so that a scenario never
inherits a share it did not mean; arrays replace the default's whole, except `[[transit]]`, whose entries
replace the default's entry for the same method and market and keep the others.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any, NoReturn

from simulator.scenario_rules import CARRIERS, CHECKS, Problem, each, fits_currency, rate, suggest
from simulator.scenario_source import (
    Document,
    Location,
    ScenarioError,
    join,
    merge,
    parent,
    pattern,
    read_document,
)

__all__ = [
    "AfterSales",
    "Channel",
    "Customs",
    "Demand",
    "Disruption",
    "Fx",
    "Market",
    "Payments",
    "Peak",
    "Policy",
    "Product",
    "Scenario",
    "ScenarioError",
    "Seller",
    "Spread",
    "Transit",
    "available_scenarios",
    "load_scenario",
    "with_orders",
]


@dataclass(frozen=True, slots=True)
class Spread:
    """A positive duration drawn from a lognormal whose 10th and 90th percentiles are `p10` and `p90`."""

    p10: float
    p90: float


@dataclass(frozen=True, slots=True)
class Peak:
    """A bump in demand: `multiplier` times the base rate on `day`, falling off over `width_days` either side
    (a triangle), e.g. 11.11, Black Friday, Christmas."""

    name: str
    day: date
    multiplier: float
    width_days: float
    platform: str | None = None  # the peak's extra orders come through this platform's channels (11.11 is
    # AliExpress's day), whatever market they go to; None: spread like the rest of the demand


@dataclass(frozen=True, slots=True)
class Market:
    """A destination country the seller sells into, and its share of demand."""

    country: str  # ISO 3166-1 alpha-2
    weight: float  # share of orders (normalised over all markets)
    incoterm: str | None = None  # DDP or DAP; None lets the API choose by the market's scheme


@dataclass(frozen=True, slots=True)
class Channel:
    """A storefront: platform, marketplace country and currency. Orders to a market come through the channel
    of that country, else through the first channel listed (cross-border from a global storefront)."""

    platform: str  # Platform enum of the API, e.g. AMAZON
    country: str
    currency: str  # ISO 4217
    weight: float = 1.0  # share among the channels serving the same market


@dataclass(frozen=True, slots=True)
class Product:
    sku: str
    title: str
    category: str  # ProductCategory enum of the API
    hs_code: str  # e.g. "6109.10"
    unit_cost: Decimal  # in the seller's home currency
    weight_grams: int
    length_mm: int
    width_mm: int
    height_mm: int
    prices: dict[str, Decimal]  # list price per channel currency, e.g. {"EUR": Decimal("19.99")}
    weight: float = 1.0  # share of demand among products
    stock: int = 10_000  # units received (and inspected) before the season starts
    defect_rate: float = 0.0  # share of units found defective at inspection of the opening lot


@dataclass(frozen=True, slots=True)
class Demand:
    """Non-homogeneous Poisson arrivals: base rate x weekday factor x peaks, scaled so the season expects
    `orders` orders (the CLI's --orders overrides it)."""

    orders: int
    weekday_factors: tuple[float, ...]  # Monday first, 7 values
    peaks: tuple[Peak, ...]
    quantity: dict[int, float]  # units per order line -> share
    lines: dict[int, float]  # lines per order -> share
    shipping_price: dict[str, Decimal]  # what the consumer pays for shipping, per currency


@dataclass(frozen=True, slots=True)
class Payments:
    methods: dict[str, float]  # PaymentMethod -> share
    decline_rate: dict[str, float]  # PaymentMethod -> share of authorisations declined
    retry_rate: float  # share of declined consumers who try again (with another method)
    chargeback_rate: float  # share of delivered orders charged back
    capture_delay_hours: Spread


@dataclass(frozen=True, slots=True)
class Policy:
    """The seller's autopilot: how fast it does each thing. A slow seller is these made long."""

    confirm_hours: Spread  # paid -> confirmed (an order not confirmed in time is cancelled by the API)
    pack_hours: Spread  # confirmed -> packed
    ship_hours: Spread  # packed -> label made (shipmentCreate)
    hold_response_hours: Spread  # customs hold -> the seller's answer
    ticket_response_hours: Spread  # consumer message -> the seller's reply
    complaint_response_hours: Spread
    return_decision_hours: Spread  # return requested -> approved or declined
    inspection_hours: Spread  # return received -> inspected
    methods: dict[str, float]  # LogisticsMethod -> share of shipments
    carriers: dict[str, str]  # LogisticsMethod -> preferred carrier code ("" = the API's cheapest)
    return_decline_rate: float  # share of return requests the seller declines
    returnless_below: Decimal  # refund without asking the parcel back when the order total is below this
    fill_rate: float = 1.0  # share of orders the seller confirms at all (the rest miss the window)


@dataclass(frozen=True, slots=True)
class Transit:
    """Carrier transit from pickup to delivery for one method, optionally one market. The most specific entry
    wins (method + market over method alone)."""

    method: str
    days: Spread
    market: str | None = None
    loss_rate: float = 0.0
    delay_rate: float = 0.0  # share of parcels delayed by `delay_days` extra
    delay_days: Spread = field(default_factory=lambda: Spread(2.0, 7.0))
    delivery_failure_rate: float = 0.0  # a first delivery attempt fails, delivered next day


@dataclass(frozen=True, slots=True)
class Customs:
    export_hold_rate: float
    import_hold_rate: float
    hold_reasons: dict[str, float]  # HoldReason -> share
    inspection_rate: float  # share of import declarations physically inspected
    seizure_rate: float  # share of inspected parcels seized
    clearance_hours: Spread  # lodged -> decided, at each border
    dap_refusal_rate: float  # share of DAP parcels whose consumer refuses to pay -> returned to sender


@dataclass(frozen=True, slots=True)
class AfterSales:
    return_rate: dict[str, float]  # ProductCategory -> share of delivered orders with a return request
    return_reasons: dict[str, float]  # reason code -> share
    return_days: Spread  # delivery -> return requested
    return_transit_days: Spread
    exchange_share: float  # share of SIZE_FIT returns resolved as an exchange
    restock_share: float  # share of returned units fit to sell again (the rest are disposed)
    complaint_rate: float  # share of delivered orders with a complaint
    complaint_sources: dict[str, float]  # ComplaintSource (DIRECT, PLATFORM_CLAIM) -> share
    ticket_rate: float  # share of delivered orders with a service ticket
    ticket_kinds: dict[str, float]  # TicketKind -> share
    feedback_rate: float  # share of delivered orders rated
    ratings: dict[int, float]  # 1..5 stars -> share, for an order that went well
    late_after_days: float  # delivered later than this after placing counts as late: ratings shift down


@dataclass(frozen=True, slots=True)
class Fx:
    """Currency market: daily log-returns with Student-t shocks (fat tails), one rate a day per currency."""

    daily_sigma: dict[str, float]  # currency -> daily standard deviation of log-returns vs the home currency
    tail_nu: float  # degrees of freedom of the t shocks (4-6 per reference-facts section 7)
    start_rates: dict[str, Decimal]  # 1 unit of currency = rate units of the home currency


@dataclass(frozen=True, slots=True)
class Disruption:
    """Something that happens to the world for a while: a carrier or the post suspends a market."""

    kind: str  # CARRIER_SUSPENSION
    method: str  # the logistics method hit
    market: str
    start: date
    end: date
    carrier: str | None = None  # None: every carrier of the method


@dataclass(frozen=True, slots=True)
class Seller:
    name: str
    home_currency: str
    origin: str  # country the goods leave from


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    description: str  # the header of the file: what the season tests
    start: date
    demand_days: int  # days orders arrive
    drain_days: int  # at most this many days more for the last orders to end
    seller: Seller
    markets: tuple[Market, ...]
    channels: tuple[Channel, ...]
    products: tuple[Product, ...]
    demand: Demand
    payments: Payments
    policy: Policy
    transit: tuple[Transit, ...]
    customs: Customs
    aftersales: AfterSales
    fx: Fx
    disruptions: tuple[Disruption, ...] = ()


SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"
DEFAULTS_STEM = "defaults"


# ---- the entry points --------------------------------------------------------------------------------------
def load_scenario(name_or_path: str) -> Scenario:
    """The scenario a shipped name (`smoke`) or a .toml path names, merged over the defaults and checked;
    raises ScenarioError saying what to fix and where."""
    path = _find(name_or_path)
    document = read_document(path)
    if not document.description:
        raise ScenarioError(
            "the file must start with a comment block (# ...) saying what the season tests: it is the "
            "scenario's description.",
            path=document.file,
            line=1,
        )
    defaults = read_document(SCENARIO_DIR / f"{DEFAULTS_STEM}.toml")
    data, where = merge(defaults, document)
    return _Builder(where, document.file, defaults).scenario(data, path.stem, document.description)


def with_orders(scenario: Scenario, orders: int) -> Scenario:
    """The same season scaled to expect `orders` orders (the CLI's --orders)."""
    if isinstance(orders, bool) or not isinstance(orders, int) or orders < 1:
        raise ScenarioError(
            f"a season needs a whole number of orders, at least 1; got {orders!r}.", field="demand.orders"
        )
    return dataclasses.replace(scenario, demand=dataclasses.replace(scenario.demand, orders=orders))


def available_scenarios() -> list[str]:
    """The scenarios shipped in simulator/scenarios, by name (the file's stem)."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml") if p.stem != DEFAULTS_STEM)


def _find(name_or_path: str) -> Path:
    candidate = Path(name_or_path)
    if name_or_path.endswith(".toml") or len(candidate.parts) > 1:
        if not candidate.is_file():
            raise ScenarioError(
                "no such file. Pass the path of a scenario's .toml file, or the name of a shipped scenario: "
                + ", ".join(available_scenarios())
                + ".",
                path=name_or_path,
            )
        return candidate
    known = available_scenarios()
    if name_or_path not in known:
        raise ScenarioError(
            f"No scenario '{name_or_path}'. Known scenarios: {', '.join(known)}; "
            "or pass the path of a .toml file."
        )
    return SCENARIO_DIR / f"{name_or_path}.toml"


# ---- building the dataclasses ------------------------------------------------------------------------------
_MISSING_HINTS: Mapping[str, str] = {
    "markets": 'missing: a scenario names the markets it sells into; add [[markets]] with country = "US" and '
    "weight = 1.",
    "channels": "missing: a scenario names its storefronts; add [[channels]] with platform, country and "
    "currency.",
    "products": "missing: a scenario names what it sells; add [[products]] with sku, title, category, "
    "hs_code, unit_cost, weight_grams, length_mm, width_mm, height_mm and prices.",
}
_NOT_IN_FILE = (
    "a scenario's name is its file's name, and its description the comment block at the top of the file; "
    "remove this key."
)


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _kind(raw: Any) -> str:
    """The TOML type of a parsed value, as a reader would name it."""
    shown = raw if not isinstance(raw, str) or len(raw) <= 40 else raw[:37] + "..."
    kinds: tuple[tuple[type | tuple[type, ...], str], ...] = (
        (bool, "a boolean"),
        (int, f"an integer ({shown})"),
        (float, f"a float ({shown})"),
        (str, f"a string ({shown!r})"),
        (datetime, "a date-time"),
        (date, "a date"),
        (time, "a time"),
        (dict, "a table"),
        (list, "an array"),
    )
    return next((name for kind, name in kinds if isinstance(raw, kind)), type(raw).__name__)


class _Builder:
    """Turns the merged tables into the dataclasses, checking each value where it is read, so that a fault
    is reported at its own path and line."""

    def __init__(self, where: Mapping[str, Location], file: str, defaults: Document) -> None:
        self.where = where
        self.file = file
        self.defaults = defaults

    def fail(self, path: str, message: str) -> NoReturn:
        file, line, field = self.locate(path)
        raise ScenarioError(message, path=file, line=line, field=field or None)

    def locate(self, path: str) -> Location:
        """Where the node at `path` of the merged scenario is written, else its nearest written ancestor."""
        probe = path
        while probe:
            if probe in self.where:
                found = self.where[probe]
                return Location(found.file, found.line, found.path + path[len(probe) :])
            probe = parent(probe)
        return Location(self.file, None, path)

    def scenario(self, data: Mapping[str, Any], name: str, description: str) -> Scenario:
        built: Scenario = self.build(Scenario, data, "", given={"name": name, "description": description})
        self.cross_check(built)
        return built

    def build(self, cls: type, raw: Any, path: str, given: Mapping[str, Any] | None = None) -> Any:
        given = given or {}
        if not isinstance(raw, dict):
            self.fail(path, f"expected a table, got {_kind(raw)}.")
        fields = {f.name: f for f in dataclasses.fields(cls)}
        for key in raw:
            if key in given:
                self.fail(join(path, key), _NOT_IN_FILE)
            if key not in fields:
                known = ", ".join(name for name in fields if name not in given)
                self.fail(
                    join(path, key), f"unknown field {key!r}.{suggest(key, fields)} Known here: {known}."
                )
        values = dict(given)
        for name, spec in fields.items():
            if name in given:
                continue
            sub = join(path, name)
            if name not in raw:
                if spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING:
                    self.fail(sub, _MISSING_HINTS.get(sub, f"missing: {name} is required here; add it."))
                continue
            values[name] = self.value(_hints(cls)[name], raw[name], sub)
            self.check(sub, name, values[name])
        return cls(**values)

    def check(self, path: str, name: str, value: Any) -> None:
        checks = list(CHECKS.get(pattern(path), ()))
        if name.endswith(("_rate", "_share")):
            checks.append(each(rate) if isinstance(value, dict) else rate)
        for check in checks:
            try:
                check(value)
            except Problem as problem:
                self.fail(path + problem.at, problem.message)

    def value(self, tp: Any, raw: Any, path: str) -> Any:
        origin, args = typing.get_origin(tp), typing.get_args(tp)
        if origin in (typing.Union, types.UnionType):
            return self.value(next(a for a in args if a is not type(None)), raw, path)
        if dataclasses.is_dataclass(tp):
            built = self.build(typing.cast(type, tp), raw, path)
            if isinstance(built, Spread):
                self.spread(built, path)
            return built
        if origin is tuple:
            if not isinstance(raw, list):
                hint = f" (write each entry as [[{pattern(path)}]])" if isinstance(raw, dict) else ""
                self.fail(path, f"expected an array, got {_kind(raw)}{hint}.")
            return tuple(self.value(args[0], item, f"{path}[{i}]") for i, item in enumerate(raw))
        if origin is dict:
            if not isinstance(raw, dict):
                self.fail(path, f"expected a table such as {{ KEY = value }}, got {_kind(raw)}.")
            return {self.key(args[0], k, path): self.value(args[1], v, join(path, k)) for k, v in raw.items()}
        return self.scalar(tp, raw, path)

    def scalar(self, tp: Any, raw: Any, path: str) -> Any:
        if tp is float:
            if isinstance(raw, bool) or not isinstance(raw, int | float):
                self.fail(path, f"expected a number, got {_kind(raw)}.")
            if raw != raw or raw in (float("inf"), float("-inf")):
                self.fail(path, f"expected a finite number, got {raw}.")
            return float(raw)
        if tp is int:
            if isinstance(raw, bool) or not isinstance(raw, int):
                self.fail(path, f"expected a whole number, got {_kind(raw)}.")
            return raw
        if tp is str:
            if not isinstance(raw, str):
                self.fail(path, f"expected a string (in quotes), got {_kind(raw)}.")
            return raw
        if tp is date:
            if isinstance(raw, datetime) or not isinstance(raw, date):
                self.fail(path, f"expected a date written bare, such as 2026-11-27, got {_kind(raw)}.")
            return raw
        if tp is Decimal:
            return self.amount(raw, path)
        raise TypeError(f"{path}: no reader for {tp!r}")  # a field type this loader was not taught

    def key(self, tp: Any, raw: str, path: str) -> Any:
        if tp is int:
            if not (raw.isascii() and raw.isdigit()):
                self.fail(join(path, raw), f"a key here is a whole number such as 1; got {raw!r}.")
            return int(raw)
        return raw

    def amount(self, raw: Any, path: str) -> Decimal:
        """Money and exchange rates are exact: written as a string or an integer, never a float."""
        if isinstance(raw, float):
            self.fail(path, f'write the amount as a string ("{raw}") or an integer: a float is not exact.')
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            self.fail(path, f'expected an amount such as "19.99", got {_kind(raw)}.')
        try:
            amount = Decimal(raw)
        except InvalidOperation:
            self.fail(path, f'{raw!r} is not an amount; write it like "19.99".')
        if not amount.is_finite():
            self.fail(path, f"expected a finite amount, got {raw!r}.")
        return amount

    def spread(self, spread: Spread, path: str) -> None:
        if not spread.p10 > 0:
            self.fail(
                f"{path}.p10", f"p10, the 10th percentile of a duration, must be above 0; got {spread.p10}."
            )
        if spread.p90 < spread.p10:
            self.fail(
                f"{path}.p90",
                f"p90, the 90th percentile, cannot be below p10 ({spread.p10}); got {spread.p90}.",
            )

    # -- checks across fields ----------------------------------------------------------------------------
    def cross_check(self, s: Scenario) -> None:
        """What one part of the scenario needs from another."""
        for name in ("markets", "channels", "products"):
            if not getattr(s, name):
                self.fail(name, _MISSING_HINTS[name].replace("missing: ", "empty: "))
        self.unique("markets", [m.country for m in s.markets], "country")
        self.unique("products", [p.sku for p in s.products], "sku")
        for name in ("markets", "products"):
            if not sum(entry.weight for entry in getattr(s, name)) > 0:
                self.fail(name, "every entry has weight 0: give at least one a positive weight.")
        self.money(s)
        self.shipping(s)
        for method, share in s.payments.methods.items():
            if share > 0 and method not in s.payments.decline_rate:
                self.fail("payments.decline_rate", f"no decline rate for {method}; add {method} = 0.1 (10%).")
        for i, product in enumerate(s.products):
            if product.category not in s.aftersales.return_rate:
                self.fail(
                    f"products[{i}].category",
                    f"aftersales.return_rate has no rate for {product.category}; "
                    f"add {product.category} = 0.1.",
                )
        self.calendar(s)

    def unique(self, table: str, keys: list[str], name: str) -> None:
        first: dict[str, int] = {}
        for i, key in enumerate(keys):
            if key in first:
                self.fail(
                    f"{table}[{i}].{name}", f"{key} is listed twice (also {table}[{first[key]}]); keep one."
                )
            first[key] = i

    def money(self, s: Scenario) -> None:
        """Prices in every currency sold in; the home currency's amounts in its minor units; a rate and a
        volatility for every foreign currency."""
        home = s.seller.home_currency
        currencies: dict[str, int] = {}
        for i, channel in enumerate(s.channels):
            currencies.setdefault(channel.currency, i)
        for i, product in enumerate(s.products):
            for currency, j in currencies.items():
                if currency not in product.prices:
                    self.fail(
                        f"products[{i}].prices",
                        f"no price in {currency}, the currency of channels[{j}] ({s.channels[j].platform} "
                        f'{s.channels[j].country}); add {currency} = "...".',
                    )
            self.in_home(f"products[{i}].unit_cost", product.unit_cost, home)
        self.in_home("policy.returnless_below", s.policy.returnless_below, home)
        defaults_home = self.defaults.data.get("seller", {}).get("home_currency")
        for currency, j in currencies.items():
            if currency == home:
                continue
            at = f"channels[{j}].currency"
            if currency not in s.fx.start_rates:
                self.fail(
                    at,
                    f'{currency} needs a starting rate: add [fx] start_rates = {{ {currency} = "..." }} (how '
                    f"many {home} one {currency} buys).",
                )
            if currency not in s.fx.daily_sigma:
                self.fail(
                    at,
                    f"{currency} needs a volatility: add [fx] daily_sigma = {{ {currency} = 0.005 }} "
                    "(0.5% a day).",
                )
            if home != defaults_home and self.locate(f"fx.start_rates.{currency}").file == self.defaults.file:
                self.fail(
                    "seller.home_currency",
                    f"the default fx.start_rates are in {defaults_home}; a seller whose home currency is "
                    f"{home} gives its own [fx] start_rates, in {home}, for {currency}.",
                )

    def in_home(self, path: str, amount: Decimal, home: str) -> None:
        try:
            fits_currency(amount, home)
        except Problem as problem:
            self.fail(path, f"amounts here are in the seller's home currency: {problem.message}")

    def shipping(self, s: Scenario) -> None:
        """A transit time for every method and market shipped to; carriers that carry their method."""
        for i, channel in enumerate(s.channels):
            if channel.currency not in s.demand.shipping_price:
                self.fail(
                    f"channels[{i}].currency",
                    f"{channel.currency} needs a shipping price: add [demand] shipping_price = "
                    f'{{ {channel.currency} = "..." }} ("0" for free shipping).',
                )
        first: dict[tuple[str, str | None], int] = {}
        for i, transit in enumerate(s.transit):
            lane = (transit.method, transit.market)
            if lane in first:
                self.fail(
                    f"transit[{i}]",
                    f"a second entry for {transit.method} {transit.market or '(any market)'} "
                    f"(also transit[{first[lane]}]); keep one.",
                )
            first[lane] = i
        for method, share in s.policy.methods.items():
            for market in s.markets:
                if share > 0 and (method, market.country) not in first and (method, None) not in first:
                    self.fail(
                        f"policy.methods.{method}",
                        f"{method} parcels to {market.country} have no transit time: add a [[transit]] with "
                        f'method = "{method}" (and market = "{market.country}" for that market only).',
                    )
        for method, carrier in s.policy.carriers.items():
            self.carries(f"policy.carriers.{method}", carrier, method)

    def carries(self, path: str, carrier: str | None, method: str) -> None:
        if carrier and method not in CARRIERS[carrier]:
            carried = ", ".join(sorted(CARRIERS[carrier]))
            self.fail(path, f"{carrier} does not carry {method} parcels; it carries {carried}.")

    def calendar(self, s: Scenario) -> None:
        """Peaks inside the season, on a platform it sells on; disruptions that end after they start, in a
        market of the scenario."""
        last = s.start + timedelta(days=s.demand_days - 1)
        platforms = {channel.platform for channel in s.channels}
        for i, peak in enumerate(s.demand.peaks):
            if not s.start <= peak.day <= last:
                self.fail(
                    f"demand.peaks[{i}].day",
                    f"{peak.day} is outside the days orders arrive ({s.start} to {last}); move the peak or "
                    "the season (start, demand_days).",
                )
            if peak.platform is not None and peak.platform not in platforms:
                self.fail(
                    f"demand.peaks[{i}].platform",
                    f"no channel of the scenario is on {peak.platform}; add one or leave the platform out.",
                )
        countries = [market.country for market in s.markets]
        for i, disruption in enumerate(s.disruptions):
            if disruption.end <= disruption.start:
                self.fail(
                    f"disruptions[{i}].end",
                    f"a disruption ends after it starts ({disruption.start}); got {disruption.end}.",
                )
            if disruption.market not in countries:
                self.fail(
                    f"disruptions[{i}].market",
                    f"{disruption.market} is not a market of the scenario ({', '.join(countries)}).",
                )
            self.carries(f"disruptions[{i}].carrier", disruption.carrier, disruption.method)
