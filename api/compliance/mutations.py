"""Adding registrations and product certifications."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

import strawberry

from api.commands import IDEMPOTENCY, INPUT, Outcome, run_command
from api.compliance.errors import ComplianceErrorCode, ComplianceUserError
from api.compliance.types import CertificationCode, ProductCertification, Registration, RegistrationKind
from api.context import Info
from api.errors import to_user_error
from api.relay import decode_id
from domain.compliance import handlers

VALID_TO = "First day it is no longer valid; leave out when it does not expire. Must be after validFrom."


def _errors(outcome: Outcome[uuid.UUID]) -> list[ComplianceUserError]:  # type: ignore[valid-type]
    return [to_user_error(ComplianceUserError, ComplianceErrorCode, e) for e in outcome.errors]


@strawberry.input(description="A registration the seller holds.")
class RegistrationAddInput:
    kind: RegistrationKind = strawberry.field(description="What it is.")  # type: ignore[valid-type]
    scope: str = strawberry.field(description="Country (ISO 3166, e.g. GB), union (EU) or GLOBAL.")
    number: str = strawberry.field(description="The registration number, e.g. an IOSS number IM2760000001.")
    issuer: str = strawberry.field(description="Who issued it.")
    valid_from: date = strawberry.field(description="First day valid.")
    valid_to: date | None = strawberry.field(default=None, description=VALID_TO)
    documents: list[str] = strawberry.field(
        default_factory=list, description="Document references (up to 20)."
    )
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY)


@strawberry.input(description="A certification of one product.")
class ProductCertificationAddInput:
    product_id: strawberry.ID = strawberry.field(description="The product.")
    code: CertificationCode = strawberry.field(description="The scheme, e.g. CE.")  # type: ignore[valid-type]
    number: str = strawberry.field(description="The certificate number.")
    issuer: str = strawberry.field(description="Who issued it.")
    valid_from: date = strawberry.field(description="First day valid.")
    valid_to: date | None = strawberry.field(default=None, description=VALID_TO)
    documents: list[str] = strawberry.field(
        default_factory=list, description="Document references (up to 20)."
    )
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY)


@strawberry.type(description="Result of registrationAdd.")
class RegistrationAddPayload:
    registration: Registration | None = strawberry.field(description="The registration, unless refused.")
    user_errors: list[ComplianceUserError] = strawberry.field(description="Why it was refused.")  # type: ignore[valid-type]


@strawberry.type(description="Result of productCertificationAdd.")
class ProductCertificationAddPayload:
    certification: ProductCertification | None = strawberry.field(
        description="The certification, unless refused."
    )
    user_errors: list[ComplianceUserError] = strawberry.field(description="Why it was refused.")  # type: ignore[valid-type]


def _held(input: RegistrationAddInput | ProductCertificationAddInput) -> handlers.Held:
    return handlers.Held(input.number, input.issuer, input.valid_from, input.valid_to, list(input.documents))


@strawberry.type
class ComplianceMutation:
    @strawberry.mutation(description="Add a registration (VAT, IOSS, EORI, trademark...) the seller holds.")
    async def registration_add(
        self, info: Info, input: Annotated[RegistrationAddInput, INPUT]
    ) -> RegistrationAddPayload:
        outcome = await run_command(
            info.context,
            "registrationAdd",
            lambda: handlers.AddRegistration(input.kind, input.scope, _held(input)),
            handlers.add_registration,
            uuid.UUID,
            input_=input,
            idempotency_key=input.idempotency_key,
        )
        registration = None
        if outcome.result is not None:
            registration = Registration.from_row(await info.context.loaders.registration.get(outcome.result))
        return RegistrationAddPayload(registration=registration, user_errors=_errors(outcome))

    @strawberry.mutation(description="Add a certification (CE, UKCA, FCC, CPC, PSE, RCM...) of a product.")
    async def product_certification_add(
        self, info: Info, input: Annotated[ProductCertificationAddInput, INPUT]
    ) -> ProductCertificationAddPayload:
        outcome = await run_command(
            info.context,
            "productCertificationAdd",
            lambda: handlers.CertifyProduct(
                decode_id(input.product_id, "Product", ["input", "productId"]), input.code, _held(input)
            ),
            handlers.certify_product,
            uuid.UUID,
            input_=input,
            idempotency_key=input.idempotency_key,
        )
        certification = None
        if outcome.result is not None:
            row = await info.context.loaders.certification.get(outcome.result)
            certification = ProductCertification.from_row(row)
        return ProductCertificationAddPayload(certification=certification, user_errors=_errors(outcome))
