from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

import strawberry

from api.context import Info
from api.money import Money
from api.relay import Node, to_global_id
from domain.catalog import model
from domain.db.reads import Row

Platform = strawberry.enum(model.Platform, description="The marketplace or shop system a channel sells on.")
ProductCategory = strawberry.enum(model.ProductCategory, description="What kind of goods a product is.")
ListingStatus = strawberry.enum(
    model.ListingStatus,
    description="ACTIVE listings can be ordered; PAUSED ones not for now; ENDED ones never.",
)


@strawberry.type(description="What the channel's platform charges per order.")
class FeeSchedule:
    referral_rate: Decimal = strawberry.field(description="Share of the order price, e.g. 0.15 for 15%.")
    minimum_referral_fee: Money = strawberry.field(description="The least referral fee per item.")
    per_order_fee: Money = strawberry.field(description="A fixed fee per order.")


@strawberry.type(description="A platform's marketplace in one country, priced in one currency.")
class Channel(Node):
    name: str = strawberry.field(description="The seller's name for the channel.")
    platform: Platform = strawberry.field(description="Where it sells.")  # type: ignore[valid-type]
    country: str = strawberry.field(description="Marketplace country, ISO 3166-1 alpha-2.")
    currency: str = strawberry.field(description="The currency every price and order on it is in (ISO 4217).")
    fee_schedule: FeeSchedule = strawberry.field(description="The platform's fees.")
    confirmation_window_hours: int = strawberry.field(
        description="Hours the seller has to confirm an order before it is cancelled and refunded."
    )
    created_at: datetime = strawberry.field(description="When the channel was added (workspace clock).")

    @classmethod
    def from_row(cls, row: Row) -> Channel:
        return cls(
            id=to_global_id("Channel", row.id),
            name=row.name,
            platform=row.platform,
            country=row.country,
            currency=row.currency,
            fee_schedule=FeeSchedule(
                referral_rate=row.referral_rate.normalize(),
                minimum_referral_fee=Money.of(row.minimum_referral_fee, row.currency),
                per_order_fee=Money.of(row.per_order_fee, row.currency),
            ),
            confirmation_window_hours=row.confirmation_window_hours,
            created_at=row.created_at,
        )


@strawberry.type(description="Outer size of the product as packed for one unit.")
class Dimensions:
    length_mm: int = strawberry.field(description="Length in millimetres.")
    width_mm: int = strawberry.field(description="Width in millimetres.")
    height_mm: int = strawberry.field(description="Height in millimetres.")


@strawberry.type(description="A thing the seller sells, with what customs needs to know about it.")
class Product(Node):
    sku: str = strawberry.field(description="Stock keeping unit, unique in the workspace.")
    title: str = strawberry.field(description="The product's name.")
    category: ProductCategory = strawberry.field(description="Kind of goods.")  # type: ignore[valid-type]
    hs_code: str = strawberry.field(description="Harmonized System code, digits only (6, 8 or 10).")
    origin_country: str = strawberry.field(description="Country of origin, ISO 3166-1 alpha-2.")
    unit_cost: Money = strawberry.field(description="What one unit costs the seller.")
    weight_grams: int = strawberry.field(description="Weight of one unit as packed, in grams.")
    dimensions: Dimensions = strawberry.field(description="Size of one unit as packed.")
    created_at: datetime = strawberry.field(description="When the product was added (workspace clock).")

    @classmethod
    def from_row(cls, row: Row) -> Product:
        return cls(
            id=to_global_id("Product", row.id),
            sku=row.sku,
            title=row.title,
            category=row.category,
            hs_code=row.hs_code,
            origin_country=row.origin_country,
            unit_cost=Money.of(row.unit_cost_amount, row.unit_cost_currency),
            weight_grams=row.weight_grams,
            dimensions=Dimensions(length_mm=row.length_mm, width_mm=row.width_mm, height_mm=row.height_mm),
            created_at=row.created_at,
        )


@strawberry.type(description="A product offered on a channel at a price in the channel's currency.")
class Listing(Node):
    price: Money = strawberry.field(description="Price of one unit, in the channel's currency.")
    status: ListingStatus = strawberry.field(description="Whether it can be ordered.")  # type: ignore[valid-type]
    version: int = strawberry.field(description="Goes up by one with every change.")
    created_at: datetime = strawberry.field(description="When it was listed (workspace clock).")
    updated_at: datetime = strawberry.field(description="When it last changed (workspace clock).")
    _product_id: strawberry.Private[uuid.UUID]
    _channel_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The product listed.")
    def product(self, info: Info) -> Product:
        return info.context.loaders.product.node(self._product_id, Product.from_row)  # type: ignore[return-value]

    @strawberry.field(description="The channel it is listed on.")
    def channel(self, info: Info) -> Channel:
        return info.context.loaders.channel.node(self._channel_id, Channel.from_row)  # type: ignore[return-value]

    @classmethod
    def from_row(cls, row: Row) -> Listing:
        return cls(
            id=to_global_id("Listing", row.id),
            price=Money.of(row.price_amount, row.currency),
            status=row.status,
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
            _product_id=row.product_id,
            _channel_id=row.channel_id,
        )
