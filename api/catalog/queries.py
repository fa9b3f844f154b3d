"""Queries on the catalog."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
import strawberry

from api.catalog.types import Channel, Listing, ListingStatus, Product, ProductCategory
from api.context import Info
from api.paging import After, First, connection, query_id
from api.relay import Connection
from domain.catalog.queries import CHANNELS, LISTINGS, PRODUCTS


@strawberry.input(description="Narrow the product list; all given conditions must hold.")
class ProductFilter:
    sku: str | None = strawberry.field(default=None, description="Exactly this SKU.")
    category: ProductCategory | None = strawberry.field(default=None, description="Only this kind of goods.")  # type: ignore[valid-type]


@strawberry.input(description="Narrow the listing list; all given conditions must hold.")
class ListingFilter:
    channel_id: strawberry.ID | None = strawberry.field(default=None, description="Only on this channel.")
    product_id: strawberry.ID | None = strawberry.field(default=None, description="Only of this product.")
    status: ListingStatus | None = strawberry.field(default=None, description="Only in this status.")  # type: ignore[valid-type]


@strawberry.type
class CatalogQuery:
    @strawberry.field(description="The workspace's sales channels, oldest first.")
    async def channels(self, info: Info, first: First = None, after: After = None) -> Connection[Channel]:
        return await connection(info.context, CHANNELS, Channel.from_row, first, after)

    @strawberry.field(description="The workspace's products, oldest first.")
    async def products(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        filter: Annotated[
            ProductFilter | None, strawberry.argument(description="Conditions the items must meet.")
        ] = None,
    ) -> Connection[Product]:
        where = []
        if filter is not None and filter.sku is not None:
            where.append(PRODUCTS.c.sku == filter.sku)
        if filter is not None and filter.category is not None:
            where.append(PRODUCTS.c.category == filter.category)
        return await connection(info.context, PRODUCTS, Product.from_row, first, after, where)

    @strawberry.field(description="Products on channels, oldest first.")
    async def listings(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        filter: Annotated[
            ListingFilter | None, strawberry.argument(description="Conditions the items must meet.")
        ] = None,
    ) -> Connection[Listing]:
        where: list[sa.ColumnElement[bool]] = []
        if filter is not None:
            if filter.channel_id is not None:
                where.append(
                    LISTINGS.c.channel_id == query_id(filter.channel_id, "Channel", "filter.channelId")
                )
            if filter.product_id is not None:
                where.append(
                    LISTINGS.c.product_id == query_id(filter.product_id, "Product", "filter.productId")
                )
            if filter.status is not None:
                where.append(LISTINGS.c.status == filter.status)
        return await connection(info.context, LISTINGS, Listing.from_row, first, after, where)
