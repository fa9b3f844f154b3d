"""The duty and tax engine: which duties and taxes a cross-border consumer consignment owes, to whom,
when, and who pays. Pure: reference rules in, an assessment out; no database, no clock, no I/O.

Two moments are assessed:

- at sale (`assess_sale`), when a collect-at-sale scheme (the EU's IOSS, the UK's GBP 135 rule, Australia's
  low-value GST, Singapore's OVR) puts the consumption tax, and under the EU's 2026-2028 interim regime the
  EUR 3 duty per tariff line, into the checkout price;
- at the border (`assess_import`), for whatever the declaration still owes: duty per the regime's treatment
  on the market's customs value (CIF or FOB), and the import tax on that value plus duty, unless it was
  collected at sale under the scheme the declaration names.

Every consignment assessed here goes to a consumer, so a market that values personal imports at a share of
the retail price (Japan: 60%) values the goods at that share, for the band test and for the duty and tax
bases alike; transport is added at its cost.

Arithmetic is done in the currency of the sale or declaration; only band tests and fixed amounts (EUR 3
per line, Brazil's USD 20 deduction) are converted, with the rates the caller passes. Each line is rounded
half up to the currency's minor unit and names the rule it came from, so that the snapshot (`as_json`)
still says why after the rules change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

import pycountry

from domain.catalog.hs import normalize_hs_code
from domain.catalog.model import Platform
from domain.markets.reference import (
    DutyTreatment,
    Market,
    Reference,
    RegimeRule,
    ShippingMethod,
    TaxCollection,
    TaxKind,
    TaxRule,
    ValuationBasis,
    ValuationRule,
    reference,
)
from domain.markets.rules import MarketRules, band_currency, duty_rate, regime_for, rules_as_of
from domain.research.landed import Incoterm
from domain.shared.errors import DomainError
from domain.shared.money import Money, minor_units

__all__ = [
    "OWN_SHOPS",
    "TAX_TYPES",
    "AssessedLine",
    "Assessment",
    "Collection",
    "Consignment",
    "DeclaredItem",
    "Incoterm",
    "Payer",
    "Rates",
    "Sale",
    "SaleItem",
    "assess_import",
    "assess_sale",
    "at_sale_collector",
    "personal_use_factor",
    "scheme_registrations",
    "valuation_for",
]


class Collection(StrEnum):
    AT_SALE = "AT_SALE"  # in the checkout price, remitted by the seller or the marketplace
    AT_BORDER = "AT_BORDER"  # assessed on the import declaration


class Payer(StrEnum):
    """Who pays the authority."""

    SELLER = "SELLER"
    CONSUMER = "CONSUMER"
    MARKETPLACE = "MARKETPLACE"  # as deemed supplier under a collect-at-sale scheme


DUTY = "DUTY"
FLAT_RATE = "FLAT_RATE"  # one global rate covering duty and tax (Mexico's courier rates)
TAX_TYPES: tuple[str, ...] = (DUTY, *(kind.value for kind in TaxKind), FLAT_RATE)

# Shops of the seller's own: no marketplace collects tax at sale for them as the deemed supplier.
OWN_SHOPS = frozenset({Platform.OWN_STORE, Platform.SHOPIFY})

# Units of the sale's or declaration's currency per 1 unit of the key currency.
Rates = Mapping[str, Decimal]

JSON_FORMAT = 1


@dataclass(frozen=True)
class SaleItem:
    """One order line as sold."""

    hs_code: str
    quantity: int
    price: Money  # the line's total as charged to the consumer, including any tax collected at sale


@dataclass(frozen=True)
class Sale:
    market: Market
    day: date
    origin: str  # ISO 3166 alpha-2
    items: tuple[SaleItem, ...]
    shipping: Money  # charged to the consumer, in the items' currency
    platform: Platform
    registrations: frozenset[str]  # RegistrationKind values the seller holds for this market or its union


@dataclass(frozen=True)
class DeclaredItem:
    """One line of an import declaration."""

    hs_code: str
    quantity: int
    value: Money  # the line's customs (transaction) value, without any tax collected at sale
    origin: str


@dataclass(frozen=True)
class Consignment:
    market: Market
    day: date
    items: tuple[DeclaredItem, ...]
    freight: Money  # transport to the destination, counted where the market's basis is CIF
    # How it travels; None (a bulk import, say): regimes limited to a way of travelling are left out.
    method: ShippingMethod | None
    incoterm: Incoterm
    collected_at_sale: str | None  # the regime whose tax was collected at sale ("IOSS"), None if none
    scheme_number_declared: bool  # the number that scheme needs is on the declaration (or the marketplace's)
    # Whether the sale's collection included the regime's duty: a sale made before the EUR 3 per tariff
    # line began, imported after, collected none, and the duty is then due at the border.
    duty_collected_at_sale: bool = True


@dataclass(frozen=True)
class AssessedLine:
    tax_type: str  # one of TAX_TYPES
    jurisdiction: str  # the market for taxes (DE), the scope for duty (EU for the union's)
    base: Money
    rate: Decimal | None  # None for fixed amounts (EUR 3 per tariff line)
    amount: Money
    collection: Collection
    payer: Payer
    rule_id: str
    item: int | None  # index into the sale's or declaration's items; None: the whole consignment
    note: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "tax_type": self.tax_type,
            "jurisdiction": self.jurisdiction,
            "base": _text(self.base.amount),
            "rate": None if self.rate is None else _text(self.rate),
            "amount": _text(self.amount.amount),
            "collection": self.collection.value,
            "payer": self.payer.value,
            "rule_id": self.rule_id,
            "item": self.item,
            "note": self.note,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], currency: str) -> AssessedLine:
        rate = data["rate"]
        return cls(
            tax_type=str(data["tax_type"]),
            jurisdiction=str(data["jurisdiction"]),
            # As stored: a snapshot is history, read back as it was written.
            base=Money(Decimal(data["base"]), currency),
            rate=None if rate is None else Decimal(rate),
            amount=Money(Decimal(data["amount"]), currency),
            collection=Collection(data["collection"]),
            payer=Payer(data["payer"]),
            rule_id=str(data["rule_id"]),
            item=None if data["item"] is None else int(data["item"]),
            note=data.get("note"),
        )


@dataclass(frozen=True)
class Assessment:
    market: str
    as_of: date
    rules_version: str
    currency: str
    regime: str | None
    regime_rule_id: str | None
    incoterm: Incoterm | None  # None at sale: how the parcel will be delivered is not settled yet
    lines: tuple[AssessedLine, ...]
    problems: tuple[str, ...]

    def total(self, *, payer: Payer | None = None, collection: Collection | None = None) -> Money:
        amount = sum(
            (
                line.amount.amount
                for line in self.lines
                if (payer is None or line.payer is payer)
                and (collection is None or line.collection is collection)
            ),
            Decimal(0),
        )
        return Money.of(amount, self.currency)

    def as_json(self) -> dict[str, Any]:
        """A stable snapshot, amounts as strings, to store on the order or the declaration."""
        return {
            "format": JSON_FORMAT,
            "market": self.market,
            "as_of": self.as_of.isoformat(),
            "rules_version": self.rules_version,
            "currency": self.currency,
            "regime": self.regime,
            "regime_rule_id": self.regime_rule_id,
            "incoterm": None if self.incoterm is None else self.incoterm.value,
            "lines": [line.as_json() for line in self.lines],
            "problems": list(self.problems),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Assessment:
        currency = str(data["currency"])
        incoterm = data.get("incoterm")
        return cls(
            market=str(data["market"]),
            as_of=date.fromisoformat(str(data["as_of"])),
            rules_version=str(data["rules_version"]),
            currency=currency,
            regime=data.get("regime"),
            regime_rule_id=data.get("regime_rule_id"),
            incoterm=None if incoterm is None else Incoterm(incoterm),
            lines=tuple(AssessedLine.from_json(line, currency) for line in data["lines"]),
            problems=tuple(str(p) for p in data.get("problems", ())),
        )


# -- who collects at sale (shared with market research) -----------------------------------------------------
def scheme_registrations(regime: RegimeRule, rules: MarketRules) -> tuple[str, ...]:
    """The registrations a collect-at-sale scheme needs its collector to hold (IOSS for the EU's): the
    number declared with each consignment comes from one of them."""
    return tuple(r.kind.value for r in rules.registrations if r.scope == regime.scope)


def at_sale_collector(
    regime: RegimeRule, rules: MarketRules, platform: Platform, held: Iterable[str]
) -> Payer | None:
    """Who collects a collect-at-sale scheme's tax at checkout: a marketplace, as deemed supplier; through
    an own shop, the seller when it holds the registration the scheme needs; otherwise nobody, and the tax
    is left to the border."""
    if platform not in OWN_SHOPS:
        return Payer.MARKETPLACE
    needed = scheme_registrations(regime, rules)
    holds = frozenset(held)
    return Payer.SELLER if not needed or any(kind in holds for kind in needed) else None


# -- at sale ------------------------------------------------------------------------------------------------
def assess_sale(sale: Sale, rates: Rates, *, ref: Reference | None = None) -> Assessment:
    """The tax (and EU interim duty) collected at checkout, if the sale falls under a collect-at-sale
    scheme and someone can collect it. The band is judged on the goods' value net of that tax, without
    shipping (the intrinsic value), at the share of it the market values personal imports at; only
    regimes that hold however the parcel travels are considered, as the way it travels is not known yet."""
    ref = ref or reference()
    currency = _one_currency([item.price for item in sale.items], sale.shipping, "shipping")
    codes = _check_items([(i.hs_code, i.quantity, i.price) for i in sale.items], "price")
    _check_country(sale.origin, ["origin"])
    rules = rules_as_of(sale.market, sale.day, ref)
    convert = _Converter(rates, currency, sale.day)
    factor = personal_use_factor(sale.market, sale.day, ref)
    tax = _tax_rule(rules)
    rate = tax.rate if tax is not None and tax.rate is not None else Decimal(0)
    included = [_included(item.price, rate) for item in sale.items]
    nets = [item.price - inside for item, inside in zip(sale.items, included, strict=True)]
    anywhere = replace(rules, regimes=tuple(r for r in rules.regimes if not r.methods))
    valued = _personal_use_value(_sum(nets, currency), factor)
    regime = _place(anywhere, valued, sale.origin, None, convert)
    if regime is None or regime.tax is not TaxCollection.AT_SALE:
        # Nobody puts the tax into the price: the price is the goods' value as it stands.
        prices = _sum([i.price for i in sale.items], currency)
        regime = _place(anywhere, _personal_use_value(prices, factor), sale.origin, None, convert)
    lines: list[AssessedLine] = []
    problems: list[str] = []
    if regime is not None and regime.tax is TaxCollection.AT_SALE and tax is not None:
        payer = at_sale_collector(regime, rules, sale.platform, sale.registrations)
        if payer is None:
            needed = " or ".join(scheme_registrations(regime, rules))
            problems.append(
                f"{needed} registration missing: {regime.name} {tax.kind} is not collected at sale and "
                "will be charged at the border"
            )
        else:
            lines += _at_sale_tax(sale, tax, rate, included, payer)
            if regime.duty is DutyTreatment.PER_TARIFF_LINE:
                lines += _per_tariff_line(
                    regime, codes, nets, convert, Collection.AT_SALE, payer, "through the scheme, at sale"
                )
    return Assessment(
        market=sale.market.code,
        as_of=sale.day,
        rules_version=ref.version,
        currency=currency,
        regime=regime.name if regime else None,
        regime_rule_id=regime.id if regime else None,
        incoterm=None,
        lines=tuple(lines),
        problems=tuple(problems),
    )


def _at_sale_tax(
    sale: Sale, tax: TaxRule, rate: Decimal, included: list[Money], payer: Payer
) -> list[AssessedLine]:
    """The tax inside each line's price and inside the shipping charged (the whole supply is taxed):
    gross x r / (1 + r), on a base of the price net of it."""
    at_sale = [
        AssessedLine(
            tax.kind.value,
            sale.market.code,
            item.price - inside,
            rate,
            inside,
            Collection.AT_SALE,
            payer,
            tax.id,
            index,
        )
        for index, (item, inside) in enumerate(zip(sale.items, included, strict=True))
        if item.price.is_positive
    ]
    if sale.shipping.is_positive:
        inside = _included(sale.shipping, rate)
        at_sale.append(
            AssessedLine(
                tax.kind.value,
                sale.market.code,
                sale.shipping - inside,
                rate,
                inside,
                Collection.AT_SALE,
                payer,
                tax.id,
                None,
                "on the shipping charged",
            )
        )
    return at_sale


# -- at the border -----------------------------------------------------------------------------------------
def assess_import(c: Consignment, rates: Rates, *, ref: Reference | None = None) -> Assessment:
    """What the import declaration owes at the border: duty per the regime's treatment on the market's
    customs value, and the consumption tax on its base unless it was collected at sale under the regime
    the declaration names (with the number the scheme needs). Under DDP the seller pays, under DAP the
    consumer. The band is judged on the goods' value (intrinsic value, without freight). Where the market
    values personal imports at a share of the retail price, each item's value is taken at that share for
    the band, the duty and the tax; the freight is not scaled."""
    ref = ref or reference()
    currency = _one_currency([item.value for item in c.items], c.freight, "freight")
    if c.freight.amount < 0:
        raise DomainError("INVALID_AMOUNT", "Freight cannot be below zero.", ["freight"])
    codes = _check_items([(i.hs_code, i.quantity, i.value) for i in c.items], "value")
    for index, item in enumerate(c.items):
        _check_country(item.origin, ["items", str(index), "origin"])
    rules = rules_as_of(c.market, c.day, ref)
    convert = _Converter(rates, currency, c.day)
    problems: list[str] = []
    origins = {item.origin for item in c.items}
    origin = next(iter(origins)) if len(origins) == 1 else ""
    if not origin:
        problems.append(
            f"the goods come from {', '.join(sorted(origins))}: regimes for particular origins are not "
            "applied to a mixed consignment"
        )
    valuation = valuation_for(c.market, c.day, ref)
    factor = _factor(valuation)
    values = [item.value for item in c.items]
    customs_values = [_personal_use_value(value, factor) for value in values]
    goods = _sum(customs_values, currency)
    anywhere = tuple(r for r in rules.regimes if not r.methods)
    usable = rules if c.method is not None else replace(rules, regimes=anywhere)
    regime = _place(usable, goods, origin, c.method, convert)
    if regime is None:
        travels = f"{c.method.value.lower()} " if c.method is not None else ""
        problems.append(
            f"no import regime known for {travels}consignments of this value to {c.market.code}: "
            "assessed as a standard import (full duty, tax at the border)"
        )
    if valuation is None:
        problems.append(f"no valuation basis known for {c.market.code}: duty and tax taken on CIF")
    duty_basis = valuation.duty_base if valuation else ValuationBasis.CIF
    tax_basis = valuation.tax_base if valuation else ValuationBasis.CIF
    payer = Payer.SELLER if c.incoterm is Incoterm.DDP else Payer.CONSUMER
    tax = _tax_rule(rules)
    collected = _collected_at_sale(c, regime, rules, tax, problems)

    freight_shares = _allocate(c.freight, customs_values)
    duty_bases = [
        value + share if duty_basis is ValuationBasis.CIF else value
        for value, share in zip(customs_values, freight_shares, strict=True)
    ]
    treatment = regime.duty if regime else DutyTreatment.FULL
    lines: list[AssessedLine] = []
    if treatment is DutyTreatment.FULL:
        lines += _full_duty(rules, codes, duty_bases, payer, problems)
    elif (
        treatment is DutyTreatment.PER_TARIFF_LINE
        and regime is not None
        and not (collected and c.duty_collected_at_sale)
    ):
        if collected:
            problems.append(
                f"the {regime.name} duty per tariff line was not collected at sale (the sale came before "
                "it applied): it is charged at the border"
            )
        lines += _per_tariff_line(regime, codes, duty_bases, convert, Collection.AT_BORDER, payer, None)
    elif treatment is DutyTreatment.FLAT_RATE and regime is not None:
        lines.append(_flat_rate(c.market, regime, _sum(duty_bases, currency), convert, payer))

    collection = regime.tax if regime else TaxCollection.AT_BORDER
    if collection is TaxCollection.AT_BORDER or (collection is TaxCollection.AT_SALE and not collected):
        value = goods + c.freight if tax_basis is ValuationBasis.CIF else goods
        duty = _sum([line.amount for line in lines], currency)
        line = _border_tax(c.market, tax, valuation, value, duty, payer, problems)
        if line is not None:
            lines.append(line)
    if factor != 1:
        why = (
            f"goods valued at {_percent(factor)} of their retail price {_sum(values, currency)} "
            "(imported for personal use)"
        )
        lines = [replace(line, note=f"{line.note}; {why}" if line.note else why) for line in lines]
    return Assessment(
        market=c.market.code,
        as_of=c.day,
        rules_version=ref.version,
        currency=currency,
        regime=regime.name if regime else None,
        regime_rule_id=regime.id if regime else None,
        incoterm=c.incoterm,
        lines=tuple(lines),
        problems=tuple(problems),
    )


def _collected_at_sale(
    c: Consignment, regime: RegimeRule | None, rules: MarketRules, tax: TaxRule | None, problems: list[str]
) -> bool:
    """Whether the regime's tax (and interim duty) was collected at sale and customs will accept so: the
    declaration names the regime, and carries the number the scheme needs. Without the number customs
    charge the tax again at the border, which is what really happens; the seller then corrects its return
    or refunds the consumer."""
    kind = tax.kind.value if tax else "tax"
    at_sale = regime is not None and regime.tax is TaxCollection.AT_SALE
    if c.collected_at_sale is None:
        if at_sale and regime is not None:
            problems.append(
                f"no {kind} was collected at sale under {regime.name}: it is charged at the border"
            )
        return False
    if not at_sale or regime is None or c.collected_at_sale != regime.name:
        found = regime.name if regime else "no known regime"
        problems.append(
            f"the tax was collected at sale under {c.collected_at_sale}, but the consignment falls under "
            f"{found}: the border charges what that regime says; the seller corrects what it collected"
        )
        return False
    needed = scheme_registrations(regime, rules)
    if needed and not c.scheme_number_declared:
        problems.append(
            f"no {' or '.join(needed)} number on the declaration: the {kind} collected at sale under "
            f"{regime.name} is charged again at the border (with any duty); the seller corrects its "
            f"{regime.name} return or refunds the consumer"
        )
        return False
    return True


def _full_duty(
    rules: MarketRules, codes: list[str], bases: list[Money], payer: Payer, problems: list[str]
) -> list[AssessedLine]:
    """The MFN rate of each item's subheading (the market's own before its union's) on its customs value.
    An unknown rate leaves the item's line out and says so: it is not silently zero."""
    lines = []
    for index, (code, base) in enumerate(zip(codes, bases, strict=True)):
        found = duty_rate(rules, code)
        if found is None:
            problems.append(
                f"no duty rate known for HS {code[:6]} in {rules.market.code}: item {index + 1}'s duty is "
                "left out of the assessment (and of the tax base); look the rate up before paying"
            )
            continue
        lines.append(
            AssessedLine(
                DUTY,
                found.scope,
                base,
                found.rate,
                base * found.rate,
                Collection.AT_BORDER,
                payer,
                found.id,
                index,
            )
        )
    return lines


def _per_tariff_line(
    regime: RegimeRule,
    codes: list[str],
    bases: list[Money],
    convert: _Converter,
    collection: Collection,
    payer: Payer,
    how: str | None,
) -> list[AssessedLine]:
    """A fixed amount per distinct tariff line (distinct full code declared): five T-shirts under one
    code are one line; a T-shirt and headphones are two."""
    assert regime.duty_per_line is not None  # checked when the rules file is read
    per_line = convert.into(regime.duty_per_line, f"{regime.name} duty per tariff line")
    tariff_lines: dict[str, list[int]] = {}
    for index, code in enumerate(codes):
        tariff_lines.setdefault(code, []).append(index)
    lines = []
    for code, indexes in tariff_lines.items():
        items = ("items " if len(indexes) > 1 else "item ") + ", ".join(str(i + 1) for i in indexes)
        note = f"{regime.duty_per_line} per tariff line {code} ({items})"
        if per_line.currency != regime.duty_per_line.currency:
            note += f" = {per_line}"
        lines.append(
            AssessedLine(
                DUTY,
                regime.scope,
                _sum([bases[i] for i in indexes], per_line.currency),
                None,
                per_line,
                collection,
                payer,
                regime.id,
                indexes[0],
                f"{note}, {how}" if how else note,
            )
        )
    return lines


def _flat_rate(
    market: Market, regime: RegimeRule, base: Money, convert: _Converter, payer: Payer
) -> AssessedLine:
    """One rate on the customs value less any deduction, never below zero. It covers the tax too where
    the regime says so (Mexico's courier rates); otherwise it is the duty and the tax comes on top
    (Brazil's Remessa Conforme import tax, with ICMS on top)."""
    assert regime.flat_rate is not None  # checked when the rules file is read
    zero = Money.zero(base.currency)
    deduction = convert.into(regime.deduction, f"{regime.name} deduction") if regime.deduction else zero
    amount = base * regime.flat_rate - deduction
    note = f"{_percent(regime.flat_rate)} of {base}"
    if regime.deduction is not None:
        note += f" less {regime.deduction}" + (
            f" (= {deduction})" if deduction.currency != regime.deduction.currency else ""
        )
    covers_tax = regime.tax is TaxCollection.IN_FLAT_RATE
    return AssessedLine(
        FLAT_RATE if covers_tax else DUTY,
        market.code if covers_tax else regime.scope,
        base,
        regime.flat_rate,
        amount if amount.amount > 0 else zero,
        Collection.AT_BORDER,
        payer,
        regime.id,
        None,
        note,
    )


def _border_tax(
    market: Market,
    tax: TaxRule | None,
    valuation: ValuationRule | None,
    value: Money,
    duty: Money,
    payer: Payer,
    problems: list[str],
) -> AssessedLine | None:
    """The import consumption tax on the value per the market's basis plus the duty charged at the
    border; "por dentro" (Brazil's ICMS) on a base grossed up to contain the tax itself."""
    if tax is None or tax.rate is None:
        problems.append(f"no consumption tax rate known for imports into {market.code}: none assessed")
        return None
    if valuation is not None and valuation.tax_base is None:
        problems.append(f"{market.code} levies no consumption tax at the border: none assessed")
        return None
    rate = tax.rate
    base, amount = value + duty, (value + duty) * rate
    note = f"{_percent(rate)} of {value} + duty {duty}"
    if valuation is not None and valuation.tax_inclusive:
        base = Money.of((value + duty).amount / (1 - rate), value.currency)
        amount = (value + duty) * (rate / (1 - rate))
        note = (
            f"{_percent(rate)} on a base that includes the tax itself: ({value} + duty {duty}) / (1 - {rate})"
        )
    return AssessedLine(
        tax.kind.value, market.code, base, rate, amount, Collection.AT_BORDER, payer, tax.id, None, note
    )


# -- helpers -------------------------------------------------------------------------------------------------
class _Converter:
    """Amounts into and out of the assessment's currency with the caller's rates."""

    def __init__(self, rates: Rates, currency: str, day: date) -> None:
        self.rates, self.currency, self.day = rates, currency, day

    def _rate(self, other: str, what: str) -> Decimal:
        rate = self.rates.get(other)
        if rate is None:
            raise DomainError(
                "NO_RATE",
                f"No {other}/{self.currency} exchange rate to convert the {what}: set a rate from {other} to "
                f"{self.currency} for {self.day} and assess again.",
                ["rates"],
            )
        if rate <= 0:
            raise DomainError(
                "INVALID_RATE", f"The {other}/{self.currency} rate must be above zero, not {rate}.", ["rates"]
            )
        return rate

    def into(self, money: Money, what: str) -> Money:
        if money.currency == self.currency:
            return money
        return Money.of(money.amount * self._rate(money.currency, what), self.currency)

    def out(self, money: Money, currency: str, what: str) -> Money:
        if currency == money.currency:
            return money
        return Money.of(money.amount / self._rate(currency, what), currency)


def _place(
    rules: MarketRules, goods: Money, origin: str, method: ShippingMethod | None, convert: _Converter
) -> RegimeRule | None:
    """The regime for goods worth `goods`, converted into the currency the bands are written in."""
    band = next((band_currency(r) for r in rules.regimes if band_currency(r)), None)
    value = goods if band is None else convert.out(goods, band, "value to place it in a regime band")
    return regime_for(rules, value, origin, method)


def valuation_for(market: Market, day: date, ref: Reference | None = None) -> ValuationRule | None:
    """The market's valuation rule in force on `day`, its own before its union's (None: none known)."""
    valuations = (ref or reference()).valuations
    found = [v for v in valuations if v.scope in market.scopes and v.validity.covers(day)]
    return min(found, key=lambda v: market.scopes.index(v.scope)) if found else None


def personal_use_factor(market: Market, day: date, ref: Reference | None = None) -> Decimal:
    """The share of the retail price a consumer's import for personal use is valued at on `day` (1: the
    whole price); shared with market research, so that both judge Japan's bands alike."""
    return _factor(valuation_for(market, day, ref))


def _factor(valuation: ValuationRule | None) -> Decimal:
    factor = valuation.personal_use_factor if valuation is not None else None
    return Decimal(1) if factor is None else factor


def _personal_use_value(value: Money, factor: Decimal) -> Money:
    """`value` at the share a market values personal imports at, rounded to the currency's minor unit."""
    return value if factor == 1 else value * factor


def _tax_rule(rules: MarketRules) -> TaxRule | None:
    """The market's consumption tax on imports (its standard rate)."""
    return next((t for t in rules.taxes if t.rate is not None), None)


def _included(gross: Money, rate: Decimal) -> Money:
    """The tax inside a tax-inclusive amount: gross x r / (1 + r)."""
    return gross * (rate / (1 + rate))


def _sum(moneys: Sequence[Money], currency: str) -> Money:
    total = Money.zero(currency)
    for money in moneys:
        total = total + money
    return total


def _allocate(total: Money, weights: Sequence[Money]) -> list[Money]:
    """`total` split in proportion to `weights` (equally if they are all zero), in whole minor units
    that add up to it exactly (largest remainder first)."""
    quantum = Decimal(1).scaleb(-minor_units(total.currency))
    units = int(total.amount / quantum)
    amounts = [w.amount for w in weights]
    whole = sum(amounts, Decimal(0))
    if whole <= 0:
        amounts, whole = [Decimal(1)] * len(weights), Decimal(len(weights))
    exact = [units * a / whole for a in amounts]
    shares = [int(e) for e in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: (shares[i] - exact[i], i))
    for i in by_remainder[: units - sum(shares)]:
        shares[i] += 1
    return [Money.of(share * quantum, total.currency) for share in shares]


def _one_currency(amounts: Sequence[Money], extra: Money, extra_field: str) -> str:
    if not amounts:
        raise DomainError("NO_ITEMS", "Give at least one item to assess.", ["items"])
    currency = amounts[0].currency
    for index, money in enumerate(amounts):
        if money.currency != currency:
            raise DomainError(
                "CURRENCY_MISMATCH",
                f"Item {index + 1} is in {money.currency}, item 1 in {currency}: give every amount in one "
                "currency.",
                ["items", str(index)],
            )
    if extra.currency != currency:
        raise DomainError(
            "CURRENCY_MISMATCH",
            f"The {extra_field} is in {extra.currency}, the items in {currency}: give it in {currency}.",
            [extra_field],
        )
    return currency


def _check_items(items: Sequence[tuple[str, int, Money]], amount_field: str) -> list[str]:
    """Each item's code, normalised; refuses a bad code, quantity or amount, naming the item."""
    codes = []
    for index, (code, quantity, amount) in enumerate(items):
        where = ["items", str(index)]
        codes.append(normalize_hs_code(code, [*where, "hsCode"]))
        if quantity < 1:
            raise DomainError(
                "INVALID_QUANTITY", f"Item {index + 1}: a quantity is 1 or more.", [*where, "quantity"]
            )
        if amount.amount < 0:
            raise DomainError(
                "INVALID_AMOUNT", f"Item {index + 1}: an amount cannot be below zero.", [*where, amount_field]
            )
    return codes


def _check_country(code: str, field: list[str]) -> None:
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise DomainError(
            "INVALID_COUNTRY", f"'{code}' is not an ISO 3166 alpha-2 country code such as CN or US.", field
        )


def _percent(rate: Decimal) -> str:
    return f"{format((rate * 100).normalize(), 'f')}%"


def _text(amount: Decimal) -> str:
    return format(amount, "f")
