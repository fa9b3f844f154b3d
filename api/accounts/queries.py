"""The caller's own workspace."""

from __future__ import annotations

import strawberry

from api.accounts.types import Workspace
from api.context import Info, RequestContext
from api.relay import to_global_id
from domain.accounts.queries import workspace_row


@strawberry.type
class AccountQuery:
    @strawberry.field(description="The workspace your API key opens, with its clock.")
    async def workspace(self, info: Info) -> Workspace:
        return await load_workspace(info.context)


async def load_workspace(ctx: RequestContext) -> Workspace:
    ws = ctx.workspace_id
    row = await ctx.read(lambda conn: workspace_row(conn, ws))
    return Workspace(
        id=to_global_id("Workspace", row.id),
        name=row.name,
        kind=row.kind,
        now=row.sandbox_now or ctx.services.clock.now(),
        home_currency=row.home_currency,
    )
