"""Writing assessments into the tax ledger."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from domain.customs.engine import AssessedLine, Assessment, Collection, Payer
from domain.db.uow import UnitOfWork
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
    payment or reversal has answered yet with a REVERSAL: the sale or the import it was for did not happen."""
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
    made = []
    for row in rows:
        key = (row.tax_type, row.jurisdiction, row.rule_id, row.payer)
        if row.kind is EntryKind.LIABILITY and key not in answered:
            made.append(
                TaxEntry(
                    id=uuid.uuid4(),
                    workspace_id=uow.workspace_id,
                    kind=EntryKind.REVERSAL,
                    tax_type=row.tax_type,
                    jurisdiction=row.jurisdiction,
                    scheme=row.scheme,
                    collection=row.collection,
                    payer=row.payer,
                    base=row.base,
                    rate=row.rate,
                    amount=row.amount,
                    currency=row.currency,
                    rule_id=row.rule_id,
                    order_id=row.order_id,
                    declaration_id=row.declaration_id,
                    occurred_at=uow.now,
                )
            )
    uow.session.add_all(made)
    return made
