"""Commands on the tax ledger: filing the return of tax collected at sale.

Under a collect-at-sale scheme (the EU's IOSS, the UK's GBP 135 rule, Australia's LVG, Singapore's OVR)
the seller charges the tax at checkout and pays it to the authority in one return per period, after the
period ends. Filing records that payment: one PAYMENT for each liability it settles.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import cast

import sqlalchemy as sa

from domain.customs.engine import Collection, Payer
from domain.db.uow import UnitOfWork
from domain.orders.model import Order
from domain.shared.errors import DomainError
from domain.shared.money import Money
from domain.shared.text import clean_text, required_text
from domain.taxes.ledger import answer
from domain.taxes.model import EntryKind, TaxEntry
from domain.taxes.queries import month_span, parse_month, same_tax

ENTRIES = cast(sa.Table, TaxEntry.__table__)


@dataclass(frozen=True)
class FileReturn:
    scheme: str  # the collect-at-sale scheme, as the ledger names it (IOSS)
    month: str  # YYYY-MM
    jurisdiction: str | None = None  # only this jurisdiction's tax (DE), or every one of the scheme's


@dataclass(frozen=True)
class ReturnFiled:
    scheme: str
    jurisdiction: str | None
    month: str  # YYYY-MM
    entries: int  # PAYMENT entries recorded
    # Amount paid per currency, as decimal text: the result is stored as JSON for idempotent replays.
    totals: dict[str, str]
    paid_at: datetime


def _open_liabilities(
    ws: uuid.UUID, scheme: str, jurisdiction: str | None, lo: datetime, hi: datetime
) -> sa.Select[TaxEntry]:
    """The seller's at-sale liabilities of the scheme that arose in [lo, hi) and that no payment or
    reversal has answered yet."""
    t = TaxEntry
    answers = ENTRIES.alias("answers")
    answered = (
        sa.select(answers.c.id)
        .where(
            answers.c.kind.in_([EntryKind.PAYMENT.value, EntryKind.REVERSAL.value]),
            *same_tax(ENTRIES, answers),
        )
        .exists()
    )
    where = [
        t.workspace_id == ws,
        t.kind == EntryKind.LIABILITY,
        t.payer == Payer.SELLER,
        t.collection == Collection.AT_SALE,
        t.scheme == scheme,
        t.occurred_at >= lo,
        t.occurred_at < hi,
        ~answered,
    ]
    if jurisdiction is not None:
        where.append(t.jurisdiction == jurisdiction)
    return sa.select(t).where(*where).order_by(t.seq)


async def _schemes(uow: UnitOfWork) -> list[str]:
    found = await uow.session.scalars(
        sa.select(TaxEntry.scheme)
        .where(
            TaxEntry.workspace_id == uow.workspace_id,
            TaxEntry.collection == Collection.AT_SALE,
            TaxEntry.scheme.is_not(None),
        )
        .distinct()
        .order_by(TaxEntry.scheme)
    )
    return [scheme for scheme in found if scheme is not None]


async def _lock_orders(uow: UnitOfWork, ids: set[uuid.UUID]) -> None:
    """Lock the orders until commit, in ID order as every command that takes several does. A cancellation
    reverses an order's open liabilities with the order locked, and another filing takes the same locks."""
    await uow.session.execute(
        sa.select(Order.id)
        .where(Order.workspace_id == uow.workspace_id, Order.id.in_(sorted(ids)))
        .order_by(Order.id)
        .with_for_update(key_share=True)
    )


async def file_return(uow: UnitOfWork, cmd: FileReturn) -> ReturnFiled:
    """Pay a period's return of tax the seller collected at sale: every liability of the scheme (of one
    jurisdiction, if given) that arose in the month and is neither paid nor reversed is answered by a
    PAYMENT at the workspace's time. A paid liability is never reversed afterwards: the ledger keeps the
    return as filed (see ledger.reverse_open_liabilities); in real life a sale cancelled after filing is
    corrected in a later return."""
    first = parse_month(cmd.month, ["input", "month"])
    scheme = required_text(cmd.scheme, "scheme", 40).upper()
    jurisdiction = clean_text(cmd.jurisdiction, "jurisdiction", 8, required=False)
    jurisdiction = None if jurisdiction is None else jurisdiction.upper()
    lo, hi = month_span(first)
    month = f"{first:%Y-%m}"
    if uow.now < hi:
        raise DomainError(
            "PERIOD_NOT_ENDED",
            f"The return for {month} is filed once the month is over: from {hi:%Y-%m-%d %H:%M} UTC. "
            f"The workspace clock says {uow.now:%Y-%m-%d %H:%M} UTC.",
            ["input", "month"],
        )
    schemes = await _schemes(uow)
    if scheme not in schemes:
        raise DomainError(
            "UNKNOWN_SCHEME",
            f"No tax was collected at sale under '{scheme}' in this workspace. "
            + (f"Schemes in the ledger: {', '.join(schemes)}." if schemes else "The ledger has none yet."),
            ["input", "scheme"],
        )
    query = _open_liabilities(uow.workspace_id, scheme, jurisdiction, lo, hi)
    candidates = list(await uow.session.scalars(query))
    if candidates:
        # What another filing or a cancellation answered meanwhile is not open any more: read it again
        # once the orders are ours.
        await _lock_orders(uow, {row.order_id for row in candidates})
        candidates = list(await uow.session.scalars(query.execution_options(populate_existing=True)))
    if not candidates:
        where = f" in {jurisdiction}" if jurisdiction else ""
        raise DomainError(
            "NOTHING_OUTSTANDING",
            f"No {scheme} tax collected at sale{where} in {month} awaits payment: it has been paid or "
            "reversed, a marketplace collected it (and remits it), or there were no such sales.",
            ["input", "month"],
        )
    payments = [answer(row, EntryKind.PAYMENT, uow.now) for row in candidates]
    uow.session.add_all(payments)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for payment in payments:
        totals[payment.currency] += payment.amount
    return ReturnFiled(
        scheme=scheme,
        jurisdiction=jurisdiction,
        month=month,
        entries=len(payments),
        totals={cur: str(Money.of(amount, cur).amount) for cur, amount in sorted(totals.items())},
        paid_at=uow.now,
    )
