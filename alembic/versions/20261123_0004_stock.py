"""Stock: warehouses, inbound lots with their quality inspection, stock levels, order reservations.

Every new table belongs to a workspace, so each gets the application role's grants and the
workspace_isolation row-level-security policy, as the foundation's tables have. Stock reservations refer
to order lines by (workspace_id, id), which needs that key on order_lines.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 08:58:34.073246

"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    # Reservations refer to order lines by (workspace_id, id), as other children refer to their parents.
    op.create_unique_constraint(ORDER_LINE_KEY, "order_lines", ["workspace_id", "id"])
    op.create_table(
        "warehouses",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "DOMESTIC",
                "OVERSEAS",
                "PLATFORM_FULFILLED",
                name="warehousekind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("channel_id", sa.UUID(), nullable=True),
        sa.Column("served_countries", postgresql.ARRAY(sa.String(length=2)), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.CheckConstraint(
            "channel_id IS NULL OR kind = 'PLATFORM_FULFILLED'",
            name=op.f("ck_warehouses_channel_only_if_platform_fulfilled"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "channel_id"],
            ["channels.workspace_id", "channels.id"],
            name=op.f("fk_warehouses_workspace_id_channel_id"),
        ),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], name=op.f("fk_warehouses_workspace_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warehouses")),
        sa.UniqueConstraint("seq", name=op.f("uq_warehouses_seq")),
        sa.UniqueConstraint("workspace_id", "id", name=op.f("uq_warehouses_workspace_id_id")),
    )
    op.create_index(op.f("ix_warehouses_workspace_id"), "warehouses", ["workspace_id"], unique=False)
    op.create_table(
        "inbound_lots",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("product_id", sa.UUID(), nullable=False),
        sa.Column("warehouse_id", sa.UUID(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "RECEIVED",
                "INSPECTED",
                name="lotstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sample_size", sa.Integer(), nullable=True),
        sa.Column("defects_found", sa.Integer(), nullable=True),
        sa.Column(
            "result",
            sa.Enum(
                "PASS",
                "FAIL",
                "PARTIAL",
                name="inspectionresult",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("passed_quantity", sa.Integer(), nullable=True),
        sa.Column("inspected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.CheckConstraint(
            "(result = 'PASS' AND passed_quantity = quantity) OR (result = 'FAIL' AND passed_quantity = 0)"
            " OR (result = 'PARTIAL' AND passed_quantity > 0 AND passed_quantity < quantity)",
            name=op.f("ck_inbound_lots_passed_matches_result"),
        ),
        sa.CheckConstraint(
            "(status = 'INSPECTED') = (inspected_at IS NOT NULL AND result IS NOT NULL"
            " AND sample_size IS NOT NULL AND defects_found IS NOT NULL AND passed_quantity IS NOT NULL)",
            name=op.f("ck_inbound_lots_inspected_has_inspection"),
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_inbound_lots_quantity_positive")),
        sa.CheckConstraint(
            "sample_size BETWEEN 1 AND quantity AND defects_found BETWEEN 0 AND sample_size",
            name=op.f("ck_inbound_lots_sample_within_lot"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "product_id"],
            ["products.workspace_id", "products.id"],
            name=op.f("fk_inbound_lots_workspace_id_product_id"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "warehouse_id"],
            ["warehouses.workspace_id", "warehouses.id"],
            name=op.f("fk_inbound_lots_workspace_id_warehouse_id"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_inbound_lots_workspace_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_lots")),
        sa.UniqueConstraint("seq", name=op.f("uq_inbound_lots_seq")),
    )
    op.create_index("ix_inbound_lots_product", "inbound_lots", ["product_id"], unique=False)
    op.create_index("ix_inbound_lots_warehouse", "inbound_lots", ["warehouse_id"], unique=False)
    op.create_index(op.f("ix_inbound_lots_workspace_id"), "inbound_lots", ["workspace_id"], unique=False)
    op.create_table(
        "stock_levels",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("warehouse_id", sa.UUID(), nullable=False),
        sa.Column("product_id", sa.UUID(), nullable=False),
        sa.Column("on_hand", sa.BigInteger(), nullable=False),
        sa.Column("reserved", sa.BigInteger(), nullable=False),
        sa.Column("awaiting_inspection", sa.BigInteger(), nullable=False),
        sa.Column("rejected", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.CheckConstraint(
            "awaiting_inspection >= 0 AND rejected >= 0", name=op.f("ck_stock_levels_counts_not_negative")
        ),
        sa.CheckConstraint(
            "on_hand >= 0 AND reserved >= 0 AND reserved <= on_hand",
            name=op.f("ck_stock_levels_available_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "product_id"],
            ["products.workspace_id", "products.id"],
            name=op.f("fk_stock_levels_workspace_id_product_id"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "warehouse_id"],
            ["warehouses.workspace_id", "warehouses.id"],
            name=op.f("fk_stock_levels_workspace_id_warehouse_id"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_stock_levels_workspace_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_levels")),
        sa.UniqueConstraint("seq", name=op.f("uq_stock_levels_seq")),
        sa.UniqueConstraint(
            "workspace_id",
            "warehouse_id",
            "product_id",
            name=op.f("uq_stock_levels_workspace_id_warehouse_id_product_id"),
        ),
    )
    op.create_index("ix_stock_levels_product", "stock_levels", ["product_id"], unique=False)
    op.create_index(op.f("ix_stock_levels_workspace_id"), "stock_levels", ["workspace_id"], unique=False)
    op.create_table(
        "stock_reservations",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("order_id", sa.UUID(), nullable=False),
        sa.Column("order_line_id", sa.UUID(), nullable=False),
        sa.Column("warehouse_id", sa.UUID(), nullable=False),
        sa.Column("product_id", sa.UUID(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("reserved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_stock_reservations_quantity_positive")),
        sa.CheckConstraint(
            "released_at IS NULL OR released_at >= reserved_at",
            name=op.f("ck_stock_reservations_released_after"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "order_id"],
            ["orders.workspace_id", "orders.id"],
            name=op.f("fk_stock_reservations_workspace_id_order_id"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "order_line_id"],
            ["order_lines.workspace_id", "order_lines.id"],
            name=op.f("fk_stock_reservations_workspace_id_order_line_id"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "product_id"],
            ["products.workspace_id", "products.id"],
            name=op.f("fk_stock_reservations_workspace_id_product_id"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "warehouse_id"],
            ["warehouses.workspace_id", "warehouses.id"],
            name=op.f("fk_stock_reservations_workspace_id_warehouse_id"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_stock_reservations_workspace_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_reservations")),
        sa.UniqueConstraint("seq", name=op.f("uq_stock_reservations_seq")),
    )
    op.create_index("ix_stock_reservations_order", "stock_reservations", ["order_id", "seq"], unique=False)
    op.create_index(
        op.f("ix_stock_reservations_workspace_id"), "stock_reservations", ["workspace_id"], unique=False
    )
    secure_workspace_tables()


APP_ROLE = "tradelane_app"
SETTING = "tradelane.workspace_id"
TABLES = ("warehouses", "inbound_lots", "stock_levels", "stock_reservations")
ORDER_LINE_KEY = "uq_order_lines_workspace_id_id"


def secure_workspace_tables() -> None:
    """As 0001's secure_workspaces() does for every workspace table: the service's role may read and write
    these tables, and sees and writes only the rows of the workspace its transaction names."""
    current = f"NULLIF(current_setting('{SETTING}', true), '')::uuid"
    for table in TABLES:
        op.execute(f"GRANT SELECT, INSERT, UPDATE ON {table} TO {APP_ROLE}")
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY workspace_isolation ON {table} "
            f"USING (workspace_id = {current}) WITH CHECK (workspace_id = {current})"
        )


def downgrade() -> None:
    """Downgrade schema."""
    for table in TABLES:
        op.execute(f"REVOKE ALL ON {table} FROM {APP_ROLE}")
    op.drop_index(op.f("ix_stock_reservations_workspace_id"), table_name="stock_reservations")
    op.drop_index("ix_stock_reservations_order", table_name="stock_reservations")
    op.drop_table("stock_reservations")
    op.drop_index(op.f("ix_stock_levels_workspace_id"), table_name="stock_levels")
    op.drop_index("ix_stock_levels_product", table_name="stock_levels")
    op.drop_table("stock_levels")
    op.drop_index(op.f("ix_inbound_lots_workspace_id"), table_name="inbound_lots")
    op.drop_index("ix_inbound_lots_warehouse", table_name="inbound_lots")
    op.drop_index("ix_inbound_lots_product", table_name="inbound_lots")
    op.drop_table("inbound_lots")
    op.drop_index(op.f("ix_warehouses_workspace_id"), table_name="warehouses")
    op.drop_table("warehouses")
    op.drop_constraint(ORDER_LINE_KEY, "order_lines", type_="unique")
