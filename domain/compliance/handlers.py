"""Commands: registering what the seller holds, and the gate a listing passes to go live."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from domain.catalog.model import Channel, Product
from domain.clock.rules import schedule
from domain.compliance.check import EXPIRY_WARNING, ComplianceStatus
from domain.compliance.model import GLOBAL, CertificationCode, ProductCertification, Registration
from domain.compliance.queries import assess
from domain.compliance.timers import EXPIRED, EXPIRING
from domain.db.uow import UnitOfWork, get_owned
from domain.markets.reference import UNIONS, RegistrationKind, reference
from domain.shared.countries import validate_country
from domain.shared.errors import DomainError
from domain.shared.text import clean_text, required_text

MAX_DOCUMENTS = 20


@dataclass(frozen=True)
class Held:
    number: str
    issuer: str
    valid_from: date
    valid_to: date | None
    documents: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AddRegistration:
    kind: RegistrationKind
    scope: str  # a country (ISO 3166), a union (EU) or GLOBAL
    held: Held


@dataclass(frozen=True)
class CertifyProduct:
    product_id: uuid.UUID
    code: CertificationCode
    held: Held


EARLIEST, LATEST = date(1900, 1, 1), date(9000, 1, 1)


def _checked(held: Held) -> dict[str, Any]:
    for day, name in ((held.valid_from, "validFrom"), (held.valid_to, "validTo")):
        if day is not None and not EARLIEST <= day <= LATEST:
            raise DomainError(
                "INVALID_VALIDITY", f"{name} must be between {EARLIEST} and {LATEST}.", ["input", name]
            )
    if held.valid_to is not None and held.valid_to <= held.valid_from:
        raise DomainError(
            "INVALID_VALIDITY",
            f"The validity ends ({held.valid_to}) before it starts ({held.valid_from}). Check the dates.",
            ["input", "validTo"],
        )
    if len(held.documents) > MAX_DOCUMENTS:
        raise DomainError(
            "INVALID_TEXT", f"At most {MAX_DOCUMENTS} document references.", ["input", "documents"]
        )
    return {
        "number": required_text(held.number, "number", 100),
        "issuer": required_text(held.issuer, "issuer", 200),
        "valid_from": held.valid_from,
        "valid_to": held.valid_to,
        "documents": [clean_text(d, "documents", 500) for d in held.documents],
    }


def _scope(scope: str) -> str:
    value = scope.strip().upper()
    if value == GLOBAL or value in UNIONS:
        return value
    return validate_country(value, ["input", "scope"])


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _watch(uow: UnitOfWork, subject: uuid.UUID, valid_to: date | None) -> None:
    """Timers for a document's expiry: a warning 30 days before, and the expiry itself."""
    if valid_to is None:
        return
    expires = _midnight(valid_to)
    schedule(uow, EXPIRING, subject, max(uow.now, expires - EXPIRY_WARNING))
    schedule(uow, EXPIRED, subject, max(uow.now, expires))


async def add_registration(uow: UnitOfWork, cmd: AddRegistration) -> uuid.UUID:
    values = _checked(cmd.held)
    registration = Registration(
        id=uuid.uuid4(),
        workspace_id=uow.workspace_id,
        kind=cmd.kind,
        scope=_scope(cmd.scope),
        created_at=uow.now,
        **values,
    )
    uow.session.add(registration)
    registration.record("REGISTRATION_ADDED", uow.now, kind=cmd.kind.value, scope=registration.scope)
    _watch(uow, registration.id, registration.valid_to)
    return registration.id


async def certify_product(uow: UnitOfWork, cmd: CertifyProduct) -> uuid.UUID:
    values = _checked(cmd.held)
    product = await get_owned(uow, Product, cmd.product_id, "product", ["input", "productId"])
    certification = ProductCertification(
        id=uuid.uuid4(),
        workspace_id=uow.workspace_id,
        product_id=product.id,
        code=cmd.code,
        created_at=uow.now,
        **values,
    )
    uow.session.add(certification)
    certification.record("CERTIFICATION_ADDED", uow.now, code=cmd.code.value, product=str(product.id))
    _watch(uow, certification.id, certification.valid_to)
    return certification.id


async def ensure_listable(uow: UnitOfWork, product: Product, channel: Channel, field: list[str]) -> None:
    """A listing goes live only where the product meets every blocking requirement of the channel's
    market (a channel in a country Tradelane has no rules for has none)."""
    if channel.country not in reference().markets:
        return
    await uow.flush()  # what this command added (a certification, say) counts
    report = await assess(uow.session, uow.workspace_id, product.id, channel.country, uow.now.date())
    if report is None or report.status is ComplianceStatus.READY:
        return
    problems = "; ".join(r.describe() for r in report.blocking_problems)
    raise DomainError(
        "COMPLIANCE_MISSING",
        f"'{product.sku}' cannot be listed in {channel.country} yet: {problems}. "
        "Add the certification or registration (productCertificationAdd, registrationAdd), then try again.",
        field,
    )
