"""Queries on customs declarations."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
import strawberry

from api.context import Info
from api.customs.types import CustomsDeclaration, DeclarationStatus, Direction
from api.paging import After, First, connection, query_id, query_text
from api.prefetch import Relation
from api.relay import Connection
from domain.customs.queries import DECLARATIONS

RELATIONS = {
    "items": Relation("declaration_items", "id", many=True),
    "shipment": Relation("shipment", "shipment_id"),
    "order": Relation("order", "order_id"),
    "timeline": Relation("timeline", "id", many=True),
}


@strawberry.input(description="Narrow the declaration list; all given conditions must hold.")
class CustomsDeclarationFilter:
    status: list[DeclarationStatus] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Only declarations in one of these statuses."
    )
    direction: Direction | None = strawberry.field(default=None, description="Only exports or only imports.")  # type: ignore[valid-type]
    country: str | None = strawberry.field(default=None, description="Only those declared in this country.")
    order_id: strawberry.ID | None = strawberry.field(default=None, description="Only this order's.")


@strawberry.type
class CustomsQuery:
    @strawberry.field(description="The workspace's customs declarations, newest first.")
    async def customs_declarations(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        filter: Annotated[
            CustomsDeclarationFilter | None,
            strawberry.argument(description="Conditions the items must meet."),
        ] = None,
    ) -> Connection[CustomsDeclaration]:
        where: list[sa.ColumnElement[bool]] = []
        if filter is not None:
            if filter.status:
                where.append(DECLARATIONS.c.status.in_(filter.status))
            if filter.direction is not None:
                where.append(DECLARATIONS.c.direction == filter.direction)
            if filter.country is not None:
                where.append(DECLARATIONS.c.country == query_text(filter.country, "filter.country").upper())
            if filter.order_id is not None:
                where.append(DECLARATIONS.c.order_id == query_id(filter.order_id, "Order", "filter.orderId"))
        return await connection(
            info.context,
            DECLARATIONS,
            CustomsDeclaration.from_row,
            first,
            after,
            where,
            newest_first=True,
            prefetch=(info, RELATIONS),
        )
