"""Exchange rates: setting, importing and (in a sandbox) generating them, and converting with them."""

from __future__ import annotations

import csv
import io
import math
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from domain.clock.rules import schedule
from domain.currency.model import RateLock, RateSource
from domain.currency.queries import RATES
from domain.currency.timers import LOCK_MATURED
from domain.db.uow import UnitOfWork
from domain.shared.errors import DomainError, SandboxOnly
from domain.shared.money import Money, validate_currency
from domain.shared.text import required_text

MAX_RATE = Decimal(10) ** 12
MAX_IMPORT_ROWS = 10_000
MAX_GENERATED_DAYS = 3_660
RATE_PLACES = Decimal("1e-10")


class Rng(Protocol):
    """The seeded generator a sandbox generates rates with (random.Random fits)."""

    def gauss(self, mu: float, sigma: float) -> float: ...


def _pair(base: str, quote: str, field: list[str]) -> tuple[str, str]:
    b = validate_currency(base, [*field, "base"])
    q = validate_currency(quote, [*field, "quote"])
    if b == q:
        raise DomainError("INVALID_PAIR", f"A rate needs two currencies; both are {b}.", [*field, "quote"])
    return b, q


def _rate(value: Decimal | str, field: list[str]) -> Decimal:
    try:
        rate = Decimal(value)
    except (InvalidOperation, ValueError):
        raise DomainError("INVALID_RATE", f"'{value}' is not a decimal rate.", field) from None
    if not rate.is_finite() or rate >= MAX_RATE or rate.quantize(RATE_PLACES) <= 0:
        raise DomainError(
            "INVALID_RATE",
            "A rate is a positive number (at least 0.0000000001): how many quote units one base unit buys.",
            field,
        )
    return rate.quantize(RATE_PLACES)


UPSERT_ROWS = 1_000  # rates per INSERT statement (eight parameters each, well inside PostgreSQL's 65,535)

Rate = tuple[str, str, Decimal, datetime]  # base, quote, rate, as of


def _upsert_rates(uow: UnitOfWork, rates: list[Rate], source: RateSource) -> sa.Insert:
    """One statement writing these rates; a rate for a pair and time already stored replaces it. The rates
    given must name each pair and time at most once (PostgreSQL refuses a statement that would change
    one row twice)."""
    statement = insert(RATES).values(
        [
            {
                "id": uuid.uuid4(),
                "workspace_id": uow.workspace_id,
                "base": base,
                "quote": quote,
                "rate": rate,
                "as_of": as_of,
                "source": source,
                "created_at": uow.now,
            }
            for base, quote, rate, as_of in rates
        ]
    )
    return statement.on_conflict_do_update(
        constraint="uq_exchange_rates_workspace_id_base_quote_as_of",
        set_={"rate": statement.excluded.rate, "source": statement.excluded.source},
    )


async def _write_rates(uow: UnitOfWork, rates: list[Rate], source: RateSource) -> None:
    """Store the rates, UPSERT_ROWS to a statement (no pair and time twice, as `_upsert_rates` needs)."""
    for begin in range(0, len(rates), UPSERT_ROWS):
        await uow.session.execute(_upsert_rates(uow, rates[begin : begin + UPSERT_ROWS], source))


@dataclass(frozen=True)
class SetRate:
    base: str
    quote: str
    rate: Decimal
    as_of: datetime | None = None


async def set_rate(uow: UnitOfWork, cmd: SetRate) -> int:
    base, quote = _pair(cmd.base, cmd.quote, ["input"])
    rate = _rate(cmd.rate, ["input", "rate"])
    as_of = cmd.as_of or uow.now
    if as_of.tzinfo is None:
        raise DomainError(
            "INVALID_DATE", "asOf needs a timezone, e.g. 2026-11-23T00:00:00Z.", ["input", "asOf"]
        )
    await _write_rates(uow, [(base, quote, rate, as_of)], RateSource.MANUAL)
    return 1


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


async def import_rates(uow: UnitOfWork, text: str) -> int:
    """CSV with the header `date,base,quote,rate`; a date means that day's start (UTC). All or nothing."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff").strip()))  # spreadsheets often lead with a BOM
    if reader.fieldnames is None or [f.strip().lower() for f in reader.fieldnames] != [
        "date",
        "base",
        "quote",
        "rate",
    ]:
        raise DomainError(
            "INVALID_CSV", "The first line must be the header: date,base,quote,rate", ["input", "csv"]
        )
    rows: list[Rate] = []
    seen: dict[tuple[str, str, datetime], int] = {}
    for line, row in enumerate(reader, start=2):
        where = ["input", "csv", f"line {line}"]
        if line - 1 > MAX_IMPORT_ROWS:
            raise DomainError(
                "INVALID_CSV", f"Import at most {MAX_IMPORT_ROWS} rates at a time.", ["input", "csv"]
            )
        if None in row:
            raise DomainError("INVALID_CSV", f"Line {line} has more values than the header's four.", where)
        values = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        try:
            raw = values["date"]
            as_of = _day_start(date.fromisoformat(raw)) if len(raw) == 10 else datetime.fromisoformat(raw)
        except ValueError:
            raise DomainError(
                "INVALID_CSV", f"Line {line}: '{values.get('date')}' is not an ISO date.", where
            ) from None
        if as_of.tzinfo is None:
            as_of = as_of.replace(tzinfo=UTC)
        try:
            base, quote = _pair(values["base"], values["quote"], where)
            rate = _rate(values["rate"], where)
        except DomainError as error:
            raise DomainError(error.code, f"Line {line}: {error.message}", where) from None
        if (base, quote, as_of) in seen:
            raise DomainError(
                "INVALID_CSV",
                f"Line {line} repeats the {base}/{quote} rate of line {seen[base, quote, as_of]}.",
                where,
            )
        seen[base, quote, as_of] = line
        rows.append((base, quote, rate, as_of))
    if not rows:
        raise DomainError("INVALID_CSV", "The file has no rates below its header.", ["input", "csv"])
    await _write_rates(uow, rows, RateSource.IMPORT)  # no pair and day twice: checked above
    return len(rows)


@dataclass(frozen=True)
class GenerateRates:
    """A random walk of daily rates from the sandbox clock's day on: geometric Brownian motion with
    Student-t shocks (fat tails, as FX returns have), `daily_sigma` the daily volatility of log-returns."""

    base: str
    quote: str
    start_rate: Decimal
    days: int
    daily_sigma: float
    degrees_of_freedom: int = 5


def student_t(rng: Rng, nu: int) -> float:
    """A Student-t draw with unit variance, from normals: Z / sqrt(chi2(nu) / nu), rescaled."""
    z = rng.gauss(0.0, 1.0)
    chi2 = sum(rng.gauss(0.0, 1.0) ** 2 for _ in range(nu))
    return z / math.sqrt(chi2 / nu) * math.sqrt((nu - 2) / nu)


def random_walk(start: Decimal, days: int, sigma: float, nu: int, rng: Rng) -> list[Decimal]:
    rates, log_rate = [], math.log(float(start))
    for _ in range(days):
        rates.append(Decimal(repr(math.exp(log_rate))).quantize(RATE_PLACES))
        log_rate += sigma * student_t(rng, nu) - sigma**2 / 2
    return rates


async def generate_rates(uow: UnitOfWork, cmd: GenerateRates, rng: Rng) -> int:
    if not uow.is_sandbox:
        raise SandboxOnly("Generating exchange rates")
    base, quote = _pair(cmd.base, cmd.quote, ["input"])
    start = _rate(cmd.start_rate, ["input", "startRate"])
    if not 1 <= cmd.days <= MAX_GENERATED_DAYS:
        raise DomainError("INVALID_RANGE", f"days runs from 1 to {MAX_GENERATED_DAYS}.", ["input", "days"])
    if not 0 <= cmd.daily_sigma <= 0.2:
        raise DomainError(
            "INVALID_RANGE",
            "dailySigma is a fraction from 0 to 0.2 (0.005 is 0.5%).",
            ["input", "dailySigma"],
        )
    if not 3 <= cmd.degrees_of_freedom <= 100:
        raise DomainError(
            "INVALID_RANGE", "degreesOfFreedom runs from 3 to 100.", ["input", "degreesOfFreedom"]
        )
    first = _day_start(uow.now.date())
    walk = random_walk(start, cmd.days, cmd.daily_sigma, cmd.degrees_of_freedom, rng)
    if any(not 0 < rate < MAX_RATE for rate in walk):
        raise DomainError(
            "INVALID_RANGE",
            "With this start, volatility and length the walk leaves the rates Tradelane stores "
            "(above 0.0000000001, below 10^12). Lower dailySigma or days, or start nearer 1.",
            ["input", "dailySigma"],
        )
    await _write_rates(
        uow,
        [(base, quote, rate, first + timedelta(days=day)) for day, rate in enumerate(walk)],
        RateSource.SANDBOX,
    )
    return len(walk)


@dataclass(frozen=True, slots=True)
class Conversion:
    money: Money
    rate: Decimal  # quote units per base unit, as used
    rate_as_of: datetime | None  # None when no conversion was needed


async def convert(
    conn: AsyncConnection | AsyncSession, workspace_id: uuid.UUID, money: Money, to: str, at: datetime
) -> Conversion:
    """`money` in `to` at the latest rate of the pair (either way round) on or before `at`."""
    target = validate_currency(to, ["to"])
    if money.currency == target:
        return Conversion(money, Decimal(1), None)
    t = RATES
    found = (
        await conn.execute(
            sa.select(t.c.base, t.c.rate, t.c.as_of)
            .where(
                t.c.workspace_id == workspace_id,
                sa.or_(
                    sa.and_(t.c.base == money.currency, t.c.quote == target),
                    sa.and_(t.c.base == target, t.c.quote == money.currency),
                ),
                t.c.as_of <= at,
            )
            .order_by(t.c.as_of.desc(), t.c.base == target)
            .limit(1)
        )
    ).one_or_none()
    if found is None:
        raise DomainError(
            "NO_RATE",
            f"No {money.currency}/{target} rate on or before {at.isoformat()}. Set one (exchangeRateSet), "
            "import a CSV (exchangeRatesImport) or, in a sandbox, generate them.",
        )
    rate = found.rate if found.base == money.currency else (Decimal(1) / found.rate).quantize(RATE_PLACES)
    return Conversion(Money.of(money.amount * rate, target), rate, found.as_of)


@dataclass(frozen=True)
class LockRate:
    base: str
    quote: str
    amount: Decimal
    rate: Decimal
    maturity: date
    counterparty: str


async def lock_rate(uow: UnitOfWork, cmd: LockRate) -> uuid.UUID:
    base, quote = _pair(cmd.base, cmd.quote, ["input"])
    rate = _rate(cmd.rate, ["input", "rate"])
    amount = Money.of(cmd.amount, base, ["input", "amount"])
    if not amount.is_positive:
        raise DomainError("INVALID_AMOUNT", "A lock is for an amount above zero.", ["input", "amount"])
    if cmd.maturity <= uow.now.date():
        raise DomainError(
            "PAST_MATURITY",
            f"The maturity {cmd.maturity} is not after today ({uow.now.date()}); "
            "a lock matures in the future.",
            ["input", "maturity"],
        )
    lock = RateLock(
        id=uuid.uuid4(),
        workspace_id=uow.workspace_id,
        base=base,
        quote=quote,
        amount=amount.amount,
        rate=rate,
        maturity=cmd.maturity,
        counterparty=required_text(cmd.counterparty, "counterparty", 200),
        created_at=uow.now,
    )
    uow.session.add(lock)
    lock.record("RATE_LOCKED", uow.now, pair=f"{base}/{quote}", amount=str(amount.amount), rate=str(rate))
    schedule(uow, LOCK_MATURED, lock.id, _day_start(cmd.maturity))
    return lock.id
