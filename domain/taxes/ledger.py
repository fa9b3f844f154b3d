"""Writing assessments into the tax ledger."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from domain.customs.engine import AssessedLine, Assessment, Collection, Payer
from domain.db.uow import UnitOfWork
from domain.orders.model import Order
from domain.taxes.model import EntryKind, TaxEntry, TaxType


def entries(
    uow: UnitOfWork,
    assessment: Assessment,
    lines: Iterable[AssessedLine],
    kind: EntryKind,
    order_id: uuid.UUID,
    declaration_id: uuid.UUID | None,
    at: datetime,
) -> list[TaxEntry]:
    made = [
        TaxEntry(
            id=uuid.uuid4(),
            workspace_id=uow.workspace_id,
            kind=kind,
            tax_type=TaxType(line.tax_type),
            jurisdiction=line.jurisdiction,
            scheme=assessment.regime if line.collection is Collection.AT_SALE else None,
            collection=line.collection,
            payer=line.payer,
            base=line.base.amount,
            rate=line.rate,
            amount=line.amount.amount,
            currency=line.amount.currency,
            rule_id=line.rule_id,
            order_id=order_id,
            declaration_id=declaration_id,
            occurred_at=at,
        )
        for line in lines
        if line.amount.amount > 0
    ]
    uow.session.add_all(made)
    return made


async def reverse_open_liabilities(
    uow: UnitOfWork, order_id: uuid.UUID, *, declaration_id: uuid.UUID | None, payer: Payer | None = None
) -> list[TaxEntry]:
    """Answer each liability of the order (of one declaration, or the at-sale ones when None) that no
    payment or reversal has answered yet with a REVERSAL: the sale or the import it was for did not happen.
    A liability already paid (at-sale tax in a filed return) stays as it is: a sale cancelled after its
    return was filed is corrected in a later return, not by rewriting the filed one."""
    t = TaxEntry
    where = [t.workspace_id == uow.workspace_id, t.order_id == order_id]
    where.append(t.declaration_id.is_(None) if declaration_id is None else t.declaration_id == declaration_id)
    if payer is not None:
        where.append(t.payer == payer)
    rows = list(await uow.session.scalars(sa.select(t).where(*where).order_by(t.seq)))
    answered = {
        (r.tax_type, r.jurisdiction, r.rule_id, r.payer)
        for r in rows
        if r.kind in (EntryKind.PAYMENT, EntryKind.REVERSAL)
    }
    made = [
        answer(row, EntryKind.REVERSAL, uow.now)
        for row in rows
        if row.kind is EntryKind.LIABILITY
        and (row.tax_type, row.jurisdiction, row.rule_id, row.payer) not in answered
    ]
    uow.session.add_all(made)
    return made


def answer(liability: TaxEntry, kind: EntryKind, at: datetime) -> TaxEntry:
    """The PAYMENT or REVERSAL that settles a liability: the same tax, jurisdiction, rule, scheme, payer,
    order, base, rate and amount, recorded at `at`."""
    return TaxEntry(
        id=uuid.uuid4(),
        workspace_id=liability.workspace_id,
        kind=kind,
        tax_type=liability.tax_type,
        jurisdiction=liability.jurisdiction,
        scheme=liability.scheme,
        collection=liability.collection,
        payer=liability.payer,
        base=liability.base,
        rate=liability.rate,
        amount=liability.amount,
        currency=liability.currency,
        rule_id=liability.rule_id,
        order_id=liability.order_id,
        declaration_id=liability.declaration_id,
        occurred_at=at,
    )


async def reverse_sale_taxes(uow: UnitOfWork, order: Order) -> None:
    """A sale that did not happen owes no tax: an order cancelled, or whose goods never reached the
    consumer (seized, returned to the sender, lost), has its at-sale liabilities reversed."""
    if order.sale_taxes and order.sale_taxes.get("lines"):
        await reverse_open_liabilities(uow, order.id, declaration_id=None)
