"""Queries on the tax ledger: its entries, period reports, and the IOSS monthly return."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import sqlalchemy as sa
import strawberry

from api.context import Info
from api.errors import refusals_as_errors
from api.money import Money
from api.paging import After, First, connection, query_id, query_text
from api.relay import Connection
from api.taxes.types import Collection, Payer, TaxEntry, TaxEntryKind, TaxType
from domain.taxes.queries import TAX_ENTRIES, ioss_return, parse_month, period_report


@strawberry.input(description="Narrow the tax ledger; all given conditions must hold.")
class TaxEntryFilter:
    jurisdiction: str | None = strawberry.field(
        default=None, description="Only this jurisdiction (DE, EU, GB)."
    )
    tax_type: TaxType | None = strawberry.field(default=None, description="Only this tax.")  # type: ignore[valid-type]
    kind: TaxEntryKind | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Only liabilities, payments or reversals."
    )
    order_id: strawberry.ID | None = strawberry.field(default=None, description="Only this order's.")


@strawberry.type(description="Totals of one jurisdiction, tax, payer and currency over a period.")
class TaxReportRow:
    jurisdiction: str = strawberry.field(description="Who charges it.")
    tax_type: TaxType = strawberry.field(description="What tax.")  # type: ignore[valid-type]
    payer: Payer = strawberry.field(description="Who pays the authority.")  # type: ignore[valid-type]
    collection: Collection = strawberry.field(description="At sale or at the border.")  # type: ignore[valid-type]
    scheme: str | None = strawberry.field(description="The collect-at-sale scheme, if any.")
    liabilities: Money = strawberry.field(description="Owed, as recorded.")
    reversals: Money = strawberry.field(description="Liabilities that no longer hold.")
    owed: Money = strawberry.field(description="liabilities - reversals.")
    payments: Money = strawberry.field(description="Paid to the authority.")
    outstanding: Money = strawberry.field(
        description="owed - payments: at-sale tax awaiting the period's return, or DAP charges awaiting "
        "the consumer. Always zero for the MARKETPLACE payer: the marketplace remits what it collected."
    )
    entries: int = strawberry.field(description="Ledger lines counted.")


@strawberry.type(description="One line of an IOSS return: a member state of consumption, a tax and a rate.")
class IossReturnLine:
    member_state: str = strawberry.field(description="Where the goods were delivered (EU for union duty).")
    tax_type: TaxType = strawberry.field(description="VAT, or the per-line DUTY collected through IOSS.")  # type: ignore[valid-type]
    rate: Decimal | None = strawberry.field(description="The rate; null for fixed amounts.")
    base: Money = strawberry.field(description="Taxable amount, in the sale currency.")
    amount: Money = strawberry.field(description="Tax collected, net of reversals, in the sale currency.")
    amount_eur: Money = strawberry.field(description="The same in euros at the period's last-day rate.")


@strawberry.type(
    description="A month's IOSS return: what the seller collected at sale under its own IOSS number."
)
class IossReturn:
    period: str = strawberry.field(description="The month, YYYY-MM.")
    lines: list[IossReturnLine] = strawberry.field(description="Per member state, tax and rate.")
    total_eur: Money = strawberry.field(description="The amount to pay, in euros.")


@strawberry.type
class TaxQuery:
    @strawberry.field(description="The tax ledger, newest first.")
    async def tax_entries(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        filter: Annotated[
            TaxEntryFilter | None, strawberry.argument(description="Conditions the items must meet.")
        ] = None,
    ) -> Connection[TaxEntry]:
        where: list[sa.ColumnElement[bool]] = []
        if filter is not None:
            if filter.jurisdiction is not None:
                where.append(
                    TAX_ENTRIES.c.jurisdiction
                    == query_text(filter.jurisdiction, "filter.jurisdiction").upper()
                )
            if filter.tax_type is not None:
                where.append(TAX_ENTRIES.c.tax_type == filter.tax_type)
            if filter.kind is not None:
                where.append(TAX_ENTRIES.c.kind == filter.kind)
            if filter.order_id is not None:
                where.append(TAX_ENTRIES.c.order_id == query_id(filter.order_id, "Order", "filter.orderId"))
        return await connection(
            info.context, TAX_ENTRIES, TaxEntry.from_row, first, after, where, newest_first=True
        )

    @strawberry.field(
        description="Liabilities per jurisdiction, tax, payer and currency that arose over whole days "
        "from `from` to `to` (UTC, 2000-01-01 to 2100-12-31, at most 366 days), with the reversals and "
        "payments that answer them, whenever recorded: a month whose return was filed later shows it paid."
    )
    async def tax_report(
        self,
        info: Info,
        from_: Annotated[date, strawberry.argument(name="from", description="The first day.")],
        to: Annotated[date, strawberry.argument(description="The last day, included.")],
        jurisdiction: Annotated[
            str | None, strawberry.argument(description="Only this jurisdiction.")
        ] = None,
    ) -> list[TaxReportRow]:
        ctx = info.context
        only = None if jurisdiction is None else query_text(jurisdiction, "jurisdiction")
        with refusals_as_errors():
            rows = await ctx.read(lambda conn: period_report(conn, ctx.workspace_id, from_, to, only))
        return [
            TaxReportRow(
                jurisdiction=r.jurisdiction,
                tax_type=r.tax_type,
                payer=r.payer,
                collection=r.collection,
                scheme=r.scheme,
                liabilities=Money.of(r.liabilities.amount, r.currency),
                reversals=Money.of(r.reversals.amount, r.currency),
                owed=Money.of(r.owed.amount, r.currency),
                payments=Money.of(r.payments.amount, r.currency),
                outstanding=Money.of(r.outstanding.amount, r.currency),
                entries=r.entries,
            )
            for r in rows
        ]

    @strawberry.field(
        description="The month's IOSS return totals by member state, from the seller's own at-sale IOSS "
        "collections (marketplaces file their own). NO_RATE if a sale currency has no euro rate for the "
        "period's last day."
    )
    async def ioss_return(
        self, info: Info, month: Annotated[str, strawberry.argument(description="The month, YYYY-MM.")]
    ) -> IossReturn:
        ctx = info.context
        with refusals_as_errors():
            first = parse_month(month, ["month"])
            found = await ctx.read(lambda conn: ioss_return(conn, ctx.workspace_id, first.year, first.month))
        return IossReturn(
            period=f"{found.period:%Y-%m}",
            lines=[
                IossReturnLine(
                    member_state=line.member_state,
                    tax_type=line.tax_type,
                    rate=line.rate,
                    base=Money.of(line.base.amount, line.currency),
                    amount=Money.of(line.amount.amount, line.currency),
                    amount_eur=Money.of(line.amount_eur.amount, "EUR"),
                )
                for line in found.lines
            ],
            total_eur=Money.of(found.total_eur.amount, "EUR"),
        )
