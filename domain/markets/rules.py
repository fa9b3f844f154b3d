"""Looking rules up as of a day: pure functions over the reference data, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.catalog.model import Platform, ProductCategory
from domain.markets.reference import (
    CertificationRule,
    DutyRule,
    FeeRule,
    Market,
    Reference,
    RegimeRule,
    RegistrationRule,
    ShippingMethod,
    TaxRule,
    reference,
)
from domain.shared.money import Money


@dataclass(frozen=True)
class MarketRules:
    """Every rule of one market in force on one day."""

    market: Market
    as_of: date
    currency: str
    taxes: tuple[TaxRule, ...]
    regimes: tuple[RegimeRule, ...]
    duties: tuple[DutyRule, ...]
    certifications: tuple[CertificationRule, ...]
    fees: tuple[FeeRule, ...]
    registrations: tuple[RegistrationRule, ...]


def rules_as_of(market: Market, day: date, ref: Reference | None = None) -> MarketRules:
    ref = ref or reference()
    scopes = market.scopes
    return MarketRules(
        market=market,
        as_of=day,
        currency=market.currency(day),
        taxes=tuple(t for t in ref.taxes if t.scope in scopes and t.validity.covers(day)),
        regimes=tuple(r for r in ref.regimes if r.scope in scopes and r.validity.covers(day)),
        duties=tuple(d for d in ref.duties if d.scope in scopes and d.validity.covers(day)),
        certifications=tuple(c for c in ref.certifications if c.scope in scopes and c.validity.covers(day)),
        fees=tuple(f for f in ref.fees if f.marketplace in (market.code, "*") and f.validity.covers(day)),
        registrations=tuple(r for r in ref.registrations if r.scope in scopes and r.validity.covers(day)),
    )


def in_band(regime: RegimeRule, value: Money) -> bool:
    """Whether a consignment worth `value` (in the band's currency) falls in (over, up_to]."""
    for bound in (regime.over, regime.up_to):
        if bound is not None and bound.currency != value.currency:
            raise ValueError(f"{regime.name} is banded in {bound.currency}; convert {value} first")
    above = regime.over is None or value.amount > regime.over.amount
    below = regime.up_to is None or value.amount <= regime.up_to.amount
    return above and below


def band_currency(regime: RegimeRule) -> str | None:
    bound = regime.up_to or regime.over
    return bound.currency if bound else None


def regime_for(
    rules: MarketRules, value: Money, origin: str, method: ShippingMethod | None = None
) -> RegimeRule | None:
    """The low-value regime a consignment falls under: rules for its origin win over general ones, and
    the narrowest band wins. `value` must be in the regimes' band currency (see `band_currency`); with a
    `method`, regimes for other ways of travelling (courier-only ones, say) are left out."""
    candidates = [
        r
        for r in rules.regimes
        if (not r.origins or origin in r.origins)
        and (method is None or not r.methods or method in r.methods)
        and (band_currency(r) in (None, value.currency))
        and in_band(r, value)
    ]
    if not candidates:
        return None
    return min(candidates, key=lambda r: (not r.origins, r.up_to.amount if r.up_to else float("inf")))


def duty_rate(rules: MarketRules, hs_code: str) -> DutyRule | None:
    """The MFN duty rate known for the code's HS subheading, the market's own before its union's."""
    hs6 = hs_code[:6]
    found = [d for d in rules.duties if d.hs6 == hs6]
    return min(found, key=lambda d: rules.market.scopes.index(d.scope)) if found else None


def certifications_for(rules: MarketRules, category: ProductCategory) -> tuple[CertificationRule, ...]:
    return tuple(c for c in rules.certifications if c.category is category)


def fee_for(rules: MarketRules, platform: Platform, category: ProductCategory) -> FeeRule | None:
    """The most specific fee schedule: this marketplace before "*", this category before the default."""
    found = [
        f for f in rules.fees if f.platform is platform and (f.category is None or f.category is category)
    ]
    if not found:
        return None
    return min(found, key=lambda f: (f.marketplace == "*", f.category is None))
