"""Queries on the compliance registry."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import sqlalchemy as sa
import strawberry
from graphql import GraphQLError

from api.accounts.queries import load_workspace
from api.compliance.types import ComplianceReport, ProductCertification, Registration
from api.context import Info
from api.errors import refusals_as_errors
from api.paging import After, First, connection, query_id
from api.prefetch import Relation
from api.relay import Connection
from domain.compliance.queries import CERTIFICATIONS, REGISTRATIONS, assess


@strawberry.type
class ComplianceQuery:
    @strawberry.field(description="The seller's registrations, oldest first.")
    async def registrations(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Registration]:
        return await connection(
            info.context,
            REGISTRATIONS,
            Registration.from_row,
            first,
            after,
            prefetch=(info, {"timeline": Relation("timeline", "id", many=True)}),
        )

    @strawberry.field(description="Product certifications, oldest first.")
    async def product_certifications(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        product_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only this product's certifications.")
        ] = None,
    ) -> Connection[ProductCertification]:
        where: list[sa.ColumnElement[bool]] = []
        if product_id is not None:
            where.append(CERTIFICATIONS.c.product_id == query_id(product_id, "Product", "productId"))
        relations = {
            "product": Relation("product", "product_id"),
            "timeline": Relation("timeline", "id", many=True),
        }
        return await connection(
            info.context,
            CERTIFICATIONS,
            ProductCertification.from_row,
            first,
            after,
            where,
            prefetch=(info, relations),
        )

    @strawberry.field(description="What a product needs to be sold in a market, and what is missing.")
    async def compliance_check(
        self,
        info: Info,
        product_id: Annotated[strawberry.ID, strawberry.argument(description="The product.")],
        market: Annotated[str, strawberry.argument(description="The market, e.g. DE.")],
        as_of: Annotated[
            date | None,
            strawberry.argument(description="The day to judge on; default: the workspace clock's."),
        ] = None,
    ) -> ComplianceReport:
        ctx = info.context
        product = query_id(product_id, "Product", "productId")
        day = as_of or (await load_workspace(ctx)).now.date()
        ws = ctx.workspace_id
        with refusals_as_errors():
            report = await ctx.read(lambda conn: assess(conn, ws, product, market, day))
        if report is None:
            raise GraphQLError("No product with that ID in this workspace.", extensions={"code": "NOT_FOUND"})
        return ComplianceReport.of(report)
