"""Mutations on orders and their payments."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated

import strawberry

from api.commands import IDEMPOTENCY, INPUT, Outcome, run_command
from api.context import Info
from api.errors import to_user_error
from api.orders.errors import OrderErrorCode, OrderUserError, PaymentErrorCode, PaymentUserError
from api.orders.types import CancelReason, Order, Payment, PaymentMethod
from api.relay import decode_id
from domain.orders import handlers
from domain.orders.handlers import PaymentResult

EXPECTED_VERSION = "If given, the command is refused with CONFLICT unless the order is at this version."


@strawberry.input(description="One line of a new order.")
class OrderLineInput:
    listing_id: strawberry.ID = strawberry.field(description="A listing on the order's channel.")
    quantity: int = strawberry.field(description="How many units, 1 to 10,000.")


@strawberry.input(description="A consumer's order on a channel (sandbox workspaces only).")
class OrderPlaceInput:
    channel_id: strawberry.ID = strawberry.field(description="The channel the consumer ordered on.")
    lines: list[OrderLineInput] = strawberry.field(description="What was ordered; at least one line.")
    buyer_name: str = strawberry.field(description="The consumer's name.")
    ship_to_country: str = strawberry.field(description="Destination country, ISO 3166-1.")
    currency: str | None = strawberry.field(
        default=None, description="The order's currency; if given it must be the channel's."
    )
    buyer_email: str | None = strawberry.field(default=None, description="The consumer's e-mail.")
    shipping_price: Decimal | None = strawberry.field(
        default=None, description="Shipping charged to the consumer, in the channel's currency."
    )
    channel_order_id: str | None = strawberry.field(default=None, description="The platform's order number.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY)


@strawberry.input(description="Move an order on: which one, and optionally the version you saw.")
class OrderMoveInput:
    order_id: strawberry.ID = strawberry.field(description="The order.")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.input(description="Cancel an order; captured money is refunded and holds are released.")
class OrderCancelInput:
    order_id: strawberry.ID = strawberry.field(description="The order.")
    reason: CancelReason = strawberry.field(  # type: ignore[valid-type]
        default=CancelReason.SELLER_CANCELLED, description="Why."
    )
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY)


@strawberry.type(description="Result of an order mutation.")
class OrderPayload:
    order: Order | None = strawberry.field(description="The order as it is now, unless refused.")
    user_errors: list[OrderUserError] = strawberry.field(description="Why it was refused.")  # type: ignore[valid-type]


@strawberry.type(description="Result of orderPlace.")
class OrderPlacePayload(OrderPayload):
    pass


@strawberry.type(description="Result of orderConfirm.")
class OrderConfirmPayload(OrderPayload):
    pass


@strawberry.type(description="Result of orderCancel.")
class OrderCancelPayload(OrderPayload):
    pass


@strawberry.type(description="Result of orderPack.")
class OrderPackPayload(OrderPayload):
    pass


@strawberry.input(
    description="The payment provider's answer to a consumer's payment (sandbox workspaces only)."
)
class PaymentAuthorizeInput:
    order_id: strawberry.ID = strawberry.field(description="The order paid for.")
    method: PaymentMethod = strawberry.field(description="How the consumer pays.")  # type: ignore[valid-type]
    amount: Decimal | None = strawberry.field(
        default=None, description="How much; default: all that is unpaid."
    )
    declined: bool = strawberry.field(default=False, description="True: the provider refused the payment.")
    decline_reason: str | None = strawberry.field(
        default=None, description="The provider's reason for refusing."
    )
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY)


@strawberry.input(description="Take money held by an authorisation.")
class PaymentCaptureInput:
    order_id: strawberry.ID = strawberry.field(description="The order.")
    amount: Decimal | None = strawberry.field(
        default=None, description="How much; default: all that is held."
    )
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY)


@strawberry.input(description="Give captured money back, or (sandbox) record a chargeback.")
class PaymentRefundInput:
    order_id: strawberry.ID = strawberry.field(description="The order.")
    amount: Decimal = strawberry.field(
        description="How much; at most what was captured and not yet returned."
    )
    reason: str = strawberry.field(description="Why, in a few words.")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY)


@strawberry.type(description="Result of a payment mutation.")
class PaymentPayload:
    payment: Payment | None = strawberry.field(description="The ledger line written, unless refused.")
    order: Order | None = strawberry.field(description="The order as it is now, unless refused.")
    user_errors: list[PaymentUserError] = strawberry.field(description="Why it was refused.")  # type: ignore[valid-type]


@strawberry.type(description="Result of paymentAuthorize.")
class PaymentAuthorizePayload(PaymentPayload):
    pass


@strawberry.type(description="Result of paymentCapture.")
class PaymentCapturePayload(PaymentPayload):
    pass


@strawberry.type(description="Result of paymentRefund.")
class PaymentRefundPayload(PaymentPayload):
    pass


@strawberry.type(description="Result of paymentChargeback.")
class PaymentChargebackPayload(PaymentPayload):
    pass


async def _order(info: Info, outcome: Outcome[uuid.UUID]) -> dict[str, object]:
    order = None
    if outcome.result is not None:
        order = Order.from_row(await info.context.loaders.order.get(outcome.result))
    return {
        "order": order,
        "user_errors": [to_user_error(OrderUserError, OrderErrorCode, e) for e in outcome.errors],
    }


async def _payment(info: Info, outcome: Outcome[PaymentResult]) -> dict[str, object]:
    payment = order = None
    if outcome.result is not None:
        loaders = info.context.loaders
        payment = Payment.from_row(await loaders.payment.get(outcome.result.payment_id))
        order = Order.from_row(await loaders.order.get(outcome.result.order_id))
    errors = [to_user_error(PaymentUserError, PaymentErrorCode, e) for e in outcome.errors]
    return {"payment": payment, "order": order, "user_errors": errors}


def _move(input: Annotated[OrderMoveInput, INPUT]) -> handlers.OrderMove:
    return handlers.OrderMove(
        order_id=decode_id(input.order_id, "Order", ["input", "orderId"]),
        expected_version=input.expected_version,
    )


@strawberry.type
class OrderMutation:
    @strawberry.mutation(description="Place a consumer's order on a channel (sandbox workspaces only).")
    async def order_place(self, info: Info, input: Annotated[OrderPlaceInput, INPUT]) -> OrderPlacePayload:
        outcome = await run_command(
            info.context,
            "orderPlace",
            lambda: handlers.PlaceOrder(
                channel_id=decode_id(input.channel_id, "Channel", ["input", "channelId"]),
                lines=[
                    handlers.OrderLineInput(
                        listing_id=decode_id(
                            line.listing_id, "Listing", ["input", "lines", str(i), "listingId"]
                        ),
                        quantity=line.quantity,
                    )
                    for i, line in enumerate(input.lines)
                ],
                buyer_name=input.buyer_name,
                ship_to_country=input.ship_to_country,
                currency=input.currency,
                buyer_email=input.buyer_email,
                shipping_price=input.shipping_price,
                channel_order_id=input.channel_order_id,
            ),
            handlers.place_order,
            uuid.UUID,
            input_=input,
            idempotency_key=input.idempotency_key,
        )
        return OrderPlacePayload(**await _order(info, outcome))  # type: ignore[arg-type]

    @strawberry.mutation(description="Confirm a paid order: the seller accepts it and will ship it.")
    async def order_confirm(self, info: Info, input: Annotated[OrderMoveInput, INPUT]) -> OrderConfirmPayload:
        outcome = await run_command(
            info.context, "orderConfirm", lambda: _move(input), handlers.confirm_order, uuid.UUID
        )
        return OrderConfirmPayload(**await _order(info, outcome))  # type: ignore[arg-type]

    @strawberry.mutation(description="Mark a confirmed order packed and ready to ship.")
    async def order_pack(self, info: Info, input: Annotated[OrderMoveInput, INPUT]) -> OrderPackPayload:
        outcome = await run_command(
            info.context, "orderPack", lambda: _move(input), handlers.pack_order, uuid.UUID
        )
        return OrderPackPayload(**await _order(info, outcome))  # type: ignore[arg-type]

    @strawberry.mutation(description="Cancel an order, refunding what was captured and releasing holds.")
    async def order_cancel(self, info: Info, input: Annotated[OrderCancelInput, INPUT]) -> OrderCancelPayload:
        outcome = await run_command(
            info.context,
            "orderCancel",
            lambda: handlers.CancelOrder(
                order_id=decode_id(input.order_id, "Order", ["input", "orderId"]),
                reason=input.reason,
                expected_version=input.expected_version,
            ),
            handlers.cancel_order,
            uuid.UUID,
            input_=input,
            idempotency_key=input.idempotency_key,
        )
        return OrderCancelPayload(**await _order(info, outcome))  # type: ignore[arg-type]

    @strawberry.mutation(description="Record the provider's answer to a payment (sandbox workspaces only).")
    async def payment_authorize(
        self, info: Info, input: Annotated[PaymentAuthorizeInput, INPUT]
    ) -> PaymentAuthorizePayload:
        outcome = await run_command(
            info.context,
            "paymentAuthorize",
            lambda: handlers.AuthorizePayment(
                order_id=decode_id(input.order_id, "Order", ["input", "orderId"]),
                method=input.method,
                amount=input.amount,
                declined=input.declined,
                decline_reason=input.decline_reason,
                expected_version=input.expected_version,
            ),
            handlers.authorize_payment,
            PaymentResult,
            input_=input,
            idempotency_key=input.idempotency_key,
        )
        return PaymentAuthorizePayload(**await _payment(info, outcome))  # type: ignore[arg-type]

    @strawberry.mutation(description="Capture held money; the order becomes PAID once its total is captured.")
    async def payment_capture(
        self, info: Info, input: Annotated[PaymentCaptureInput, INPUT]
    ) -> PaymentCapturePayload:
        outcome = await run_command(
            info.context,
            "paymentCapture",
            lambda: handlers.CapturePayment(
                order_id=decode_id(input.order_id, "Order", ["input", "orderId"]),
                amount=input.amount,
                expected_version=input.expected_version,
            ),
            handlers.capture_payment,
            PaymentResult,
            input_=input,
            idempotency_key=input.idempotency_key,
        )
        return PaymentCapturePayload(**await _payment(info, outcome))  # type: ignore[arg-type]

    @strawberry.mutation(description="Refund captured money; never more than was captured and not returned.")
    async def payment_refund(
        self, info: Info, input: Annotated[PaymentRefundInput, INPUT]
    ) -> PaymentRefundPayload:
        outcome = await _refund(info, "paymentRefund", input, chargeback=False)
        return PaymentRefundPayload(**await _payment(info, outcome))  # type: ignore[arg-type]

    @strawberry.mutation(description="Record a chargeback by the consumer's bank (sandbox workspaces only).")
    async def payment_chargeback(
        self, info: Info, input: Annotated[PaymentRefundInput, INPUT]
    ) -> PaymentChargebackPayload:
        outcome = await _refund(info, "paymentChargeback", input, chargeback=True)
        return PaymentChargebackPayload(**await _payment(info, outcome))  # type: ignore[arg-type]


async def _refund(
    info: Info, operation: str, input: PaymentRefundInput, *, chargeback: bool
) -> Outcome[PaymentResult]:
    return await run_command(
        info.context,
        operation,
        lambda: handlers.RefundPayment(
            order_id=decode_id(input.order_id, "Order", ["input", "orderId"]),
            amount=input.amount,
            reason=input.reason,
            expected_version=input.expected_version,
            chargeback=chargeback,
        ),
        handlers.refund_payment,
        PaymentResult,
        input_=input,
        idempotency_key=input.idempotency_key,
    )
