"""GraphQL for foreign exchange in the home currency: setting it, settling orders in it, realised gains and
losses, and the exposure of open receivables."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated

import strawberry
from graphql import GraphQLError

from api.accounts.queries import load_workspace
from api.accounts.types import Workspace
from api.commands import IDEMPOTENCY, INPUT, run_command
from api.context import Info
from api.currency.errors import CurrencyErrorCode, CurrencyUserError
from api.errors import to_user_error
from api.money import Money
from api.orders.errors import OrderErrorCode, OrderUserError
from api.orders.types import Order
from api.relay import decode_id
from domain.currency import fx
from domain.orders import handlers


@strawberry.type(description="Realised FX gains and losses of every settled order, in the home currency.")
class FxSummary:
    home_currency: str = strawberry.field(description="The workspace's home currency (ISO 4217).")
    realised_gain_loss: Money = strawberry.field(
        description="The sum over settled orders of net captured times (settlement rate - order rate); "
        "negative is a loss."
    )
    settled_orders: int = strawberry.field(description="How many orders are settled.")
    settled_without_order_rate: int = strawberry.field(
        description="Settled orders placed when no rate was known: their gain or loss is unknown and left "
        "out of realisedGainLoss."
    )


@strawberry.type(description="The exposure in one foreign currency: receivables against forward contracts.")
class CurrencyExposureLine:
    currency: str = strawberry.field(description="The foreign currency (ISO 4217).")
    receivables: Money = strawberry.field(
        description="Net captured of the orders in it not settled yet: what the platforms will pay out."
    )
    locked: Money = strawberry.field(
        description="Rate locks selling it for the home currency that mature after asOf."
    )
    unlocked: Money = strawberry.field(
        description="receivables - locked: exposed to the rate. Below zero is over-hedged."
    )
    rate: Decimal | None = strawberry.field(
        description="The latest rate into the home currency on or before asOf; null if none is known."
    )
    rate_as_of: datetime | None = strawberry.field(description="From when that rate holds.")
    unlocked_value: Money | None = strawberry.field(
        description="unlocked at that rate, in the home currency; null if no rate is known."
    )

    @classmethod
    def from_line(cls, line: fx.ExposureLine) -> CurrencyExposureLine:
        quote, value = line.quote, line.unlocked_value
        return cls(
            currency=line.currency,
            receivables=Money.of(line.receivables.amount, line.currency),
            locked=Money.of(line.locked.amount, line.currency),
            unlocked=Money.of(line.unlocked.amount, line.currency),
            rate=None if quote is None else fx.plain_rate(quote.rate),
            rate_as_of=None if quote is None else quote.as_of,
            unlocked_value=None if value is None else Money.of(value.amount, value.currency),
        )


@strawberry.type(description="Open foreign-currency receivables by currency, locked and unlocked.")
class CurrencyExposure:
    home_currency: str = strawberry.field(description="The currency exposure is measured in.")
    as_of: datetime = strawberry.field(
        description="The horizon: locks maturing by then no longer count, and rates are the latest by then."
    )
    currencies: list[CurrencyExposureLine] = strawberry.field(
        description="One line per foreign currency with receivables or locks, in code order."
    )
    total_unlocked_value: Money | None = strawberry.field(
        description="The unlocked parts' value summed, in the home currency; null if a rate is unknown."
    )


@strawberry.input(description="The currency the seller books in.")
class WorkspaceHomeCurrencySetInput:
    home_currency: str = strawberry.field(description="An ISO 4217 code, e.g. CNY.")


@strawberry.type(description="Result of workspaceHomeCurrencySet.")
class WorkspaceHomeCurrencySetPayload:
    workspace: Workspace | None = strawberry.field(description="The workspace as it is now, unless refused.")
    orders_rerated: int = strawberry.field(
        description="Orders whose order-time rate was taken again, into the new currency, as of placement."
    )
    user_errors: list[CurrencyUserError] = strawberry.field(description="Why it was refused.")  # type: ignore[valid-type]


@strawberry.input(
    description="The platform pays out what it holds for an order, in the home currency (sandbox only)."
)
class OrderSettleInput:
    order_id: strawberry.ID = strawberry.field(description="The order.")
    expected_version: int | None = strawberry.field(
        default=None,
        description="If given, the command is refused with CONFLICT unless the order is at this version.",
    )
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY)


@strawberry.type(description="Result of orderSettle.")
class OrderSettlePayload:
    order: Order | None = strawberry.field(description="The order as it is now, with its fx, unless refused.")
    user_errors: list[OrderUserError] = strawberry.field(description="Why it was refused.")  # type: ignore[valid-type]


@strawberry.type
class FxQuery:
    @strawberry.field(description="Realised FX gains and losses of settled orders, in the home currency.")
    async def fx_summary(self, info: Info) -> FxSummary:
        ws = info.context.workspace_id
        found = await info.context.read(lambda conn: fx.fx_summary(conn, ws))
        return FxSummary(
            home_currency=found.home_currency,
            realised_gain_loss=Money.of(found.realised_gain_loss.amount, found.home_currency),
            settled_orders=found.settled_orders,
            settled_without_order_rate=found.settled_without_order_rate,
        )

    @strawberry.field(
        description="Open receivables per foreign currency, how much of each is locked by rate locks, and "
        "what the rest is worth in the home currency."
    )
    async def currency_exposure(
        self,
        info: Info,
        as_of: Annotated[
            datetime | None,
            strawberry.argument(
                description="The horizon (timezone-aware): locks maturing by then stop counting, and the "
                "rate is the latest by then. Default: now by the workspace clock."
            ),
        ] = None,
    ) -> CurrencyExposure:
        ctx = info.context
        if as_of is not None and as_of.tzinfo is None:
            raise GraphQLError(
                "asOf needs a timezone, e.g. 2026-12-31T00:00:00Z.", extensions={"code": "BAD_USER_INPUT"}
            )
        moment = as_of or (await load_workspace(ctx)).now
        ws = ctx.workspace_id
        found = await ctx.read(lambda conn: fx.currency_exposure(conn, ws, moment))
        total = found.total_unlocked_value
        return CurrencyExposure(
            home_currency=found.home_currency,
            as_of=found.as_of,
            currencies=[CurrencyExposureLine.from_line(line) for line in found.lines],
            total_unlocked_value=None if total is None else Money.of(total.amount, total.currency),
        )


@strawberry.type
class FxMutation:
    @strawberry.mutation(
        description="Set the currency the seller books in. Refused once an order is settled; orders placed "
        "before take their order-time rate again, into the new currency."
    )
    async def workspace_home_currency_set(
        self, info: Info, input: Annotated[WorkspaceHomeCurrencySetInput, INPUT]
    ) -> WorkspaceHomeCurrencySetPayload:
        outcome = await run_command(
            info.context,
            "workspaceHomeCurrencySet",
            lambda: fx.SetHomeCurrency(input.home_currency),
            fx.set_home_currency,
            fx.HomeCurrencySet,
            moves_clock=True,  # it takes the workspace row for update: see set_home_currency
        )
        errors = [to_user_error(CurrencyUserError, CurrencyErrorCode, e) for e in outcome.errors]
        if outcome.result is None:
            return WorkspaceHomeCurrencySetPayload(workspace=None, orders_rerated=0, user_errors=errors)
        return WorkspaceHomeCurrencySetPayload(
            workspace=await load_workspace(info.context),
            orders_rerated=outcome.result.orders_rerated,
            user_errors=[],
        )

    @strawberry.mutation(
        description="The platform pays out an order's net captured amount in the home currency at the rate "
        "as of now, realising its FX gain or loss (sandbox workspaces only; once per order)."
    )
    async def order_settle(self, info: Info, input: Annotated[OrderSettleInput, INPUT]) -> OrderSettlePayload:
        outcome = await run_command(
            info.context,
            "orderSettle",
            lambda: handlers.SettleOrder(
                order_id=decode_id(input.order_id, "Order", ["input", "orderId"]),
                expected_version=input.expected_version,
            ),
            handlers.settle_order,
            uuid.UUID,
            input_=input,
            idempotency_key=input.idempotency_key,
        )
        order = None
        if outcome.result is not None:
            order = Order.from_row(await info.context.loaders.order.get(outcome.result))
        errors = [to_user_error(OrderUserError, OrderErrorCode, e) for e in outcome.errors]
        return OrderSettlePayload(order=order, user_errors=errors)
