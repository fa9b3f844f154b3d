"""Market analysis and product selection, as of the workspace clock (or a given moment)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from api.accounts.queries import load_workspace
from api.context import Info
from api.errors import refusals_as_errors
from api.money import MoneyInput
from api.paging import query_id
from api.research.types import MarketAnalysisRow
from api.taxes.types import Incoterm
from domain.research import analysis
from domain.research.landed import Incoterm as DomainIncoterm
from domain.shared.money import Money

AS_OF = strawberry.argument(description="The moment for rates and rules; default: the workspace clock's now.")
CHANNELS = strawberry.argument(description="Channels to sell through.")
PRICE = strawberry.argument(description="A price to test; default: each channel's listing price.")
INCOTERM = strawberry.argument(
    description="Who pays duty and tax on a parcel at the border; default DDP. Goods sent in bulk by sea are "
    "imported by the seller, who pays them whatever this says."
)


@strawberry.type
class ResearchQuery:
    @strawberry.field(description="A product's landed cost, margin and compliance per market and channel.")
    async def market_analysis(
        self,
        info: Info,
        product_id: Annotated[strawberry.ID, strawberry.argument(description="The product.")],
        markets: Annotated[list[str], strawberry.argument(description="Markets to analyse, e.g. DE and GB.")],
        channel_ids: Annotated[list[strawberry.ID], CHANNELS],
        price: Annotated[MoneyInput | None, PRICE] = None,
        incoterm: Annotated[Incoterm, INCOTERM] = DomainIncoterm.DDP,  # type: ignore[valid-type]
        as_of: Annotated[datetime | None, AS_OF] = None,
    ) -> list[MarketAnalysisRow]:
        ctx = info.context
        product = query_id(product_id, "Product", "productId")
        channels = [query_id(c, "Channel", "channelIds") for c in channel_ids]
        moment = as_of or (await load_workspace(ctx)).now
        ws = ctx.workspace_id
        with refusals_as_errors():
            asked = Money.of(price.amount, price.currency, ["price"]) if price else None
            rows = await ctx.read(
                lambda conn: analysis.analyse(conn, ws, product, markets, channels, asked, incoterm, moment)
            )
        return [MarketAnalysisRow.of(row) for row in rows]

    @strawberry.field(description="The catalogue ranked for one market: each product's best channel there.")
    async def product_selection(
        self,
        info: Info,
        market: Annotated[str, strawberry.argument(description="The market, e.g. DE.")],
        incoterm: Annotated[Incoterm, INCOTERM] = DomainIncoterm.DDP,  # type: ignore[valid-type]
        as_of: Annotated[datetime | None, AS_OF] = None,
    ) -> list[MarketAnalysisRow]:
        ctx = info.context
        moment = as_of or (await load_workspace(ctx)).now
        ws = ctx.workspace_id
        with refusals_as_errors():
            rows = await ctx.read(lambda conn: analysis.select_products(conn, ws, market, incoterm, moment))
        return [MarketAnalysisRow.of(row) for row in rows]
