"""Landed cost and margin of one unit: pure arithmetic on figures already in the channel's currency."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from domain.markets.reference import DutyTreatment, RegimeRule, TaxCollection
from domain.shared.money import Money


class Incoterm(StrEnum):
    DDP = "DDP"  # the seller delivers duty paid: every tax and duty is the seller's cost
    DAP = "DAP"  # the consumer pays what is charged at the border


@dataclass(frozen=True)
class Costs:
    """One unit's figures, every amount in the channel's currency."""

    price: Money  # what the consumer pays the seller; includes the consumption tax the seller answers for
    unit_cost: Money
    referral_rate: Decimal
    minimum_referral_fee: Money
    per_order_fee: Money
    shipping: Money
    tax_rate: Decimal | None  # the market's consumption tax on imports (None: none, or it varies)
    regime: RegimeRule | None
    duty_rate: Decimal | None  # MFN for the product's subheading (None: not known)
    per_line_duty: Money | None  # PER_TARIFF_LINE regimes, converted
    flat_deduction: Money | None  # FLAT_RATE regimes, converted
    incoterm: Incoterm
    # The share of the goods' value customs levy on: a consumer's personal import into Japan is valued at
    # 60% of the retail price; 1 everywhere else, and for goods the seller imports in bulk.
    customs_value_factor: Decimal = Decimal(1)


@dataclass(frozen=True)
class Landed:
    tax: Money  # consumption tax the seller answers for, out of the price
    duty: Money  # duty the seller pays
    fees: Money
    landed_cost: Money  # unit cost + shipping + duty + tax the seller bears
    margin: Money  # price - fees - landed cost
    margin_rate: Decimal  # margin / price
    consumer_pays_on_delivery: Money  # duty and tax the consumer pays at the door (DAP)
    duty_rate_unknown: bool


def _duty(costs: Costs, value: Money) -> tuple[Money, bool]:
    """Duty on goods worth `value` (the customs value, without duty or tax)."""
    zero = Money.zero(value.currency)
    treatment = costs.regime.duty if costs.regime else DutyTreatment.FULL
    if treatment is DutyTreatment.EXEMPT:
        return zero, False
    if treatment is DutyTreatment.PER_TARIFF_LINE:
        return costs.per_line_duty or zero, False  # one unit is one tariff line
    if treatment is DutyTreatment.FLAT_RATE:
        rate = costs.regime.flat_rate if costs.regime else None
        charged = value * (rate or Decimal(0)) - (costs.flat_deduction or zero)
        return (charged if charged.amount > 0 else zero), False
    if costs.duty_rate is None:
        return zero, True
    return value * costs.duty_rate, False


def customs_value(costs: Costs, goods: Money) -> Money:
    """The value customs put on goods worth `goods` (see `Costs.customs_value_factor`)."""
    factor = costs.customs_value_factor
    return goods if factor == 1 else goods * factor


def goods_value(costs: Costs, duty_paid: Money) -> Money:
    """The goods' value inside `duty_paid`, an amount that covers the goods and their duty: the inverse
    of `_duty` on their customs value, so that a delivered-duty-paid price is not dutied on its own duty."""
    treatment = costs.regime.duty if costs.regime else DutyTreatment.FULL
    zero = Money.zero(duty_paid.currency)
    factor = costs.customs_value_factor
    if treatment is DutyTreatment.PER_TARIFF_LINE:
        return duty_paid - (costs.per_line_duty or zero)
    if treatment is DutyTreatment.FLAT_RATE:
        rate = (costs.regime.flat_rate if costs.regime else None) or Decimal(0)
        deduction = costs.flat_deduction or zero
        value = Money.of((duty_paid.amount + deduction.amount) / (1 + factor * rate), duty_paid.currency)
        # No duty below the deduction: the amount is then the goods' value as it stands.
        return value if customs_value(costs, value).amount * rate > deduction.amount else duty_paid
    if treatment is DutyTreatment.FULL and costs.duty_rate is not None:
        return Money.of(duty_paid.amount / (1 + factor * costs.duty_rate), duty_paid.currency)
    return duty_paid


def _delivered_duty_paid(costs: Costs, rate: Decimal) -> tuple[Money, Money, bool]:
    """Tax, duty and whether the duty rate is unknown, for a price that covers goods g, their duty d on the
    customs value f x g and the border tax r x (f x g + d) (DDP where f is below 1). With the duty written
    as d = a x f x g + b (a rate on the customs value, a fixed amount b):
        price = g x (1 + f x a + r x f x (1 + a)) + b x (1 + r),   solved for g."""
    price, factor = costs.price, costs.customs_value_factor
    zero = Money.zero(price.currency)
    treatment = costs.regime.duty if costs.regime else DutyTreatment.FULL
    on_value, fixed = Decimal(0), Decimal(0)
    if treatment is DutyTreatment.PER_TARIFF_LINE:
        fixed = (costs.per_line_duty or zero).amount
    elif treatment is DutyTreatment.FLAT_RATE:
        on_value = (costs.regime.flat_rate if costs.regime else None) or Decimal(0)
        fixed = -(costs.flat_deduction or zero).amount
    elif treatment is DutyTreatment.FULL:
        on_value = costs.duty_rate or Decimal(0)

    def goods_at(a: Decimal, b: Decimal) -> Money:
        amount = (price.amount - b * (1 + rate)) / (1 + factor * a + rate * factor * (1 + a))
        return Money.of(max(amount, Decimal(0)), price.currency)

    goods = goods_at(on_value, fixed)
    if treatment is DutyTreatment.FLAT_RATE and goods.amount * factor * on_value <= -fixed:
        goods = goods_at(Decimal(0), Decimal(0))  # no duty below the deduction
    customs = customs_value(costs, goods)
    duty, unknown = _duty(costs, customs)
    return (customs + duty) * rate, duty, unknown


def landed(costs: Costs) -> Landed:
    price = costs.price
    zero = Money.zero(price.currency)
    collection = costs.regime.tax if costs.regime else TaxCollection.AT_BORDER
    seller_answers = costs.incoterm is Incoterm.DDP or collection is TaxCollection.AT_SALE
    taxed = collection in (TaxCollection.AT_SALE, TaxCollection.AT_BORDER) and costs.tax_rate is not None
    rate = costs.tax_rate or Decimal(0)
    if seller_answers and collection is TaxCollection.AT_BORDER and costs.customs_value_factor != 1:
        # Delivered duty paid where customs value the goods below their price: the tax is on less than
        # the goods and duty the price covers, so it is no longer a plain share of the price.
        tax, duty, unknown = _delivered_duty_paid(costs, rate if taxed else Decimal(0))
        on_delivery = zero
    elif seller_answers:
        # The price is what the consumer pays all in. Tax is levied on goods plus duty, so it is the
        # rate's share of the price; what remains covers the goods and their duty.
        tax = price * (rate / (1 + rate)) if taxed else zero
        duty, unknown = _duty(costs, customs_value(costs, goods_value(costs, price - tax)))
        on_delivery = zero
    else:
        tax, value = zero, customs_value(costs, price)
        border_duty, unknown = _duty(costs, value)
        duty = zero
        on_delivery = border_duty + (value + border_duty) * rate if taxed else border_duty
    fees = (
        max(price * costs.referral_rate, costs.minimum_referral_fee, key=lambda m: m.amount)
        + costs.per_order_fee
    )
    landed_cost = costs.unit_cost + costs.shipping + duty + tax
    margin = price - fees - landed_cost
    margin_rate = (margin.amount / price.amount).quantize(Decimal("0.0001")) if price.amount else Decimal(0)
    return Landed(tax, duty, fees, landed_cost, margin, margin_rate, on_delivery, unknown)
