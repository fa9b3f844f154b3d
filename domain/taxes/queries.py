"""Reads of the tax ledger: entries, period totals per jurisdiction and tax type, and the IOSS return."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.currency.fx import plain_rate
from domain.currency.rates import convert
from domain.markets.reference import reference
from domain.shared.errors import DomainError
from domain.shared.money import Money
from domain.taxes.model import EntryKind, TaxEntry

TAX_ENTRIES = cast(sa.Table, TaxEntry.__table__)
MAX_PERIOD = timedelta(days=366)
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)  # the days a period may cover
MONTH = re.compile(r"(\d{4})-(\d{1,2})")


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start, end] as whole UTC days: from the start of `start` to the end of `end`."""
    for day, name in ((start, "from"), (end, "to")):
        if not FIRST_DAY <= day <= LAST_DAY:
            raise DomainError(
                "INVALID_PERIOD", f"{day} is out of range: give days from {FIRST_DAY} to {LAST_DAY}.", [name]
            )
    if end < start:
        raise DomainError("INVALID_PERIOD", f"The period ends ({end}) before it starts ({start}).", ["to"])
    if end - start > MAX_PERIOD:
        raise DomainError(
            "INVALID_PERIOD", "A report covers at most 366 days; ask for a shorter period.", ["to"]
        )
    return datetime.combine(start, time.min, UTC), datetime.combine(end + timedelta(days=1), time.min, UTC)


def parse_month(text: str, field: list[str]) -> date:
    """The first day of a month given as YYYY-MM (2000-01 to 2100-12); INVALID_PERIOD otherwise."""
    found = MONTH.fullmatch(text.strip())
    if found is None or not 1 <= int(found[2]) <= 12 or not FIRST_DAY.year <= int(found[1]) <= LAST_DAY.year:
        raise DomainError(
            "INVALID_PERIOD",
            f"'{text[:20]}' is not a month: give YYYY-MM ({FIRST_DAY:%Y-%m} to {LAST_DAY:%Y-%m}), "
            "e.g. 2026-11.",
            field,
        )
    return date(int(found[1]), int(found[2]), 1)


def month_span(first: date) -> tuple[datetime, datetime]:
    """The month that starts on `first` as UTC times: from its first instant to the next month's."""
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return _bounds(first, last)


def same_tax(a: sa.FromClause, b: sa.FromClause) -> list[sa.ColumnElement[bool]]:
    """Conditions under which entry `b` answers (or is answered by) entry `a`: the same order and
    declaration (none for at-sale tax), tax, jurisdiction, rule and payer."""
    return [
        b.c.workspace_id == a.c.workspace_id,
        b.c.order_id == a.c.order_id,
        b.c.declaration_id.is_not_distinct_from(a.c.declaration_id),
        b.c.tax_type == a.c.tax_type,
        b.c.jurisdiction == a.c.jurisdiction,
        b.c.rule_id == a.c.rule_id,
        b.c.payer == a.c.payer,
    ]


def _counted_at(t: sa.Table) -> sa.ColumnElement[datetime]:
    """The time an entry counts at in a period: a liability's own; a payment's or a reversal's is the time
    of the liability it answers, whenever it was recorded. So the period whose return is paid next month
    shows that tax paid, and a filed period's figures stay as they were filed."""
    liability = t.alias("answered")
    arose = (
        sa.select(sa.func.min(liability.c.occurred_at))
        .where(liability.c.kind == EntryKind.LIABILITY.value, *same_tax(t, liability))
        .scalar_subquery()
    )
    return sa.case(
        (t.c.kind == EntryKind.LIABILITY.value, t.c.occurred_at),
        else_=sa.func.coalesce(arose, t.c.occurred_at),
    )


def _in_period(t: sa.Table, lo: datetime, hi: datetime) -> list[sa.ColumnElement[bool]]:
    # An answer is never older than its liability: the first condition lets the period index narrow the
    # scan. The range [lo, hi) is tested with one containment so that the time is worked out once.
    def moment(at: datetime) -> sa.BindParameter[datetime]:
        return sa.literal(at, sa.DateTime(timezone=True))

    period = sa.func.tstzrange(moment(lo), moment(hi), "[)")
    return [t.c.occurred_at >= lo, period.op("@>", return_type=sa.Boolean)(_counted_at(t))]


@dataclass(frozen=True)
class ReportRow:
    jurisdiction: str
    tax_type: str
    payer: str
    collection: str
    scheme: str | None
    currency: str
    liabilities: Money
    reversals: Money
    payments: Money
    entries: int

    @property
    def owed(self) -> Money:
        """Liabilities that still hold: what the period's sales and imports owe the authority."""
        return self.liabilities - self.reversals

    @property
    def outstanding(self) -> Money:
        """Owed but not yet paid: at-sale tax the seller files in the period's return, DAP charges the
        consumer has not paid. Nothing for what a marketplace collected: the marketplace remits it."""
        if self.payer == "MARKETPLACE":
            return Money.zero(self.currency)
        return self.owed - self.payments


async def period_report(
    conn: AsyncConnection, ws: uuid.UUID, start: date, end: date, jurisdiction: str | None = None
) -> list[ReportRow]:
    lo, hi = _bounds(start, end)
    t = TAX_ENTRIES
    keys = (t.c.jurisdiction, t.c.tax_type, t.c.payer, t.c.collection, t.c.scheme, t.c.currency)
    where = [t.c.workspace_id == ws, *_in_period(t, lo, hi)]
    if jurisdiction is not None:
        where.append(t.c.jurisdiction == jurisdiction.strip().upper())

    def total(kind: EntryKind) -> sa.ColumnElement[Decimal]:
        return sa.func.coalesce(sa.func.sum(t.c.amount).filter(t.c.kind == kind.value), 0)

    rows = await conn.execute(
        sa.select(
            *keys,
            total(EntryKind.LIABILITY),
            total(EntryKind.REVERSAL),
            total(EntryKind.PAYMENT),
            sa.func.count(),
        )
        .where(*where)
        .group_by(*keys)
        .order_by(*keys)
    )
    return [
        ReportRow(
            jurisdiction=j,
            tax_type=str(tt),
            payer=str(p),
            collection=str(c),
            scheme=s,
            currency=cur,
            liabilities=Money.of(li, cur),
            reversals=Money.of(rv, cur),
            payments=Money.of(pa, cur),
            entries=n,
        )
        for j, tt, p, c, s, cur, li, rv, pa, n in rows
    ]


@dataclass(frozen=True)
class IossLine:
    member_state: str
    tax_type: str
    rate: Decimal | None
    currency: str
    base: Money
    amount: Money
    amount_eur: Money


@dataclass(frozen=True)
class IossReturn:
    period: date  # the first day of the month
    lines: list[IossLine]
    total_eur: Money
    rates: dict[str, Decimal]  # EUR per unit of each currency converted, as of the period's last day


async def ioss_return(conn: AsyncConnection, ws: uuid.UUID, year: int, month: int) -> IossReturn:
    """What the seller's own IOSS return for a month declares: VAT (and, from 2026-07-01, the per-line
    duty) it collected at sale in the month, per member state of consumption and rate, net of those sales
    since reversed (unless the return was paid first), converted to euros at the rate of the period's last
    day (as the IOSS rules require; here, the workspace's rate)."""
    if not 1 <= month <= 12 or not 2021 <= year <= 2100:
        raise DomainError(
            "INVALID_PERIOD", "Give a month as YYYY-MM, from 2021-07 (IOSS began then).", ["month"]
        )
    first = date(year, month, 1)
    lo, hi = month_span(first)
    members = [code for code, market in reference().markets.items() if market.union == "EU"]
    t = TAX_ENTRIES
    sign = sa.case((t.c.kind == EntryKind.REVERSAL.value, -1), else_=1)
    rows = await conn.execute(
        sa.select(
            t.c.jurisdiction,
            t.c.tax_type,
            t.c.rate,
            t.c.currency,
            sa.func.sum(t.c.base * sign),
            sa.func.sum(t.c.amount * sign),
        )
        .where(
            t.c.workspace_id == ws,
            *_in_period(t, lo, hi),
            t.c.scheme == "IOSS",
            t.c.payer == "SELLER",
            t.c.collection == "AT_SALE",
            t.c.kind.in_([EntryKind.LIABILITY.value, EntryKind.REVERSAL.value]),
            t.c.jurisdiction.in_([*members, "EU"]),
        )
        .group_by(t.c.jurisdiction, t.c.tax_type, t.c.rate, t.c.currency)
        .order_by(t.c.jurisdiction, t.c.tax_type, t.c.rate, t.c.currency)
    )
    at = hi - timedelta(microseconds=1)
    rates: dict[str, Decimal] = {"EUR": Decimal(1)}
    lines = []
    for jurisdiction, tax_type, rate, currency, base, amount in rows:
        if currency not in rates:
            rates[currency] = (await convert(conn, ws, Money(Decimal(1), currency), "EUR", at)).rate
        lines.append(
            IossLine(
                member_state=jurisdiction,
                tax_type=str(tax_type),
                rate=None if rate is None else plain_rate(rate),
                currency=currency,
                base=Money.of(base, currency),
                amount=Money.of(amount, currency),
                amount_eur=Money.of(amount * rates[currency], "EUR"),
            )
        )
    total = sum((line.amount_eur for line in lines), Money.zero("EUR"))
    return IossReturn(first, lines, total, rates)
