"""Setting, importing and generating rates; locking them."""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import strawberry

from api.commands import IDEMPOTENCY, INPUT, Outcome, run_command
from api.context import Info
from api.currency.errors import CurrencyErrorCode, CurrencyUserError
from api.currency.types import RateLock
from api.errors import to_user_error
from domain.currency import rates
from domain.db.uow import UnitOfWork


def _errors(outcome: Outcome[int] | Outcome[uuid.UUID]) -> list[CurrencyUserError]:  # type: ignore[valid-type]
    return [to_user_error(CurrencyUserError, CurrencyErrorCode, e) for e in outcome.errors]


@strawberry.input(description="A rate of a currency pair from a moment on.")
class ExchangeRateSetInput:
    base: str = strawberry.field(description="Base currency, e.g. USD.")
    quote: str = strawberry.field(description="Quote currency, e.g. CNY.")
    rate: Decimal = strawberry.field(description="Quote units per base unit, above zero.")
    as_of: datetime | None = strawberry.field(
        default=None, description="From when; default: now (workspace clock)."
    )


@strawberry.input(description="Rates as CSV text.")
class ExchangeRatesImportInput:
    csv: str = strawberry.field(
        description="Header `date,base,quote,rate`, then one rate a line (up to 10,000)."
    )
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY)


@strawberry.input(
    description="Generate daily rates from the sandbox clock's day on (sandbox workspaces only)."
)
class SandboxExchangeRatesGenerateInput:
    base: str = strawberry.field(description="Base currency, e.g. USD.")
    quote: str = strawberry.field(description="Quote currency, e.g. CNY.")
    start_rate: Decimal = strawberry.field(description="The first day's rate.")
    days: int = strawberry.field(description="How many days, 1 to 3,660.")
    daily_sigma: float = strawberry.field(
        default=0.005,
        description="Daily volatility of log-returns, e.g. 0.0025 for USD/CNY, 0.005 for EUR/USD.",
    )
    degrees_of_freedom: int = strawberry.field(
        default=5, description="Student-t degrees of freedom of the shocks: lower means fatter tails (3-100)."
    )
    seed: int = strawberry.field(default=0, description="The same seed gives the same rates.")


@strawberry.input(description="Lock a rate for a future exchange (a forward contract).")
class RateLockCreateInput:
    base: str = strawberry.field(description="The currency you will sell, e.g. USD.")
    quote: str = strawberry.field(description="The currency you will buy, e.g. CNY.")
    amount: Decimal = strawberry.field(description="How much base.")
    rate: Decimal = strawberry.field(description="Quote units per base unit.")
    maturity: date = strawberry.field(description="The day of the exchange; after today.")
    counterparty: str = strawberry.field(description="The bank or provider.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY)


@strawberry.type(description="Result of a mutation that writes rates.")
class RatesWritten:
    rates_written: int = strawberry.field(description="How many rates were written (0 when refused).")
    user_errors: list[CurrencyUserError] = strawberry.field(description="Why it was refused.")  # type: ignore[valid-type]


@strawberry.type(description="Result of exchangeRateSet.")
class ExchangeRateSetPayload(RatesWritten):
    pass


@strawberry.type(description="Result of exchangeRatesImport.")
class ExchangeRatesImportPayload(RatesWritten):
    pass


@strawberry.type(description="Result of sandboxExchangeRatesGenerate.")
class SandboxExchangeRatesGeneratePayload(RatesWritten):
    pass


@strawberry.type(description="Result of rateLockCreate.")
class RateLockCreatePayload:
    rate_lock: RateLock | None = strawberry.field(description="The lock, unless refused.")
    user_errors: list[CurrencyUserError] = strawberry.field(description="Why it was refused.")  # type: ignore[valid-type]


@strawberry.type
class CurrencyMutation:
    @strawberry.mutation(
        description="Set a pair's rate from a moment on (replacing one set for that moment)."
    )
    async def exchange_rate_set(
        self, info: Info, input: Annotated[ExchangeRateSetInput, INPUT]
    ) -> ExchangeRateSetPayload:
        outcome = await run_command(
            info.context,
            "exchangeRateSet",
            lambda: rates.SetRate(input.base, input.quote, input.rate, input.as_of),
            rates.set_rate,
            int,
        )
        return ExchangeRateSetPayload(rates_written=outcome.result or 0, user_errors=_errors(outcome))

    @strawberry.mutation(description="Import rates from CSV text, all or none.")
    async def exchange_rates_import(
        self, info: Info, input: Annotated[ExchangeRatesImportInput, INPUT]
    ) -> ExchangeRatesImportPayload:
        outcome = await run_command(
            info.context,
            "exchangeRatesImport",
            lambda: input.csv,
            rates.import_rates,
            int,
            input_=input,
            idempotency_key=input.idempotency_key,
        )
        return ExchangeRatesImportPayload(rates_written=outcome.result or 0, user_errors=_errors(outcome))

    @strawberry.mutation(
        description="Generate a seeded random walk of daily rates (sandbox workspaces only)."
    )
    async def sandbox_exchange_rates_generate(
        self, info: Info, input: Annotated[SandboxExchangeRatesGenerateInput, INPUT]
    ) -> SandboxExchangeRatesGeneratePayload:
        async def generate(uow: UnitOfWork, command: rates.GenerateRates) -> int:
            return await rates.generate_rates(uow, command, random.Random(input.seed))

        outcome = await run_command(
            info.context,
            "sandboxExchangeRatesGenerate",
            lambda: rates.GenerateRates(
                input.base,
                input.quote,
                input.start_rate,
                input.days,
                input.daily_sigma,
                input.degrees_of_freedom,
            ),
            generate,
            int,
        )
        return SandboxExchangeRatesGeneratePayload(
            rates_written=outcome.result or 0, user_errors=_errors(outcome)
        )

    @strawberry.mutation(description="Lock a rate for a future exchange (a forward contract).")
    async def rate_lock_create(
        self, info: Info, input: Annotated[RateLockCreateInput, INPUT]
    ) -> RateLockCreatePayload:
        outcome = await run_command(
            info.context,
            "rateLockCreate",
            lambda: rates.LockRate(
                input.base, input.quote, input.amount, input.rate, input.maturity, input.counterparty
            ),
            rates.lock_rate,
            uuid.UUID,
            input_=input,
            idempotency_key=input.idempotency_key,
        )
        lock = None
        if outcome.result is not None:
            lock = RateLock.from_row(await info.context.loaders.rate_lock.get(outcome.result))
        return RateLockCreatePayload(rate_lock=lock, user_errors=_errors(outcome))
