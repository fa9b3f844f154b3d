"""Compliance: the seller's registrations and its products' certifications, under row-level security.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 08:52:50.989173

"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "registrations",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "TRADEMARK",
                "EXPORT_RIGHTS",
                "CUSTOMS_REGISTRATION",
                "TAX_REGISTRATION",
                "VAT",
                "IOSS",
                "ICP_FILING",
                "EPR",
                "RESPONSIBLE_PERSON",
                name="registrationkind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.Column("issuer", sa.String(length=200), nullable=False),
        sa.Column("documents", postgresql.ARRAY(sa.String(length=500)), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to > valid_from", name=op.f("ck_registrations_valid_to_after_from")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_registrations_workspace_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registrations")),
        sa.UniqueConstraint("seq", name=op.f("uq_registrations_seq")),
        sa.UniqueConstraint("workspace_id", "id", name=op.f("uq_registrations_workspace_id_id")),
    )
    op.create_index(op.f("ix_registrations_workspace_id"), "registrations", ["workspace_id"], unique=False)
    op.create_table(
        "product_certifications",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("product_id", sa.UUID(), nullable=False),
        sa.Column(
            "code",
            sa.Enum(
                "CE",
                "UKCA",
                "FCC",
                "CPC",
                "PSE",
                "RCM",
                "KC",
                "CCC",
                "INMETRO",
                "NOM",
                "BIS",
                name="certificationcode",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.Column("issuer", sa.String(length=200), nullable=False),
        sa.Column("documents", postgresql.ARRAY(sa.String(length=500)), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to > valid_from",
            name=op.f("ck_product_certifications_valid_to_after_from"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "product_id"],
            ["products.workspace_id", "products.id"],
            name=op.f("fk_product_certifications_workspace_id_product_id"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_product_certifications_workspace_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_certifications")),
        sa.UniqueConstraint("seq", name=op.f("uq_product_certifications_seq")),
        sa.UniqueConstraint("workspace_id", "id", name=op.f("uq_product_certifications_workspace_id_id")),
    )
    op.create_index(
        "ix_product_certifications_product", "product_certifications", ["product_id"], unique=False
    )
    op.create_index(
        op.f("ix_product_certifications_workspace_id"),
        "product_certifications",
        ["workspace_id"],
        unique=False,
    )
    for table in TABLES:
        secure(table)


APP_ROLE = "tradelane_app"
CURRENT_WORKSPACE = "NULLIF(current_setting('tradelane.workspace_id', true), '')::uuid"
TABLES = ("registrations", "product_certifications")


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
    op.drop_index(op.f("ix_product_certifications_workspace_id"), table_name="product_certifications")
    op.drop_index("ix_product_certifications_product", table_name="product_certifications")
    op.drop_table("product_certifications")
    op.drop_index(op.f("ix_registrations_workspace_id"), table_name="registrations")
    op.drop_table("registrations")
