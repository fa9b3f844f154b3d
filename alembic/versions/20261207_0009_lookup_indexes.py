"""Indexes for the look-ups that grew with a workspace's history: an order's replacements, and rows by the
order line or declaration they refer to (stock reservations, shipment and return lines, feedback, tax
entries). Without them each such look-up read every row of the workspace, so a season's later calls cost
more than its first ones.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 16:50:00

"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = [
    (
        "ix_orders_replacement_for",
        "orders",
        "replacement_for_order_id",
        "replacement_for_order_id IS NOT NULL",
    ),
    ("ix_stock_reservations_order_line", "stock_reservations", "order_line_id", None),
    ("ix_return_lines_order_line", "return_lines", "order_line_id", None),
    ("ix_feedback_order", "feedback", "order_id", None),
    ("ix_shipment_lines_order_line", "shipment_lines", "order_line_id", None),
    ("ix_tax_entries_declaration", "tax_entries", "declaration_id", "declaration_id IS NOT NULL"),
]


def upgrade() -> None:
    for name, table, column, where in INDEXES:
        op.create_index(name, table, [column], postgresql_where=sa.text(where) if where is not None else None)


def downgrade() -> None:
    for name, table, _, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
