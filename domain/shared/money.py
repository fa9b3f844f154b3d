"""Money: a Decimal amount in an ISO 4217 currency, rounded to that currency's minor units."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

import iso4217

from domain.shared.errors import DomainError


class InvalidCurrency(DomainError):
    def __init__(self, code: str, field: list[str] | None = None) -> None:
        super().__init__(
            "INVALID_CURRENCY",
            f"'{code}' is not an ISO 4217 currency code. Use three capital letters such as USD, EUR or JPY.",
            field,
        )


@cache
def minor_units(currency: str) -> int:
    """How many decimal places the currency has (JPY 0, USD 2, KWD 3); raises InvalidCurrency."""
    try:
        exponent = iso4217.Currency(currency).exponent
    except ValueError:
        raise InvalidCurrency(currency) from None
    # Funds and metals such as XAU have no minor unit in ISO 4217; they are not sold in.
    if exponent is None:
        raise InvalidCurrency(currency)
    return int(exponent)


def validate_currency(currency: str, field: list[str] | None = None) -> str:
    code = currency.strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise InvalidCurrency(currency, field)
    try:
        minor_units(code)
    except InvalidCurrency:
        raise InvalidCurrency(currency, field) from None
    return code


# Amounts are NUMERIC(20, 4): below 10^16. A bound well inside it leaves room for sums of lines.
MAX_AMOUNT = Decimal(10) ** 12


@cache
def _quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def round_amount(amount: Decimal, currency: str) -> Decimal:
    """Round half up to the currency's minor units (commercial rounding, as invoices do)."""
    return amount.quantize(_quantum(currency), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str, field: list[str] | None = None) -> Money:
        code = validate_currency(currency, field)
        try:
            value = Decimal(amount)
        except (InvalidOperation, ValueError):
            raise DomainError("INVALID_AMOUNT", f"'{amount}' is not a decimal amount.", field) from None
        if not value.is_finite():
            raise DomainError("INVALID_AMOUNT", "An amount must be a finite number.", field)
        # Bounded before rounding (quantizing a huge number fails) and after (rounding may reach the limit).
        return cls(value, code).bounded(field).rounded().bounded(field)

    def rounded(self) -> Money:
        return Money(round_amount(self.amount, self.currency), self.currency)

    def bounded(self, field: list[str] | None = None) -> Money:
        """Refuse amounts past what Tradelane stores (and what any order plausibly costs)."""
        if abs(self.amount) >= MAX_AMOUNT:
            raise DomainError(
                "INVALID_AMOUNT",
                f"Amounts run up to {MAX_AMOUNT - 1:,} {self.currency}; this one is larger.",
                field,
            )
        return self

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls.of(0, currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: int | Decimal) -> Money:
        return Money(round_amount(self.amount * factor, self.currency), self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    @property
    def is_positive(self) -> bool:
        return self.amount > 0

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
