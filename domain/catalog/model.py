from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from domain.db.base import Base, WorkspaceOwned, enum_column, new_id


class Platform(StrEnum):
    AMAZON = "AMAZON"
    EBAY = "EBAY"
    ALIEXPRESS = "ALIEXPRESS"
    WISH = "WISH"
    SHOPIFY = "SHOPIFY"
    OWN_STORE = "OWN_STORE"
    TEMU = "TEMU"
    SHEIN = "SHEIN"
    ETSY = "ETSY"
    WALMART = "WALMART"
    MERCADO_LIBRE = "MERCADO_LIBRE"
    SHOPEE = "SHOPEE"
    LAZADA = "LAZADA"
    ALLEGRO = "ALLEGRO"
    RAKUTEN = "RAKUTEN"


class ProductCategory(StrEnum):
    APPAREL = "APPAREL"
    FOOTWEAR = "FOOTWEAR"
    BAGS = "BAGS"
    ELECTRONICS = "ELECTRONICS"
    TOYS = "TOYS"
    BEAUTY = "BEAUTY"
    HOME = "HOME"
    JEWELRY = "JEWELRY"
    SPORTS = "SPORTS"
    OTHER = "OTHER"


class ListingStatus(StrEnum):
    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"
    ENDED = "ENDED"


LISTING_TRANSITIONS: dict[ListingStatus, frozenset[ListingStatus]] = {
    ListingStatus.ACTIVE: frozenset({ListingStatus.PAUSED, ListingStatus.ENDED}),
    ListingStatus.PAUSED: frozenset({ListingStatus.ACTIVE, ListingStatus.ENDED}),
    ListingStatus.ENDED: frozenset(),
}


class Channel(WorkspaceOwned, Base):
    """Where the seller sells: a platform's marketplace in one country, priced in one currency."""

    __tablename__ = "channels"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    seq: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    platform: Mapped[Platform] = enum_column(Platform)
    country: Mapped[str] = mapped_column(sa.String(2))
    currency: Mapped[str] = mapped_column(sa.String(3))
    referral_rate: Mapped[Decimal] = mapped_column(sa.Numeric(6, 4))
    minimum_referral_fee: Mapped[Decimal]
    per_order_fee: Mapped[Decimal]
    confirmation_window_hours: Mapped[int]
    return_window_days: Mapped[int] = mapped_column(
        server_default="30"
    )  # after delivery, returns accepted for
    created_at: Mapped[datetime]

    __table_args__ = (sa.UniqueConstraint("workspace_id", "id"),)


class Product(WorkspaceOwned, Base):
    __tablename__ = "products"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    seq: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), unique=True)
    sku: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[str] = mapped_column(sa.String(300))
    category: Mapped[ProductCategory] = enum_column(ProductCategory)
    hs_code: Mapped[str] = mapped_column(sa.String(10))
    origin_country: Mapped[str] = mapped_column(sa.String(2))
    unit_cost_amount: Mapped[Decimal]
    unit_cost_currency: Mapped[str] = mapped_column(sa.String(3))
    weight_grams: Mapped[int]
    length_mm: Mapped[int]
    width_mm: Mapped[int]
    height_mm: Mapped[int]
    created_at: Mapped[datetime]

    __table_args__ = (sa.UniqueConstraint("workspace_id", "sku"), sa.UniqueConstraint("workspace_id", "id"))


class Listing(WorkspaceOwned, Base):
    """A product offered on a channel, at a price in the channel's currency."""

    __tablename__ = "listings"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    seq: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), unique=True)
    product_id: Mapped[uuid.UUID]
    channel_id: Mapped[uuid.UUID]
    price_amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(sa.String(3))
    status: Mapped[ListingStatus] = enum_column(ListingStatus)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column()

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}
    __table_args__ = (
        sa.UniqueConstraint("workspace_id", "product_id", "channel_id"),
        sa.UniqueConstraint("workspace_id", "id"),
        sa.ForeignKeyConstraint(["workspace_id", "product_id"], ["products.workspace_id", "products.id"]),
        sa.ForeignKeyConstraint(["workspace_id", "channel_id"], ["channels.workspace_id", "channels.id"]),
        sa.Index("ix_listings_product", "product_id"),
        sa.Index("ix_listings_channel", "channel_id"),
    )
