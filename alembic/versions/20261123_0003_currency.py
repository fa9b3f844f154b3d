"""Currency: exchange-rate history per pair and rate locks, under row-level security.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 08:57:38.824564

"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "exchange_rates",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("base", sa.String(length=3), nullable=False),
        sa.Column("quote", sa.String(length=3), nullable=False),
        sa.Column("rate", sa.Numeric(precision=24, scale=10), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "MANUAL",
                "IMPORT",
                "SANDBOX",
                name="ratesource",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.CheckConstraint("base <> quote", name=op.f("ck_exchange_rates_two_currencies")),
        sa.CheckConstraint("rate > 0", name=op.f("ck_exchange_rates_rate_positive")),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_exchange_rates_workspace_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_rates")),
        sa.UniqueConstraint("seq", name=op.f("uq_exchange_rates_seq")),
        sa.UniqueConstraint(
            "workspace_id",
            "base",
            "quote",
            "as_of",
            name=op.f("uq_exchange_rates_workspace_id_base_quote_as_of"),
        ),
    )
    op.create_index(
        "ix_exchange_rates_pair", "exchange_rates", ["workspace_id", "base", "quote", "as_of"], unique=False
    )
    op.create_index(op.f("ix_exchange_rates_workspace_id"), "exchange_rates", ["workspace_id"], unique=False)
    op.create_table(
        "rate_locks",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("base", sa.String(length=3), nullable=False),
        sa.Column("quote", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.Numeric(precision=20, scale=4), nullable=False),
        sa.Column("rate", sa.Numeric(precision=24, scale=10), nullable=False),
        sa.Column("maturity", sa.Date(), nullable=False),
        sa.Column("counterparty", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.CheckConstraint("base <> quote", name=op.f("ck_rate_locks_two_currencies")),
        sa.CheckConstraint("rate > 0 AND amount > 0", name=op.f("ck_rate_locks_positive")),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], name=op.f("fk_rate_locks_workspace_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_locks")),
        sa.UniqueConstraint("seq", name=op.f("uq_rate_locks_seq")),
    )
    op.create_index(op.f("ix_rate_locks_workspace_id"), "rate_locks", ["workspace_id"], unique=False)
    for table in TABLES:
        secure(table)


APP_ROLE = "tradelane_app"
CURRENT_WORKSPACE = "NULLIF(current_setting('tradelane.workspace_id', true), '')::uuid"
TABLES = ("exchange_rates", "rate_locks")


def secure(table: str) -> None:
    """As every workspace table: the service's role may read and write it, only in its workspace."""
    op.execute(f"GRANT SELECT, INSERT, UPDATE ON {table} TO {APP_ROLE}")
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY workspace_isolation ON {table} "
        f"USING (workspace_id = {CURRENT_WORKSPACE}) WITH CHECK (workspace_id = {CURRENT_WORKSPACE})"
    )


def downgrade() -> None:
    """Downgrade schema."""
    for table in TABLES:
        op.execute(f"REVOKE ALL ON {table} FROM {APP_ROLE}")
    op.drop_index(op.f("ix_rate_locks_workspace_id"), table_name="rate_locks")
    op.drop_table("rate_locks")
    op.drop_index(op.f("ix_exchange_rates_workspace_id"), table_name="exchange_rates")
    op.drop_index("ix_exchange_rates_pair", table_name="exchange_rates")
    op.drop_table("exchange_rates")
