from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.currency.model import RATE
from domain.db.base import Base, RecordsEvents, WorkspaceOwned, enum_column
from domain.shared.errors import DomainError
from domain.shared.money import Money


class OrderStatus(StrEnum):
    PLACED = "PLACED"
    PAID = "PAID"
    CONFIRMED = "CONFIRMED"
    PACKED = "PACKED"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    PARTIALLY_DELIVERED = "PARTIALLY_DELIVERED"
    RETURNED_TO_SENDER = "RETURNED_TO_SENDER"
    LOST = "LOST"
    SEIZED = "SEIZED"
    PARTIALLY_RETURNED = "PARTIALLY_RETURNED"  # some delivered units came back (or were refunded returnless)
    RETURNED = "RETURNED"  # every delivered unit did
    COMPLETED = "COMPLETED"  # the return window closed with nothing open
    CANCELLED = "CANCELLED"


# The order's life as a table: a move that is not here is refused, whatever asks for it.
ORDER_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PLACED: frozenset({OrderStatus.PAID, OrderStatus.CANCELLED}),
    OrderStatus.PAID: frozenset({OrderStatus.CONFIRMED, OrderStatus.CANCELLED}),
    OrderStatus.CONFIRMED: frozenset({OrderStatus.PACKED, OrderStatus.CANCELLED}),
    OrderStatus.PACKED: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED}),
    # Once goods have left, the order follows its shipments to how they ended (see `shipping_outcome`).
    OrderStatus.SHIPPED: frozenset(
        {
            OrderStatus.DELIVERED,
            OrderStatus.PARTIALLY_DELIVERED,
            OrderStatus.RETURNED_TO_SENDER,
            OrderStatus.LOST,
            OrderStatus.SEIZED,
        }
    ),
    # After delivery: returns bring units back, or the return window closes (see domain.aftersales).
    OrderStatus.DELIVERED: frozenset(
        {OrderStatus.PARTIALLY_RETURNED, OrderStatus.RETURNED, OrderStatus.COMPLETED}
    ),
    OrderStatus.PARTIALLY_DELIVERED: frozenset(
        {OrderStatus.PARTIALLY_RETURNED, OrderStatus.RETURNED, OrderStatus.COMPLETED}
    ),
    OrderStatus.PARTIALLY_RETURNED: frozenset({OrderStatus.RETURNED, OrderStatus.COMPLETED}),
    OrderStatus.RETURNED: frozenset(),
    OrderStatus.COMPLETED: frozenset(),
    OrderStatus.RETURNED_TO_SENDER: frozenset(),
    OrderStatus.LOST: frozenset(),
    OrderStatus.SEIZED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}


class PaymentMethod(StrEnum):
    CARD = "CARD"
    PAYPAL = "PAYPAL"
    ALIPAY = "ALIPAY"
    WECHAT_PAY = "WECHAT_PAY"
    APPLE_PAY = "APPLE_PAY"
    GOOGLE_PAY = "GOOGLE_PAY"
    KLARNA = "KLARNA"
    BANK_TRANSFER = "BANK_TRANSFER"
    PLATFORM_BALANCE = "PLATFORM_BALANCE"


class PaymentKind(StrEnum):
    AUTHORIZATION = "AUTHORIZATION"
    DECLINE = "DECLINE"
    CAPTURE = "CAPTURE"
    VOID = "VOID"
    REFUND = "REFUND"
    CHARGEBACK = "CHARGEBACK"


class CancelReason(StrEnum):
    SELLER_CANCELLED = "SELLER_CANCELLED"
    CONSUMER_CANCELLED = "CONSUMER_CANCELLED"
    OUT_OF_STOCK = "OUT_OF_STOCK"
    PAYMENT_FAILED = "PAYMENT_FAILED"
    CONFIRMATION_WINDOW_EXPIRED = "CONFIRMATION_WINDOW_EXPIRED"


class IllegalTransition(DomainError):
    def __init__(self, current: OrderStatus, wanted: OrderStatus) -> None:
        allowed = sorted(ORDER_TRANSITIONS[current])
        listed = ", ".join(allowed) if allowed else "none (it is final)"
        super().__init__(
            "ILLEGAL_TRANSITION",
            f"The order is {current}; it cannot become {wanted}. From {current} it can become: {listed}.",
        )
        self.current = current
        self.allowed = allowed


class PaymentEntry(WorkspaceOwned, Base):
    """One line of an order's payment ledger. Lines are only ever added."""

    __tablename__ = "payments"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), unique=True)
    order_id: Mapped[uuid.UUID]
    kind: Mapped[PaymentKind] = enum_column(PaymentKind)
    method: Mapped[PaymentMethod] = enum_column(PaymentMethod)
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(sa.String(3))
    reason: Mapped[str | None] = mapped_column(sa.String(300))
    occurred_at: Mapped[datetime]

    __table_args__ = (
        sa.ForeignKeyConstraint(["workspace_id", "order_id"], ["orders.workspace_id", "orders.id"]),
        sa.Index("ix_payments_order", "order_id", "seq"),
    )


class OrderLine(WorkspaceOwned, Base):
    """What the consumer bought, with the SKU, title and price as they were when the order was placed."""

    __tablename__ = "order_lines"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), unique=True)
    order_id: Mapped[uuid.UUID]
    listing_id: Mapped[uuid.UUID]
    product_id: Mapped[uuid.UUID]
    sku: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[str] = mapped_column(sa.String(300))
    quantity: Mapped[int]
    unit_price: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(sa.String(3))

    __table_args__ = (
        sa.ForeignKeyConstraint(["workspace_id", "order_id"], ["orders.workspace_id", "orders.id"]),
        sa.ForeignKeyConstraint(["workspace_id", "listing_id"], ["listings.workspace_id", "listings.id"]),
        sa.ForeignKeyConstraint(["workspace_id", "product_id"], ["products.workspace_id", "products.id"]),
        sa.UniqueConstraint("workspace_id", "id"),  # stock reservations refer to lines
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.Index("ix_order_lines_order", "order_id", "seq"),
    )


class Order(RecordsEvents, WorkspaceOwned, Base):
    """The order aggregate: its status moves only through the transition table, and every payment goes
    through it so that the version guards the ledger too.

    Rates are home-currency units per unit of the order's currency: the one as of placement (null when no
    rate was known then), and the one the platform paid out at (settlement). A settled order keeps what it
    was paid, in `settled_currency` (the workspace's home currency, which cannot change once an order is
    settled), and the gain or loss the rate's move between the two made on it.
    """

    __tablename__ = "orders"
    __aggregate_type__ = "Order"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), unique=True)
    channel_id: Mapped[uuid.UUID]
    channel_order_id: Mapped[str | None] = mapped_column(sa.String(100))
    status: Mapped[OrderStatus] = enum_column(OrderStatus)
    currency: Mapped[str] = mapped_column(sa.String(3))
    subtotal: Mapped[Decimal]
    shipping: Mapped[Decimal]
    total: Mapped[Decimal]
    authorized: Mapped[Decimal]
    captured: Mapped[Decimal]
    refunded: Mapped[Decimal]
    charged_back: Mapped[Decimal]
    buyer_name: Mapped[str] = mapped_column(sa.String(200))
    buyer_email: Mapped[str | None] = mapped_column(sa.String(320))
    ship_to_country: Mapped[str] = mapped_column(sa.String(2))
    placed_at: Mapped[datetime]
    confirm_by: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    packed_at: Mapped[datetime | None]
    shipped_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]  # when its shipments ended (delivered, returned, lost, seized)
    sale_taxes: Mapped[dict[str, Any] | None] = mapped_column(JSONB)  # the at-sale tax assessment snapshot
    replacement_for_order_id: Mapped[
        uuid.UUID | None
    ]  # an exchange's replacement names the order it replaces
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[CancelReason | None] = enum_column(CancelReason, nullable=True)
    order_rate: Mapped[Decimal | None] = mapped_column(RATE)
    order_rate_as_of: Mapped[datetime | None]
    settlement_rate: Mapped[Decimal | None] = mapped_column(RATE)
    settlement_rate_as_of: Mapped[datetime | None]
    settled_amount: Mapped[Decimal | None]
    settled_currency: Mapped[str | None] = mapped_column(sa.String(3))
    realised_gain_loss: Mapped[Decimal | None]
    settled_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column()

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}
    __table_args__ = (
        sa.UniqueConstraint("workspace_id", "id"),
        sa.ForeignKeyConstraint(["workspace_id", "channel_id"], ["channels.workspace_id", "channels.id"]),
        sa.CheckConstraint(
            "authorized >= 0 AND captured >= 0 AND refunded + charged_back <= captured",
            name="ledger_balanced",
        ),
        sa.CheckConstraint("order_rate > 0 AND settlement_rate > 0", name="rates_positive"),
        sa.CheckConstraint(
            "(settled_at IS NULL) = (settlement_rate IS NULL)"
            " AND (settled_at IS NULL) = (settled_amount IS NULL)"
            " AND (settled_at IS NULL) = (settled_currency IS NULL)"
            " AND (settled_at IS NOT NULL OR realised_gain_loss IS NULL)",
            name="settlement_whole",
        ),
        sa.Index("ix_orders_workspace_status", "workspace_id", "status", "seq"),
        # An order's replacements are looked for whenever goods are sent again or refunded.
        sa.Index(
            "ix_orders_replacement_for",
            "replacement_for_order_id",
            postgresql_where=sa.text("replacement_for_order_id IS NOT NULL"),
        ),
    )

    # -- money ------------------------------------------------------------------------------------------
    @property
    def refundable(self) -> Decimal:
        """What the seller holds of the consumer's money: captured, less what went back."""
        return self.captured - self.refunded - self.charged_back

    @property
    def unpaid(self) -> Decimal:
        return self.total - self.refundable - self.authorized

    # -- guarded changes --------------------------------------------------------------------------------
    def _touch(self) -> None:
        self.version += 1

    def _move(self, to: OrderStatus, at: datetime, event: str, **data: Any) -> None:
        if to not in ORDER_TRANSITIONS[self.status]:
            raise IllegalTransition(self.status, to)
        data.update({"from": self.status.value, "to": to.value})
        self.status = to
        self._touch()
        self.record(event, at, **data)

    def confirm(self, at: datetime) -> None:
        if self.status is OrderStatus.PAID and self.refundable <= 0:
            raise DomainError(
                "NOT_PAID",
                "Everything paid for this order has been given back. Cancel it, or take payment again first.",
                ["input", "orderId"],
            )
        self._move(OrderStatus.CONFIRMED, at, "ORDER_CONFIRMED")
        self.confirmed_at = at

    def pack(self, at: datetime) -> None:
        self._move(OrderStatus.PACKED, at, "ORDER_PACKED")
        self.packed_at = at

    def ship(self, at: datetime, tracking_number: str) -> None:
        self._move(OrderStatus.SHIPPED, at, "ORDER_SHIPPED", trackingNumber=tracking_number)
        self.shipped_at = at

    def after_returns(self, status: OrderStatus, at: datetime, **data: Any) -> None:
        """Returns brought some (PARTIALLY_RETURNED) or all (RETURNED) delivered units back."""
        self._move(status, at, f"ORDER_{status.value}", **data)

    def complete(self, at: datetime) -> None:
        """The return window closed with nothing open: the sale is final."""
        self._move(OrderStatus.COMPLETED, at, "ORDER_COMPLETED")

    def conclude(self, outcome: OrderStatus, at: datetime) -> None:
        """Its shipments have all ended: the order takes how they ended."""
        self._move(outcome, at, f"ORDER_{outcome.value}")
        self.completed_at = at

    def cancel(self, reason: CancelReason, at: datetime, method: PaymentMethod) -> list[PaymentEntry]:
        """Cancel, release any open authorisation and give back what was captured."""
        self._move(OrderStatus.CANCELLED, at, "ORDER_CANCELLED", reason=reason.value)
        self.cancelled_at = at
        self.cancel_reason = reason
        entries = []
        if self.authorized > 0:
            entries.append(self._entry(PaymentKind.VOID, method, self.authorized, at, reason.value))
            self.authorized = Decimal(0)
            self.record("PAYMENT_VOIDED", at, amount=str(entries[-1].amount))
        if self.refundable > 0:
            entries.append(self.refund(self.refundable, at, method, reason.value))
        return entries

    def _entry(
        self,
        kind: PaymentKind,
        method: PaymentMethod,
        amount: Decimal,
        at: datetime,
        reason: str | None = None,
    ) -> PaymentEntry:
        return PaymentEntry(
            id=uuid.uuid4(),
            workspace_id=self.workspace_id,
            order_id=self.id,
            kind=kind,
            method=method,
            amount=amount,
            currency=self.currency,
            reason=reason,
            occurred_at=at,
        )

    def _check_amount(self, amount: Decimal, limit: Decimal, what: str) -> Decimal:
        value = Money.of(amount, self.currency, ["input", "amount"]).amount
        if value <= 0:
            raise DomainError("INVALID_AMOUNT", "A payment amount must be above zero.", ["input", "amount"])
        if value > limit:
            raise DomainError(
                "AMOUNT_TOO_LARGE",
                f"{what} {value} {self.currency} is more than the {limit} {self.currency} available. "
                f"Give at most {limit}.",
                ["input", "amount"],
            )
        return value

    def authorize(self, method: PaymentMethod, amount: Decimal | None, at: datetime) -> PaymentEntry:
        if self.status is not OrderStatus.PLACED:
            raise DomainError(
                "ORDER_NOT_PAYABLE",
                f"The order is {self.status}; payments are taken only while it is PLACED.",
                ["input", "orderId"],
            )
        value = self._check_amount(self.unpaid if amount is None else amount, self.unpaid, "Authorising")
        self.authorized += value
        self._touch()
        self.record("PAYMENT_AUTHORIZED", at, method=method.value, amount=str(value))
        return self._entry(PaymentKind.AUTHORIZATION, method, value, at)

    def decline(
        self, method: PaymentMethod, amount: Decimal | None, reason: str, at: datetime
    ) -> PaymentEntry:
        if self.status is not OrderStatus.PLACED:
            raise DomainError(
                "ORDER_NOT_PAYABLE",
                f"The order is {self.status}; payments are taken only while it is PLACED.",
                ["input", "orderId"],
            )
        value = self._check_amount(self.total if amount is None else amount, self.total, "Declining")
        self._touch()
        self.record("PAYMENT_DECLINED", at, method=method.value, amount=str(value), reason=reason)
        return self._entry(PaymentKind.DECLINE, method, value, at, reason)

    def capture(self, method: PaymentMethod, amount: Decimal | None, at: datetime) -> PaymentEntry:
        if self.status is OrderStatus.CANCELLED or self.authorized <= 0:
            raise DomainError(
                "NOTHING_TO_CAPTURE",
                "The order has no open authorisation to capture. Authorise a payment first.",
                ["input", "orderId"],
            )
        value = self._check_amount(
            self.authorized if amount is None else amount, self.authorized, "Capturing"
        )
        self.authorized -= value
        self.captured += value
        self._touch()
        self.record("PAYMENT_CAPTURED", at, method=method.value, amount=str(value))
        entry = self._entry(PaymentKind.CAPTURE, method, value, at)
        if self.status is OrderStatus.PLACED and self.refundable >= self.total:
            self._move(OrderStatus.PAID, at, "ORDER_PAID")
        return entry

    def refund(self, amount: Decimal, at: datetime, method: PaymentMethod, reason: str) -> PaymentEntry:
        value = self._check_amount(amount, self.refundable, "Refunding")
        self.refunded += value
        self._touch()
        self.record("PAYMENT_REFUNDED", at, method=method.value, amount=str(value), reason=reason)
        return self._entry(PaymentKind.REFUND, method, value, at, reason)

    def chargeback(self, amount: Decimal, at: datetime, method: PaymentMethod, reason: str) -> PaymentEntry:
        value = self._check_amount(amount, self.refundable, "A chargeback of")
        self.charged_back += value
        self._touch()
        self.record("CHARGEBACK_RECEIVED", at, method=method.value, amount=str(value), reason=reason)
        return self._entry(PaymentKind.CHARGEBACK, method, value, at, reason)

    def settleable(self) -> Money:
        """What a settlement of the order would pay out: what the platform holds for it (net captured).
        Refuses an order settled already, one still taking payment, and one with nothing held."""
        where = ["input", "orderId"]
        if self.settled_at is not None:
            paid = Money(self.settled_amount or Decimal(0), self.settled_currency or self.currency).rounded()
            raise DomainError(
                "ALREADY_SETTLED",
                f"The order was settled at {self.settled_at.isoformat()} ({paid}); an order is settled once.",
                where,
            )
        if self.status is OrderStatus.PLACED:
            raise DomainError(
                "NOT_PAID",
                "The order is PLACED: its payment is still being taken. Settle it once it is PAID.",
                where,
            )
        if self.refundable <= 0:
            state = "cancelled and " if self.status is OrderStatus.CANCELLED else ""
            raise DomainError(
                "NOTHING_TO_SETTLE",
                f"The order is {state}holds nothing: everything captured was given back. "
                "There is nothing for the platform to pay out.",
                where,
            )
        return Money.of(self.refundable, self.currency)

    def settle(
        self, paid: Money, rate: Decimal, rate_as_of: datetime | None, gain_loss: Money | None, at: datetime
    ) -> None:
        """The platform paid out what it holds for the order, `paid` in the home currency at `rate`;
        `gain_loss` is what the rate's move since placement made on it (None: no rate at placement)."""
        held = self.settleable()
        self.settlement_rate = rate
        self.settlement_rate_as_of = rate_as_of
        self.settled_amount = paid.amount
        self.settled_currency = paid.currency
        self.realised_gain_loss = None if gain_loss is None else gain_loss.amount
        self.settled_at = at
        self._touch()
        self.record(
            "ORDER_SETTLED",
            at,
            held=str(held.amount),
            currency=held.currency,
            orderRate=None if self.order_rate is None else _plain(self.order_rate),
            settlementRate=_plain(rate),
            settlementRateAsOf=None if rate_as_of is None else rate_as_of.isoformat(),
            settledAmount=str(paid.amount),
            homeCurrency=paid.currency,
            realisedGainLoss=None if gain_loss is None else str(gain_loss.amount),
        )


def _plain(rate: Decimal) -> str:
    """A rate as events keep it: 7.1, 150, 0.125 (no trailing zeros, no exponent)."""
    return format(rate.normalize(), "f")
