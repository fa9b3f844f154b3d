"""Lanes: the carriers' services from where the goods are to a destination market, loaded from
`data/lanes.toml` and checked entry by entry, and the quotes a seller compares before choosing one.

A lane's `origin` is where the goods are when the consumer's parcel is sent. For POSTAL, EXPRESS and
AIR_FREIGHT that is the seller's country (China first) and the parcel crosses the border on its own. For
SEA_FREIGHT_TO_OVERSEAS_WAREHOUSE from the seller's country, the goods cross in bulk by sea and are then
delivered from the warehouse; once they are in a warehouse in the destination, the lane starts there (the
file marks such lanes `domestic`), as does PLATFORM_FULFILLED (the platform's own warehouse).

Lanes are effective-dated and sourced like the market rules (`domain.markets.reference`), whose checked
entry parsing they reuse. Transit is a p10-p90 range in calendar days, read as a lognormal; cost is
base + per_kg x chargeable weight, in one currency for the whole file so that quotes compare.
"""

from __future__ import annotations

import hashlib
import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal
from enum import StrEnum
from functools import cache
from importlib import resources
from statistics import NormalDist
from typing import Any

import pycountry

from domain.markets.reference import (
    UNIONS,
    Confidence,
    InvalidReferenceData,
    Market,
    ShippingMethod,
    Validity,
    _Entry,
    reference,
)
from domain.shared.countries import validate_country
from domain.shared.errors import DomainError
from domain.shared.money import Money


class LogisticsMethod(StrEnum):
    POSTAL = "POSTAL"
    EXPRESS = "EXPRESS"
    AIR_FREIGHT = "AIR_FREIGHT"
    SEA_FREIGHT_TO_OVERSEAS_WAREHOUSE = "SEA_FREIGHT_TO_OVERSEAS_WAREHOUSE"
    PLATFORM_FULFILLED = "PLATFORM_FULFILLED"


class CustomsMode(StrEnum):
    PER_PARCEL = "PER_PARCEL"  # each consumer parcel crosses the border and is declared
    IN_BULK = "IN_BULK"  # the goods were imported in bulk; the consumer parcel is a domestic delivery


_REGIME_METHODS = {
    LogisticsMethod.POSTAL: ShippingMethod.POSTAL,
    LogisticsMethod.EXPRESS: ShippingMethod.EXPRESS,
    LogisticsMethod.AIR_FREIGHT: ShippingMethod.AIR_FREIGHT,
}


def regime_method(method: LogisticsMethod) -> ShippingMethod | None:
    """How the markets' low-value regimes see a parcel sent this way; None when no consumer parcel crosses
    the border (the goods were imported in bulk, under the ordinary import rules)."""
    return _REGIME_METHODS.get(method)


def customs_mode(method: LogisticsMethod) -> CustomsMode:
    return CustomsMode.PER_PARCEL if method in _REGIME_METHODS else CustomsMode.IN_BULK


# -- carriers and their tracking numbers ---------------------------------------------------------------------
class TrackingFormat(StrEnum):
    """How a carrier numbers its parcels (formats as collected in jkeen/tracking_number_data)."""

    UPU_S10 = "UPU_S10"  # posts: service (2 letters), serial (8 digits), check digit, country: LX000000015CN
    DHL_EXPRESS = "DHL_EXPRESS"  # 10 digits; the last is the first nine mod 7
    FEDEX_EXPRESS = "FEDEX_EXPRESS"  # 12 digits; the last is sum(digit x 3,1,7,3,1,7...) mod 11 mod 10
    UPS_1Z = "UPS_1Z"  # 1Z, shipper account (6), service (2), package (7 digits here), mod-10 check
    PREFIXED = "PREFIXED"  # a prefix and a zero-padded serial, no check digit (YunExpress YT, Amazon TBA)


_SERIAL_DIGITS = {
    TrackingFormat.UPU_S10: 8,
    TrackingFormat.DHL_EXPRESS: 9,
    TrackingFormat.FEDEX_EXPRESS: 11,
    TrackingFormat.UPS_1Z: 7,
}
_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
_S10 = re.compile(r"([A-Z]{2})([0-9]{8})([0-9])([A-Z]{2})")
_TRACKING = re.compile(r"[A-Z0-9-]{5,40}")


@dataclass(frozen=True, slots=True)
class Carrier:
    code: str
    name: str
    methods: frozenset[LogisticsMethod]
    tracking_format: TrackingFormat
    tracking_prefix: str  # S10: the service indicator (LX); UPS: 1Z + account + service; PREFIXED: the prefix
    tracking_suffix: str  # S10: the issuing post's country; empty for the other formats
    serial_digits: int  # how many serial digits a number holds: it repeats after 10**serial_digits parcels
    source: str


def s10_check_digit(serial: str) -> int:
    """The UPU S10 check digit of an 8-digit serial: 11 - (sum of digits x 8 6 4 2 3 5 9 7) mod 11, where
    10 becomes 0 and 11 becomes 5."""
    if not re.fullmatch(r"[0-9]{8}", serial):
        raise ValueError(f"an S10 serial is 8 digits, not {serial!r}")
    check = 11 - sum(int(d) * w for d, w in zip(serial, _S10_WEIGHTS, strict=True)) % 11
    return {10: 0, 11: 5}.get(check, check)


def is_valid_s10(text: str) -> bool:
    """Whether `text` is an S10 item identifier with the right check digit and an ISO 3166 country."""
    found = _S10.fullmatch(text.strip().upper())
    return (
        found is not None
        and s10_check_digit(found[2]) == int(found[3])
        and pycountry.countries.get(alpha_2=found[4]) is not None
    )


def _fedex_check(digits: str) -> int:
    return sum(int(d) * (3, 1, 7)[i % 3] for i, d in enumerate(digits)) % 11 % 10


def _ups_check(body: str) -> int:
    """UPS's mod-10 check over the 15 characters after 1Z: letters count (ord - 3) mod 10, odd places x 2."""
    values = [int(c) if c.isdigit() else (ord(c) - 3) % 10 for c in body]
    total = sum(v * 2 if i % 2 else v for i, v in enumerate(values))
    return (10 - total % 10) % 10


def make_tracking_number(carrier: Carrier, serial: int) -> str:
    """The carrier's number for the `serial`-th sandbox parcel, in its format and with its check digit.
    Serials past the format's capacity start again from 0, as carriers reuse numbers."""
    if serial < 0:
        raise ValueError("a tracking serial is a non-negative whole number")
    n = f"{serial % 10**carrier.serial_digits:0{carrier.serial_digits}d}"
    prefix = carrier.tracking_prefix
    match carrier.tracking_format:
        case TrackingFormat.UPU_S10:
            return f"{prefix}{n}{s10_check_digit(n)}{carrier.tracking_suffix}"
        case TrackingFormat.DHL_EXPRESS:
            return f"{n}{int(n) % 7}"
        case TrackingFormat.FEDEX_EXPRESS:
            return f"{n}{_fedex_check(n)}"
        case TrackingFormat.UPS_1Z:
            return f"{prefix}{n}{_ups_check(prefix[2:] + n)}"
        case TrackingFormat.PREFIXED:
            return f"{prefix}{n}"


def validate_tracking_number(text: str, field: list[str] | None = None) -> str:
    """A tracking number as carriers print it: trimmed, in capitals, 5 to 40 letters, digits or hyphens."""
    value = text.strip().upper()
    if not _TRACKING.fullmatch(value):
        raise DomainError(
            "INVALID_TRACKING_NUMBER",
            "A tracking number is 5 to 40 letters, digits or hyphens, without spaces (e.g. LX000000015CN).",
            field,
        )
    return value


# -- lanes ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Lane:
    carrier: Carrier
    method: LogisticsMethod
    origin: str  # ISO 3166 alpha-2: where the goods are when the consumer's parcel is sent
    destinations: frozenset[str]  # market codes and/or unions ("EU")
    service: str
    base: Money  # per parcel
    per_kg: Money  # per chargeable kg
    volumetric_divisor: int  # cm3 per kg
    transit_p10_days: int  # calendar days
    transit_p90_days: int
    customs: CustomsMode
    max_weight_grams: int | None  # per parcel; None: no limit recorded
    validity: Validity

    @property
    def id(self) -> str:
        """Stable across loads and derived from the lane's terms: a lane whose price, transit or dates
        change gets a new id, so a shipment that names a lane names the terms it was quoted on."""
        terms = "|".join(
            str(part)
            for part in (
                self.carrier.code,
                self.method,
                self.origin,
                ",".join(sorted(self.destinations)),
                self.service,
                self.base,
                self.per_kg,
                self.volumetric_divisor,
                self.transit_p10_days,
                self.transit_p90_days,
                self.max_weight_grams,
                self.validity.valid_from,
                self.validity.valid_to,
            )
        )
        digest = hashlib.sha256(terms.encode("utf-8")).hexdigest()[:8]
        service = re.sub(r"[^a-z0-9]+", "-", self.service.lower()).strip("-")
        places = f"{self.origin}-{'+'.join(sorted(self.destinations))}"
        return f"{self.carrier.code}/{service}/{places}/{self.validity.valid_from}/{digest}"

    def serves(self, market: Market) -> bool:
        return market.code in self.destinations or (
            market.union is not None and market.union in self.destinations
        )


@dataclass(frozen=True)
class LaneBook:
    version: str
    carriers: Mapping[str, Carrier]
    lanes: tuple[Lane, ...]
    markets: Mapping[str, Market]  # the destination markets (from the market rules) the lanes may serve

    def lane(self, lane_id: str) -> Lane | None:
        return next((lane for lane in self.lanes if lane.id == lane_id), None)


# -- parsing, one checked field at a time (the market rules' helpers, naming this file) ---------------------
class _LaneEntry(_Entry):
    def fail(self, why: str) -> InvalidReferenceData:
        label = " ".join(v for k in ("code", "carrier", "service") if isinstance(v := self.raw.get(k), str))
        return InvalidReferenceData(f"lanes.toml {self.where}{f' ({label})' if label else ''}: {why}")

    def validity(self) -> Validity:
        # The shared helper lets an unknown confidence escape as a bare ValueError; name the entry instead.
        self.enum("confidence", Confidence)
        return super().validity()

    def whole(self, key: str, low: int, high: int) -> int:
        value = self.raw.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(f"`{key}` must be a whole number from {low} to {high:,}")
        return value

    def codes(self, key: str) -> list[str]:
        value = self.raw.get(key)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
            raise self.fail(f"`{key}` must be a non-empty list of codes")
        return value

    def country(self, key: str) -> str:
        code = self.text(key)
        if pycountry.countries.get(alpha_2=code) is None:
            raise self.fail(f"`{key}` `{code}` is not an ISO 3166 alpha-2 code")
        return code


def _carrier(entry: _LaneEntry) -> Carrier:
    code = entry.text("code")
    if not re.fullmatch(r"[A-Z][A-Z0-9_]{1,39}", code):
        raise entry.fail("`code` must be capitals, digits and underscores, at most 40")
    methods = frozenset(_method(entry, m) for m in entry.codes("methods"))
    form: TrackingFormat = entry.enum("tracking_format", TrackingFormat)
    prefix = str(entry.raw.get("tracking_prefix", ""))
    suffix = str(entry.raw.get("tracking_suffix", ""))
    if form is TrackingFormat.PREFIXED:
        digits = entry.whole("tracking_digits", 6, 30)
        if not re.fullmatch(r"[A-Z0-9-]{1,10}", prefix):
            raise entry.fail("a PREFIXED `tracking_prefix` is 1 to 10 capitals, digits or hyphens")
    else:
        digits = _SERIAL_DIGITS[form]
        if "tracking_digits" in entry.raw:
            raise entry.fail(f"{form} numbers have {digits} serial digits; leave `tracking_digits` out")
    expected = {
        TrackingFormat.UPU_S10: (r"[A-Z]{2}", "two letters (the S10 service indicator, e.g. LX)"),
        TrackingFormat.UPS_1Z: (
            r"1Z[A-Z0-9]{8}",
            "1Z, the 6-character shipper account and the 2-digit service",
        ),
        TrackingFormat.DHL_EXPRESS: (r"", "empty: the number is digits only"),
        TrackingFormat.FEDEX_EXPRESS: (r"", "empty: the number is digits only"),
    }
    if form in expected and not re.fullmatch(expected[form][0], prefix):
        raise entry.fail(f"`tracking_prefix` for {form} must be {expected[form][1]}")
    if form is TrackingFormat.UPU_S10:
        if pycountry.countries.get(alpha_2=suffix) is None:
            raise entry.fail("`tracking_suffix` must be the issuing post's ISO 3166 alpha-2 country")
    elif suffix:
        raise entry.fail(f"only UPU_S10 numbers end in a country; leave `tracking_suffix` out for {form}")
    return Carrier(code, entry.text("name"), methods, form, prefix, suffix, digits, entry.text("source"))


def _method(entry: _LaneEntry, value: str) -> LogisticsMethod:
    try:
        return LogisticsMethod(value)
    except ValueError:
        raise entry.fail(f"`{value}` is not one of {', '.join(LogisticsMethod)}") from None


def _lanes(entry: _LaneEntry, carriers: Mapping[str, Carrier], markets: Mapping[str, Market]) -> list[Lane]:
    """One lane, or for a `domestic` entry one per market it covers, each starting in that market."""
    carrier = carriers.get(entry.text("carrier"))
    if carrier is None:
        raise entry.fail(f"carrier `{entry.raw['carrier']}` is not a [[carrier]] in this file")
    method = _method(entry, entry.text("method"))
    if method not in carrier.methods:
        raise entry.fail(f"{carrier.code} offers {', '.join(sorted(carrier.methods))}, not {method}")
    destinations = frozenset(entry.codes("destinations"))
    unknown = sorted(d for d in destinations if d not in markets and d not in UNIONS)
    if unknown:
        raise entry.fail(f"destinations {unknown} are neither markets of the market rules nor unions")
    base, per_kg = entry.money("base"), entry.money("per_kg")
    if base is None or per_kg is None or base.currency != per_kg.currency:
        raise entry.fail("`base` and `per_kg` are required, in one currency")
    if base.amount < 0 or per_kg.amount < 0:
        raise entry.fail("`base` and `per_kg` cannot be negative")
    p10 = entry.whole("transit_p10_days", 1, 365)
    p90 = entry.whole("transit_p90_days", 1, 365)
    if p90 <= p10:
        raise entry.fail("`transit_p90_days` must be more than `transit_p10_days`")
    heaviest = None if "max_weight_grams" not in entry.raw else entry.whole("max_weight_grams", 1, 1_000_000)
    service, divisor, validity = (
        entry.text("service"),
        entry.whole("volumetric_divisor", 1, 100_000),
        entry.validity(),
    )

    def lane(origin: str, serves: frozenset[str]) -> Lane:
        return Lane(
            carrier=carrier,
            method=method,
            origin=origin,
            destinations=serves,
            service=service,
            base=base,
            per_kg=per_kg,
            volumetric_divisor=divisor,
            transit_p10_days=p10,
            transit_p90_days=p90,
            customs=customs_mode(method),
            max_weight_grams=heaviest,
            validity=validity,
        )

    covered = _covered(destinations, markets)
    if entry.raw.get("domestic", False) is True:
        if "origin" in entry.raw:
            raise entry.fail("a `domestic` lane starts in each market it serves; leave `origin` out")
        if customs_mode(method) is not CustomsMode.IN_BULK:
            raise entry.fail(
                f"{method} parcels cross a border; only bulk-imported stock is delivered domestically"
            )
        return [lane(code, frozenset({code})) for code in sorted(covered)]
    origin = entry.country("origin")
    if origin in covered:
        raise entry.fail(
            f"the lane starts in {origin}, one of its destinations; mark a delivery there `domestic`"
        )
    return [lane(origin, destinations)]


def _covered(destinations: AbstractSet[str], markets: Mapping[str, Market]) -> frozenset[str]:
    return frozenset(m.code for m in markets.values() if m.code in destinations or m.union in destinations)


def _check_overlaps(lanes: Sequence[tuple[_LaneEntry, Lane]], markets: Mapping[str, Market]) -> None:
    """Two entries for the same service and origin may not serve one market on one day: a quote would not
    know which terms hold."""
    for i, (entry, lane) in enumerate(lanes):
        for other_entry, other in lanes[:i]:
            if (lane.carrier, lane.service, lane.origin) != (other.carrier, other.service, other.origin):
                continue
            shared = _covered(lane.destinations, markets) & _covered(other.destinations, markets)
            a, b = lane.validity, other.validity
            overlap = (a.valid_to is None or b.valid_from < a.valid_to) and (
                b.valid_to is None or a.valid_from < b.valid_to
            )
            if shared and overlap:
                raise entry.fail(
                    f"overlaps {other_entry.where} for {', '.join(sorted(shared))} on days both are in force"
                )


def parse(document: Mapping[str, Any], markets: Mapping[str, Market] | None = None) -> LaneBook:
    """Check and build the lane book; `markets` are the destinations lanes may serve (the market rules')."""
    markets = reference().markets if markets is None else markets
    carriers: dict[str, Carrier] = {}
    for i, raw in enumerate(document.get("carrier", [])):
        entry = _LaneEntry("carrier", i, raw)
        carrier = _carrier(entry)
        if carrier.code in carriers:
            raise entry.fail(f"carrier `{carrier.code}` is already defined")
        carriers[carrier.code] = carrier
    built = [
        (entry, lane)
        for entry in (_LaneEntry("lane", i, raw) for i, raw in enumerate(document.get("lane", [])))
        for lane in _lanes(entry, carriers, markets)
    ]
    _check_overlaps(built, markets)
    currencies = {lane.base.currency for _, lane in built}
    if len(currencies) > 1:
        raise InvalidReferenceData(
            f"lanes.toml prices lanes in {', '.join(sorted(currencies))}; use one currency so quotes compare"
        )
    return LaneBook(str(document.get("version", "")), carriers, tuple(lane for _, lane in built), markets)


@cache
def lane_book() -> LaneBook:
    data = resources.files("domain.logistics").joinpath("data/lanes.toml").read_bytes()
    return parse(tomllib.loads(data.decode("utf-8")))


# -- quotes --------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Parcel:
    weight_grams: int
    length_mm: int
    width_mm: int
    height_mm: int


@dataclass(frozen=True, slots=True)
class Quote:
    lane: Lane
    method: LogisticsMethod
    carrier: Carrier
    service: str
    cost: Money  # all parcels, in the lane's currency
    chargeable_kg: Decimal  # all parcels
    transit_p10_days: int
    transit_p50_days: int
    transit_p90_days: int
    estimated_delivery: date  # the day sent + p50
    customs: CustomsMode


MAX_PARCEL_GRAMS = 1_000_000
MAX_PARCEL_SIDE_MM = 10_000
_TENTH = Decimal("0.1")
_Z90 = NormalDist().inv_cdf(0.9)


def chargeable_kg(parcel: Parcel, volumetric_divisor: int) -> Decimal:
    """What a carrier bills a parcel as: the greater of its weight and its volume (cm3) / divisor, rounded
    up to the next 0.1 kg as carriers round billed weight."""
    actual = Decimal(parcel.weight_grams) / 1000
    volume_cm3 = Decimal(parcel.length_mm * parcel.width_mm * parcel.height_mm) / 1000
    return max(actual, volume_cm3 / volumetric_divisor).quantize(_TENTH, rounding=ROUND_CEILING)


def transit_lognormal(lane: Lane) -> tuple[float, float]:
    """(mu, sigma) of the lognormal whose 10th and 90th percentiles are the lane's p10 and p90 days."""
    low, high = math.log(lane.transit_p10_days), math.log(lane.transit_p90_days)
    return (low + high) / 2, (high - low) / (2 * _Z90)


def _check_parcels(parcels: Sequence[Parcel]) -> None:
    if not parcels:
        raise DomainError("INVALID_PARCELS", "Give at least one parcel to quote for.", ["parcels"])
    for i, parcel in enumerate(parcels):
        limits = (
            ("weightGrams", parcel.weight_grams, MAX_PARCEL_GRAMS, "grams"),
            ("lengthMm", parcel.length_mm, MAX_PARCEL_SIDE_MM, "mm"),
            ("widthMm", parcel.width_mm, MAX_PARCEL_SIDE_MM, "mm"),
            ("heightMm", parcel.height_mm, MAX_PARCEL_SIDE_MM, "mm"),
        )
        for name, value, high, unit in limits:
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
                raise DomainError(
                    "INVALID_PARCELS",
                    f"Parcel {i + 1}: {name} must be a whole number of {unit} from 1 to {high:,}.",
                    ["parcels", str(i), name],
                )


def _quote(lane: Lane, parcels: Sequence[Parcel], day: date) -> Quote:
    cost = Money.zero(lane.base.currency)
    weight = Decimal(0)
    for parcel in parcels:
        kg = chargeable_kg(parcel, lane.volumetric_divisor)
        cost += lane.base + lane.per_kg * kg
        weight += kg
    mu, _ = transit_lognormal(lane)
    p50 = math.floor(math.exp(mu) + 0.5)
    return Quote(
        lane=lane,
        method=lane.method,
        carrier=lane.carrier,
        service=lane.service,
        cost=cost,
        chargeable_kg=weight,
        transit_p10_days=lane.transit_p10_days,
        transit_p50_days=p50,
        transit_p90_days=lane.transit_p90_days,
        estimated_delivery=day + timedelta(days=p50),
        customs=lane.customs,
    )


def quotes(
    book: LaneBook,
    origin: str,
    destination: str,
    parcels: Sequence[Parcel],
    day: date,
    methods: AbstractSet[LogisticsMethod] | None = None,
) -> list[Quote]:
    """Every lane in force on `day` from `origin` to `destination` (directly or through its union) that can
    carry the parcels, optionally of some methods only; cheapest first, then fastest."""
    start = validate_country(origin, ["origin"])
    market = book.markets.get(destination.strip().upper())
    if market is None:
        raise DomainError(
            "UNKNOWN_MARKET",
            f"'{destination}' is not a market Tradelane has lanes for. "
            f"Markets: {', '.join(sorted(book.markets))}.",
            ["destination"],
        )
    _check_parcels(parcels)
    found = [
        _quote(lane, parcels, day)
        for lane in book.lanes
        if lane.origin == start
        and lane.serves(market)
        and lane.validity.covers(day)
        and (methods is None or lane.method in methods)
        and (lane.max_weight_grams is None or all(p.weight_grams <= lane.max_weight_grams for p in parcels))
    ]
    return sorted(found, key=lambda q: (q.cost, q.transit_p50_days, q.lane.id))
