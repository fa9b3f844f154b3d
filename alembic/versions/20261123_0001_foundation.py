"""Foundation: accounts, catalog, orders and payments, events, timers, keys; row-level security.

Sellers, workspaces and API keys; channels, products, listings; orders, order lines and the payment
ledger; events, timers and idempotency keys; the application role and row-level security on every
workspace table.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 08:06:40.822075

"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "sellers",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sellers")),
    )
    op.create_table(
        "workspaces",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("seller_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "LIVE", "SANDBOX", name="workspacekind", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column("sandbox_now", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(kind = 'SANDBOX') = (sandbox_now IS NOT NULL)", name=op.f("ck_workspaces_sandbox_has_clock")
        ),
        sa.ForeignKeyConstraint(["seller_id"], ["sellers.id"], name=op.f("fk_workspaces_seller_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspaces")),
    )
    op.create_index(op.f("ix_workspaces_seller_id"), "workspaces", ["seller_id"], unique=False)
    op.create_table(
        "api_keys",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], name=op.f("fk_api_keys_workspace_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    op.create_index(op.f("ix_api_keys_workspace_id"), "api_keys", ["workspace_id"], unique=False)
    op.create_table(
        "channels",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "platform",
            sa.Enum(
                "AMAZON",
                "EBAY",
                "ALIEXPRESS",
                "WISH",
                "SHOPIFY",
                "OWN_STORE",
                "TEMU",
                "SHEIN",
                "ETSY",
                "WALMART",
                "MERCADO_LIBRE",
                "SHOPEE",
                "LAZADA",
                "ALLEGRO",
                "RAKUTEN",
                name="platform",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("referral_rate", sa.Numeric(precision=6, scale=4), nullable=False),
        sa.Column("minimum_referral_fee", sa.Numeric(precision=20, scale=4), nullable=False),
        sa.Column("per_order_fee", sa.Numeric(precision=20, scale=4), nullable=False),
        sa.Column("confirmation_window_hours", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], name=op.f("fk_channels_workspace_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channels")),
        sa.UniqueConstraint("seq", name=op.f("uq_channels_seq")),
        sa.UniqueConstraint("workspace_id", "id", name=op.f("uq_channels_workspace_id_id")),
    )
    op.create_index(op.f("ix_channels_workspace_id"), "channels", ["workspace_id"], unique=False)
    op.create_table(
        "events",
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("aggregate_type", sa.String(length=40), nullable=False),
        sa.Column("aggregate_id", sa.UUID(), nullable=False),
        sa.Column("type", sa.String(length=60), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], name=op.f("fk_events_workspace_id")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_events")),
        sa.UniqueConstraint("id", name=op.f("uq_events_id")),
    )
    op.create_index("ix_events_aggregate", "events", ["aggregate_id", "seq"], unique=False)
    op.create_index(op.f("ix_events_workspace_id"), "events", ["workspace_id"], unique=False)
    op.create_table(
        "idempotency_keys",
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("operation", sa.String(length=60), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_idempotency_keys_workspace_id")
        ),
        sa.PrimaryKeyConstraint("workspace_id", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_table(
        "products",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "APPAREL",
                "FOOTWEAR",
                "BAGS",
                "ELECTRONICS",
                "TOYS",
                "BEAUTY",
                "HOME",
                "JEWELRY",
                "SPORTS",
                "OTHER",
                name="productcategory",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("hs_code", sa.String(length=10), nullable=False),
        sa.Column("origin_country", sa.String(length=2), nullable=False),
        sa.Column("unit_cost_amount", sa.Numeric(precision=20, scale=4), nullable=False),
        sa.Column("unit_cost_currency", sa.String(length=3), nullable=False),
        sa.Column("weight_grams", sa.Integer(), nullable=False),
        sa.Column("length_mm", sa.Integer(), nullable=False),
        sa.Column("width_mm", sa.Integer(), nullable=False),
        sa.Column("height_mm", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], name=op.f("fk_products_workspace_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("seq", name=op.f("uq_products_seq")),
        sa.UniqueConstraint("workspace_id", "id", name=op.f("uq_products_workspace_id_id")),
        sa.UniqueConstraint("workspace_id", "sku", name=op.f("uq_products_workspace_id_sku")),
    )
    op.create_index(op.f("ix_products_workspace_id"), "products", ["workspace_id"], unique=False)
    op.create_table(
        "timers",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("subject_id", sa.UUID(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], name=op.f("fk_timers_workspace_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timers")),
    )
    op.create_index(
        "ix_timers_pending",
        "timers",
        ["workspace_id", "due_at"],
        unique=False,
        postgresql_where=sa.text("fired_at IS NULL"),
    )
    op.create_index(op.f("ix_timers_workspace_id"), "timers", ["workspace_id"], unique=False)
    op.create_table(
        "listings",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("product_id", sa.UUID(), nullable=False),
        sa.Column("channel_id", sa.UUID(), nullable=False),
        sa.Column("price_amount", sa.Numeric(precision=20, scale=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "ACTIVE",
                "PAUSED",
                "ENDED",
                name="listingstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id", "channel_id"],
            ["channels.workspace_id", "channels.id"],
            name=op.f("fk_listings_workspace_id_channel_id"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "product_id"],
            ["products.workspace_id", "products.id"],
            name=op.f("fk_listings_workspace_id_product_id"),
        ),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], name=op.f("fk_listings_workspace_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listings")),
        sa.UniqueConstraint("seq", name=op.f("uq_listings_seq")),
        sa.UniqueConstraint("workspace_id", "id", name=op.f("uq_listings_workspace_id_id")),
        sa.UniqueConstraint(
            "workspace_id",
            "product_id",
            "channel_id",
            name=op.f("uq_listings_workspace_id_product_id_channel_id"),
        ),
    )
    op.create_index("ix_listings_channel", "listings", ["channel_id"], unique=False)
    op.create_index("ix_listings_product", "listings", ["product_id"], unique=False)
    op.create_index(op.f("ix_listings_workspace_id"), "listings", ["workspace_id"], unique=False)
    op.create_table(
        "orders",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("channel_id", sa.UUID(), nullable=False),
        sa.Column("channel_order_id", sa.String(length=100), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "PLACED",
                "PAID",
                "CONFIRMED",
                "PACKED",
                "CANCELLED",
                name="orderstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("subtotal", sa.Numeric(precision=20, scale=4), nullable=False),
        sa.Column("shipping", sa.Numeric(precision=20, scale=4), nullable=False),
        sa.Column("total", sa.Numeric(precision=20, scale=4), nullable=False),
        sa.Column("authorized", sa.Numeric(precision=20, scale=4), nullable=False),
        sa.Column("captured", sa.Numeric(precision=20, scale=4), nullable=False),
        sa.Column("refunded", sa.Numeric(precision=20, scale=4), nullable=False),
        sa.Column("charged_back", sa.Numeric(precision=20, scale=4), nullable=False),
        sa.Column("buyer_name", sa.String(length=200), nullable=False),
        sa.Column("buyer_email", sa.String(length=320), nullable=True),
        sa.Column("ship_to_country", sa.String(length=2), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirm_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("packed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "cancel_reason",
            sa.Enum(
                "SELLER_CANCELLED",
                "CONSUMER_CANCELLED",
                "OUT_OF_STOCK",
                "PAYMENT_FAILED",
                "CONFIRMATION_WINDOW_EXPIRED",
                name="cancelreason",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.CheckConstraint(
            "authorized >= 0 AND captured >= 0 AND refunded + charged_back <= captured",
            name=op.f("ck_orders_ledger_balanced"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "channel_id"],
            ["channels.workspace_id", "channels.id"],
            name=op.f("fk_orders_workspace_id_channel_id"),
        ),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], name=op.f("fk_orders_workspace_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("seq", name=op.f("uq_orders_seq")),
        sa.UniqueConstraint("workspace_id", "id", name=op.f("uq_orders_workspace_id_id")),
    )
    op.create_index(op.f("ix_orders_workspace_id"), "orders", ["workspace_id"], unique=False)
    op.create_index("ix_orders_workspace_status", "orders", ["workspace_id", "status", "seq"], unique=False)
    op.create_table(
        "order_lines",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("order_id", sa.UUID(), nullable=False),
        sa.Column("listing_id", sa.UUID(), nullable=False),
        sa.Column("product_id", sa.UUID(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=20, scale=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_order_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["workspace_id", "listing_id"],
            ["listings.workspace_id", "listings.id"],
            name=op.f("fk_order_lines_workspace_id_listing_id"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "order_id"],
            ["orders.workspace_id", "orders.id"],
            name=op.f("fk_order_lines_workspace_id_order_id"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "product_id"],
            ["products.workspace_id", "products.id"],
            name=op.f("fk_order_lines_workspace_id_product_id"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_order_lines_workspace_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_lines")),
        sa.UniqueConstraint("seq", name=op.f("uq_order_lines_seq")),
    )
    op.create_index("ix_order_lines_order", "order_lines", ["order_id", "seq"], unique=False)
    op.create_index(op.f("ix_order_lines_workspace_id"), "order_lines", ["workspace_id"], unique=False)
    op.create_table(
        "payments",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("order_id", sa.UUID(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "AUTHORIZATION",
                "DECLINE",
                "CAPTURE",
                "VOID",
                "REFUND",
                "CHARGEBACK",
                name="paymentkind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "method",
            sa.Enum(
                "CARD",
                "PAYPAL",
                "ALIPAY",
                "WECHAT_PAY",
                "APPLE_PAY",
                "GOOGLE_PAY",
                "KLARNA",
                "BANK_TRANSFER",
                "PLATFORM_BALANCE",
                name="paymentmethod",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("amount", sa.Numeric(precision=20, scale=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id", "order_id"],
            ["orders.workspace_id", "orders.id"],
            name=op.f("fk_payments_workspace_id_order_id"),
        ),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], name=op.f("fk_payments_workspace_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("seq", name=op.f("uq_payments_seq")),
    )
    op.create_index("ix_payments_order", "payments", ["order_id", "seq"], unique=False)
    op.create_index(op.f("ix_payments_workspace_id"), "payments", ["workspace_id"], unique=False)
    secure_workspaces()


APP_ROLE = "tradelane_app"
SETTING = "tradelane.workspace_id"
WORKSPACE_TABLES = (
    "api_keys",
    "channels",
    "products",
    "listings",
    "orders",
    "order_lines",
    "payments",
    "events",
    "timers",
    "idempotency_keys",
)


def secure_workspaces() -> None:
    """The second wall under the application's own filtering: the service's queries run as APP_ROLE,
    which is neither superuser nor owner, and every row it can see or write is in the workspace named by
    the transaction's `tradelane.workspace_id` setting."""
    op.execute(f"""
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
                CREATE ROLE {APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS;
            END IF;
            IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
                EXECUTE format('GRANT {APP_ROLE} TO %I', current_user);
            END IF;
        END
        $$;
    """)
    op.execute(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}")
    current = f"NULLIF(current_setting('{SETTING}', true), '')::uuid"
    op.execute(f"GRANT SELECT, UPDATE ON workspaces TO {APP_ROLE}")
    op.execute("ALTER TABLE workspaces ENABLE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY workspace_isolation ON workspaces USING (id = {current})")
    for table in WORKSPACE_TABLES:
        if table != "api_keys":  # keys are looked up before a workspace is known, as the owner
            op.execute(f"GRANT SELECT, INSERT, UPDATE ON {table} TO {APP_ROLE}")
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY workspace_isolation ON {table} "
            f"USING (workspace_id = {current}) WITH CHECK (workspace_id = {current})"
        )


def downgrade() -> None:
    """Downgrade schema."""
    for table in ("workspaces", *WORKSPACE_TABLES):
        op.execute(f"REVOKE ALL ON {table} FROM {APP_ROLE}")
    op.drop_index(op.f("ix_payments_workspace_id"), table_name="payments")
    op.drop_index("ix_payments_order", table_name="payments")
    op.drop_table("payments")
    op.drop_index(op.f("ix_order_lines_workspace_id"), table_name="order_lines")
    op.drop_index("ix_order_lines_order", table_name="order_lines")
    op.drop_table("order_lines")
    op.drop_index("ix_orders_workspace_status", table_name="orders")
    op.drop_index(op.f("ix_orders_workspace_id"), table_name="orders")
    op.drop_table("orders")
    op.drop_index(op.f("ix_listings_workspace_id"), table_name="listings")
    op.drop_index("ix_listings_product", table_name="listings")
    op.drop_index("ix_listings_channel", table_name="listings")
    op.drop_table("listings")
    op.drop_index(op.f("ix_timers_workspace_id"), table_name="timers")
    op.drop_index("ix_timers_pending", table_name="timers", postgresql_where=sa.text("fired_at IS NULL"))
    op.drop_table("timers")
    op.drop_index(op.f("ix_products_workspace_id"), table_name="products")
    op.drop_table("products")
    op.drop_table("idempotency_keys")
    op.drop_index(op.f("ix_events_workspace_id"), table_name="events")
    op.drop_index("ix_events_aggregate", table_name="events")
    op.drop_table("events")
    op.drop_index(op.f("ix_channels_workspace_id"), table_name="channels")
    op.drop_table("channels")
    op.drop_index(op.f("ix_api_keys_workspace_id"), table_name="api_keys")
    op.drop_table("api_keys")
    op.drop_index(op.f("ix_workspaces_seller_id"), table_name="workspaces")
    op.drop_table("workspaces")
    op.drop_table("sellers")
