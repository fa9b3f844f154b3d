"""Pure rules, no database: money and its rounding, HS codes, countries, the order's transition table and
its payment ledger."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.catalog.hs import normalize_hs_code
from domain.orders.model import (
    ORDER_TRANSITIONS,
    CancelReason,
    IllegalTransition,
    Order,
    OrderStatus,
    PaymentMethod,
)
from domain.shared.countries import validate_country
from domain.shared.errors import DomainError
from domain.shared.money import Money, minor_units, round_amount, validate_currency

AT = datetime(2026, 11, 23, tzinfo=UTC)


@pytest.mark.parametrize(
    ("currency", "units", "amount", "rounded"),
    [
        ("USD", 2, "19.995", "20.00"),
        ("JPY", 0, "1999.5", "2000"),
        ("KWD", 3, "1.2345", "1.235"),
        ("CLF", 4, "1.23456", "1.2346"),
        ("EUR", 2, "-0.005", "-0.01"),
        ("ISK", 0, "10.4", "10"),
    ],
)
def test_amounts_round_half_up_to_the_currencys_minor_units(
    currency: str, units: int, amount: str, rounded: str
) -> None:
    assert minor_units(currency) == units
    assert str(round_amount(Decimal(amount), currency)) == rounded


@pytest.mark.parametrize("code", ["ABC", "US", "EURO", "", "XAU", "12$"])
def test_unknown_currencies_are_refused(code: str) -> None:
    with pytest.raises(DomainError) as refused:
        validate_currency(code)
    assert refused.value.code == "INVALID_CURRENCY"


def test_money_of_different_currencies_does_not_add() -> None:
    with pytest.raises(ValueError, match="cannot combine"):
        _ = Money.of(1, "USD") + Money.of(1, "EUR")


@given(
    st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, allow_infinity=False),
    st.sampled_from(["USD", "JPY", "KWD", "EUR", "CLF"]),
)
def test_rounding_is_idempotent_and_moves_less_than_half_a_minor_unit(amount: Decimal, currency: str) -> None:
    once = round_amount(amount, currency)
    assert round_amount(once, currency) == once
    assert abs(once - amount) <= Decimal(1).scaleb(-minor_units(currency)) / 2
    assert -once.as_tuple().exponent == minor_units(currency)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("code", "digits"), [("6109.10", "610910"), ("6109 10 00", "61091000"), ("8518300095", "8518300095")]
)
def test_hs_codes_are_kept_as_digits(code: str, digits: str) -> None:
    assert normalize_hs_code(code) == digits


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("61091", "5 digits"),
        ("6109100", "7 digits"),
        ("0009.10", "chapter 00"),
        ("7701.10", "chapter 77"),
        ("9801.10", "chapter 98"),
        ("61O9.10", "only digits"),
        ("\uff16\uff11\uff10\uff19\uff11\uff10", "only digits"),
    ],
)
def test_invalid_hs_codes_say_why(code: str, why: str) -> None:
    with pytest.raises(DomainError) as refused:
        normalize_hs_code(code)
    assert refused.value.code == "INVALID_HS_CODE"
    assert why in refused.value.message


def test_countries_accept_alpha_2_and_alpha_3() -> None:
    assert validate_country("de") == "DE"
    assert validate_country("JPN") == "JP"
    with pytest.raises(DomainError):
        validate_country("EU")


def _order(total: str = "100.00", currency: str = "USD") -> Order:
    zero = Decimal(0)
    return Order(
        id=uuid.uuid4(),
        workspace_id=uuid.uuid4(),
        status=OrderStatus.PLACED,
        currency=currency,
        total=Decimal(total),
        authorized=zero,
        captured=zero,
        refunded=zero,
        charged_back=zero,
        version=1,
    )


def test_the_transition_table_ends_in_cancelled_and_every_state_is_reachable() -> None:
    reachable = {OrderStatus.PLACED}
    frontier = [OrderStatus.PLACED]
    while frontier:
        for following in ORDER_TRANSITIONS[frontier.pop()]:
            if following not in reachable:
                reachable.add(following)
                frontier.append(following)
    assert reachable == set(OrderStatus)
    assert ORDER_TRANSITIONS[OrderStatus.CANCELLED] == frozenset()


def test_a_move_outside_the_table_raises_and_changes_nothing() -> None:
    order = _order()
    with pytest.raises(IllegalTransition) as refused:
        order.confirm(AT)
    assert refused.value.current is OrderStatus.PLACED
    assert refused.value.allowed == [OrderStatus.CANCELLED, OrderStatus.PAID]
    assert order.status is OrderStatus.PLACED and order.version == 1
    assert order.take_events() == []


def test_cancelling_voids_the_hold_and_refunds_the_capture() -> None:
    order = _order("100.00")
    order.authorize(PaymentMethod.CARD, None, AT)
    order.capture(PaymentMethod.CARD, Decimal("60"), AT)
    entries = order.cancel(CancelReason.SELLER_CANCELLED, AT, PaymentMethod.CARD)
    assert [(e.kind.value, e.amount) for e in entries] == [
        ("VOID", Decimal("40.00")),
        ("REFUND", Decimal("60.00")),
    ]
    assert (order.authorized, order.captured, order.refunded) == (0, Decimal("60.00"), Decimal("60.00"))


operations = st.lists(
    st.tuples(
        st.sampled_from(["authorize", "capture", "refund", "chargeback"]),
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("150"), places=2),
    ),
    max_size=25,
)


@settings(max_examples=200, deadline=None)
@given(operations)
def test_the_ledger_never_gives_back_more_than_it_took_nor_holds_more_than_the_total(
    ops: list[tuple[str, Decimal]],
) -> None:
    order = _order("100.00")
    fully_paid = False  # PAID once the money held reached the total; later refunds do not undo it
    for name, amount in ops:
        try:
            if name == "authorize":
                order.authorize(PaymentMethod.CARD, amount, AT)
            elif name == "capture":
                order.capture(PaymentMethod.CARD, amount, AT)
            elif name == "refund":
                order.refund(amount, AT, PaymentMethod.CARD, "r")
            else:
                order.chargeback(amount, AT, PaymentMethod.CARD, "c")
        except DomainError as refused:
            assert refused.code in {"AMOUNT_TOO_LARGE", "NOTHING_TO_CAPTURE", "ORDER_NOT_PAYABLE"}
        assert 0 <= order.refunded + order.charged_back <= order.captured
        assert order.authorized >= 0 and order.authorized + order.refundable <= order.total
        fully_paid = fully_paid or order.refundable == order.total
        assert (order.status is OrderStatus.PAID) == fully_paid
