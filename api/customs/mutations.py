"""Mutations on customs declarations: the seller's (lodge, respond) and, in a sandbox, customs' and the
consumer's (decisions, import charges)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated

import strawberry

from api.commands import INPUT, Outcome, run_command
from api.context import Info
from api.customs.errors import CustomsErrorCode, CustomsUserError
from api.customs.types import CustomsDecision, CustomsDeclaration, HoldReason
from api.errors import to_user_error
from api.logistics.types import Shipment
from api.relay import decode_id
from domain.customs import handlers

EXPECTED_VERSION = "If given, the command is refused with CONFLICT unless the declaration is at this version."
DECLARATION = "The declaration."


def _errors(outcome: Outcome[uuid.UUID]) -> list[CustomsUserError]:  # type: ignore[valid-type]
    return [to_user_error(CustomsUserError, CustomsErrorCode, e) for e in outcome.errors]


@strawberry.input(description="A correction to one item of a declaration.")
class DeclarationItemCorrection:
    item_id: strawberry.ID = strawberry.field(description="The item (CustomsDeclaration.items.id).")
    hs_code: str | None = strawberry.field(default=None, description="The corrected HS code.")
    value: Decimal | None = strawberry.field(
        default=None, description="The corrected customs value, above zero."
    )
    currency: str | None = strawberry.field(
        default=None, description="The value's currency, if you name it: it must be the declaration's."
    )


def _corrections(items: list[DeclarationItemCorrection] | None) -> tuple[handlers.ItemCorrection, ...]:
    return tuple(
        handlers.ItemCorrection(
            decode_id(item.item_id, "DeclarationItem", ["input", "items", str(i), "itemId"]),
            item.hs_code,
            item.value,
            item.currency,
        )
        for i, item in enumerate(items or ())
    )


@strawberry.input(description="Lodge a DRAFT declaration, correcting it first if need be.")
class CustomsDeclarationLodgeInput:
    declaration_id: strawberry.ID = strawberry.field(description=DECLARATION)
    scheme_number: str | None = strawberry.field(
        default=None, description="Your IOSS (or other scheme) number, when the tax was collected at sale."
    )
    items: list[DeclarationItemCorrection] | None = strawberry.field(default=None, description="Corrections.")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.input(description="Answer a hold: documents, corrected values or codes, a note.")
class CustomsDeclarationRespondInput:
    declaration_id: strawberry.ID = strawberry.field(description=DECLARATION)
    documents: list[str] | None = strawberry.field(
        default=None, description="References or links to documents (invoice, certificate), up to 20 in all."
    )
    items: list[DeclarationItemCorrection] | None = strawberry.field(default=None, description="Corrections.")
    note: str | None = strawberry.field(default=None, description="What you tell customs.")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.input(description="A customs decision (sandbox workspaces only: it stands for customs).")
class CustomsDecisionRecordInput:
    declaration_id: strawberry.ID = strawberry.field(description=DECLARATION)
    decision: CustomsDecision = strawberry.field(description="What customs decided.")  # type: ignore[valid-type]
    hold_reason: HoldReason | None = strawberry.field(default=None, description="Why, for a HOLD.")  # type: ignore[valid-type]
    note: str | None = strawberry.field(default=None, description="Customs' words.")
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.input(
    description="The consumer at the door under DAP (sandbox only): pays the import charges or refuses."
)
class CustomsChargesCollectInput:
    declaration_id: strawberry.ID = strawberry.field(description=DECLARATION)
    paid: bool = strawberry.field(
        description="True: paid; false: refused, and the parcel goes back to the sender."
    )
    expected_version: int | None = strawberry.field(default=None, description=EXPECTED_VERSION)


@strawberry.type(description="A declaration after a customs command.")
class CustomsPayload:
    declaration: CustomsDeclaration | None = strawberry.field(
        description="The declaration as it is now, unless refused."
    )
    shipment_id: strawberry.Private[uuid.UUID | None]
    user_errors: list[CustomsUserError] = strawberry.field(description="Why it was refused.")  # type: ignore[valid-type]

    @strawberry.field(description="Its shipment as it is now, unless refused.")
    async def shipment(self, info: Info) -> Shipment | None:
        # Read only when asked for: customs' decisions come by the thousand in a season.
        if self.shipment_id is None:
            return None
        return Shipment.from_row(await info.context.loaders.shipment.get(self.shipment_id))


@strawberry.type(name="CustomsDeclarationLodgePayload", description="Result of customsDeclarationLodge.")
class CustomsDeclarationLodgePayload(CustomsPayload):
    pass


@strawberry.type(name="CustomsDeclarationRespondPayload", description="Result of customsDeclarationRespond.")
class CustomsDeclarationRespondPayload(CustomsPayload):
    pass


@strawberry.type(name="CustomsDecisionRecordPayload", description="Result of customsDecisionRecord.")
class CustomsDecisionRecordPayload(CustomsPayload):
    pass


@strawberry.type(name="CustomsChargesCollectPayload", description="Result of customsChargesCollect.")
class CustomsChargesCollectPayload(CustomsPayload):
    pass


async def _payload(info: Info, outcome: Outcome[uuid.UUID]) -> dict[str, object]:
    declaration = shipment_id = None
    if outcome.result is not None:
        row = await info.context.loaders.declaration.get(outcome.result)
        declaration = CustomsDeclaration.from_row(row)
        shipment_id = row.shipment_id
    return {"declaration": declaration, "shipment_id": shipment_id, "user_errors": _errors(outcome)}


def _declaration(id_: strawberry.ID) -> uuid.UUID:
    return decode_id(id_, "CustomsDeclaration", ["input", "declarationId"])


@strawberry.type
class CustomsMutation:
    @strawberry.mutation(description="Lodge a DRAFT declaration with customs (correcting it first if asked).")
    async def customs_declaration_lodge(
        self, info: Info, input: Annotated[CustomsDeclarationLodgeInput, INPUT]
    ) -> CustomsDeclarationLodgePayload:
        outcome = await run_command(
            info.context,
            "customsDeclarationLodge",
            lambda: handlers.LodgeDeclaration(
                _declaration(input.declaration_id),
                input.scheme_number,
                _corrections(input.items),
                input.expected_version,
            ),
            handlers.lodge_declaration,
            uuid.UUID,
        )
        return CustomsDeclarationLodgePayload(**await _payload(info, outcome))  # type: ignore[arg-type]

    @strawberry.mutation(
        description="Answer a customs hold; the declaration is RESUBMITTED for customs to decide again."
    )
    async def customs_declaration_respond(
        self, info: Info, input: Annotated[CustomsDeclarationRespondInput, INPUT]
    ) -> CustomsDeclarationRespondPayload:
        outcome = await run_command(
            info.context,
            "customsDeclarationRespond",
            lambda: handlers.RespondToHold(
                _declaration(input.declaration_id),
                tuple(input.documents or ()),
                _corrections(input.items),
                input.note,
                input.expected_version,
            ),
            handlers.respond,
            uuid.UUID,
        )
        return CustomsDeclarationRespondPayload(**await _payload(info, outcome))  # type: ignore[arg-type]

    @strawberry.mutation(
        description="Record a customs decision (sandbox only). ASSESS works out duty and tax by the rules in "
        "force and snapshots them; under DDP the seller pays at once."
    )
    async def customs_decision_record(
        self, info: Info, input: Annotated[CustomsDecisionRecordInput, INPUT]
    ) -> CustomsDecisionRecordPayload:
        outcome = await run_command(
            info.context,
            "customsDecisionRecord",
            lambda: handlers.DecideDeclaration(
                _declaration(input.declaration_id),
                input.decision,
                input.hold_reason,
                input.note,
                input.expected_version,
            ),
            handlers.decide,
            uuid.UUID,
        )
        return CustomsDecisionRecordPayload(**await _payload(info, outcome))  # type: ignore[arg-type]

    @strawberry.mutation(
        description="The consumer pays the import charges due under DAP, or refuses them (sandbox only)."
    )
    async def customs_charges_collect(
        self, info: Info, input: Annotated[CustomsChargesCollectInput, INPUT]
    ) -> CustomsChargesCollectPayload:
        outcome = await run_command(
            info.context,
            "customsChargesCollect",
            lambda: handlers.CollectCharges(
                _declaration(input.declaration_id), input.paid, input.expected_version
            ),
            handlers.collect_charges,
            uuid.UUID,
        )
        return CustomsChargesCollectPayload(**await _payload(info, outcome))  # type: ignore[arg-type]
