"""The Money type every stage shows amounts with, and the inputs that take amounts."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from domain.shared.money import round_amount


@strawberry.type(description="An amount in an ISO 4217 currency, rounded to the currency's minor units.")
class Money:
    amount: Decimal = strawberry.field(
        description='Decimal amount as a string, e.g. "19.99"; JPY has no decimals.'
    )
    currency: str = strawberry.field(description="ISO 4217 currency code, e.g. USD.")

    @classmethod
    def of(cls, amount: Decimal, currency: str) -> Money:
        return cls(amount=round_amount(amount, currency), currency=currency)


@strawberry.input(description="An amount of money in a named currency.")
class MoneyInput:
    amount: Decimal = strawberry.field(description='Decimal amount, e.g. "19.99".')
    currency: str = strawberry.field(description="ISO 4217 code, e.g. EUR.")


@strawberry.input(
    description="A price on a channel: in the channel's currency, which may be named or left out."
)
class PriceInput:
    amount: Decimal = strawberry.field(description='Decimal amount, e.g. "19.99".')
    currency: str | None = strawberry.field(
        default=None, description="ISO 4217 code; must be the channel's. Leave it out to mean the channel's."
    )
