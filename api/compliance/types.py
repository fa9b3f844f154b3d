from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import strawberry

from api.catalog.types import Product
from api.context import Info
from api.loaders import now_or_later
from api.orders.types import TimelineEvent
from api.relay import Node, to_global_id
from domain.compliance import check, model
from domain.db.reads import Row
from domain.markets.reference import RegistrationKind as DomainRegistrationKind

RegistrationKind = strawberry.enum(DomainRegistrationKind, description="What a registration is for.")
CertificationCode = strawberry.enum(model.CertificationCode, description="A product certification scheme.")
ComplianceStatus = strawberry.enum(
    check.ComplianceStatus,
    description="READY: every blocking requirement met. MISSING: something required was never added. "
    "BLOCKED: something required is held but expired or not yet valid.",
)
RequirementStatus = strawberry.enum(
    check.RequirementStatus, description="How one requirement stands; EXPIRING_SOON is within 30 days."
)
RequirementKind = strawberry.enum(check.RequirementKind, description="A certification or a registration.")


@strawberry.interface(description="A document the seller holds: a registration or a certification.")
class HeldDocument(Node):
    number: str = strawberry.field(description="The registration or certificate number.")
    issuer: str = strawberry.field(description="Who issued it (an authority, a notified body, a lab...).")
    valid_from: date = strawberry.field(description="First day valid.")
    valid_to: date | None = strawberry.field(description="First day no longer valid; null: open-ended.")
    documents: list[str] = strawberry.field(description="References to the documents that prove it.")
    created_at: datetime = strawberry.field(description="When it was added (workspace clock).")
    _id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="Its events: added, expiring soon, expired.")
    def timeline(self, info: Info) -> list[TimelineEvent]:
        return now_or_later(info.context.loaders.timeline, self._id, TimelineEvent.from_views)  # type: ignore[return-value]


def _held(type_name: str, row: Row) -> dict[str, Any]:
    return {
        "id": to_global_id(type_name, row.id),
        "number": row.number,
        "issuer": row.issuer,
        "valid_from": row.valid_from,
        "valid_to": row.valid_to,
        "documents": list(row.documents),
        "created_at": row.created_at,
        "_id": row.id,
    }


@strawberry.type(description="A registration the seller holds in a market, a union (EU) or GLOBAL.")
class Registration(HeldDocument):
    kind: RegistrationKind = strawberry.field(description="What it is.")  # type: ignore[valid-type]
    scope: str = strawberry.field(description="Country (ISO 3166), union (EU) or GLOBAL.")

    @classmethod
    def from_row(cls, row: Row) -> Registration:
        return cls(kind=row.kind, scope=row.scope, **_held("Registration", row))


@strawberry.type(description="A certification of one product.")
class ProductCertification(HeldDocument):
    code: CertificationCode = strawberry.field(description="The scheme, e.g. CE.")  # type: ignore[valid-type]
    _product_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The product certified.")
    def product(self, info: Info) -> Product:
        return info.context.loaders.product.node(self._product_id, Product.from_row)  # type: ignore[return-value]

    @classmethod
    def from_row(cls, row: Row) -> ProductCertification:
        return cls(code=row.code, _product_id=row.product_id, **_held("ProductCertification", row))


@strawberry.type(description="One thing a market requires, and how the seller stands on it.")
class ComplianceRequirement:
    kind: RequirementKind = strawberry.field(description="Certification or registration.")  # type: ignore[valid-type]
    code: str = strawberry.field(description="The certification or registration kind, e.g. CE or IOSS.")
    accepts: list[str] = strawberry.field(description="Certifications accepted in its place.")
    blocking: bool = strawberry.field(description="Whether listings cannot go live without it.")
    status: RequirementStatus = strawberry.field(description="Present, missing, expired...")  # type: ignore[valid-type]
    held_number: str | None = strawberry.field(description="The number of the document that counts.")
    valid_to: date | None = strawberry.field(description="When that document stops being valid.")
    note: str | None = strawberry.field(description="What the rule says, with its caveats.")


@strawberry.type(description="What a product needs to be sold in a market, and what is missing.")
class ComplianceReport:
    market: str = strawberry.field(description="The market (ISO 3166 alpha-2).")
    as_of: date = strawberry.field(description="The day the rules and validities are judged on.")
    status: ComplianceStatus = strawberry.field(description="The verdict.")  # type: ignore[valid-type]
    requirements: list[ComplianceRequirement] = strawberry.field(description="Each requirement.")
    missing: list[str] = strawberry.field(description="The blocking problems in words; empty when READY.")

    @classmethod
    def of(cls, report: check.ComplianceReport) -> ComplianceReport:
        return cls(
            market=report.market,
            as_of=report.as_of,
            status=report.status,
            requirements=[
                ComplianceRequirement(
                    kind=r.kind,
                    code=r.code,
                    accepts=list(r.accepts),
                    blocking=r.blocking,
                    status=r.status,
                    held_number=r.held_number,
                    valid_to=r.valid_to,
                    note=r.note,
                )
                for r in report.requirements
            ],
            missing=[r.describe() for r in report.blocking_problems],
        )
