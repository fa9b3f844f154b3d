"""Tax assessments (snapshots of the rules as applied) and the tax ledger."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import strawberry

from api.money import Money
from api.relay import Node, to_global_id
from domain.currency.fx import plain_rate
from domain.customs import engine
from domain.db.reads import Row
from domain.research import landed
from domain.taxes import handlers, model

TaxType = strawberry.enum(
    model.TaxType,
    description="DUTY, a consumption tax (VAT, GST, CONSUMPTION_TAX, SALES_TAX, ICMS), or FLAT_RATE: one "
    "rate covering duty and tax (Mexico's courier rate, say).",
)
TaxEntryKind = strawberry.enum(
    model.EntryKind,
    description="LIABILITY: owed to the authority; PAYMENT: paid to it; REVERSAL: a liability that no "
    "longer holds (its sale was cancelled, or the consumer refused the parcel).",
)
Collection = strawberry.enum(
    engine.Collection,
    description="AT_SALE: charged in the checkout price (IOSS, UK, AU, SG); AT_BORDER: charged on import.",
)
Payer = strawberry.enum(
    engine.Payer,
    description="Who pays the authority: the SELLER (collect-at-sale schemes it is registered for, and DDP "
    "imports), the CONSUMER (DAP imports, on delivery) or the MARKETPLACE (as deemed supplier).",
)
Incoterm = strawberry.enum(
    landed.Incoterm,
    description="DDP: the seller delivers duty paid and bears every tax and duty. DAP: the consumer pays "
    "what the border charges (unless the tax is collected at sale).",
)


@strawberry.type(
    description="One duty or tax of an assessment: its base, rate, amount, and the rule it came from."
)
class AssessedTax:
    tax_type: TaxType = strawberry.field(description="What is charged.")  # type: ignore[valid-type]
    jurisdiction: str = strawberry.field(description="Who charges it: a country (DE) or a union (EU).")
    base: Money = strawberry.field(description="What the rate applies to.")
    rate: Decimal | None = strawberry.field(
        description="The rate as a fraction (0.19); null for fixed amounts."
    )
    amount: Money = strawberry.field(description="What is due.")
    collection: Collection = strawberry.field(description="At sale or at the border.")  # type: ignore[valid-type]
    payer: Payer = strawberry.field(description="Who pays it to the authority.")  # type: ignore[valid-type]
    rule_id: str = strawberry.field(description="The reference rule applied, e.g. tax/DE/VAT/2007-01-01.")
    item: int | None = strawberry.field(
        description="The index of the item it is for; null: the whole consignment."
    )
    note: str | None = strawberry.field(description="How it was worked out, where that is not plain.")


@strawberry.type(
    description="Duties and taxes worked out by the rules in force on one day, kept as they were: a later "
    "rule change never rewrites it."
)
class TaxAssessment:
    market: str = strawberry.field(description="The destination market.")
    as_of: date | None = strawberry.field(description="The day whose rules were applied.")
    rules_version: str | None = strawberry.field(description="The version of the reference rules file used.")
    regime: str | None = strawberry.field(
        description="The low-value regime it fell under (IOSS, say), if any."
    )
    regime_rule_id: str | None = strawberry.field(description="The regime's rule ID.")
    incoterm: Incoterm | None = strawberry.field(description="DDP or DAP, for border assessments.")  # type: ignore[valid-type]
    currency: str | None = strawberry.field(description="The currency of every amount.")
    lines: list[AssessedTax] = strawberry.field(description="Each duty and tax.")
    total: Money | None = strawberry.field(description="The sum of the lines.")
    problems: list[str] = strawberry.field(description="What could not be worked out, and why.")

    @classmethod
    def from_snapshot(cls, snapshot: dict[str, Any] | None) -> TaxAssessment | None:
        if not snapshot:
            return None
        if "rules_version" not in snapshot and "rulesVersion" not in snapshot:
            # An order whose market had no rules, or no rate to judge the band: only its problems.
            return cls(
                market=snapshot.get("market", ""),
                as_of=None,
                rules_version=None,
                regime=None,
                regime_rule_id=None,
                incoterm=None,
                currency=None,
                lines=[],
                total=None,
                problems=list(snapshot.get("problems", [])),
            )
        found = engine.Assessment.from_json(snapshot)
        return cls(
            market=found.market,
            as_of=found.as_of,
            rules_version=found.rules_version,
            regime=found.regime,
            regime_rule_id=found.regime_rule_id,
            incoterm=found.incoterm,
            currency=found.currency,
            lines=[
                AssessedTax(
                    tax_type=model.TaxType(line.tax_type),
                    jurisdiction=line.jurisdiction,
                    base=Money.of(line.base.amount, line.base.currency),
                    rate=line.rate,
                    amount=Money.of(line.amount.amount, line.amount.currency),
                    collection=line.collection,
                    payer=line.payer,
                    rule_id=line.rule_id,
                    item=line.item,
                    note=line.note,
                )
                for line in found.lines
            ],
            total=Money.of(found.total().amount, found.currency),
            problems=list(found.problems),
        )


@strawberry.type(description="One line of the tax ledger; lines are only ever added.")
class TaxEntry(Node):
    kind: TaxEntryKind = strawberry.field(description="Liability, payment or reversal.")  # type: ignore[valid-type]
    tax_type: TaxType = strawberry.field(description="What tax.")  # type: ignore[valid-type]
    jurisdiction: str = strawberry.field(description="Who charges it: a country (DE) or a union (EU).")
    scheme: str | None = strawberry.field(
        description="The collect-at-sale scheme (IOSS, say) it was collected under."
    )
    collection: Collection = strawberry.field(description="At sale or at the border.")  # type: ignore[valid-type]
    payer: Payer = strawberry.field(description="Who pays the authority.")  # type: ignore[valid-type]
    base: Money = strawberry.field(description="What the rate applied to.")
    rate: Decimal | None = strawberry.field(description="The rate as a fraction; null for fixed amounts.")
    amount: Money = strawberry.field(description="How much.")
    rule_id: str = strawberry.field(description="The reference rule it came from.")
    occurred_at: datetime = strawberry.field(description="When (workspace clock).")
    order_id: strawberry.ID = strawberry.field(description="The order it belongs to.")
    declaration_id: strawberry.ID | None = strawberry.field(
        description="The import declaration, for border taxes."
    )

    @classmethod
    def from_rows(cls, rows: list[Row]) -> list[TaxEntry]:
        return [cls.from_row(row) for row in rows]

    @classmethod
    def from_row(cls, row: Row) -> TaxEntry:
        return cls(
            id=to_global_id("TaxEntry", row.id),
            kind=row.kind,
            tax_type=row.tax_type,
            jurisdiction=row.jurisdiction,
            scheme=row.scheme,
            collection=row.collection,
            payer=row.payer,
            base=Money.of(row.base, row.currency),
            rate=None if row.rate is None else plain_rate(row.rate),
            amount=Money.of(row.amount, row.currency),
            rule_id=row.rule_id,
            occurred_at=row.occurred_at,
            order_id=to_global_id("Order", row.order_id),
            declaration_id=None
            if row.declaration_id is None
            else to_global_id("CustomsDeclaration", row.declaration_id),
        )


@strawberry.type(description="A filed return: the payment of a month's tax collected at sale under a scheme.")
class TaxReturnFiling:
    scheme: str = strawberry.field(description="The collect-at-sale scheme (IOSS, say).")
    jurisdiction: str | None = strawberry.field(
        description="The one jurisdiction filed for; null: every jurisdiction of the scheme."
    )
    month: str = strawberry.field(description="The period, YYYY-MM.")
    entries: int = strawberry.field(
        description="PAYMENT entries recorded in the tax ledger, one per liability."
    )
    totals: list[Money] = strawberry.field(description="What was paid, per currency of sale.")
    paid_at: datetime = strawberry.field(description="When it was paid (workspace clock).")

    @classmethod
    def from_result(cls, filed: handlers.ReturnFiled) -> TaxReturnFiling:
        return cls(
            scheme=filed.scheme,
            jurisdiction=filed.jurisdiction,
            month=filed.month,
            entries=filed.entries,
            totals=[Money.of(Decimal(amount), currency) for currency, amount in sorted(filed.totals.items())],
            paid_at=filed.paid_at,
        )
