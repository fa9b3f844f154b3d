"""The reference rules, loaded from `data/rules.toml` and checked entry by entry.

Every entry carries its scope, its validity (valid_from inclusive, valid_to exclusive) and its source.
Countries come from ISO 3166 (pycountry) and each market's currency from CLDR (babel), as of the date
asked: no hand-written country or currency tables.

Each rule has an `id` made of what it says (scope, kind, band, start), not of where it sits in the file, so
that an assessment snapshotted with a rule's id still names that rule after the file is reordered or grows.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any, Protocol

import pycountry
from babel.numbers import get_territory_currencies

from domain.catalog.hs import normalize_hs_code
from domain.catalog.model import Platform, ProductCategory
from domain.shared.errors import DomainError
from domain.shared.money import Money

UNIONS = {"EU": "European Union"}


class ShippingMethod(StrEnum):
    POSTAL = "POSTAL"
    EXPRESS = "EXPRESS"
    AIR_FREIGHT = "AIR_FREIGHT"
    SEA_FREIGHT = "SEA_FREIGHT"


class TaxKind(StrEnum):
    VAT = "VAT"
    GST = "GST"
    CONSUMPTION_TAX = "CONSUMPTION_TAX"
    SALES_TAX = "SALES_TAX"
    ICMS = "ICMS"


class TaxCollection(StrEnum):
    AT_SALE = "AT_SALE"
    AT_BORDER = "AT_BORDER"
    EXEMPT = "EXEMPT"
    IN_FLAT_RATE = "IN_FLAT_RATE"


class DutyTreatment(StrEnum):
    EXEMPT = "EXEMPT"
    FULL = "FULL"
    PER_TARIFF_LINE = "PER_TARIFF_LINE"
    FLAT_RATE = "FLAT_RATE"


class RegistrationKind(StrEnum):
    """Registrations a seller holds, per market or everywhere (GLOBAL)."""

    TRADEMARK = "TRADEMARK"
    EXPORT_RIGHTS = "EXPORT_RIGHTS"
    CUSTOMS_REGISTRATION = "CUSTOMS_REGISTRATION"
    TAX_REGISTRATION = "TAX_REGISTRATION"
    VAT = "VAT"
    IOSS = "IOSS"
    ICP_FILING = "ICP_FILING"
    EPR = "EPR"
    RESPONSIBLE_PERSON = "RESPONSIBLE_PERSON"


class ValuationBasis(StrEnum):
    """What a market's customs value takes in: CIF the goods with their transport (and insurance) to the
    border, FOB the goods alone (as loaded for export)."""

    CIF = "CIF"
    FOB = "FOB"


class Confidence(StrEnum):
    H = "H"
    M = "M"
    L = "L"


class InvalidReferenceData(ValueError):
    """The rules file holds an entry that does not check out; the message names it."""


@dataclass(frozen=True, slots=True)
class Validity:
    valid_from: date
    valid_to: date | None
    start_known: bool
    source: str
    confidence: Confidence
    note: str | None

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


def _figure(amount: Decimal) -> str:
    """An amount as written in an id: no exponent, no trailing zeros (150, 0.5, 10000)."""
    text = format(amount, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True, slots=True)
class Market:
    code: str
    name: str
    union: str | None

    @property
    def scopes(self) -> tuple[str, ...]:
        """The scopes whose rules apply here: the market's own, then its union's."""
        return (self.code, self.union) if self.union else (self.code,)

    def currency(self, day: date) -> str:
        found = get_territory_currencies(self.code, start_date=day)
        if not found:
            raise DomainError(
                "INVALID_DATE",
                f"{self.name} had no currency of its own on {day}; ask about a later day.",
                ["date"],
            )
        return str(found[0])


@dataclass(frozen=True, slots=True)
class TaxRule:
    scope: str
    kind: TaxKind
    rate: Decimal | None
    validity: Validity

    @property
    def id(self) -> str:
        return f"tax/{self.scope}/{self.kind}/{self.validity.valid_from}"


@dataclass(frozen=True, slots=True)
class RegimeRule:
    """How a consignment of a value band (over, up_to] from some origins is taxed and dutied."""

    scope: str
    name: str
    over: Money | None
    up_to: Money | None
    origins: frozenset[str]
    tax: TaxCollection
    duty: DutyTreatment
    duty_per_line: Money | None
    flat_rate: Decimal | None
    deduction: Money | None
    methods: frozenset[ShippingMethod]  # empty: however the parcel travels
    validity: Validity

    @property
    def id(self) -> str:
        """e.g. regime/EU/IOSS/2026-07-01/to150EUR or
        regime/CA/CUSMA_COURIER/2020-07-01/over40to150CAD/from-MX+US/by-EXPRESS."""
        parts = ["regime", self.scope, self.name, str(self.validity.valid_from)]
        bound = self.up_to or self.over
        if bound is not None:
            over = f"over{_figure(self.over.amount)}" if self.over else ""
            up_to = f"to{_figure(self.up_to.amount)}" if self.up_to else ""
            parts.append(f"{over}{up_to}{bound.currency}")
        if self.origins:
            parts.append("from-" + "+".join(sorted(self.origins)))
        if self.methods:
            parts.append("by-" + "+".join(sorted(self.methods)))
        return "/".join(parts)


@dataclass(frozen=True, slots=True)
class DutyRule:
    scope: str
    hs6: str
    rate: Decimal
    validity: Validity

    @property
    def id(self) -> str:
        return f"duty/{self.scope}/{self.hs6}/{self.validity.valid_from}"


@dataclass(frozen=True, slots=True)
class CertificationRule:
    scope: str
    category: ProductCategory
    code: str
    accepts: frozenset[str]
    validity: Validity

    @property
    def id(self) -> str:
        return f"certification/{self.scope}/{self.category}/{self.code}/{self.validity.valid_from}"


@dataclass(frozen=True, slots=True)
class RegistrationRule:
    scope: str
    kind: RegistrationKind
    blocking: bool
    validity: Validity

    @property
    def id(self) -> str:
        return f"registration/{self.scope}/{self.kind}/{self.validity.valid_from}"


@dataclass(frozen=True, slots=True)
class FeeRule:
    platform: Platform
    marketplace: str  # a country code, or "*" for every marketplace of the platform
    category: ProductCategory | None  # None: the platform's default
    referral_rate: Decimal
    minimum_fee: Money | None
    per_order_fee: Money | None
    validity: Validity

    @property
    def id(self) -> str:
        category = self.category or "*"
        return f"fee/{self.platform}/{self.marketplace}/{category}/{self.validity.valid_from}"


@dataclass(frozen=True, slots=True)
class ValuationRule:
    """The bases a market (or union) levies on: duty on the customs value (`duty_base`), and the import
    consumption tax on the value per `tax_base` plus the duty (None: no consumption tax at the border).
    `tax_inclusive`: the tax is computed "por dentro", on a base that contains the tax itself.
    `personal_use_factor`: goods a consumer imports for personal use are valued at this fraction of the
    retail price paid (Japan: 0.6, the wholesale price the law substitutes for it); transport is added
    at its cost. None: at the price paid, as a factor of 1."""

    scope: str
    duty_base: ValuationBasis
    tax_base: ValuationBasis | None
    tax_inclusive: bool
    validity: Validity
    personal_use_factor: Decimal | None = None

    @property
    def id(self) -> str:
        return f"valuation/{self.scope}/{self.validity.valid_from}"


class Rule(Protocol):
    """What every rule of the file has: an id made of its content, and its validity with its source."""

    @property
    def id(self) -> str: ...

    @property
    def validity(self) -> Validity: ...


@dataclass(frozen=True)
class Reference:
    version: str
    markets: Mapping[str, Market]
    taxes: tuple[TaxRule, ...]
    regimes: tuple[RegimeRule, ...]
    duties: tuple[DutyRule, ...]
    certifications: tuple[CertificationRule, ...]
    fees: tuple[FeeRule, ...]
    registrations: tuple[RegistrationRule, ...]
    valuations: tuple[ValuationRule, ...] = ()

    def rules(self) -> tuple[Rule, ...]:
        """Every rule of the file (markets are not rules)."""
        return (
            *self.taxes,
            *self.regimes,
            *self.duties,
            *self.certifications,
            *self.fees,
            *self.registrations,
            *self.valuations,
        )


# -- parsing, one checked field at a time ------------------------------------------------------------------
class _Entry:
    def __init__(self, table: str, index: int, raw: Mapping[str, Any]) -> None:
        self.where = f"[[{table}]] #{index + 1}"
        self.raw = raw

    def fail(self, why: str) -> InvalidReferenceData:
        return InvalidReferenceData(f"rules.toml {self.where}: {why}")

    def text(self, key: str, default: str | None = None) -> str:
        value = self.raw.get(key, default)
        if not isinstance(value, str) or not value:
            raise self.fail(f"`{key}` must be a non-empty string")
        return value

    def rate(self, key: str) -> Decimal | None:
        if key not in self.raw:
            return None
        try:
            value = Decimal(self.text(key))
        except InvalidOperation:
            raise self.fail(f"`{key}` is not a decimal") from None
        if not Decimal(0) <= value < Decimal(1):
            raise self.fail(f"`{key}` must be a fraction from 0 to below 1")
        return value

    def fraction(self, key: str) -> Decimal | None:
        """A share of something, above 0 and up to 1 (None when the key is absent)."""
        if key not in self.raw:
            return None
        try:
            value = Decimal(self.text(key))
        except InvalidOperation:
            raise self.fail(f"`{key}` is not a decimal") from None
        if not value.is_finite() or not Decimal(0) < value <= Decimal(1):
            raise self.fail(f"`{key}` must be a fraction above 0 and up to 1")
        return value

    def money(self, key: str) -> Money | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise self.fail(f"`{key}` must be {{ amount, currency }}")
        try:
            return Money.of(str(value["amount"]), str(value["currency"]))
        except Exception as error:
            raise self.fail(f"`{key}`: {error}") from None

    def day(self, key: str) -> date | None:
        value = self.raw.get(key)
        if value is None:
            return None
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise self.fail(f"`{key}` is not an ISO date") from None

    def validity(self) -> Validity:
        start = self.day("valid_from")
        if start is None:
            raise self.fail("`valid_from` is required")
        end = self.day("valid_to")
        if end is not None and end <= start:
            raise self.fail("`valid_to` must be after `valid_from`")
        return Validity(
            valid_from=start,
            valid_to=end,
            start_known=bool(self.raw.get("start_known", True)),
            source=self.text("source"),
            confidence=Confidence(self.text("confidence")),
            note=self.raw.get("note"),
        )

    def scope(self, markets: Mapping[str, Market]) -> str:
        scope = self.text("scope")
        if scope not in markets and scope not in UNIONS:
            raise self.fail(f"scope `{scope}` is neither a market nor a union in this file")
        return scope

    def enum(self, key: str, kind: type[StrEnum]) -> Any:
        try:
            return kind(self.text(key))
        except ValueError:
            raise self.fail(f"`{key}` must be one of {', '.join(kind)}") from None


def _market(entry: _Entry) -> Market:
    code = entry.text("code")
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        raise entry.fail(f"`{code}` is not an ISO 3166 alpha-2 code")
    union = entry.raw.get("union")
    if union is not None and union not in UNIONS:
        raise entry.fail(f"unknown union `{union}`")
    return Market(code, str(getattr(country, "common_name", country.name)), union)


def parse(document: Mapping[str, Any]) -> Reference:
    entries = {
        table: [_Entry(table, i, raw) for i, raw in enumerate(document.get(table, []))]
        for table in (
            "market",
            "tax",
            "regime",
            "duty",
            "certification",
            "fee",
            "registration",
            "valuation",
        )
    }
    markets = {market.code: market for market in map(_market, entries["market"])}
    taxes = tuple(
        TaxRule(e.scope(markets), e.enum("kind", TaxKind), e.rate("rate"), e.validity())
        for e in entries["tax"]
    )
    regimes = tuple(_regime(e, markets) for e in entries["regime"])
    duties = tuple(
        DutyRule(e.scope(markets), _hs6(e), e.rate("rate") or Decimal(0), e.validity())
        for e in entries["duty"]
    )
    certifications = tuple(
        CertificationRule(
            e.scope(markets),
            e.enum("category", ProductCategory),
            e.text("code"),
            frozenset(e.raw.get("accepts", [])),
            e.validity(),
        )
        for e in entries["certification"]
    )
    fees = tuple(_fee(e, markets) for e in entries["fee"])
    registrations = tuple(
        RegistrationRule(
            e.scope(markets),
            e.enum("kind", RegistrationKind),
            bool(e.raw.get("blocking", False)),
            e.validity(),
        )
        for e in entries["registration"]
    )
    valuations = tuple(_valuation(e, markets) for e in entries["valuation"])
    parsed = Reference(
        str(document.get("version", "")),
        markets,
        taxes,
        regimes,
        duties,
        certifications,
        fees,
        registrations,
        valuations,
    )
    seen: set[str] = set()
    for rule in parsed.rules():
        if rule.id in seen:
            raise InvalidReferenceData(f"rules.toml: two entries are the same rule `{rule.id}`")
        seen.add(rule.id)
    return parsed


def _valuation(entry: _Entry, markets: Mapping[str, Market]) -> ValuationRule:
    tax_inclusive = entry.raw.get("tax_inclusive", False)
    if not isinstance(tax_inclusive, bool):
        raise entry.fail("`tax_inclusive` must be true or false")
    tax_base = entry.enum("tax_base", ValuationBasis) if "tax_base" in entry.raw else None
    if tax_inclusive and tax_base is None:
        raise entry.fail("`tax_inclusive` needs a `tax_base`")
    return ValuationRule(
        entry.scope(markets),
        entry.enum("duty_base", ValuationBasis),
        tax_base,
        tax_inclusive,
        entry.validity(),
        entry.fraction("personal_use_factor"),
    )


def _hs6(entry: _Entry) -> str:
    try:
        return normalize_hs_code(entry.text("hs6"))
    except Exception as error:
        raise entry.fail(str(error)) from None


def _regime(entry: _Entry, markets: Mapping[str, Market]) -> RegimeRule:
    origins = frozenset(entry.raw.get("origins", []))
    unknown = [o for o in origins if pycountry.countries.get(alpha_2=o) is None]
    if unknown:
        raise entry.fail(f"unknown origin countries {unknown}")
    duty = entry.enum("duty", DutyTreatment)
    rule = RegimeRule(
        scope=entry.scope(markets),
        name=entry.text("name"),
        over=entry.money("over"),
        up_to=entry.money("up_to"),
        origins=origins,
        tax=entry.enum("tax", TaxCollection),
        duty=duty,
        duty_per_line=entry.money("duty_per_line"),
        flat_rate=entry.rate("flat_rate"),
        deduction=entry.money("deduction"),
        methods=frozenset(ShippingMethod(m) for m in entry.raw.get("methods", [])),
        validity=entry.validity(),
    )
    if duty is DutyTreatment.PER_TARIFF_LINE and rule.duty_per_line is None:
        raise entry.fail("PER_TARIFF_LINE needs `duty_per_line`")
    if duty is DutyTreatment.FLAT_RATE and rule.flat_rate is None:
        raise entry.fail("FLAT_RATE needs `flat_rate`")
    if rule.over and rule.up_to and rule.over.currency != rule.up_to.currency:
        raise entry.fail("`over` and `up_to` must be in one currency")
    return rule


def _fee(entry: _Entry, markets: Mapping[str, Market]) -> FeeRule:
    marketplace = entry.text("marketplace")
    if marketplace != "*" and marketplace not in markets:
        raise entry.fail(f"marketplace `{marketplace}` is not a market in this file")
    category = entry.text("category")
    rate = entry.rate("referral_rate")
    if rate is None:
        raise entry.fail("`referral_rate` is required")
    return FeeRule(
        platform=entry.enum("platform", Platform),
        marketplace=marketplace,
        category=None if category == "*" else entry.enum("category", ProductCategory),
        referral_rate=rate,
        minimum_fee=entry.money("minimum_fee"),
        per_order_fee=entry.money("per_order_fee"),
        validity=entry.validity(),
    )


@cache
def reference() -> Reference:
    data = resources.files("domain.markets").joinpath("data/rules.toml").read_bytes()
    return parse(tomllib.loads(data.decode("utf-8")))


def validate_market(code: str, field: list[str] | None = None) -> Market:
    market = reference().markets.get(code.strip().upper())
    if market is None:
        known = ", ".join(sorted(reference().markets))
        raise DomainError(
            "UNKNOWN_MARKET", f"'{code}' is not a market Tradelane has rules for. Markets: {known}.", field
        )
    return market
