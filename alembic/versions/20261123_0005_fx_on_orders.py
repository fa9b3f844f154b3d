"""FX on orders: each workspace's home currency, and on each order the rate at placement and at settlement,
what the settlement paid out and the gain or loss it realised.

Existing workspaces take USD as their home currency (the column's server default exists only while it is
added: a new workspace names its own). Existing orders keep no order-time rate, as an order placed when no
rate was known. No new table, so no new row-level-security policy: both tables have theirs since 0001.
Autogenerate does not see check constraints; the two on orders are written by hand.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 09:16:27.959453

"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SETTLEMENT_WHOLE = (
    "(settled_at IS NULL) = (settlement_rate IS NULL)"
    " AND (settled_at IS NULL) = (settled_amount IS NULL)"
    " AND (settled_at IS NULL) = (settled_currency IS NULL)"
    " AND (settled_at IS NOT NULL OR realised_gain_loss IS NULL)"
)


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("orders", sa.Column("order_rate", sa.Numeric(precision=24, scale=10), nullable=True))
    op.add_column("orders", sa.Column("order_rate_as_of", sa.DateTime(timezone=True), nullable=True))
    op.add_column("orders", sa.Column("settlement_rate", sa.Numeric(precision=24, scale=10), nullable=True))
    op.add_column("orders", sa.Column("settlement_rate_as_of", sa.DateTime(timezone=True), nullable=True))
    op.add_column("orders", sa.Column("settled_amount", sa.Numeric(precision=20, scale=4), nullable=True))
    op.add_column("orders", sa.Column("settled_currency", sa.String(length=3), nullable=True))
    op.add_column("orders", sa.Column("realised_gain_loss", sa.Numeric(precision=20, scale=4), nullable=True))
    op.add_column("orders", sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True))
    op.create_check_constraint(
        op.f("ck_orders_rates_positive"), "orders", "order_rate > 0 AND settlement_rate > 0"
    )
    op.create_check_constraint(op.f("ck_orders_settlement_whole"), "orders", SETTLEMENT_WHOLE)
    op.add_column(
        "workspaces",
        sa.Column("home_currency", sa.String(length=3), nullable=False, server_default="USD"),
    )
    op.alter_column("workspaces", "home_currency", server_default=None)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column("workspaces", "home_currency")
    op.drop_constraint(op.f("ck_orders_settlement_whole"), "orders", type_="check")
    op.drop_constraint(op.f("ck_orders_rates_positive"), "orders", type_="check")
    op.drop_column("orders", "settled_at")
    op.drop_column("orders", "realised_gain_loss")
    op.drop_column("orders", "settled_currency")
    op.drop_column("orders", "settled_amount")
    op.drop_column("orders", "settlement_rate_as_of")
    op.drop_column("orders", "settlement_rate")
    op.drop_column("orders", "order_rate_as_of")
    op.drop_column("orders", "order_rate")
