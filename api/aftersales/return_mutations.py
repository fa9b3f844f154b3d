"""Mutations on returns: the seller's (reasons, approve, decline, inspect) and, in a sandbox, the
consumer's (ask for a return, withdraw it)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated

import strawberry

from api.aftersales.errors import ReturnErrorCode, ReturnUserError
from api.aftersales.returns import Resolution, ReturnReason, ReturnRequest, reason_of
from api.commands import IDEMPOTENCY, INPUT, Outcome, run_command
from api.context import Info
from api.errors import to_user_error
from api.orders.types import Order
from api.relay import decode_id
from domain.aftersales import returns as handlers
from domain.aftersales.queries import RETURN_REASONS
from domain.db import reads

EXPECTED_VERSION = "If given, the command is refused with CONFLICT unless the return is at this version."
RETURN = "The return (ReturnRequest.id)."


def _errors(outcome: Outcome[uuid.UUID]) -> list[ReturnUserError]:  # type: ignore[valid-type]
    return [to_user_error(ReturnUserError, ReturnErrorCode, e) for e in outcome.errors]


def _return_id(id_: strawberry.ID) -> uuid.UUID:
    return decode_id(id_, "ReturnRequest", ["input", "returnId"])


@strawberry.input(description="A reason of your own for returns, next to the built-in ones.")
class ReturnReasonAddInput:
    code: str = strawberry.field(description="UPPER_SNAKE, up to 40 characters, e.g. ARRIVED_LATE; unique.")
    label: str = strawberry.field(description="What it means, up to 200 characters.")


@strawberry.type(description="Result of returnReasonAdd.")
class ReturnReasonAddPayload:
    reason: ReturnReason | None = strawberry.field(description="The new reason, unless refused.")
    user_errors: list[ReturnUserError] = strawberry.field(description="Why it was refused.")  # type: ignore[valid-type]


@strawberry.input(description="Units of one delivered order line to return.")
class ReturnLineInput:
    order_line_id: strawberry.ID = strawberry.field(description="The order line (Order.lines.id).")
    quantity: int = strawberry.field(
        description="Units, 1 to those delivered and not already in an open or resolved return."
    )


@strawberry.input(
    description="The consumer asks to return delivered units (sandbox workspaces only: it stands for the "
    "consumer)."
)
class ReturnRequestInput:
    order_id: strawberry.ID = strawberry.field(
        description="The order; DELIVERED, PARTIALLY_DELIVERED or PARTIALLY_RETURNED, within its channel's "
        "return window (returnWindowDays from delivery)."
    )
    lines: list[ReturnLineInput] = strawberry.field(description="What goes back, 1 to 100 lines.")
    reason: str = strawberry.field(description="A reason code (see returnReasons).")
    comment: str | None = strawberry.field(default=None, description="The consumer's words, up to 1,000.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY)


@strawberry.input(description="Approve a REQUESTED return and say how it is settled.")
class ReturnApproveInput:
    return_id: strawberry.ID = strawberry.field(description=RETURN)
    resolution: Resolution = strawberry.field(  # type: ignore[valid-type]
        description="REFUND, PARTIAL_REFUND, EXCHANGE or RETURNLESS_REFUND (refunded and resolved at once)."
    )
    refund_amount: Decimal | None = strawberry.field(
        default=None,
        description="For PARTIAL_REFUND only: above 0, at most the returned lines' value, in the order's "
        "currency.",
    )
    return_shipping_cost: Decimal | None = strawberry.field(
        default=None,
        description="What you paid for the return label, in the outbound shipment's cost currency; left "
        "out, 0. Not for RETURNLESS_REFUND.",
    )
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.input(description="Decline a REQUESTED return.")
class ReturnDeclineInput:
    return_id: strawberry.ID = strawberry.field(description=RETURN)
    reason: str = strawberry.field(description="Why, in words the consumer will read; up to 500 characters.")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.input(description="What inspection made of the units of one returned line.")
class ReturnInspectionLineInput:
    order_line_id: strawberry.ID = strawberry.field(description="The order line (ReturnLine.orderLineId).")
    restock: int = strawberry.field(description="Units back to available stock, 0 or more.")
    dispose: int = strawberry.field(
        description="Units written off, 0 or more; restock + dispose is at most the units returned (the "
        "rest count as missing)."
    )


@strawberry.input(
    description="Inspect a RECEIVED return (or settle one whose parcel the carrier lost or sent back); its "
    "resolution is then carried out. A full refund pays for the units that came back; what is refunded "
    "is at most what the order still holds (the shortfall shows on the timeline)."
)
class ReturnInspectInput:
    return_id: strawberry.ID = strawberry.field(description=RETURN)
    lines: list[ReturnInspectionLineInput] = strawberry.field(
        description="Per returned line, what was restocked and disposed of; a line left out counts as "
        "missing."
    )
    warehouse_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Where restocked units go; left out, the warehouse the goods were shipped from.",
    )
    resolution: Resolution | None = strawberry.field(  # type: ignore[valid-type]
        default=None,
        description="Settle differently from what was approved, now that you see what came back: REFUND, "
        "PARTIAL_REFUND (with refundAmount) or EXCHANGE; e.g. refund an exchange whose replacement is out "
        "of stock. Left out: as approved.",
    )
    refund_amount: Decimal | None = strawberry.field(
        default=None, description="With resolution PARTIAL_REFUND: above 0, at most the lines' value."
    )
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.input(
    description="The consumer withdraws a return before its parcel left (sandbox workspaces only)."
)
class ReturnCancelInput:
    return_id: strawberry.ID = strawberry.field(description=RETURN)
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.type(description="A return after a return command.")
class ReturnPayload:
    return_request: ReturnRequest | None = strawberry.field(
        description="The return as it is now, unless refused."
    )
    order: Order | None = strawberry.field(description="Its order as it is now, unless refused.")
    user_errors: list[ReturnUserError] = strawberry.field(description="Why it was refused.")  # type: ignore[valid-type]


@strawberry.type(name="ReturnRequestPayload", description="Result of returnRequest.")
class ReturnRequestPayload(ReturnPayload):
    pass


@strawberry.type(name="ReturnApprovePayload", description="Result of returnApprove.")
class ReturnApprovePayload(ReturnPayload):
    pass


@strawberry.type(name="ReturnDeclinePayload", description="Result of returnDecline.")
class ReturnDeclinePayload(ReturnPayload):
    pass


@strawberry.type(name="ReturnInspectPayload", description="Result of returnInspect.")
class ReturnInspectPayload(ReturnPayload):
    pass


@strawberry.type(name="ReturnCancelPayload", description="Result of returnCancel.")
class ReturnCancelPayload(ReturnPayload):
    pass


async def _payload(info: Info, outcome: Outcome[uuid.UUID]) -> dict[str, object]:
    rma = order = None
    if outcome.result is not None:
        loaders = info.context.loaders
        row = await loaders.return_request.get(outcome.result)
        rma = ReturnRequest.from_row(row)
        order = Order.from_row(await loaders.order.get(row.order_id))
    return {"return_request": rma, "order": order, "user_errors": _errors(outcome)}


@strawberry.type
class ReturnMutation:
    @strawberry.mutation(description="Add a return reason of your own (an UPPER_SNAKE code and a label).")
    async def return_reason_add(
        self, info: Info, input: Annotated[ReturnReasonAddInput, INPUT]
    ) -> ReturnReasonAddPayload:
        outcome = await run_command(
            info.context,
            "returnReasonAdd",
            lambda: handlers.AddReturnReason(code=input.code, label=input.label),
            handlers.add_return_reason,
            uuid.UUID,
        )
        reason = None
        if outcome.result is not None:
            ctx, id_ = info.context, outcome.result
            found = await ctx.read(lambda conn: reads.by_ids(conn, RETURN_REASONS, ctx.workspace_id, [id_]))
            reason = reason_of(found[id_])
        return ReturnReasonAddPayload(reason=reason, user_errors=_errors(outcome))

    @strawberry.mutation(
        description="The consumer asks to return delivered units, with a reason (sandbox only). Refused "
        "with NOT_DELIVERED, QUANTITY_ABOVE_DELIVERED, ALREADY_RETURNED, RETURN_WINDOW_CLOSED or "
        "UNKNOWN_REASON."
    )
    async def return_request(
        self, info: Info, input: Annotated[ReturnRequestInput, INPUT]
    ) -> ReturnRequestPayload:
        outcome = await run_command(
            info.context,
            "returnRequest",
            lambda: handlers.RequestReturn(
                order_id=decode_id(input.order_id, "Order", ["input", "orderId"]),
                lines=tuple(
                    handlers.ReturnLineInput(
                        decode_id(line.order_line_id, "OrderLine", ["input", "lines", str(i), "orderLineId"]),
                        line.quantity,
                    )
                    for i, line in enumerate(input.lines)
                ),
                reason=input.reason,
                comment=input.comment,
            ),
            handlers.request_return,
            uuid.UUID,
            input_=input,
            idempotency_key=input.idempotency_key,
        )
        return ReturnRequestPayload(**await _payload(info, outcome))  # type: ignore[arg-type]

    @strawberry.mutation(
        description="Approve a requested return. A RETURNLESS_REFUND is refunded and resolved at once; any "
        "other resolution gets a return label (a RETURN shipment with the carrier that delivered the goods), "
        "and is carried out when the parcel is back and inspected. Refused with AMOUNT_TOO_LARGE when the "
        "refund is above what is held for the order."
    )
    async def return_approve(
        self, info: Info, input: Annotated[ReturnApproveInput, INPUT]
    ) -> ReturnApprovePayload:
        outcome = await run_command(
            info.context,
            "returnApprove",
            lambda: handlers.ApproveReturn(
                return_id=_return_id(input.return_id),
                resolution=input.resolution,
                refund_amount=input.refund_amount,
                return_shipping_cost=input.return_shipping_cost,
                expected_version=input.expected_version,
            ),
            handlers.approve_return,
            uuid.UUID,
        )
        return ReturnApprovePayload(**await _payload(info, outcome))  # type: ignore[arg-type]

    @strawberry.mutation(description="Decline a requested return, saying why.")
    async def return_decline(
        self, info: Info, input: Annotated[ReturnDeclineInput, INPUT]
    ) -> ReturnDeclinePayload:
        outcome = await run_command(
            info.context,
            "returnDecline",
            lambda: handlers.DeclineReturn(
                return_id=_return_id(input.return_id),
                reason=input.reason,
                expected_version=input.expected_version,
            ),
            handlers.decline_return,
            uuid.UUID,
        )
        return ReturnDeclinePayload(**await _payload(info, outcome))  # type: ignore[arg-type]

    @strawberry.mutation(
        description="Inspect a received return: restocked units go back on hand, disposed ones are written "
        "off. Then its resolution is carried out: the refund through the payment ledger, or the replacement "
        "order for an exchange. The order becomes PARTIALLY_RETURNED or RETURNED."
    )
    async def return_inspect(
        self, info: Info, input: Annotated[ReturnInspectInput, INPUT]
    ) -> ReturnInspectPayload:
        outcome = await run_command(
            info.context,
            "returnInspect",
            lambda: handlers.InspectReturn(
                return_id=_return_id(input.return_id),
                lines=tuple(
                    handlers.InspectionLine(
                        decode_id(line.order_line_id, "OrderLine", ["input", "lines", str(i), "orderLineId"]),
                        line.restock,
                        line.dispose,
                    )
                    for i, line in enumerate(input.lines)
                ),
                warehouse_id=None
                if input.warehouse_id is None
                else decode_id(input.warehouse_id, "Warehouse", ["input", "warehouseId"]),
                resolution=input.resolution,
                refund_amount=input.refund_amount,
                expected_version=input.expected_version,
            ),
            handlers.inspect_return,
            uuid.UUID,
        )
        return ReturnInspectPayload(**await _payload(info, outcome))  # type: ignore[arg-type]

    @strawberry.mutation(
        description="The consumer withdraws a return before its parcel left (sandbox only); an unused "
        "return label is voided."
    )
    async def return_cancel(
        self, info: Info, input: Annotated[ReturnCancelInput, INPUT]
    ) -> ReturnCancelPayload:
        outcome = await run_command(
            info.context,
            "returnCancel",
            lambda: handlers.CancelReturn(
                return_id=_return_id(input.return_id), expected_version=input.expected_version
            ),
            handlers.cancel_return,
            uuid.UUID,
        )
        return ReturnCancelPayload(**await _payload(info, outcome))  # type: ignore[arg-type]
