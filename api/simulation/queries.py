"""Reading simulation runs: one by ID, and the workspace's runs, newest first."""

from __future__ import annotations

import uuid
from typing import Annotated

import strawberry

from api.context import Info, RequestContext
from api.paging import After, First, connection, query_id
from api.relay import Connection
from api.simulation.types import SimulationRun
from domain.simulation.queries import RUNS, run_row


async def load_run(ctx: RequestContext, run_id: uuid.UUID) -> SimulationRun | None:
    """The run if this workspace started it; another workspace's run is as absent as one that never was."""
    ws = ctx.workspace_id
    row = await ctx.read(lambda conn: run_row(conn, ws, run_id))
    return None if row is None else SimulationRun.from_row(row)


@strawberry.type
class SimulationQuery:
    @strawberry.field(
        description="A simulation run this workspace started; null if there is none by that ID."
    )
    async def simulation_run(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="A SimulationRun ID.")]
    ) -> SimulationRun | None:
        return await load_run(info.context, query_id(id, "SimulationRun", "id"))

    @strawberry.field(description="The simulation runs this workspace started, newest first.")
    async def simulation_runs(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[SimulationRun]:
        return await connection(info.context, RUNS, SimulationRun.from_row, first, after, newest_first=True)
