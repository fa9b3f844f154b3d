"""Rates, conversion and locks."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import sqlalchemy as sa
import strawberry

from api.context import Info
from api.currency.types import Conversion, ExchangeRate, RateLock
from api.errors import refusals_as_errors
from api.money import Money, MoneyInput
from api.paging import After, First, connection
from api.prefetch import Relation
from api.relay import Connection
from domain.currency.fx import plain_rate
from domain.currency.queries import LOCKS, RATES
from domain.currency.rates import convert
from domain.shared.money import Money as DomainMoney


@strawberry.type
class CurrencyQuery:
    @strawberry.field(description="Exchange rates, newest first.")
    async def exchange_rates(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        base: Annotated[str | None, strawberry.argument(description="Only this base currency.")] = None,
        quote: Annotated[str | None, strawberry.argument(description="Only this quote currency.")] = None,
    ) -> Connection[ExchangeRate]:
        where: list[sa.ColumnElement[bool]] = []
        if base is not None:
            where.append(RATES.c.base == base.upper())
        if quote is not None:
            where.append(RATES.c.quote == quote.upper())
        return await connection(
            info.context, RATES, ExchangeRate.from_row, first, after, where, newest_first=True
        )

    @strawberry.field(description="Convert an amount at the latest rate on or before a moment.")
    async def convert(
        self,
        info: Info,
        amount: Annotated[MoneyInput, strawberry.argument(description="What to convert.")],
        to: Annotated[str, strawberry.argument(description="The target currency (ISO 4217).")],
        at: Annotated[
            datetime | None,
            strawberry.argument(description="The moment; default: now by the workspace clock."),
        ] = None,
    ) -> Conversion:
        from api.accounts.queries import load_workspace

        ctx = info.context
        moment = at or (await load_workspace(ctx)).now
        ws = ctx.workspace_id
        with refusals_as_errors():
            money = DomainMoney.of(amount.amount, amount.currency)
            done = await ctx.read(lambda conn: convert(conn, ws, money, to, moment))
        return Conversion(
            amount=Money.of(done.money.amount, done.money.currency),
            rate=plain_rate(done.rate),
            rate_as_of=done.rate_as_of,
        )

    @strawberry.field(description="Rate locks, oldest first.")
    async def rate_locks(self, info: Info, first: First = None, after: After = None) -> Connection[RateLock]:
        return await connection(
            info.context,
            LOCKS,
            RateLock.from_row,
            first,
            after,
            prefetch=(info, {"timeline": Relation("timeline", "id", many=True)}),
        )
