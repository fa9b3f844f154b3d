"""FX rules that need no database: the gain or loss a rate's move realises on an order, and the exposure of
open receivables against rate locks. Every figure is worked by hand in the comments."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domain.currency.fx import Quote, exposure, plain_rate, realised_gain_loss
from domain.shared.money import Money

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
D = Decimal


@pytest.mark.parametrize(
    ("held", "order_rate", "settlement_rate", "home", "expected"),
    [
        # 100.00 USD booked at 7.10 CNY, paid out at 7.25: 100 x 0.15 = 15.00 CNY gained.
        (Money(D("100.00"), "USD"), D("7.10"), D("7.25"), "CNY", Money(D("15.00"), "CNY")),
        # The same at 6.95: 100 x -0.15 = -15.00 CNY, a loss.
        (Money(D("100.00"), "USD"), D("7.10"), D("6.95"), "CNY", Money(D("-15.00"), "CNY")),
        # 70.00 held after a 30.00 refund: 70 x 0.15 = 10.50.
        (Money(D("70.00"), "USD"), D("7.10"), D("7.25"), "CNY", Money(D("10.50"), "CNY")),
        # Rounded half up to the home currency's units: 33.33 x (151.237 - 149.5) = 57.894... -> 58 JPY.
        (Money(D("33.33"), "USD"), D("149.5"), D("151.237"), "JPY", Money(D("58"), "JPY")),
        # KWD has three places: 19.99 EUR x (0.3312 - 0.3301) = 0.021989 -> 0.022 KWD.
        (Money(D("19.99"), "EUR"), D("0.3301"), D("0.3312"), "KWD", Money(D("0.022"), "KWD")),
        # An unchanged rate realises nothing.
        (Money(D("100.00"), "USD"), D("7.10"), D("7.10"), "CNY", Money(D("0.00"), "CNY")),
        # The home currency itself: rates of 1 either side.
        (Money(D("88.00"), "CNY"), D(1), D(1), "CNY", Money(D("0.00"), "CNY")),
    ],
)
def test_the_gain_or_loss_is_what_was_held_times_the_rates_move(
    held: Money, order_rate: Decimal, settlement_rate: Decimal, home: str, expected: Money
) -> None:
    gain = realised_gain_loss(held, order_rate, settlement_rate, home)
    assert gain == expected
    assert gain is not None and str(gain.amount) == str(expected.amount)  # the units, not just the value


def test_without_a_rate_at_placement_the_gain_is_unknown() -> None:
    assert realised_gain_loss(Money(D("100.00"), "USD"), None, D("7.25"), "CNY") is None


def test_rates_show_without_trailing_zeros_or_exponents() -> None:
    assert str(plain_rate(D("7.1000000000"))) == "7.1"
    assert str(plain_rate(D("150.0000000000"))) == "150"  # normalize() alone gives 1.5E+2
    assert str(plain_rate(D("0.0066225166"))) == "0.0066225166"


def _quote(rate: str) -> Quote:
    return Quote(D(rate), datetime(2026, 11, 24, tzinfo=UTC))


def test_exposure_nets_locks_against_receivables_per_foreign_currency() -> None:
    found = exposure(
        "CNY",
        NOW,
        receivables={"USD": D("130.0000"), "EUR": D("80.0000"), "CNY": D("500.0000")},
        locked={"USD": D("120.0000"), "EUR": D("200.0000")},
        quotes={"USD": _quote("7.25"), "EUR": _quote("7.8")},
    )
    assert [line.currency for line in found.lines] == ["EUR", "USD"]  # code order; CNY is the home
    eur, usd = found.lines
    # USD: 130.00 owed, 120.00 locked, 10.00 open: 10 x 7.25 = 72.50 CNY.
    assert (usd.receivables, usd.locked, usd.unlocked) == (
        Money(D("130.00"), "USD"),
        Money(D("120.00"), "USD"),
        Money(D("10.00"), "USD"),
    )
    assert usd.unlocked_value == Money(D("72.50"), "CNY")
    # EUR: 80.00 owed against 200.00 locked: over-hedged by 120.00, worth -120 x 7.8 = -936.00 CNY.
    assert eur.unlocked == Money(D("-120.00"), "EUR")
    assert eur.unlocked_value == Money(D("-936.00"), "CNY")
    # 72.50 - 936.00 = -863.50
    assert found.total_unlocked_value == Money(D("-863.50"), "CNY")
    assert (found.home_currency, found.as_of) == ("CNY", NOW)


def test_exposure_without_locks_is_the_receivables_themselves() -> None:
    found = exposure("CNY", NOW, {"USD": D("130")}, {}, {"USD": _quote("7.25")})
    [usd] = found.lines
    assert usd.locked == Money(D("0.00"), "USD")
    assert usd.unlocked == usd.receivables == Money(D("130.00"), "USD")
    assert usd.unlocked_value == found.total_unlocked_value == Money(D("942.50"), "CNY")  # 130 x 7.25


def test_a_currency_without_a_rate_has_no_value_and_leaves_the_total_unknown() -> None:
    found = exposure("CNY", NOW, {"USD": D("10"), "BRL": D("50")}, {}, {"USD": _quote("7.25")})
    brl, usd = found.lines
    assert (brl.currency, brl.quote, brl.unlocked_value) == ("BRL", None, None)
    assert usd.unlocked_value == Money(D("72.50"), "CNY")
    assert found.total_unlocked_value is None


def test_a_lock_without_receivables_is_an_open_short_position() -> None:
    # 1,000 JPY sold forward with nothing owed in JPY: -1,000 JPY unlocked, at 0.0482 = -48.20 CNY.
    found = exposure("CNY", NOW, {}, {"JPY": D("1000")}, {"JPY": _quote("0.0482")})
    [jpy] = found.lines
    assert jpy.unlocked == Money(D("-1000"), "JPY")
    assert jpy.unlocked_value == Money(D("-48.20"), "CNY")


def test_currencies_with_nothing_owed_or_locked_are_left_out() -> None:
    found = exposure("USD", NOW, {"EUR": D("0"), "USD": D("25")}, {}, {})
    assert found.lines == []
    assert found.total_unlocked_value == Money(D("0.00"), "USD")


def test_amounts_are_rounded_to_each_currencys_minor_units() -> None:
    # Sums come from NUMERIC(20, 4) columns: 12.3456 KWD is 12.346 KWD, and the value is in whole yen.
    found = exposure("JPY", NOW, {"KWD": D("12.3456")}, {}, {"KWD": _quote("487.1234")})
    [kwd] = found.lines
    assert str(kwd.receivables.amount) == "12.346"
    assert kwd.unlocked_value == Money(D("6014"), "JPY")  # 12.346 x 487.1234 = 6014.025... -> 6014
