"""What a product needs to be sold in a market, against what the seller holds: pure, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Protocol

from domain.catalog.model import ProductCategory
from domain.markets.rules import MarketRules, certifications_for

EXPIRY_WARNING = timedelta(days=30)


class Held(Protocol):
    """A registration or certification the seller holds."""

    number: str
    valid_from: date
    valid_to: date | None


class RequirementStatus(StrEnum):
    PRESENT = "PRESENT"
    EXPIRING_SOON = "EXPIRING_SOON"
    MISSING = "MISSING"
    EXPIRED = "EXPIRED"
    NOT_YET_VALID = "NOT_YET_VALID"


class ComplianceStatus(StrEnum):
    READY = "READY"  # every blocking requirement is met
    MISSING = "MISSING"  # something required was never registered
    BLOCKED = "BLOCKED"  # something required is held but expired or not yet valid


class RequirementKind(StrEnum):
    CERTIFICATION = "CERTIFICATION"
    REGISTRATION = "REGISTRATION"


@dataclass(frozen=True)
class Requirement:
    kind: RequirementKind
    code: str
    accepts: tuple[str, ...]
    blocking: bool
    status: RequirementStatus
    held_number: str | None
    valid_to: date | None
    note: str | None

    @property
    def met(self) -> bool:
        return self.status in (RequirementStatus.PRESENT, RequirementStatus.EXPIRING_SOON)

    def describe(self) -> str:
        accepted = f" (or {', '.join(self.accepts)})" if self.accepts else ""
        what = f"{self.code}{accepted} {self.kind.value.lower()}"
        if self.status is RequirementStatus.MISSING:
            return f"missing {what}"
        return f"{self.status.value.lower().replace('_', ' ')} {what} {self.held_number}"


@dataclass(frozen=True)
class ComplianceReport:
    market: str
    as_of: date
    status: ComplianceStatus
    requirements: tuple[Requirement, ...]

    @property
    def blocking_problems(self) -> tuple[Requirement, ...]:
        return tuple(r for r in self.requirements if r.blocking and not r.met)


def _judge(held: list[Held], day: date) -> tuple[RequirementStatus, Held | None]:
    """The best of the documents held: a valid one, else a future one, else the latest expired one."""
    valid = [h for h in held if h.valid_from <= day and (h.valid_to is None or day < h.valid_to)]
    if valid:
        best = max(valid, key=lambda h: h.valid_to or date.max)
        soon = best.valid_to is not None and best.valid_to - day <= EXPIRY_WARNING
        return (RequirementStatus.EXPIRING_SOON if soon else RequirementStatus.PRESENT), best
    future = [h for h in held if h.valid_from > day]
    if future:
        return RequirementStatus.NOT_YET_VALID, min(future, key=lambda h: h.valid_from)
    if held:
        return RequirementStatus.EXPIRED, max(held, key=lambda h: h.valid_to or date.max)
    return RequirementStatus.MISSING, None


def check(
    rules: MarketRules,
    category: ProductCategory,
    certifications: dict[str, list[Held]],
    registrations: dict[str, list[Held]],
) -> ComplianceReport:
    """`certifications` are the product's by code; `registrations` the seller's by kind, already narrowed
    to those whose scope covers this market (the market, its union, or GLOBAL)."""
    day = rules.as_of
    requirements = []
    for rule in certifications_for(rules, category):
        codes = (rule.code, *sorted(rule.accepts))
        held = [h for code in codes for h in certifications.get(code, [])]
        status, best = _judge(held, day)
        requirements.append(
            Requirement(
                RequirementKind.CERTIFICATION,
                rule.code,
                tuple(sorted(rule.accepts)),
                True,
                status,
                best.number if best else None,
                best.valid_to if best else None,
                rule.validity.note,
            )
        )
    for reg in rules.registrations:
        status, best = _judge(registrations.get(reg.kind.value, []), day)
        requirements.append(
            Requirement(
                RequirementKind.REGISTRATION,
                reg.kind.value,
                (),
                reg.blocking,
                status,
                best.number if best else None,
                best.valid_to if best else None,
                reg.validity.note,
            )
        )
    problems = [r for r in requirements if r.blocking and not r.met]
    if not problems:
        overall = ComplianceStatus.READY
    elif any(r.status is RequirementStatus.MISSING for r in problems):
        overall = ComplianceStatus.MISSING
    else:
        overall = ComplianceStatus.BLOCKED
    return ComplianceReport(rules.market.code, day, overall, tuple(requirements))
