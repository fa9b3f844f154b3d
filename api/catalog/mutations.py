"""Mutations on channels, products and listings."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated

import strawberry

from api.catalog.errors import CatalogErrorCode, CatalogUserError
from api.catalog.types import Channel, Listing, ListingStatus, Platform, Product, ProductCategory
from api.commands import IDEMPOTENCY, INPUT, Outcome, run_command
from api.context import Info
from api.errors import to_user_error
from api.money import MoneyInput, PriceInput
from api.relay import decode_id
from domain.catalog import handlers
from domain.catalog.handlers import DEFAULT_CONFIRMATION_WINDOW_HOURS


def _errors(outcome: Outcome[uuid.UUID]) -> list[CatalogUserError]:  # type: ignore[valid-type]
    return [to_user_error(CatalogUserError, CatalogErrorCode, e) for e in outcome.errors]


@strawberry.input(description="Fees the platform charges; leave out to use the platform's usual rate.")
class FeeScheduleInput:
    referral_rate: Decimal | None = strawberry.field(
        default=None, description="Share of the price, e.g. 0.15."
    )
    minimum_referral_fee: Decimal | None = strawberry.field(
        default=None, description="Least referral fee per item, in the channel's currency."
    )
    per_order_fee: Decimal | None = strawberry.field(
        default=None, description="Fixed fee per order, in the channel's currency."
    )


@strawberry.input(description="A new sales channel.")
class ChannelCreateInput:
    name: str = strawberry.field(description="Your name for it, e.g. 'Amazon DE'.")
    platform: Platform = strawberry.field(description="The platform.")  # type: ignore[valid-type]
    country: str = strawberry.field(description="Marketplace country, ISO 3166-1 (e.g. DE).")
    currency: str = strawberry.field(description="Currency of the marketplace, ISO 4217 (e.g. EUR).")
    fee_schedule: FeeScheduleInput | None = strawberry.field(default=None, description="The platform's fees.")
    confirmation_window_hours: int = strawberry.field(
        default=DEFAULT_CONFIRMATION_WINDOW_HOURS,
        description="Hours to confirm an order before it is cancelled and refunded (1-720).",
    )
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY)


@strawberry.type(description="Result of channelCreate.")
class ChannelCreatePayload:
    channel: Channel | None = strawberry.field(description="The new channel, unless refused.")
    user_errors: list[CatalogUserError] = strawberry.field(description="Why it was refused.")  # type: ignore[valid-type]


@strawberry.input(description="Outer size of one packed unit, in millimetres.")
class DimensionsInput:
    length_mm: int = strawberry.field(description="Length in millimetres.")
    width_mm: int = strawberry.field(description="Width in millimetres.")
    height_mm: int = strawberry.field(description="Height in millimetres.")


@strawberry.input(description="A new product.")
class ProductCreateInput:
    sku: str = strawberry.field(description="Stock keeping unit, unique in the workspace.")
    title: str = strawberry.field(description="The product's name.")
    category: ProductCategory = strawberry.field(description="Kind of goods.")  # type: ignore[valid-type]
    hs_code: str = strawberry.field(description="HS code: 6, 8 or 10 digits; dots and spaces are ignored.")
    origin_country: str = strawberry.field(description="Country of origin, ISO 3166-1.")
    unit_cost: MoneyInput = strawberry.field(description="What one unit costs you.")
    weight_grams: int = strawberry.field(description="Weight of one packed unit in grams.")
    dimensions: DimensionsInput = strawberry.field(description="Size of one packed unit.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY)


@strawberry.type(description="Result of productCreate.")
class ProductCreatePayload:
    product: Product | None = strawberry.field(description="The new product, unless refused.")
    user_errors: list[CatalogUserError] = strawberry.field(description="Why it was refused.")  # type: ignore[valid-type]


@strawberry.input(description="Offer a product on a channel.")
class ListingCreateInput:
    product_id: strawberry.ID = strawberry.field(description="The product.")
    channel_id: strawberry.ID = strawberry.field(description="The channel.")
    price: PriceInput = strawberry.field(description="Price of one unit in the channel's currency.")
    status: ListingStatus = strawberry.field(  # type: ignore[valid-type]
        default=ListingStatus.ACTIVE, description="ACTIVE to sell at once, PAUSED to prepare it first."
    )
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY)


@strawberry.input(description="A new price for a listing.")
class ListingPriceSetInput:
    listing_id: strawberry.ID = strawberry.field(description="The listing.")
    price: PriceInput = strawberry.field(description="Price of one unit in the channel's currency.")


@strawberry.input(description="Pause, resume or end a listing.")
class ListingStatusSetInput:
    listing_id: strawberry.ID = strawberry.field(description="The listing.")
    status: ListingStatus = strawberry.field(description="ACTIVE, PAUSED or ENDED (final).")  # type: ignore[valid-type]


@strawberry.type(description="Result of a listing mutation.")
class ListingPayload:
    listing: Listing | None = strawberry.field(description="The listing as it is now, unless refused.")
    user_errors: list[CatalogUserError] = strawberry.field(description="Why it was refused.")  # type: ignore[valid-type]


@strawberry.type(name="ListingCreatePayload", description="Result of listingCreate.")
class ListingCreatePayload(ListingPayload):
    pass


@strawberry.type(name="ListingPriceSetPayload", description="Result of listingPriceSet.")
class ListingPriceSetPayload(ListingPayload):
    pass


@strawberry.type(name="ListingStatusSetPayload", description="Result of listingStatusSet.")
class ListingStatusSetPayload(ListingPayload):
    pass


async def _listing(info: Info, outcome: Outcome[uuid.UUID]) -> Listing | None:
    if outcome.result is None:
        return None
    return Listing.from_row(await info.context.loaders.listing.get(outcome.result))


@strawberry.type
class CatalogMutation:
    @strawberry.mutation(
        description="Add a sales channel: a platform's marketplace in a country and currency."
    )
    async def channel_create(
        self, info: Info, input: Annotated[ChannelCreateInput, INPUT]
    ) -> ChannelCreatePayload:
        fees = input.fee_schedule or FeeScheduleInput()
        outcome = await run_command(
            info.context,
            "channelCreate",
            lambda: handlers.CreateChannel(
                name=input.name,
                platform=input.platform,
                country=input.country,
                currency=input.currency,
                referral_rate=fees.referral_rate,
                minimum_referral_fee=fees.minimum_referral_fee,
                per_order_fee=fees.per_order_fee,
                confirmation_window_hours=input.confirmation_window_hours,
            ),
            handlers.create_channel,
            uuid.UUID,
            input_=input,
            idempotency_key=input.idempotency_key,
        )
        channel = None
        if outcome.result is not None:
            channel = Channel.from_row(await info.context.loaders.channel.get(outcome.result))
        return ChannelCreatePayload(channel=channel, user_errors=_errors(outcome))

    @strawberry.mutation(description="Add a product with its HS code, origin, cost, weight and size.")
    async def product_create(
        self, info: Info, input: Annotated[ProductCreateInput, INPUT]
    ) -> ProductCreatePayload:
        outcome = await run_command(
            info.context,
            "productCreate",
            lambda: handlers.CreateProduct(
                sku=input.sku,
                title=input.title,
                category=input.category,
                hs_code=input.hs_code,
                origin_country=input.origin_country,
                unit_cost=input.unit_cost.amount,
                unit_cost_currency=input.unit_cost.currency,
                weight_grams=input.weight_grams,
                length_mm=input.dimensions.length_mm,
                width_mm=input.dimensions.width_mm,
                height_mm=input.dimensions.height_mm,
            ),
            handlers.create_product,
            uuid.UUID,
            input_=input,
            idempotency_key=input.idempotency_key,
        )
        product = None
        if outcome.result is not None:
            product = Product.from_row(await info.context.loaders.product.get(outcome.result))
        return ProductCreatePayload(product=product, user_errors=_errors(outcome))

    @strawberry.mutation(description="List a product on a channel at a price in the channel's currency.")
    async def listing_create(
        self, info: Info, input: Annotated[ListingCreateInput, INPUT]
    ) -> ListingCreatePayload:
        outcome = await run_command(
            info.context,
            "listingCreate",
            lambda: handlers.CreateListing(
                product_id=decode_id(input.product_id, "Product", ["input", "productId"]),
                channel_id=decode_id(input.channel_id, "Channel", ["input", "channelId"]),
                price=input.price.amount,
                currency=input.price.currency,
                status=input.status,
            ),
            handlers.create_listing,
            uuid.UUID,
            input_=input,
            idempotency_key=input.idempotency_key,
        )
        return ListingCreatePayload(listing=await _listing(info, outcome), user_errors=_errors(outcome))

    @strawberry.mutation(description="Change a listing's price.")
    async def listing_price_set(
        self, info: Info, input: Annotated[ListingPriceSetInput, INPUT]
    ) -> ListingPriceSetPayload:
        outcome = await run_command(
            info.context,
            "listingPriceSet",
            lambda: handlers.SetListingPrice(
                listing_id=decode_id(input.listing_id, "Listing", ["input", "listingId"]),
                price=input.price.amount,
                currency=input.price.currency,
            ),
            handlers.set_listing_price,
            uuid.UUID,
        )
        return ListingPriceSetPayload(listing=await _listing(info, outcome), user_errors=_errors(outcome))

    @strawberry.mutation(description="Pause, resume or end a listing.")
    async def listing_status_set(
        self, info: Info, input: Annotated[ListingStatusSetInput, INPUT]
    ) -> ListingStatusSetPayload:
        outcome = await run_command(
            info.context,
            "listingStatusSet",
            lambda: handlers.SetListingStatus(
                listing_id=decode_id(input.listing_id, "Listing", ["input", "listingId"]), status=input.status
            ),
            handlers.set_listing_status,
            uuid.UUID,
        )
        return ListingStatusSetPayload(listing=await _listing(info, outcome), user_errors=_errors(outcome))
