"""Commands on channels, products and listings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from domain.catalog.hs import normalize_hs_code
from domain.catalog.model import (
    LISTING_TRANSITIONS,
    Channel,
    Listing,
    ListingStatus,
    Platform,
    Product,
    ProductCategory,
)
from domain.compliance.handlers import ensure_listable
from domain.db.uow import UnitOfWork, constraint_name, get_owned
from domain.shared.countries import validate_country
from domain.shared.errors import DomainError
from domain.shared.money import Money, validate_currency
from domain.shared.text import required_text

DEFAULT_CONFIRMATION_WINDOW_HOURS = 48
DEFAULT_RETURN_WINDOW_DAYS = 30  # most marketplaces' minimum for consumer returns

# Referral fees by platform, from public fee pages (../shared/reference-facts.md section 6); a channel may
# set its own. Platforms not named here charge no referral fee until told otherwise.
DEFAULT_REFERRAL_RATES: dict[Platform, Decimal] = {
    Platform.AMAZON: Decimal("0.15"),
    Platform.EBAY: Decimal("0.1325"),
    Platform.ALIEXPRESS: Decimal("0.08"),
    Platform.WISH: Decimal("0.15"),
}


def _positive(value: int, name: str, unit: str) -> int:
    if value <= 0:
        raise DomainError("INVALID_MEASURE", f"{name} must be a positive number of {unit}.", ["input", name])
    return value


@dataclass(frozen=True)
class CreateChannel:
    name: str
    platform: Platform
    country: str
    currency: str
    referral_rate: Decimal | None = None
    minimum_referral_fee: Decimal | None = None
    per_order_fee: Decimal | None = None
    confirmation_window_hours: int = DEFAULT_CONFIRMATION_WINDOW_HOURS


async def create_channel(uow: UnitOfWork, cmd: CreateChannel) -> uuid.UUID:
    currency = validate_currency(cmd.currency, ["input", "currency"])
    rate = (
        cmd.referral_rate
        if cmd.referral_rate is not None
        else DEFAULT_REFERRAL_RATES.get(cmd.platform, Decimal(0))
    )
    if not rate.is_finite() or not Decimal(0) <= rate < Decimal(1) or rate.as_tuple().exponent < -4:  # type: ignore[operator]
        raise DomainError(
            "INVALID_FEE",
            "referralRate is a fraction from 0 to below 1 with at most 4 decimals (0.15 for 15%).",
            ["input", "feeSchedule", "referralRate"],
        )
    minimum = Money.of(
        cmd.minimum_referral_fee or 0, currency, ["input", "feeSchedule", "minimumReferralFee"]
    )
    per_order = Money.of(cmd.per_order_fee or 0, currency, ["input", "feeSchedule", "perOrderFee"])
    for fee, name in ((minimum, "minimumReferralFee"), (per_order, "perOrderFee")):
        if fee.amount < 0:
            raise DomainError("INVALID_FEE", f"{name} cannot be negative.", ["input", "feeSchedule", name])
    if not 1 <= cmd.confirmation_window_hours <= 24 * 30:
        raise DomainError(
            "INVALID_MEASURE",
            "confirmationWindowHours runs from 1 to 720 (30 days).",
            ["input", "confirmationWindowHours"],
        )
    channel = Channel(
        id=uuid.uuid4(),
        workspace_id=uow.workspace_id,
        name=required_text(cmd.name, "name", 200),
        platform=cmd.platform,
        country=validate_country(cmd.country, ["input", "country"]),
        currency=currency,
        referral_rate=rate,
        minimum_referral_fee=minimum.amount,
        per_order_fee=per_order.amount,
        confirmation_window_hours=cmd.confirmation_window_hours,
        return_window_days=DEFAULT_RETURN_WINDOW_DAYS,
        created_at=uow.now,
    )
    uow.session.add(channel)
    return channel.id


@dataclass(frozen=True)
class CreateProduct:
    sku: str
    title: str
    category: ProductCategory
    hs_code: str
    origin_country: str
    unit_cost: Decimal
    unit_cost_currency: str
    weight_grams: int
    length_mm: int
    width_mm: int
    height_mm: int


async def create_product(uow: UnitOfWork, cmd: CreateProduct) -> uuid.UUID:
    sku = required_text(cmd.sku, "sku", 64)
    cost = Money.of(cmd.unit_cost, cmd.unit_cost_currency, ["input", "unitCost"])
    if cost.amount < 0:
        raise DomainError("INVALID_AMOUNT", "unitCost cannot be negative.", ["input", "unitCost", "amount"])
    product = Product(
        id=uuid.uuid4(),
        workspace_id=uow.workspace_id,
        sku=sku,
        title=required_text(cmd.title, "title", 300),
        category=cmd.category,
        hs_code=normalize_hs_code(cmd.hs_code, ["input", "hsCode"]),
        origin_country=validate_country(cmd.origin_country, ["input", "originCountry"]),
        unit_cost_amount=cost.amount,
        unit_cost_currency=cost.currency,
        weight_grams=_positive(cmd.weight_grams, "weightGrams", "grams"),
        length_mm=_positive(cmd.length_mm, "lengthMm", "millimetres"),
        width_mm=_positive(cmd.width_mm, "widthMm", "millimetres"),
        height_mm=_positive(cmd.height_mm, "heightMm", "millimetres"),
        created_at=uow.now,
    )
    if await _sku_taken(uow, sku):
        raise _duplicate_sku(sku)
    uow.session.add(product)
    try:
        await uow.flush()
    except IntegrityError as error:  # a concurrent request took the SKU between our check and insert
        if constraint_name(error) == "uq_products_workspace_id_sku":
            raise _duplicate_sku(sku) from error
        raise
    return product.id


async def _sku_taken(uow: UnitOfWork, sku: str) -> bool:
    found = await uow.session.scalar(
        sa.select(sa.literal(True)).where(Product.workspace_id == uow.workspace_id, Product.sku == sku)
    )
    return bool(found)


def _duplicate_sku(sku: str) -> DomainError:
    return DomainError(
        "DUPLICATE_SKU",
        f"SKU '{sku}' is already used by another product in this workspace. SKUs are unique; pick another.",
        ["input", "sku"],
    )


@dataclass(frozen=True)
class CreateListing:
    product_id: uuid.UUID
    channel_id: uuid.UUID
    price: Decimal
    currency: str | None = None
    status: ListingStatus = ListingStatus.ACTIVE


async def create_listing(uow: UnitOfWork, cmd: CreateListing) -> uuid.UUID:
    product = await get_owned(uow, Product, cmd.product_id, "product", ["input", "productId"])
    channel = await get_owned(uow, Channel, cmd.channel_id, "channel", ["input", "channelId"])
    price = _channel_price(channel, cmd.price, cmd.currency)
    exists = await uow.session.scalar(
        sa.select(Listing.id).where(
            Listing.workspace_id == uow.workspace_id,
            Listing.product_id == product.id,
            Listing.channel_id == channel.id,
        )
    )
    if exists is not None:
        raise _duplicate_listing()
    if cmd.status is ListingStatus.ACTIVE:
        await ensure_listable(uow, product, channel, ["input", "status"])
    listing = Listing(
        id=uuid.uuid4(),
        workspace_id=uow.workspace_id,
        product_id=product.id,
        channel_id=channel.id,
        price_amount=price.amount,
        currency=price.currency,
        status=cmd.status,
        created_at=uow.now,
        updated_at=uow.now,
        version=1,
    )
    uow.session.add(listing)
    try:
        await uow.flush()
    except IntegrityError as error:  # a concurrent request listed it between our check and insert
        if constraint_name(error) == "uq_listings_workspace_id_product_id_channel_id":
            raise _duplicate_listing() from error
        raise
    return listing.id


def _duplicate_listing() -> DomainError:
    return DomainError(
        "DUPLICATE_LISTING",
        "This product is already listed on this channel. Change that listing's price or status instead.",
        ["input", "productId"],
    )


def _channel_price(channel: Channel, amount: Decimal, currency: str | None) -> Money:
    if currency is not None:
        code = validate_currency(currency, ["input", "price", "currency"])
        if code != channel.currency:
            raise currency_mismatch(channel, code, ["input", "price", "currency"])
    price = Money.of(amount, channel.currency, ["input", "price", "amount"])
    if not price.is_positive:
        raise DomainError("INVALID_AMOUNT", "A price must be above zero.", ["input", "price", "amount"])
    return price


def currency_mismatch(channel: Channel, given: str, field: list[str]) -> DomainError:
    return DomainError(
        "CURRENCY_MISMATCH",
        f"Channel '{channel.name}' sells in {channel.currency}, not {given}. "
        f"Give amounts in {channel.currency}.",
        field,
    )


@dataclass(frozen=True)
class SetListingPrice:
    listing_id: uuid.UUID
    price: Decimal
    currency: str | None = None


async def set_listing_price(uow: UnitOfWork, cmd: SetListingPrice) -> uuid.UUID:
    listing = await get_owned(uow, Listing, cmd.listing_id, "listing", ["input", "listingId"])
    channel = await get_owned(uow, Channel, listing.channel_id, "channel", ["input", "listingId"])
    price = _channel_price(channel, cmd.price, cmd.currency)
    listing.price_amount = price.amount
    listing.updated_at = uow.now
    listing.version += 1
    return listing.id


@dataclass(frozen=True)
class SetListingStatus:
    listing_id: uuid.UUID
    status: ListingStatus


async def set_listing_status(uow: UnitOfWork, cmd: SetListingStatus) -> uuid.UUID:
    listing = await get_owned(uow, Listing, cmd.listing_id, "listing", ["input", "listingId"])
    if cmd.status not in LISTING_TRANSITIONS[listing.status]:
        allowed = ", ".join(sorted(LISTING_TRANSITIONS[listing.status])) or "none: it is final"
        raise DomainError(
            "ILLEGAL_TRANSITION",
            f"A listing that is {listing.status} cannot become {cmd.status}. Allowed: {allowed}.",
            ["input", "status"],
        )
    if cmd.status is ListingStatus.ACTIVE:
        product = await get_owned(uow, Product, listing.product_id, "product", ["input", "listingId"])
        channel = await get_owned(uow, Channel, listing.channel_id, "channel", ["input", "listingId"])
        await ensure_listable(uow, product, channel, ["input", "status"])
    listing.status = cmd.status
    listing.updated_at = uow.now
    listing.version += 1
    return listing.id
