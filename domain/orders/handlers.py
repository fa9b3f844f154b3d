"""Commands on orders and their payments."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from domain.catalog.handlers import currency_mismatch
from domain.catalog.model import Channel, Listing, ListingStatus, Product
from domain.clock.rules import schedule
from domain.currency import fx
from domain.currency.rates import convert
from domain.customs.handlers import assess_at_sale
from domain.db.uow import UnitOfWork, get_owned
from domain.logistics.handlers import cancel_labels_of
from domain.orders.loading import load_order
from domain.orders.model import (
    CancelReason,
    Order,
    OrderLine,
    OrderStatus,
    PaymentEntry,
    PaymentMethod,
)
from domain.orders.timers import CONFIRMATION_DEADLINE
from domain.shared.countries import validate_country
from domain.shared.errors import DomainError, SandboxOnly
from domain.shared.money import Money, validate_currency
from domain.shared.text import clean_text, required_text
from domain.stock.reservations import release_order_stock, reserve_order_stock
from domain.taxes.ledger import reverse_sale_taxes

MAX_LINES = 100
MAX_QUANTITY = 10_000


@dataclass(frozen=True)
class OrderLineInput:
    listing_id: uuid.UUID
    quantity: int


@dataclass(frozen=True)
class PlaceOrder:
    """A consumer's order on a channel (in a sandbox; live orders come from channel imports)."""

    channel_id: uuid.UUID
    lines: list[OrderLineInput]
    buyer_name: str
    ship_to_country: str
    currency: str | None = None
    buyer_email: str | None = None
    shipping_price: Decimal | None = None
    channel_order_id: str | None = None


async def place_order(uow: UnitOfWork, cmd: PlaceOrder) -> uuid.UUID:
    if not uow.is_sandbox:
        raise SandboxOnly("Placing a consumer's order")
    channel = await get_owned(uow, Channel, cmd.channel_id, "channel", ["input", "channelId"])
    if cmd.currency is not None:
        code = validate_currency(cmd.currency, ["input", "currency"])
        if code != channel.currency:
            raise currency_mismatch(channel, code, ["input", "currency"])
    if not cmd.lines:
        raise DomainError("EMPTY_ORDER", "An order needs at least one line.", ["input", "lines"])
    if len(cmd.lines) > MAX_LINES:
        raise DomainError("TOO_MANY_LINES", f"An order has at most {MAX_LINES} lines.", ["input", "lines"])
    for i, line in enumerate(cmd.lines):
        if not 1 <= line.quantity <= MAX_QUANTITY:
            raise DomainError(
                "INVALID_QUANTITY",
                f"Line {i + 1}: quantity must be a whole number from 1 to {MAX_QUANTITY}.",
                ["input", "lines", str(i), "quantity"],
            )
    buyer_name = required_text(cmd.buyer_name, "buyerName", 200)
    buyer_email = clean_text(cmd.buyer_email, "buyerEmail", 320, required=False)
    channel_order_id = clean_text(cmd.channel_order_id, "channelOrderId", 100, required=False)
    ship_to = validate_country(cmd.ship_to_country, ["input", "shipToCountry"])
    listings = await _listings(uow, [line.listing_id for line in cmd.lines])
    products = await _products(uow, [listing.product_id for listing in listings.values()])

    order_id = uuid.uuid4()
    subtotal = Money.zero(channel.currency)
    lines = []
    for i, line in enumerate(cmd.lines):
        where = ["input", "lines", str(i), "listingId"]
        listing = listings.get(line.listing_id)
        if listing is None:
            raise DomainError("NOT_FOUND", f"Line {i + 1}: no listing with that ID in this workspace.", where)
        if listing.channel_id != channel.id:
            raise DomainError(
                "LISTING_NOT_ON_CHANNEL",
                f"Line {i + 1}: that listing is on another channel. "
                f"Use a listing of channel '{channel.name}'.",
                where,
            )
        if listing.status is not ListingStatus.ACTIVE:
            raise DomainError(
                "LISTING_NOT_ACTIVE",
                f"Line {i + 1}: the listing is {listing.status}; only ACTIVE listings can be ordered.",
                where,
            )
        price = Money.of(listing.price_amount, channel.currency)
        subtotal += price * line.quantity
        product = products[listing.product_id]
        lines.append(
            OrderLine(
                id=uuid.uuid4(),
                workspace_id=uow.workspace_id,
                order_id=order_id,
                listing_id=listing.id,
                product_id=product.id,
                sku=product.sku,
                title=product.title,
                quantity=line.quantity,
                unit_price=price.amount,
                currency=price.currency,
            )
        )
    shipping = Money.of(cmd.shipping_price or 0, channel.currency, ["input", "shippingPrice"])
    if shipping.amount < 0:
        raise DomainError("INVALID_AMOUNT", "shippingPrice cannot be negative.", ["input", "shippingPrice"])
    total = (subtotal + shipping).bounded(["input", "lines"])
    rate = await fx.rate_at_placement(uow, channel.currency)
    order = Order(
        id=order_id,
        workspace_id=uow.workspace_id,
        channel_id=channel.id,
        channel_order_id=channel_order_id,
        status=OrderStatus.PLACED,
        currency=channel.currency,
        subtotal=subtotal.amount,
        shipping=shipping.amount,
        total=total.amount,
        authorized=Decimal(0),
        captured=Decimal(0),
        refunded=Decimal(0),
        charged_back=Decimal(0),
        buyer_name=buyer_name,
        buyer_email=buyer_email,
        ship_to_country=ship_to,
        placed_at=uow.now,
        confirm_by=uow.now + timedelta(hours=channel.confirmation_window_hours),
        order_rate=None if rate is None else rate.rate,
        order_rate_as_of=None if rate is None else rate.as_of,
        replacement_for_order_id=None,
        version=1,
    )
    order.record(
        "ORDER_PLACED",
        uow.now,
        total=str(total.amount),
        currency=total.currency,
        lines=len(lines),
        orderRate=None if rate is None else str(fx.plain_rate(rate.rate)),
    )
    uow.session.add(order)
    await uow.flush()  # the order row first: its lines refer to it
    uow.session.add_all(lines)
    await assess_at_sale(uow, order, channel, lines, products)
    schedule(uow, CONFIRMATION_DEADLINE, order.id, order.confirm_by)
    return order.id


async def _listings(uow: UnitOfWork, ids: list[uuid.UUID]) -> dict[uuid.UUID, Listing]:
    rows = await uow.session.scalars(
        sa.select(Listing).where(Listing.workspace_id == uow.workspace_id, Listing.id.in_(set(ids)))
    )
    return {listing.id: listing for listing in rows}


async def _products(uow: UnitOfWork, ids: list[uuid.UUID]) -> dict[uuid.UUID, Product]:
    if not ids:
        return {}
    rows = await uow.session.scalars(
        sa.select(Product).where(Product.workspace_id == uow.workspace_id, Product.id.in_(set(ids)))
    )
    return {product.id: product for product in rows}


@dataclass(frozen=True)
class OrderMove:
    order_id: uuid.UUID
    expected_version: int | None = None


async def confirm_order(uow: UnitOfWork, cmd: OrderMove) -> uuid.UUID:
    """Confirm, and hold the order's tracked products in one warehouse that ships to its destination
    (OUT_OF_STOCK if none can)."""
    order = await load_order(uow, cmd.order_id, cmd.expected_version, lock=True)
    order.confirm(uow.now)
    await reserve_order_stock(uow, order)
    return order.id


async def pack_order(uow: UnitOfWork, cmd: OrderMove) -> uuid.UUID:
    order = await load_order(uow, cmd.order_id, cmd.expected_version)
    order.pack(uow.now)
    return order.id


@dataclass(frozen=True)
class CancelOrder:
    order_id: uuid.UUID
    reason: CancelReason = CancelReason.SELLER_CANCELLED
    expected_version: int | None = None


async def cancel_order(uow: UnitOfWork, cmd: CancelOrder) -> uuid.UUID:
    order = await load_order(uow, cmd.order_id, cmd.expected_version, lock=True)
    await cancel(uow, order, cmd.reason)
    return order.id


async def cancel(uow: UnitOfWork, order: Order, reason: CancelReason) -> None:
    """Every way an order is cancelled goes through here: money goes back, held stock is released, labels
    not yet picked up are voided, and tax owed on the sale is reversed."""
    method = await payment_method(uow, order.id)
    uow.session.add_all(order.cancel(reason, uow.now, method))
    await release_order_stock(uow, order)
    await cancel_labels_of(uow, order)
    await reverse_sale_taxes(uow, order)


async def payment_method(uow: UnitOfWork, order_id: uuid.UUID) -> PaymentMethod:
    """Money goes back the way it came: the method of the latest authorisation or capture (refunds,
    cancellations, and after-sales refunds use it)."""
    method = await uow.session.scalar(
        sa.select(PaymentEntry.method)
        .where(
            PaymentEntry.workspace_id == uow.workspace_id,
            PaymentEntry.order_id == order_id,
            PaymentEntry.kind.in_(["AUTHORIZATION", "CAPTURE"]),
        )
        .order_by(PaymentEntry.seq.desc())
        .limit(1)
    )
    return method or PaymentMethod.CARD


@dataclass(frozen=True)
class PaymentResult:
    order_id: uuid.UUID
    payment_id: uuid.UUID


@dataclass(frozen=True)
class AuthorizePayment:
    """The payment provider's answer to a consumer's payment (sandbox: it stands for the provider)."""

    order_id: uuid.UUID
    method: PaymentMethod
    amount: Decimal | None = None
    declined: bool = False
    decline_reason: str | None = None
    expected_version: int | None = None


async def authorize_payment(uow: UnitOfWork, cmd: AuthorizePayment) -> PaymentResult:
    if not uow.is_sandbox:
        raise SandboxOnly("Recording a provider's authorisation")
    order = await load_order(uow, cmd.order_id, cmd.expected_version)
    if cmd.declined:
        reason = clean_text(cmd.decline_reason, "declineReason", 300, required=False) or "DECLINED"
        entry = order.decline(cmd.method, cmd.amount, reason, uow.now)
    else:
        entry = order.authorize(cmd.method, cmd.amount, uow.now)
    uow.session.add(entry)
    return PaymentResult(order.id, entry.id)


@dataclass(frozen=True)
class CapturePayment:
    order_id: uuid.UUID
    amount: Decimal | None = None
    expected_version: int | None = None


async def capture_payment(uow: UnitOfWork, cmd: CapturePayment) -> PaymentResult:
    order = await load_order(uow, cmd.order_id, cmd.expected_version)
    entry = order.capture(await payment_method(uow, order.id), cmd.amount, uow.now)
    uow.session.add(entry)
    return PaymentResult(order.id, entry.id)


@dataclass(frozen=True)
class RefundPayment:
    order_id: uuid.UUID
    amount: Decimal
    reason: str
    expected_version: int | None = None
    chargeback: bool = field(default=False)


async def refund_payment(uow: UnitOfWork, cmd: RefundPayment) -> PaymentResult:
    """A refund the seller gives, or (sandbox only) a chargeback the consumer's bank takes."""
    if cmd.chargeback and not uow.is_sandbox:
        raise SandboxOnly("Recording a chargeback")
    order = await load_order(uow, cmd.order_id, cmd.expected_version)
    reason = required_text(cmd.reason, "reason", 300)
    method = await payment_method(uow, order.id)
    take = order.chargeback if cmd.chargeback else order.refund
    entry = take(cmd.amount, uow.now, method, reason)
    uow.session.add(entry)
    return PaymentResult(order.id, entry.id)


@dataclass(frozen=True)
class SettleOrder:
    """The platform pays out what it holds for an order (sandbox: it stands for the platform)."""

    order_id: uuid.UUID
    expected_version: int | None = None


async def settle_order(uow: UnitOfWork, cmd: SettleOrder) -> uuid.UUID:
    """Pay out the order's net captured amount in the home currency at the rate as of now (NO_RATE if
    none is known), and realise the gain or loss the rate's move since placement made on it."""
    if not uow.is_sandbox:
        raise SandboxOnly("Settling an order (the platform's payout)")
    order = await load_order(uow, cmd.order_id, cmd.expected_version, lock=True)
    held = order.settleable()
    home = await fx.home_currency(uow.session, uow.workspace_id, lock=True)
    paid = await convert(uow.session, uow.workspace_id, held, home, uow.now)
    gain_loss = fx.realised_gain_loss(held, order.order_rate, paid.rate, home)
    order.settle(paid.money, paid.rate, paid.rate_as_of, gain_loss, uow.now)
    return order.id
