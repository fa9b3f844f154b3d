"""The simulationRunProgress subscription: a run each time it changes, until it ends."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry
from graphql import GraphQLError

from api.context import Info
from api.paging import query_id
from api.simulation.queries import load_run
from api.simulation.types import SimulationRun
from domain.live import listening, run_channel
from domain.simulation.model import RunStatus

POLL_SECONDS = 3.0  # read even without a notification this often: a lost one costs a few seconds at most


def _state(run: SimulationRun) -> tuple[object, ...]:
    return (run.status, run.progress, run.simulated_day, run.orders_placed, run.orders_finished)


@strawberry.type
class SimulationSubscription:
    @strawberry.subscription(
        description="A simulation run this workspace started: at once as it is, then each time it changes; "
        "the subscription ends after the run has ended (SUCCEEDED, INVARIANT_BROKEN or FAILED)."
    )
    async def simulation_run_progress(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="A SimulationRun ID.")]
    ) -> AsyncGenerator[SimulationRun, None]:
        ctx = info.context
        run_id = query_id(id, "SimulationRun", "id")
        if await load_run(ctx, run_id) is None:
            raise GraphQLError(
                "No simulation run with that ID in this workspace. Use an `id` that simulationRunStart or "
                "simulationRuns returned to this workspace.",
                extensions={"code": "NOT_FOUND"},
            )
        # Listen before reading again, so that no change commits unseen between the two.
        async with listening(ctx.services.engine, run_channel(run_id)) as listener:
            sent: tuple[object, ...] | None = None
            while True:
                run = await load_run(ctx, run_id)
                if run is None:  # runs are never deleted; this is a bug, not the client's
                    raise LookupError(f"run {run_id} disappeared")
                if _state(run) != sent:
                    sent = _state(run)
                    yield run
                if run.status is not RunStatus.RUNNING:
                    return
                await listener.wait(POLL_SECONDS)
