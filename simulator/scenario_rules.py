"""The words and figures a scenario may use (the API's enums, markets and carriers) and the checks of single
values. The simulator reaches the API only through GraphQL, so it keeps its own copy of the API's vocabulary;
tests/test_scenarios.py compares each with the API's, so that a drift fails the build."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from decimal import Decimal
from typing import Any

import iso4217
import pycountry

# ---- what the API accepts ----------------------------------------------------------------------------------

PLATFORMS = frozenset(
    [
        "AMAZON",
        "EBAY",
        "ALIEXPRESS",
        "WISH",
        "SHOPIFY",
        "OWN_STORE",
        "TEMU",
        "SHEIN",
        "ETSY",
        "WALMART",
        "MERCADO_LIBRE",
        "SHOPEE",
        "LAZADA",
        "ALLEGRO",
        "RAKUTEN",
    ]
)
CATEGORIES = frozenset(
    ["APPAREL", "FOOTWEAR", "BAGS", "ELECTRONICS", "TOYS", "BEAUTY", "HOME", "JEWELRY", "SPORTS", "OTHER"]
)
PAYMENT_METHODS = frozenset(
    [
        "CARD",
        "PAYPAL",
        "ALIPAY",
        "WECHAT_PAY",
        "APPLE_PAY",
        "GOOGLE_PAY",
        "KLARNA",
        "BANK_TRANSFER",
        "PLATFORM_BALANCE",
    ]
)
# Parcels sent one by one from the origin; the API's other methods ship from stock held overseas, which the
# simulator does not model yet.
LOGISTICS_METHODS = frozenset({"POSTAL", "EXPRESS", "AIR_FREIGHT"})
HOLD_REASONS = frozenset(
    ["MISSING_DOCUMENTS", "VALUATION_QUERY", "CLASSIFICATION_QUERY", "INSPECTION", "RESTRICTED_GOODS"]
)
TICKET_KINDS = frozenset({"WARRANTY", "REPAIR", "CONSULTATION"})
# The API's third source, CHARGEBACK, follows from payments.chargeback_rate, not from the complaint mix.
COMPLAINT_SOURCES = frozenset({"DIRECT", "PLATFORM_CLAIM"})
RETURN_REASONS = frozenset(
    [
        "DEFECTIVE",
        "NOT_AS_DESCRIBED",
        "WRONG_ITEM",
        "DAMAGED_IN_TRANSIT",
        "SIZE_FIT",
        "NO_LONGER_NEEDED",
        "LATE_DELIVERY",
    ]
)
# Carrier code -> the logistics methods it carries (domain/logistics/data/lanes.toml).
CARRIERS: Mapping[str, frozenset[str]] = {
    "CHINA_POST": frozenset({"POSTAL"}),
    "CAINIAO": frozenset({"POSTAL", "AIR_FREIGHT"}),
    "YUNEXPRESS": frozenset({"AIR_FREIGHT"}),
    "DHL_EXPRESS": frozenset({"EXPRESS"}),
    "FEDEX": frozenset({"EXPRESS"}),
    "UPS": frozenset({"EXPRESS"}),
}
DISRUPTION_KINDS = frozenset({"CARRIER_SUSPENSION"})
INCOTERMS = frozenset({"DDP", "DAP"})
# The markets the API has tax and duty rules for (domain/markets/data/rules.toml).
API_MARKETS = ("US", "CA", "GB", "DE", "FR", "IT", "ES", "NL", "PL", "SE", "AU", "JP", "SG", "KR", "BR", "MX")

HS_CODE = re.compile(r"\d{4}\.\d{2}")


class Problem(Exception):
    """A check's complaint about a value; `at` extends the value's path (".CARD", "[3]", ".p90")."""

    def __init__(self, message: str, at: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.at = at


# ---- checks of single values -------------------------------------------------------------------------------
Check = Callable[[Any], None]


def suggest(value: object, allowed: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(value), list(allowed), n=1)
    return f" Did you mean {close[0]}?" if close else ""


def _one_of(allowed: Collection[str], what: str) -> Check:
    def check(value: Any) -> None:
        if value not in allowed:
            raise Problem(
                f"{value!r} is not {what}; use one of {', '.join(sorted(allowed))}." + suggest(value, allowed)
            )

    return check


def _keys_in(allowed: Collection[str], what: str) -> Check:
    def check(value: Mapping[str, Any]) -> None:
        for key in value:
            try:
                _one_of(allowed, what)(key)
            except Problem as problem:
                raise Problem(problem.message, f".{key}") from None

    return check


def _at_least(low: float) -> Check:
    def check(value: float) -> None:
        if value < low:
            raise Problem(f"must be at least {low}; got {value}.")

    return check


def _positive(value: float | Decimal) -> None:
    if value <= 0:
        raise Problem(f"must be above 0; got {value}.")


def each(check: Check) -> Check:
    """The check applied to every value of a table, reported at the value's key."""

    def check_each(value: Mapping[Any, Any]) -> None:
        for key, item in value.items():
            try:
                check(item)
            except Problem as problem:
                raise Problem(problem.message, f".{key}{problem.at}") from None

    return check_each


def rate(value: float) -> None:
    if not 0 <= value <= 1:
        raise Problem(f"a rate is a fraction from 0 to 1 (0.12 = 12%); got {value}.")


def _weights(value: Mapping[Any, float]) -> None:
    for key, weight in value.items():
        if weight < 0:
            raise Problem(f"a share cannot be negative; got {weight}.", f".{key}")
    if not sum(value.values()) > 0:
        raise Problem("the shares add up to 0: give at least one a positive share (they need not sum to 1).")


def _whole_keys(low: int, high: int | None = None) -> Check:
    def check(value: Mapping[int, Any]) -> None:
        for key in value:
            if key < low or (high is not None and key > high):
                span = f"from {low} to {high}" if high is not None else f"{low} or more"
                raise Problem(f"a key here is a whole number {span}; got {key}.", f".{key}")

    return check


def _currency(value: str) -> None:
    try:
        exponent = iso4217.Currency(value).exponent
    except ValueError:
        exponent = None
    if exponent is None:
        raise Problem(
            f"{value!r} is not an ISO 4217 currency code; use three capital letters such as USD or EUR."
        )


def _amounts_in_currency(positive: bool) -> Check:
    """Amounts keyed by currency: each a valid currency, each amount in its minor units (JPY none)."""

    def check(value: Mapping[str, Decimal]) -> None:
        for currency, amount in value.items():
            try:
                _currency(currency)
                if amount < 0 or (positive and amount == 0):
                    raise Problem(f"must be {'above' if positive else 'at least'} 0; got {amount}.")
                fits_currency(amount, currency)
            except Problem as problem:
                raise Problem(problem.message, f".{currency}") from None

    return check


def _currency_keys(value: Mapping[str, Any]) -> None:
    for currency in value:
        try:
            _currency(currency)
        except Problem as problem:
            raise Problem(problem.message, f".{currency}") from None


def fits_currency(amount: Decimal, currency: str) -> None:
    """The amount has no more decimals than the currency's minor unit (a valid currency, checked before)."""
    exponent = iso4217.Currency(currency).exponent or 0
    if amount != amount.quantize(Decimal(1).scaleb(-exponent)):
        raise Problem(f"{currency} has {exponent} decimal places; got {amount}.")


def _country(value: str) -> None:
    if len(value) != 2 or pycountry.countries.get(alpha_2=value) is None:
        raise Problem(
            f"{value!r} is not an ISO 3166-1 alpha-2 country code; use two capital letters such as US."
        )


def _api_market(value: str) -> None:
    _country(value)
    if value not in API_MARKETS:
        raise Problem(f"the API has no tax rules for {value}; its markets are {', '.join(API_MARKETS)}.")


def _hs_code(value: str) -> None:
    if not HS_CODE.fullmatch(value):
        raise Problem(
            f"an HS code is written as its 6-digit subheading, dddd.dd (e.g. 6109.10); got {value!r}."
        )


def _not_blank(value: str) -> None:
    if not value.strip():
        raise Problem("must not be empty.")


def _carrier_codes(value: Mapping[str, str]) -> None:
    for method, carrier in value.items():
        if carrier:
            try:
                _one_of(CARRIERS, "a carrier of the API")(carrier)
            except Problem as problem:
                raise Problem(
                    problem.message + ' ("" lets the API choose the cheapest.)', f".{method}"
                ) from None


def _weekday_factors(value: tuple[float, ...]) -> None:
    if len(value) != 7:
        raise Problem(f"give 7 factors, Monday first; got {len(value)}.")
    for i, factor in enumerate(value):
        if factor < 0:
            raise Problem(f"a factor cannot be negative; got {factor}.", f"[{i}]")
    if not sum(value) > 0:
        raise Problem("the factors are all 0: no day would have orders.")


def _tail_nu(value: float) -> None:
    if value <= 2:
        raise Problem(
            f"a Student-t with nu <= 2 has no variance; use more than 2 (4-6 fits FX); got {value}."
        )


# Checks by field path without indices. Besides these, every field named *_rate or *_share is a rate (a
# table of them too), and every Spread has 0 < p10 <= p90.
CHECKS: Mapping[str, tuple[Check, ...]] = {
    "demand_days": (_at_least(1),),
    "drain_days": (_at_least(0),),
    "seller.name": (_not_blank,),
    "seller.home_currency": (_currency,),
    "seller.origin": (_country,),
    "markets.country": (_api_market,),
    "markets.weight": (_at_least(0),),
    "markets.incoterm": (_one_of(INCOTERMS, "an incoterm of the API"),),
    "channels.platform": (_one_of(PLATFORMS, "a platform of the API"),),
    "channels.country": (_country,),
    "channels.currency": (_currency,),
    "channels.weight": (_at_least(0),),
    "products.sku": (_not_blank,),
    "products.title": (_not_blank,),
    "products.category": (_one_of(CATEGORIES, "a product category of the API"),),
    "products.hs_code": (_hs_code,),
    "products.unit_cost": (_at_least(0),),
    "products.weight_grams": (_positive,),
    "products.length_mm": (_positive,),
    "products.width_mm": (_positive,),
    "products.height_mm": (_positive,),
    "products.prices": (_amounts_in_currency(positive=True),),
    "products.weight": (_at_least(0),),
    "products.stock": (_at_least(0),),
    "demand.orders": (_at_least(1),),
    "demand.weekday_factors": (_weekday_factors,),
    "demand.peaks.name": (_not_blank,),
    "demand.peaks.multiplier": (_positive,),
    "demand.peaks.width_days": (_at_least(0),),
    "demand.peaks.platform": (_one_of(PLATFORMS, "a platform of the API"),),
    "demand.quantity": (_whole_keys(1), _weights),
    "demand.lines": (_whole_keys(1), _weights),
    "demand.shipping_price": (_amounts_in_currency(positive=False),),
    "payments.methods": (_keys_in(PAYMENT_METHODS, "a payment method of the API"), _weights),
    "payments.decline_rate": (_keys_in(PAYMENT_METHODS, "a payment method of the API"),),
    "policy.methods": (_keys_in(LOGISTICS_METHODS, "a logistics method the simulator ships with"), _weights),
    "policy.carriers": (
        _keys_in(LOGISTICS_METHODS, "a logistics method the simulator ships with"),
        _carrier_codes,
    ),
    "policy.returnless_below": (_at_least(0),),
    "transit.method": (_one_of(LOGISTICS_METHODS, "a logistics method the simulator ships with"),),
    "transit.market": (_api_market,),
    "customs.hold_reasons": (_keys_in(HOLD_REASONS, "a customs hold reason of the API"), _weights),
    "aftersales.return_rate": (_keys_in(CATEGORIES, "a product category of the API"),),
    "aftersales.return_reasons": (_keys_in(RETURN_REASONS, "a return reason of the API"), _weights),
    "aftersales.complaint_sources": (
        _keys_in(
            COMPLAINT_SOURCES,
            "a complaint source the simulator draws (a CHARGEBACK follows from payments.chargeback_rate)",
        ),
        _weights,
    ),
    "aftersales.ticket_kinds": (_keys_in(TICKET_KINDS, "a ticket kind of the API"), _weights),
    "aftersales.ratings": (_whole_keys(1, 5), _weights),
    "aftersales.late_after_days": (_positive,),
    "fx.daily_sigma": (_currency_keys, each(_at_least(0))),
    "fx.tail_nu": (_tail_nu,),
    "fx.start_rates": (_currency_keys, each(_positive)),
    "disruptions.kind": (_one_of(DISRUPTION_KINDS, "a disruption kind the simulator knows"),),
    "disruptions.method": (_one_of(LOGISTICS_METHODS, "a logistics method the simulator ships with"),),
    "disruptions.market": (_api_market,),
    "disruptions.carrier": (_one_of(CARRIERS, "a carrier of the API"),),
}
