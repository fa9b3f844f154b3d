from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from api.catalog.types import Platform, ProductCategory
from api.money import Money
from domain.markets import reference as ref
from domain.markets.rules import MarketRules as Rules
from domain.shared.money import Money as DomainMoney

TaxKind = strawberry.enum(ref.TaxKind, description="The consumption tax a market levies.")
TaxCollection = strawberry.enum(
    ref.TaxCollection,
    description="How the tax on an import is collected: AT_SALE (charged at checkout by the seller or "
    "marketplace), AT_BORDER, EXEMPT, or IN_FLAT_RATE (inside a single rate that covers duty and tax).",
)
DutyTreatment = strawberry.enum(
    ref.DutyTreatment,
    description="How duty is charged: EXEMPT, FULL (the tariff), PER_TARIFF_LINE (a flat amount per distinct "
    "tariff line) or FLAT_RATE (a single rate on the value).",
)
Confidence = strawberry.enum(
    ref.Confidence, description="H: law or official text; M: reputable secondary source; L: unverified."
)


def _money(value: DomainMoney | None) -> Money | None:
    return None if value is None else Money.of(value.amount, value.currency)


@strawberry.type(description="When a rule is in force and where it comes from.")
class RuleValidity:
    valid_from: date = strawberry.field(description="First day in force.")
    valid_to: date | None = strawberry.field(
        description="First day no longer in force; null: still in force."
    )
    start_known: bool = strawberry.field(
        description="False when validFrom is only the earliest day the rule was checked, not its start."
    )
    source: str = strawberry.field(description="Where the figure comes from.")
    confidence: Confidence = strawberry.field(description="How reliable the source is.")  # type: ignore[valid-type]
    note: str | None = strawberry.field(description="Caveats and details.")

    @classmethod
    def of(cls, v: ref.Validity) -> RuleValidity:
        return cls(
            valid_from=v.valid_from,
            valid_to=v.valid_to,
            start_known=v.start_known,
            source=v.source,
            confidence=v.confidence,
            note=v.note,
        )


@strawberry.type(description="A consumption tax rate on imports.")
class TaxRate:
    scope: str = strawberry.field(description="The market, or union (EU), the rule belongs to.")
    kind: TaxKind = strawberry.field(description="VAT, GST, ...")  # type: ignore[valid-type]
    rate: Decimal | None = strawberry.field(description="Standard rate as a fraction; null where it varies.")
    validity: RuleValidity = strawberry.field(description="In force when, per what source.")


@strawberry.type(description="How consignments of a value band, from some origins, are taxed and dutied.")
class LowValueRegime:
    scope: str = strawberry.field(description="The market, or union (EU), the rule belongs to.")
    name: str = strawberry.field(description="The regime, e.g. IOSS.")
    over: Money | None = strawberry.field(description="Applies to values above this (exclusive).")
    up_to: Money | None = strawberry.field(description="Applies to values up to this (inclusive).")
    origins: list[str] = strawberry.field(description="Origin countries it is for; empty: any origin.")
    tax: TaxCollection = strawberry.field(description="How the tax is collected.")  # type: ignore[valid-type]
    duty: DutyTreatment = strawberry.field(description="How duty is charged.")  # type: ignore[valid-type]
    duty_per_tariff_line: Money | None = strawberry.field(description="For PER_TARIFF_LINE duty.")
    flat_rate: Decimal | None = strawberry.field(description="For FLAT_RATE duty: the rate on the value.")
    deduction: Money | None = strawberry.field(description="Taken off a FLAT_RATE charge.")
    validity: RuleValidity = strawberry.field(description="In force when, per what source.")


@strawberry.type(description="A most-favoured-nation duty rate for one HS subheading.")
class DutyRate:
    scope: str = strawberry.field(description="The market, or union (EU), the rate belongs to.")
    hs6: str = strawberry.field(description="HS subheading, 6 digits.")
    rate: Decimal = strawberry.field(description="Ad valorem rate as a fraction.")
    validity: RuleValidity = strawberry.field(description="In force when, per what source.")


@strawberry.type(description="A certification a product category needs to be sold in a market.")
class CertificationRequirement:
    scope: str = strawberry.field(description="The market, or union (EU), that requires it.")
    category: ProductCategory = strawberry.field(description="The goods it applies to.")  # type: ignore[valid-type]
    code: str = strawberry.field(description="The certification, e.g. CE, UKCA, FCC.")
    accepts: list[str] = strawberry.field(description="Other certifications accepted in its place.")
    validity: RuleValidity = strawberry.field(description="In force when, per what source.")


@strawberry.type(description="What a platform charges on a marketplace.")
class MarketplaceFee:
    platform: Platform = strawberry.field(description="The platform.")  # type: ignore[valid-type]
    marketplace: str = strawberry.field(description="The marketplace's country, or * for all of them.")
    category: ProductCategory | None = strawberry.field(description="The category; null: the default.")  # type: ignore[valid-type]
    referral_rate: Decimal = strawberry.field(description="Share of the price, as a fraction.")
    minimum_fee: Money | None = strawberry.field(description="The least referral fee per item.")
    per_order_fee: Money | None = strawberry.field(description="A fixed fee per order.")
    validity: RuleValidity = strawberry.field(description="In force when, per what source.")


@strawberry.type(description="Every rule of a market in force on one day.")
class MarketRules:
    as_of: date = strawberry.field(description="The day the rules are in force on.")
    currency: str = strawberry.field(description="The market's currency on that day (ISO 4217, from CLDR).")
    taxes: list[TaxRate] = strawberry.field(description="Consumption taxes on imports.")
    low_value_regimes: list[LowValueRegime] = strawberry.field(description="How imports are taxed by value.")
    duty_rates: list[DutyRate] = strawberry.field(description="Duty rates known for HS subheadings.")
    certifications: list[CertificationRequirement] = strawberry.field(description="Certifications required.")
    fees: list[MarketplaceFee] = strawberry.field(description="Marketplace fee schedules.")

    @classmethod
    def of(cls, rules: Rules) -> MarketRules:
        return cls(
            as_of=rules.as_of,
            currency=rules.currency,
            taxes=[
                TaxRate(scope=t.scope, kind=t.kind, rate=t.rate, validity=RuleValidity.of(t.validity))
                for t in rules.taxes
            ],
            low_value_regimes=[
                LowValueRegime(
                    scope=r.scope,
                    name=r.name,
                    over=_money(r.over),
                    up_to=_money(r.up_to),
                    origins=sorted(r.origins),
                    tax=r.tax,
                    duty=r.duty,
                    duty_per_tariff_line=_money(r.duty_per_line),
                    flat_rate=r.flat_rate,
                    deduction=_money(r.deduction),
                    validity=RuleValidity.of(r.validity),
                )
                for r in rules.regimes
            ],
            duty_rates=[
                DutyRate(scope=d.scope, hs6=d.hs6, rate=d.rate, validity=RuleValidity.of(d.validity))
                for d in rules.duties
            ],
            certifications=[
                CertificationRequirement(
                    scope=c.scope,
                    category=c.category,
                    code=c.code,
                    accepts=sorted(c.accepts),
                    validity=RuleValidity.of(c.validity),
                )
                for c in rules.certifications
            ],
            fees=[
                MarketplaceFee(
                    platform=f.platform,
                    marketplace=f.marketplace,
                    category=f.category,
                    referral_rate=f.referral_rate,
                    minimum_fee=_money(f.minimum_fee),
                    per_order_fee=_money(f.per_order_fee),
                    validity=RuleValidity.of(f.validity),
                )
                for f in rules.fees
            ],
        )
