from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import strawberry

from api.context import Info
from api.loaders import now_or_later
from api.money import Money
from api.orders.types import TimelineEvent
from api.relay import Node, to_global_id
from domain.currency import model
from domain.currency.fx import plain_rate
from domain.db.reads import Row

RateSource = strawberry.enum(model.RateSource, description="Where a rate came from.")


@strawberry.type(
    description="One unit of base buys `rate` units of quote, from asOf until the pair's next rate."
)
class ExchangeRate(Node):
    base: str = strawberry.field(description="Base currency (ISO 4217).")
    quote: str = strawberry.field(description="Quote currency (ISO 4217).")
    rate: Decimal = strawberry.field(description="Quote units per base unit.")
    as_of: datetime = strawberry.field(description="From when the rate holds.")
    source: RateSource = strawberry.field(description="Set by hand, imported or generated.")  # type: ignore[valid-type]

    @classmethod
    def from_row(cls, row: Row) -> ExchangeRate:
        return cls(
            id=to_global_id("ExchangeRate", row.id),
            base=row.base,
            quote=row.quote,
            rate=plain_rate(row.rate),
            as_of=row.as_of,
            source=row.source,
        )


@strawberry.type(description="An amount converted at a recorded rate.")
class Conversion:
    amount: Money = strawberry.field(description="The converted amount, rounded to its currency.")
    rate: Decimal = strawberry.field(description="Target units per source unit, as used.")
    rate_as_of: datetime | None = strawberry.field(
        description="From when that rate holds; null: same currency."
    )


@strawberry.type(
    description="A forward contract: an amount of base exchanged into quote at a rate on maturity."
)
class RateLock(Node):
    base: str = strawberry.field(description="The currency sold (ISO 4217).")
    quote: str = strawberry.field(description="The currency bought (ISO 4217).")
    amount: Money = strawberry.field(description="How much base is locked.")
    rate: Decimal = strawberry.field(description="Quote units per base unit, locked.")
    maturity: date = strawberry.field(description="The day the exchange happens.")
    counterparty: str = strawberry.field(description="The bank or provider.")
    created_at: datetime = strawberry.field(description="When it was made (workspace clock).")
    _id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="Its events: locked, matured.")
    def timeline(self, info: Info) -> list[TimelineEvent]:
        return now_or_later(info.context.loaders.timeline, self._id, TimelineEvent.from_views)  # type: ignore[return-value]

    @classmethod
    def from_row(cls, row: Row) -> RateLock:
        return cls(
            id=to_global_id("RateLock", row.id),
            base=row.base,
            quote=row.quote,
            amount=Money.of(row.amount, row.base),
            rate=plain_rate(row.rate),
            maturity=row.maturity,
            counterparty=row.counterparty,
            created_at=row.created_at,
            _id=row.id,
        )
