"""The rules of stock that need no database: which destinations a warehouse serves, what an inspection
may conclude, and which warehouse an order's stock is reserved in."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from domain.shared.errors import DomainError

# A lot is one delivery of one product; a bound well inside INTEGER keeps sums of lots far from overflow.
MAX_LOT_QUANTITY = 1_000_000


class WarehouseKind(StrEnum):
    DOMESTIC = "DOMESTIC"
    OVERSEAS = "OVERSEAS"
    PLATFORM_FULFILLED = "PLATFORM_FULFILLED"


class InspectionResult(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    PARTIAL = "PARTIAL"


def default_served_countries(kind: WarehouseKind, country: str) -> list[str] | None:
    """The destinations a new warehouse serves: None means every destination (a domestic warehouse ships
    cross-border from the origin); an overseas or platform-fulfilled one delivers only inside its country."""
    if kind is WarehouseKind.DOMESTIC:
        return None
    return [country]


def serves(
    served_countries: Sequence[str] | None,
    destination: str,
    *,
    warehouse_channel_id: uuid.UUID | None = None,
    order_channel_id: uuid.UUID | None = None,
) -> bool:
    """Whether a warehouse can fill an order shipping to `destination`. A platform's warehouse that is tied
    to a channel fills only that channel's orders (FBA stock is for Amazon orders)."""
    if warehouse_channel_id is not None and warehouse_channel_id != order_channel_id:
        return False
    return served_countries is None or destination in served_countries


def check_lot_quantity(quantity: int) -> int:
    if not 1 <= quantity <= MAX_LOT_QUANTITY:
        raise DomainError(
            "INVALID_QUANTITY",
            f"A lot's quantity is a whole number of units from 1 to {MAX_LOT_QUANTITY:,}; got {quantity}.",
            ["input", "quantity"],
        )
    return quantity


@dataclass(frozen=True, slots=True)
class Inspection:
    """What a quality inspection of a lot concluded; only `passed_quantity` units may be sold."""

    sample_size: int
    defects_found: int
    result: InspectionResult
    passed_quantity: int


def inspect(
    quantity: int,
    sample_size: int,
    defects_found: int,
    result: InspectionResult,
    passed_quantity: int | None = None,
) -> Inspection:
    """Check an inspection of a lot of `quantity` units. PASS passes every unit and FAIL none, so for them
    the passed quantity may be left out; PARTIAL needs it, strictly between none and all."""
    if not 1 <= sample_size <= quantity:
        raise DomainError(
            "INVALID_SAMPLE_SIZE",
            f"The sample is 1 to {quantity} units (the lot's quantity); got {sample_size}.",
            ["input", "sampleSize"],
        )
    if not 0 <= defects_found <= sample_size:
        raise DomainError(
            "DEFECTS_EXCEED_SAMPLE",
            f"Defects found run from 0 to the sample size ({sample_size}); got {defects_found}.",
            ["input", "defectsFound"],
        )
    expected = {InspectionResult.PASS: quantity, InspectionResult.FAIL: 0}.get(result)
    if expected is not None:
        if passed_quantity is not None and passed_quantity != expected:
            raise DomainError(
                "INVALID_PASSED_QUANTITY",
                f"A {result} passes {expected} of the lot's {quantity} units, not {passed_quantity}. "
                "Leave passedQuantity out, or use PARTIAL.",
                ["input", "passedQuantity"],
            )
        return Inspection(sample_size, defects_found, result, expected)
    if passed_quantity is None or not 0 < passed_quantity < quantity:
        raise DomainError(
            "INVALID_PASSED_QUANTITY",
            f"A PARTIAL result passes more than 0 and fewer than all {quantity} units; "
            f"give passedQuantity from 1 to {quantity - 1}"
            + (f", not {passed_quantity}." if passed_quantity is not None else ".")
            + " Use PASS or FAIL for all or none.",
            ["input", "passedQuantity"],
        )
    return Inspection(sample_size, defects_found, result, passed_quantity)


Available = Mapping[tuple[uuid.UUID, uuid.UUID], int]  # (warehouse, product) -> units available


def choose_warehouse(
    warehouses: Sequence[uuid.UUID], needed: Mapping[uuid.UUID, int], available: Available
) -> uuid.UUID | None:
    """The one warehouse that holds everything `needed` (units per product); of several, the one with the
    most of these products available, and of equals the first in `warehouses`. None if no warehouse can."""
    best: tuple[int, uuid.UUID] | None = None
    for warehouse in warehouses:
        held = [available.get((warehouse, product), 0) for product in needed]
        holds_all = all(have >= want for have, want in zip(held, needed.values(), strict=True))
        if holds_all and (best is None or sum(held) > best[0]):
            best = (sum(held), warehouse)
    return None if best is None else best[1]


def most_available(warehouses: Sequence[uuid.UUID], product: uuid.UUID, available: Available) -> int:
    """The most units of a product that any one of the warehouses has available."""
    return max((available.get((warehouse, product), 0) for warehouse in warehouses), default=0)
