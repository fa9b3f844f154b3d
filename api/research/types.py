from __future__ import annotations

import uuid
from decimal import Decimal

import strawberry

from api.catalog.types import Channel, Product
from api.compliance.types import ComplianceStatus
from api.context import Info
from api.money import Money
from domain.markets import reference as ref
from domain.research import analysis
from domain.shared.money import Money as DomainMoney

ShippingMethod = strawberry.enum(ref.ShippingMethod, description="How a unit travels to the consumer.")


def _money(value: DomainMoney) -> Money:
    return Money.of(value.amount, value.currency)


@strawberry.type(
    description="One unit's landed cost and margin by one shipping method, in the channel's currency."
)
class LandedCost:
    method: ShippingMethod = strawberry.field(description="The shipping method.")  # type: ignore[valid-type]
    transit_days: str = strawberry.field(description="Typical transit time.")
    scheme: str | None = strawberry.field(description="The low-value regime the parcel falls under this way.")
    shipping: Money = strawberry.field(description="Shipping estimate for one unit (planning figure).")
    duty: Money = strawberry.field(description="Duty the seller pays.")
    tax: Money = strawberry.field(description="Consumption tax the seller answers for, out of the price.")
    fees: Money = strawberry.field(
        description="Channel fees (referral, at least its minimum, and per order)."
    )
    landed_cost: Money = strawberry.field(description="Unit cost + shipping + duty + tax the seller bears.")
    margin: Money = strawberry.field(description="Price - fees - landed cost.")
    margin_rate: Decimal = strawberry.field(description="Margin as a fraction of the price.")
    consumer_pays_on_delivery: Money = strawberry.field(
        description="Duty and tax the consumer pays at the door."
    )

    @classmethod
    def of(cls, option: analysis.ShippingOption) -> LandedCost:
        figures = option.landed
        return cls(
            method=option.method,
            transit_days=option.transit_days,
            scheme=option.scheme,
            shipping=_money(option.cost),
            duty=_money(figures.duty),
            tax=_money(figures.tax),
            fees=_money(figures.fees),
            landed_cost=_money(figures.landed_cost),
            margin=_money(figures.margin),
            margin_rate=figures.margin_rate,
            consumer_pays_on_delivery=_money(figures.consumer_pays_on_delivery),
        )


@strawberry.type(description="A product in a market through a channel: costs, margin, compliance and rank.")
class MarketAnalysisRow:
    rank: int = strawberry.field(description="1 is best: sellable rows first, then by margin rate.")
    market: str = strawberry.field(description="The market (ISO 3166 alpha-2).")
    currency: str = strawberry.field(description="The channel's currency, which the figures are in.")
    price: Money | None = strawberry.field(description="The price analysed: the one given, or the listing's.")
    scheme: str | None = strawberry.field(description="The low-value regime the consignment falls under.")
    unit_cost: Money | None = strawberry.field(
        description="The product's cost, converted at the latest rate."
    )
    best: LandedCost | None = strawberry.field(description="The cheapest shipping method's figures.")
    shipping_options: list[LandedCost] = strawberry.field(description="The figures for each shipping method.")
    compliance: ComplianceStatus = strawberry.field(description="Whether it may be sold there.")  # type: ignore[valid-type]
    missing: list[str] = strawberry.field(description="What compliance still needs.")
    problems: list[str] = strawberry.field(description="What kept figures from being computed or exact.")
    fee_schedule: str = strawberry.field(
        description="CHANNEL: the channel's own fees; MARKETPLACE_CATEGORY: the platform's published fee for "
        "the product's category on that marketplace."
    )
    _product_id: strawberry.Private[uuid.UUID]
    _channel_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The product analysed.")
    def product(self, info: Info) -> Product:
        return info.context.loaders.product.node(self._product_id, Product.from_row)  # type: ignore[return-value]

    @strawberry.field(description="The channel analysed.")
    def channel(self, info: Info) -> Channel:
        return info.context.loaders.channel.node(self._channel_id, Channel.from_row)  # type: ignore[return-value]

    @classmethod
    def of(cls, row: analysis.AnalysisRow) -> MarketAnalysisRow:
        options = [LandedCost.of(option) for option in row.options]
        best = row.best
        return cls(
            rank=row.rank,
            market=row.market,
            currency=row.currency,
            price=_money(row.price) if row.price else None,
            scheme=row.scheme,
            unit_cost=_money(row.unit_cost) if row.unit_cost else None,
            best=LandedCost.of(best) if best else None,
            shipping_options=options,
            compliance=row.compliance,
            missing=row.missing,
            problems=row.problems,
            fee_schedule=row.fee_schedule,
            _product_id=row.product_id,
            _channel_id=row.channel_id,
        )
