from __future__ import annotations

import uuid
from decimal import Decimal

import strawberry

from api.catalog.types import Channel, Product
from api.compliance.types import ComplianceStatus
from api.context import Info
from api.logistics.types import Carrier, CustomsMode, LogisticsMethod
from api.money import Money
from domain.research import analysis
from domain.shared.money import Money as DomainMoney


def _money(value: DomainMoney) -> Money:
    return Money.of(value.amount, value.currency)


@strawberry.type(
    description="One unit's landed cost and margin by one logistics method, shipped on that method's "
    "cheapest carrier lane from the product's origin; money in the channel's currency."
)
class LandedCost:
    method: LogisticsMethod = strawberry.field(description="How the unit travels.")  # type: ignore[valid-type]
    carrier: Carrier = strawberry.field(description="The carrier of the cheapest lane of this method.")
    service: str = strawberry.field(description="The carrier's service, e.g. ePacket.")
    lane_id: str = strawberry.field(description="The lane (rate card entry) priced.")
    transit_days_p10: int = strawberry.field(
        description="Nine in ten parcels take at least this many calendar days."
    )
    transit_days_p50: int = strawberry.field(description="The median transit, in calendar days.")
    transit_days_p90: int = strawberry.field(
        description="Nine in ten parcels arrive within this many calendar days."
    )
    transit_days: str = strawberry.field(
        description="The lane's transit, p10 to p90 calendar days (e.g. 10-21 calendar days).",
        deprecation_reason="Use transitDaysP10, transitDaysP50 and transitDaysP90.",
    )
    customs_mode: CustomsMode = strawberry.field(  # type: ignore[valid-type]
        description="PER_PARCEL: the unit is declared at the border on its own, under the regime in "
        "`scheme`; IN_BULK: it goes by sea with others to a warehouse in the market, and the seller imports "
        "it under the ordinary rules, paying its duty and tax whatever the incoterm asked."
    )
    scheme: str | None = strawberry.field(
        description="The low-value regime the parcel falls under this way; null for goods imported in bulk, "
        "or when no regime is known (see problems)."
    )
    shipping: Money = strawberry.field(
        description="The lane's cost for one unit (base plus per kg of chargeable weight), converted from "
        "the lane's currency. Lanes hold planning figures until your carrier's rate card replaces them."
    )
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
        figures, quote = option.landed, option.quote
        return cls(
            method=quote.method,
            carrier=Carrier(code=quote.carrier.code, name=quote.carrier.name),
            service=quote.service,
            lane_id=quote.lane.id,
            transit_days_p10=quote.transit_p10_days,
            transit_days_p50=quote.transit_p50_days,
            transit_days_p90=quote.transit_p90_days,
            transit_days=f"{quote.transit_p10_days}-{quote.transit_p90_days} calendar days",
            customs_mode=quote.customs,
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
    scheme: str | None = strawberry.field(
        description="The low-value regime of the best option; null when it is imported in bulk or no regime "
        "is known."
    )
    unit_cost: Money | None = strawberry.field(
        description="The product's cost, converted at the latest rate."
    )
    best: LandedCost | None = strawberry.field(
        description="The option with the lowest landed cost for the seller."
    )
    shipping_options: list[LandedCost] = strawberry.field(
        description="The figures for each logistics method that has a lane from the product's origin to the "
        "market: POSTAL, EXPRESS and AIR_FREIGHT, and SEA_FREIGHT_TO_OVERSEAS_WAREHOUSE where a lane runs "
        "from the origin to a warehouse in the market; each on its cheapest lane."
    )
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
