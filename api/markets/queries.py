"""Markets and their rules as of a day (by default, the workspace clock's)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from api.accounts.queries import load_workspace
from api.context import Info
from api.errors import refusals_as_errors
from api.markets.types import MarketRules
from domain.markets import reference as ref
from domain.markets.rules import rules_as_of


@strawberry.type(description="A destination country Tradelane has rules for.")
class Market:
    code: str = strawberry.field(description="ISO 3166-1 alpha-2 code.")
    name: str = strawberry.field(description="The country's name (ISO 3166).")
    customs_union: str | None = strawberry.field(description="The union whose rules apply too, e.g. EU.")
    _market: strawberry.Private[ref.Market]

    @strawberry.field(description="Every rule of this market in force on a day.")
    async def rules_as_of(
        self,
        info: Info,
        date: Annotated[
            date | None, strawberry.argument(description="The day; default: today by the workspace clock.")
        ] = None,
    ) -> MarketRules:
        day = date or (await load_workspace(info.context)).now.date()
        with refusals_as_errors():
            return MarketRules.of(rules_as_of(self._market, day))

    @classmethod
    def of(cls, market: ref.Market) -> Market:
        return cls(code=market.code, name=market.name, customs_union=market.union, _market=market)


@strawberry.type
class MarketQuery:
    @strawberry.field(description="Every market Tradelane has rules for, by code.")
    def markets(self) -> list[Market]:
        return [Market.of(m) for _, m in sorted(ref.reference().markets.items())]

    @strawberry.field(description="One market by its ISO 3166-1 alpha-2 code.")
    def market(self, code: Annotated[str, strawberry.argument(description="e.g. DE, GB, US.")]) -> Market:
        with refusals_as_errors():
            return Market.of(ref.validate_market(code))

    @strawberry.field(description="The version of the reference rules in use.")
    def reference_rules_version(self) -> str:
        return ref.reference().version
