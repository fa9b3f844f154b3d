"""Foreign exchange measured in the workspace's home currency: the rate each order keeps from placement
and settlement, the gain or loss the rate's move made on it, and the exposure of what is still open.

Rates here are home-currency units per unit of a foreign currency. The rules are pure functions;
the reads are a fixed number of SQL statements whatever the number of orders, currencies and locks.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from domain.accounts.model import Workspace
from domain.currency.model import RATE
from domain.currency.queries import LOCKS, RATES
from domain.currency.rates import RATE_PLACES, convert
from domain.db.uow import UnitOfWork
from domain.orders.model import OrderStatus
from domain.orders.queries import ORDERS
from domain.shared.errors import DomainError
from domain.shared.money import Money, round_amount, validate_currency
from domain.timeline import Event

WORKSPACES = cast(sa.Table, Workspace.__table__)
RATE_DIGITS = 10  # the places rates are kept to (RATE_PLACES)


# -- rules --------------------------------------------------------------------------------------------------
def plain_rate(rate: Decimal) -> Decimal:
    """A rate without trailing zeros and without an exponent: 7.1, 150, 0.0066."""
    return Decimal(format(rate.normalize(), "f"))


def realised_gain_loss(
    held: Money, order_rate: Decimal | None, settlement_rate: Decimal, home: str
) -> Money | None:
    """What the rate's move between placement and settlement made on the money held: what the settlement
    paid, less what the money was booked at when the order was placed, each rounded to the home
    currency's minor units as it would be booked. Negative is a loss; None when the order-time rate is
    unknown."""
    if order_rate is None:
        return None
    return Money.of(held.amount * settlement_rate, home) - Money.of(held.amount * order_rate, home)


@dataclass(frozen=True, slots=True)
class Quote:
    """A rate of a currency into the home currency, and from when it holds."""

    rate: Decimal
    as_of: datetime | None  # None for the home currency itself: no conversion


@dataclass(frozen=True, slots=True)
class ExposureLine:
    """One foreign currency: what is receivable in it, how much of that is locked by forward contracts,
    and what the rest is worth at the latest rate. `unlocked` below zero is over-hedged."""

    currency: str
    receivables: Money
    locked: Money
    unlocked: Money
    quote: Quote | None
    unlocked_value: Money | None  # in the home currency; None when no rate is known


@dataclass(frozen=True, slots=True)
class Exposure:
    home_currency: str
    as_of: datetime
    lines: list[ExposureLine]
    total_unlocked_value: Money | None  # None when a line's value is unknown


def exposure(
    home: str,
    as_of: datetime,
    receivables: Mapping[str, Decimal],
    locked: Mapping[str, Decimal],
    quotes: Mapping[str, Quote],
) -> Exposure:
    """Exposure per foreign currency, in code order. The home currency carries no exchange risk and is left
    out, as is a currency with neither receivables nor locks."""
    lines = []
    for currency in sorted((set(receivables) | set(locked)) - {home}):
        owed = Money(round_amount(receivables.get(currency, Decimal(0)), currency), currency)
        hedged = Money(round_amount(locked.get(currency, Decimal(0)), currency), currency)
        if not owed.amount and not hedged.amount:
            continue
        unlocked = owed - hedged
        quote = quotes.get(currency)
        value = None if quote is None else Money(round_amount(unlocked.amount * quote.rate, home), home)
        lines.append(ExposureLine(currency, owed, hedged, unlocked, quote, value))
    total: Money | None = Money(Decimal(0), home).rounded()
    for line in lines:
        total = None if total is None or line.unlocked_value is None else total + line.unlocked_value
    return Exposure(home, as_of, lines, total)


# -- commands -----------------------------------------------------------------------------------------------
async def home_currency(
    conn: AsyncConnection | AsyncSession, workspace_id: uuid.UUID, *, lock: bool = False
) -> str:
    """The workspace's home currency; `lock` holds it (FOR SHARE) until commit, so that it cannot change
    under a settlement being written in it."""
    query = sa.select(WORKSPACES.c.home_currency).where(WORKSPACES.c.id == workspace_id)
    found: str = (await conn.execute(query.with_for_update(read=True) if lock else query)).scalar_one()
    return found


async def rate_at_placement(uow: UnitOfWork, currency: str) -> Quote | None:
    """The rate from `currency` into the home currency as of now (the workspace clock), or None when none
    is known: an order is placed all the same, and keeps no order-time rate."""
    home = await home_currency(uow.session, uow.workspace_id)
    try:
        found = await convert(uow.session, uow.workspace_id, Money.of(1, currency), home, uow.now)
    except DomainError as error:
        if error.code != "NO_RATE":
            raise
        return None
    return Quote(found.rate, found.rate_as_of)


@dataclass(frozen=True)
class SetHomeCurrency:
    home_currency: str


@dataclass(frozen=True)
class HomeCurrencySet:
    home_currency: str
    orders_rerated: int


async def set_home_currency(uow: UnitOfWork, cmd: SetHomeCurrency) -> HomeCurrencySet:
    """Change the currency the seller books in. Refused once any order is settled: its gain or loss was
    measured in the old currency and would change meaning. Orders placed before the change take their
    order-time rate again, in the new currency, as of their placement.

    The workspace row is taken FOR UPDATE: run this in a unit of work that takes it so from the start
    (`moves_clock=True`), since a sandbox's unit of work otherwise holds it FOR SHARE, and two commands
    upgrading that hold would deadlock. Settlements hold it FOR SHARE, so the two serialise.
    """
    home = validate_currency(cmd.home_currency, ["input", "homeCurrency"])
    w = WORKSPACES
    current: str = (
        await uow.session.execute(
            sa.select(w.c.home_currency).where(w.c.id == uow.workspace_id).with_for_update()
        )
    ).scalar_one()
    if home == current:
        return HomeCurrencySet(home, 0)
    o = ORDERS
    settled = await uow.session.scalar(
        sa.select(sa.func.count())
        .select_from(o)
        .where(o.c.workspace_id == uow.workspace_id, o.c.settled_at.is_not(None))
    )
    if settled:
        raise DomainError(
            "HOME_CURRENCY_LOCKED",
            f"Orders of this workspace were settled in {current} ({settled} so far), and their gains and "
            f"losses measured in it: they would change meaning. The home currency stays {current}.",
            ["input", "homeCurrency"],
        )
    await uow.session.execute(sa.update(w).where(w.c.id == uow.workspace_id).values(home_currency=home))
    rerated = await _rerate_orders(uow, home)
    uow.session.add(
        Event(
            id=uuid.uuid4(),
            workspace_id=uow.workspace_id,
            aggregate_type="Workspace",
            aggregate_id=uow.workspace_id,
            type="HOME_CURRENCY_SET",
            occurred_at=uow.now,
            data={"from": current, "to": home, "ordersRerated": rerated},
        )
    )
    return HomeCurrencySet(home, rerated)


async def _rerate_orders(uow: UnitOfWork, home: str) -> int:
    """Take every unsettled order's order-time rate again into `home`, as of its placement, in one
    statement: the latest rate of the pair either way round on or before `placed_at`, as `convert` takes
    it (the pair as quoted first, else the inverse rounded to the rates' places)."""
    o, r = ORDERS, RATES

    def latest(column: sa.ColumnElement[Any]) -> sa.ScalarSelect[Any]:
        return (
            sa.select(column)
            .where(
                r.c.workspace_id == o.c.workspace_id,
                sa.or_(
                    sa.and_(r.c.base == o.c.currency, r.c.quote == home),
                    sa.and_(r.c.base == home, r.c.quote == o.c.currency),
                ),
                r.c.as_of <= o.c.placed_at,
            )
            .order_by(r.c.as_of.desc(), r.c.base == home)
            .limit(1)
            .scalar_subquery()
        )

    inverse = sa.func.round(sa.literal(Decimal(1), RATE) / r.c.rate, RATE_DIGITS)
    same = o.c.currency == home
    result = await uow.session.execute(
        sa.update(o)
        .where(o.c.workspace_id == uow.workspace_id, o.c.settled_at.is_(None))
        .values(
            order_rate=sa.case(
                (same, sa.literal(Decimal(1), RATE)),
                else_=latest(sa.case((r.c.base == home, inverse), else_=r.c.rate)),
            ),
            order_rate_as_of=sa.case((same, sa.null()), else_=latest(r.c.as_of)),
            version=o.c.version + 1,
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


# -- reads --------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class FxSummary:
    home_currency: str
    realised_gain_loss: Money
    settled_orders: int
    settled_without_order_rate: int


async def fx_summary(conn: AsyncConnection, workspace_id: uuid.UUID) -> FxSummary:
    """Realised gains and losses of every settled order, in one aggregate. Settled amounts and gains are
    all in the home currency: it cannot change once an order is settled."""
    w, o = WORKSPACES, ORDERS
    settled = sa.and_(o.c.workspace_id == w.c.id, o.c.settled_at.is_not(None))
    row = (
        await conn.execute(
            sa.select(
                w.c.home_currency,
                sa.func.count(o.c.id).label("settled"),
                sa.func.count(o.c.id).filter(o.c.realised_gain_loss.is_(None)).label("unmeasured"),
                sa.func.coalesce(sa.func.sum(o.c.realised_gain_loss), 0).label("gain_loss"),
            )
            .select_from(w.outerjoin(o, settled))
            .where(w.c.id == workspace_id)
            .group_by(w.c.home_currency)
        )
    ).one()
    home: str = row.home_currency
    return FxSummary(home, Money(round_amount(row.gain_loss, home), home), row.settled, row.unmeasured)


async def currency_exposure(conn: AsyncConnection, workspace_id: uuid.UUID, as_of: datetime) -> Exposure:
    """Open receivables per foreign currency against the locks that hedge them: four statements (home
    currency, receivables, locks, latest rates) however many orders and currencies.

    Receivables and locks are as they stand; `as_of` is the horizon: locks maturing by then no longer
    hedge, and the rate is the latest on or before it. A later `as_of` shows what is left unhedged once
    locks run out."""
    home = await home_currency(conn, workspace_id)
    o, lk, r = ORDERS, LOCKS, RATES
    net = o.c.captured - o.c.refunded - o.c.charged_back
    owed = await conn.execute(
        sa.select(o.c.currency, sa.func.sum(net))
        .where(
            o.c.workspace_id == workspace_id,
            o.c.settled_at.is_(None),
            sa.not_(sa.and_(o.c.status == OrderStatus.CANCELLED, net <= 0)),
        )
        .group_by(o.c.currency)
    )
    receivables = {currency: amount for currency, amount in owed}
    # A lock matures at the start of its maturity day (its timer fires then): after `as_of` means a later day.
    hedged = await conn.execute(
        sa.select(lk.c.base, sa.func.sum(lk.c.amount))
        .where(
            lk.c.workspace_id == workspace_id,
            lk.c.quote == home,
            lk.c.maturity > as_of.astimezone(UTC).date(),
        )
        .group_by(lk.c.base)
    )
    locked = {currency: amount for currency, amount in hedged}
    foreign = sa.case((r.c.base == home, r.c.quote), else_=r.c.base)
    latest = await conn.execute(
        sa.select(foreign.label("currency"), r.c.base, r.c.rate, r.c.as_of)
        .ext(distinct_on(foreign))
        .where(
            r.c.workspace_id == workspace_id,
            sa.or_(r.c.base == home, r.c.quote == home),
            foreign.in_(sorted(set(receivables) | set(locked))),
            r.c.as_of <= as_of,
        )
        .order_by(foreign, r.c.as_of.desc(), r.c.base == home)
    )
    quotes = {
        row.currency: Quote(
            row.rate if row.base == row.currency else (Decimal(1) / row.rate).quantize(RATE_PLACES),
            row.as_of,
        )
        for row in latest
    }
    return exposure(home, as_of, receivables, locked, quotes)
