"""Mutations on shipments and their tracking."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import strawberry

from api.commands import IDEMPOTENCY, INPUT, Outcome, run_command
from api.context import Info
from api.errors import error_code_enum, to_user_error, user_error_type
from api.logistics.errors import ShippingErrorCode, ShippingUserError
from api.logistics.types import LogisticsMethod, Shipment, TrackingEventType
from api.logistics.webhook_queries import TrackingWebhook
from api.orders.types import Order
from api.relay import decode_id
from api.taxes.types import Incoterm
from domain.logistics import handlers
from domain.logistics.handlers import ScanResult
from domain.logistics.webhooks import CreatedWebhook, RevokeWebhook, create_webhook, revoke_webhook

EXPECTED_VERSION = "If given, the command is refused with CONFLICT unless it is at this version."


def _errors(outcome: Outcome[uuid.UUID] | Outcome[ScanResult]) -> list[ShippingUserError]:  # type: ignore[valid-type]
    return [to_user_error(ShippingUserError, ShippingErrorCode, e) for e in outcome.errors]


@strawberry.input(description="One box of a shipment, measured.")
class PackageInput:
    weight_grams: int = strawberry.field(description="Actual weight in grams, 1 to 1,000,000.")
    length_mm: int = strawberry.field(description="Length in millimetres, 1 to 3,000.")
    width_mm: int = strawberry.field(description="Width in millimetres, 1 to 3,000.")
    height_mm: int = strawberry.field(description="Height in millimetres, 1 to 3,000.")
    reference: str | None = strawberry.field(default=None, description="Your reference for the box.")

    def to_domain(self) -> handlers.PackageInput:
        return handlers.PackageInput(
            self.weight_grams, self.length_mm, self.width_mm, self.height_mm, self.reference
        )


@strawberry.input(description="Units of one order line to put in the shipment.")
class ShipmentLineInput:
    order_line_id: strawberry.ID = strawberry.field(description="The order line (Order.lines.id).")
    quantity: int = strawberry.field(description="Units, 1 to those not yet in a shipment.")


@strawberry.input(description="A shipment for a confirmed order.")
class ShipmentCreateInput:
    order_id: strawberry.ID = strawberry.field(description="The order; CONFIRMED or PACKED.")
    method: LogisticsMethod = strawberry.field(description="How it travels.")  # type: ignore[valid-type]
    carrier: str | None = strawberry.field(
        default=None,
        description="A carrier code (see shipmentQuotes); left out, the cheapest lane's carrier.",
    )
    packages: list[PackageInput] | None = strawberry.field(
        default=None,
        description="Its boxes; left out, one box from the products' weights and sizes.",
    )
    lines: list[ShipmentLineInput] | None = strawberry.field(
        default=None, description="What it carries; left out, every unit not yet in a shipment."
    )
    incoterm: Incoterm | None = strawberry.field(  # type: ignore[valid-type]
        default=None,
        description="Who pays import duty and tax; left out, DDP when the tax was collected at sale, "
        "else DAP.",
    )
    tracking_number: str | None = strawberry.field(
        default=None,
        description="The carrier's number if you bought the label elsewhere; left out, one is made.",
    )
    label_reference: str | None = strawberry.field(default=None, description="The label's reference.")
    lodge_declarations: bool = strawberry.field(
        default=True,
        description="Lodge the export and import declarations at once (as carriers do electronically). "
        "False leaves them as DRAFTs to correct and lodge with customsDeclarationLodge.",
    )
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY)


@strawberry.type(description="Result of shipmentCreate.")
class ShipmentCreatePayload:
    shipment: Shipment | None = strawberry.field(description="The new shipment, unless refused.")
    order: Order | None = strawberry.field(description="The order as it is now, unless refused.")
    user_errors: list[ShippingUserError] = strawberry.field(description="Why it was refused.")  # type: ignore[valid-type]


@strawberry.input(description="Void a label the carrier has not picked up.")
class ShipmentCancelInput:
    shipment_id: strawberry.ID = strawberry.field(description="The shipment; LABEL_CREATED.")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.type(description="Result of shipmentCancel.")
class ShipmentCancelPayload:
    shipment: Shipment | None = strawberry.field(description="The shipment, now CANCELLED, unless refused.")
    user_errors: list[ShippingUserError] = strawberry.field(description="Why it was refused.")  # type: ignore[valid-type]


@strawberry.input(description="A carrier's scan (sandbox workspaces only; carriers use the webhook).")
class TrackingScanRecordInput:
    tracking_number: str = strawberry.field(description="The shipment's tracking number.")
    type: TrackingEventType = strawberry.field(description="What happened.")  # type: ignore[valid-type]
    occurred_at: datetime | None = strawberry.field(
        default=None, description="When it happened; not after the workspace clock. Left out: now."
    )
    event_id: str | None = strawberry.field(
        default=None, description="The carrier's event ID; a repeat is refused with DUPLICATE_EVENT."
    )
    location: str | None = strawberry.field(default=None, description="Where, e.g. 'Leipzig hub, DE'.")
    detail: str | None = strawberry.field(default=None, description="The carrier's words.")


@strawberry.type(description="Result of trackingScanRecord.")
class TrackingScanRecordPayload:
    shipment: Shipment | None = strawberry.field(description="The shipment as it is now, unless refused.")
    applied: bool | None = strawberry.field(
        description="Whether the scan moved the shipment (false: stored only, as late, repeated or out "
        "of order)."
    )
    user_errors: list[ShippingUserError] = strawberry.field(description="Why it was refused.")  # type: ignore[valid-type]


ROTATE = (
    "To change a carrier's secret: make a new endpoint, give the carrier its URL and secret, then revoke the "
    "old one."
)

TrackingWebhookErrorCode = error_code_enum(
    "TrackingWebhookErrorCode",
    {"UNKNOWN_CARRIER", "ALREADY_REVOKED"},
    "Why a command on a carrier's webhook endpoint was refused.",
)
TrackingWebhookUserError = user_error_type(
    "TrackingWebhookUserError", TrackingWebhookErrorCode, "tracking webhook"
)


def _webhook_errors(outcome: Outcome[CreatedWebhook] | Outcome[uuid.UUID]) -> list[TrackingWebhookUserError]:  # type: ignore[valid-type]
    return [to_user_error(TrackingWebhookUserError, TrackingWebhookErrorCode, e) for e in outcome.errors]


@strawberry.input(description="An endpoint for a carrier to post tracking events to.")
class TrackingWebhookCreateInput:
    carrier: str = strawberry.field(description="The carrier's code, e.g. DHL_EXPRESS.")


@strawberry.type(description="Result of trackingWebhookCreate.")
class TrackingWebhookCreatePayload:
    webhook: TrackingWebhook | None = strawberry.field(description="The endpoint, unless refused.")
    secret: str | None = strawberry.field(
        description="The signing secret: give it to the carrier. Shown this once; make a new endpoint "
        "if lost."
    )
    user_errors: list[TrackingWebhookUserError] = strawberry.field(description="Why it was refused.")  # type: ignore[valid-type]


@strawberry.input(description="Close a carrier's webhook endpoint for good.")
class TrackingWebhookRevokeInput:
    webhook_id: strawberry.ID = strawberry.field(description="The endpoint (TrackingWebhook.id); open.")


@strawberry.type(description="Result of trackingWebhookRevoke.")
class TrackingWebhookRevokePayload:
    webhook: TrackingWebhook | None = strawberry.field(
        description="The endpoint, now with its revokedAt, unless refused."
    )
    user_errors: list[TrackingWebhookUserError] = strawberry.field(description="Why it was refused.")  # type: ignore[valid-type]


async def _shipment(info: Info, shipment_id: uuid.UUID | None) -> Shipment | None:
    if shipment_id is None:
        return None
    return Shipment.from_row(await info.context.loaders.shipment.get(shipment_id))


@strawberry.type
class ShippingMutation:
    @strawberry.mutation(
        description="Make a shipment for a confirmed order: packages, lines, carrier and tracking number, "
        "and "
        "(for parcels that cross a border) its export and import declarations. Refused with "
        "COMPLIANCE_MISSING, naming all that is missing, when the destination's requirements are not met."
    )
    async def shipment_create(
        self, info: Info, input: Annotated[ShipmentCreateInput, INPUT]
    ) -> ShipmentCreatePayload:
        outcome = await run_command(
            info.context,
            "shipmentCreate",
            lambda: handlers.CreateShipment(
                order_id=decode_id(input.order_id, "Order", ["input", "orderId"]),
                method=input.method,
                carrier=input.carrier,
                packages=tuple(p.to_domain() for p in input.packages or ()),
                lines=None
                if input.lines is None
                else tuple(
                    handlers.LineAllocation(
                        decode_id(line.order_line_id, "OrderLine", ["input", "lines", str(i), "orderLineId"]),
                        line.quantity,
                    )
                    for i, line in enumerate(input.lines)
                ),
                incoterm=input.incoterm,
                tracking_number=input.tracking_number,
                label_reference=input.label_reference,
                lodge=input.lodge_declarations,
                expected_version=input.expected_version,
            ),
            handlers.create_shipment,
            uuid.UUID,
            input_=input,
            idempotency_key=input.idempotency_key,
        )
        shipment = await _shipment(info, outcome.result)
        order = None
        if shipment is not None:
            order = Order.from_row(await info.context.loaders.order.get(shipment._order_id))
        return ShipmentCreatePayload(shipment=shipment, order=order, user_errors=_errors(outcome))

    @strawberry.mutation(description="Void a shipment's label before the carrier picks it up.")
    async def shipment_cancel(
        self, info: Info, input: Annotated[ShipmentCancelInput, INPUT]
    ) -> ShipmentCancelPayload:
        outcome = await run_command(
            info.context,
            "shipmentCancel",
            lambda: handlers.CancelShipment(
                decode_id(input.shipment_id, "Shipment", ["input", "shipmentId"]), input.expected_version
            ),
            handlers.cancel_shipment,
            uuid.UUID,
        )
        return ShipmentCancelPayload(
            shipment=await _shipment(info, outcome.result), user_errors=_errors(outcome)
        )

    @strawberry.mutation(
        description="Record a carrier's scan (sandbox only: it stands for the carrier). Stored always; it "
        "moves the shipment only forward."
    )
    async def tracking_scan_record(
        self, info: Info, input: Annotated[TrackingScanRecordInput, INPUT]
    ) -> TrackingScanRecordPayload:
        outcome = await run_command(
            info.context,
            "trackingScanRecord",
            lambda: handlers.RecordScan(
                tracking_number=input.tracking_number,
                type=input.type,
                occurred_at=input.occurred_at,
                event_id=input.event_id,
                location=input.location,
                detail=input.detail,
            ),
            handlers.record_scan,
            ScanResult,
        )
        result = outcome.result
        return TrackingScanRecordPayload(
            shipment=await _shipment(info, None if result is None else result.shipment_id),
            applied=None if result is None else result.applied,
            user_errors=_errors(outcome),
        )

    @strawberry.mutation(
        description="Make an endpoint for a carrier to post tracking events to, with its signing secret. "
        + ROTATE
    )
    async def tracking_webhook_create(
        self, info: Info, input: Annotated[TrackingWebhookCreateInput, INPUT]
    ) -> TrackingWebhookCreatePayload:
        outcome = await run_command(
            info.context, "trackingWebhookCreate", lambda: input.carrier, create_webhook, CreatedWebhook
        )
        made = outcome.result
        return TrackingWebhookCreatePayload(
            webhook=None
            if made is None
            else TrackingWebhook.of(made.id, made.carrier, made.secret, made.created_at, None),
            secret=None if made is None else made.secret,
            user_errors=_webhook_errors(outcome),
        )

    @strawberry.mutation(
        description="Revoke a carrier's webhook endpoint, as when its secret may have leaked: from then on "
        "every post to it is refused with 404 UNKNOWN_ENDPOINT. It cannot be reopened; a second revocation "
        "is refused with ALREADY_REVOKED. " + ROTATE
    )
    async def tracking_webhook_revoke(
        self, info: Info, input: Annotated[TrackingWebhookRevokeInput, INPUT]
    ) -> TrackingWebhookRevokePayload:
        outcome = await run_command(
            info.context,
            "trackingWebhookRevoke",
            lambda: RevokeWebhook(decode_id(input.webhook_id, "TrackingWebhook", ["input", "webhookId"])),
            revoke_webhook,
            uuid.UUID,
        )
        webhook = None
        if outcome.result is not None:
            row = await info.context.loaders.tracking_webhook.get(outcome.result)
            webhook = TrackingWebhook.from_row(row)
        return TrackingWebhookRevokePayload(webhook=webhook, user_errors=_webhook_errors(outcome))
