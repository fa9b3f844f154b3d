"""Pure stock rules, no database: what an inspection may conclude, which destinations a warehouse serves,
which warehouse an order's stock is held in, and the guards on a lot and a stock level."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.shared.errors import DomainError
from domain.stock import rules
from domain.stock.model import InboundLot, LotStatus, StockLevel
from domain.stock.rules import Inspection, InspectionResult, WarehouseKind

AT = datetime(2026, 11, 23, tzinfo=UTC)
PASS, FAIL, PARTIAL = InspectionResult.PASS, InspectionResult.FAIL, InspectionResult.PARTIAL


def _refused(code: str, field: str, *args: object) -> None:
    with pytest.raises(DomainError) as refused:
        rules.inspect(*args)  # type: ignore[arg-type]
    assert (refused.value.code, refused.value.field) == (code, ["input", field]), refused.value
    assert refused.value.message


# -- inspection ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((100, 20, 0, PASS, None), Inspection(20, 0, PASS, 100)),
        ((100, 20, 1, PASS, 100), Inspection(20, 1, PASS, 100)),  # within an acceptance number
        ((100, 20, 9, FAIL, None), Inspection(20, 9, FAIL, 0)),
        ((100, 20, 0, FAIL, 0), Inspection(20, 0, FAIL, 0)),  # failed for packaging, say
        ((100, 20, 4, PARTIAL, 80), Inspection(20, 4, PARTIAL, 80)),
        ((100, 100, 100, PARTIAL, 1), Inspection(100, 100, PARTIAL, 1)),
        ((2, 1, 1, PARTIAL, 1), Inspection(1, 1, PARTIAL, 1)),
        ((1, 1, 0, PASS, None), Inspection(1, 0, PASS, 1)),
    ],
)
def test_an_inspection_passes_all_none_or_part_of_a_lot(
    args: tuple[int, int, int, InspectionResult, int | None], expected: Inspection
) -> None:
    assert rules.inspect(*args) == expected


@pytest.mark.parametrize(
    ("args", "code", "field"),
    [
        ((100, 0, 0, PASS, None), "INVALID_SAMPLE_SIZE", "sampleSize"),
        ((100, -5, 0, PASS, None), "INVALID_SAMPLE_SIZE", "sampleSize"),
        ((100, 101, 0, PASS, None), "INVALID_SAMPLE_SIZE", "sampleSize"),
        ((100, 20, 21, FAIL, None), "DEFECTS_EXCEED_SAMPLE", "defectsFound"),
        ((100, 20, -1, PASS, None), "DEFECTS_EXCEED_SAMPLE", "defectsFound"),
        ((100, 20, 0, PASS, 99), "INVALID_PASSED_QUANTITY", "passedQuantity"),
        ((100, 20, 5, FAIL, 3), "INVALID_PASSED_QUANTITY", "passedQuantity"),
        ((100, 20, 5, PARTIAL, None), "INVALID_PASSED_QUANTITY", "passedQuantity"),
        ((100, 20, 5, PARTIAL, 0), "INVALID_PASSED_QUANTITY", "passedQuantity"),
        ((100, 20, 5, PARTIAL, 100), "INVALID_PASSED_QUANTITY", "passedQuantity"),
        ((100, 20, 5, PARTIAL, 101), "INVALID_PASSED_QUANTITY", "passedQuantity"),
        ((1, 1, 0, PARTIAL, 1), "INVALID_PASSED_QUANTITY", "passedQuantity"),  # one unit: all or none
    ],
)
def test_an_inconsistent_inspection_is_refused(
    args: tuple[int, int, int, InspectionResult, int | None], code: str, field: str
) -> None:
    _refused(code, field, *args)


@given(
    quantity=st.integers(1, 10_000),
    sample=st.integers(-5, 10_005),
    defects=st.integers(-5, 10_005),
    result=st.sampled_from(InspectionResult),
    passed=st.none() | st.integers(-5, 10_005),
)
def test_an_accepted_inspection_always_keeps_within_its_lot(
    quantity: int, sample: int, defects: int, result: InspectionResult, passed: int | None
) -> None:
    try:
        found = rules.inspect(quantity, sample, defects, result, passed)
    except DomainError as error:
        assert error.code in {"INVALID_SAMPLE_SIZE", "DEFECTS_EXCEED_SAMPLE", "INVALID_PASSED_QUANTITY"}
        return
    assert 1 <= found.sample_size <= quantity and 0 <= found.defects_found <= found.sample_size
    assert 0 <= found.passed_quantity <= quantity
    assert (found.passed_quantity == quantity) == (result is PASS)
    assert (found.passed_quantity == 0) == (result is FAIL)


@pytest.mark.parametrize("quantity", [0, -1, rules.MAX_LOT_QUANTITY + 1])
def test_a_lot_holds_at_least_one_unit_and_a_bounded_number(quantity: int) -> None:
    with pytest.raises(DomainError) as refused:
        rules.check_lot_quantity(quantity)
    assert (refused.value.code, refused.value.field) == ("INVALID_QUANTITY", ["input", "quantity"])


def test_a_lot_is_inspected_once() -> None:
    lot = InboundLot(id=uuid.uuid4(), quantity=10, status=LotStatus.RECEIVED)
    lot.inspect(Inspection(5, 0, PASS, 10), AT)
    assert (lot.status, lot.passed_quantity, lot.inspected_at) == (LotStatus.INSPECTED, 10, AT)
    assert [e.type for e in lot.take_events()] == ["LOT_INSPECTED"]
    with pytest.raises(DomainError) as refused:
        lot.inspect(Inspection(5, 5, FAIL, 0), AT)
    assert refused.value.code == "LOT_ALREADY_INSPECTED"
    assert lot.result is PASS and lot.take_events() == []


# -- stock levels -------------------------------------------------------------------------------------


def _level(on_hand: int = 0, reserved: int = 0) -> StockLevel:
    return StockLevel(on_hand=on_hand, reserved=reserved, awaiting_inspection=0, rejected=0)


def test_only_passed_units_go_on_hand() -> None:
    level = _level()
    level.receive(100, AT)
    assert (level.awaiting_inspection, level.on_hand, level.available) == (100, 0, 0)
    level.accept(100, 80, AT)
    assert (level.awaiting_inspection, level.on_hand, level.rejected, level.available) == (0, 80, 20, 80)


def test_a_reservation_never_takes_more_than_is_available() -> None:
    level = _level(on_hand=5, reserved=3)
    with pytest.raises(DomainError) as refused:
        level.reserve(3, AT)
    assert refused.value.code == "OUT_OF_STOCK"
    assert (level.reserved, level.available) == (3, 2)
    level.reserve(2, AT)
    assert level.available == 0
    level.release(5, AT)
    assert (level.reserved, level.available) == (0, 5)
    with pytest.raises(ValueError, match="releasing 1"):
        level.release(1, AT)


# -- which destinations a warehouse serves --------------------------------------------------------------


def test_a_domestic_warehouse_serves_every_destination_and_the_others_their_own_country() -> None:
    assert rules.default_served_countries(WarehouseKind.DOMESTIC, "CN") is None
    assert rules.default_served_countries(WarehouseKind.OVERSEAS, "DE") == ["DE"]
    assert rules.default_served_countries(WarehouseKind.PLATFORM_FULFILLED, "US") == ["US"]
    assert rules.serves(None, "BR") and rules.serves(["DE"], "DE")
    assert not rules.serves(["DE"], "FR")


def test_a_platform_warehouse_tied_to_a_channel_fills_only_that_channels_orders() -> None:
    amazon, ebay = uuid.uuid4(), uuid.uuid4()
    assert rules.serves(["US"], "US", warehouse_channel_id=amazon, order_channel_id=amazon)
    assert not rules.serves(["US"], "US", warehouse_channel_id=amazon, order_channel_id=ebay)
    assert rules.serves(["US"], "US", warehouse_channel_id=None, order_channel_id=ebay)


# -- choosing the warehouse ---------------------------------------------------------------------------

A, B, C = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
SHIRT, CAP = uuid.uuid4(), uuid.uuid4()


def test_the_warehouse_holding_the_whole_order_with_most_available_is_chosen() -> None:
    available = {(A, SHIRT): 5, (A, CAP): 1, (B, SHIRT): 3, (B, CAP): 9, (C, SHIRT): 50}
    assert rules.choose_warehouse([A, B, C], {SHIRT: 3, CAP: 1}, available) == B  # 12 beats 6; C has no caps
    assert rules.choose_warehouse([A, B, C], {SHIRT: 4, CAP: 1}, available) == A  # only A has 4 shirts
    assert rules.choose_warehouse([A, B, C], {SHIRT: 4}, available) == C
    assert rules.choose_warehouse([A, B, C], {SHIRT: 6, CAP: 2}, available) is None
    assert rules.choose_warehouse([], {SHIRT: 1}, available) is None


def test_of_equal_warehouses_the_first_is_chosen() -> None:
    available = {(A, SHIRT): 4, (B, SHIRT): 4}
    assert rules.choose_warehouse([A, B], {SHIRT: 4}, available) == A
    assert rules.choose_warehouse([B, A], {SHIRT: 4}, available) == B


def test_no_single_warehouse_may_hold_what_two_hold_together() -> None:
    available = {(A, SHIRT): 2, (B, CAP): 2}
    assert rules.choose_warehouse([A, B], {SHIRT: 1, CAP: 1}, available) is None
    assert rules.most_available([A, B], SHIRT, available) == 2
    assert rules.most_available([B], SHIRT, available) == 0
