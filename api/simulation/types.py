"""The simulation run as clients see it."""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON

from api.relay import Node, to_global_id
from domain.db.reads import Row
from domain.simulation import model

SimulationRunStatus = strawberry.enum(
    model.RunStatus,
    name="SimulationRunStatus",
    description="RUNNING while the season plays; then SUCCEEDED (every invariant held), INVARIANT_BROKEN "
    "(the season played to its end and its report names the invariants that did not hold), or FAILED (the "
    "season could not be played to its end: see `error`).",
)


@strawberry.type(description="The sandbox workspace a run plays its season in, made for it.")
class SimulationWorkspace:
    id: strawberry.ID = strawberry.field(description="Its Workspace ID.")
    name: str = strawberry.field(description="Its name: the scenario and the seed.")


@strawberry.type(
    description="A season of a scenario, played with a seed through the public API in a sandbox workspace "
    "of its own, in the background. Times are real (wall-clock) time."
)
class SimulationRun(Node):
    scenario: str = strawberry.field(description="The scenario's name, e.g. smoke.")
    seed: int = strawberry.field(description="The seed: the same scenario and seed play the same season.")
    orders: int | None = strawberry.field(
        description="Orders the season was scaled to; null: the scenario's own number."
    )
    status: SimulationRunStatus = strawberry.field(description="Where the run is.")  # type: ignore[valid-type]
    progress: float = strawberry.field(description="How much of the season has been played, 0 to 1.")
    simulated_day: date | None = strawberry.field(
        description="The day the season has reached on the sandbox clock; null before the first report."
    )
    orders_placed: int = strawberry.field(description="Orders consumers have placed so far.")
    orders_finished: int = strawberry.field(description="Of those, orders that reached a terminal state.")
    report: JSON | None = strawberry.field(
        description="The season's report (KPIs, counts, invariants with whether each holds) once it played "
        "to its end; null before, and for a FAILED run."
    )
    error: str | None = strawberry.field(description="Why a FAILED run failed; null otherwise.")
    created_at: datetime = strawberry.field(description="When the run was started.")
    finished_at: datetime | None = strawberry.field(description="When it ended; null while RUNNING.")
    run_workspace: SimulationWorkspace = strawberry.field(description="The sandbox the season plays in.")

    @classmethod
    def from_row(cls, row: Row) -> SimulationRun:
        return cls(
            id=to_global_id("SimulationRun", row.id),
            scenario=row.scenario,
            seed=row.seed,
            orders=row.orders,
            status=row.status,
            progress=float(row.progress),
            simulated_day=row.simulated_day,
            orders_placed=row.orders_placed,
            orders_finished=row.orders_finished,
            report=cast(JSON, row.report),
            error=row.error,
            created_at=row.created_at,
            finished_at=row.finished_at,
            run_workspace=SimulationWorkspace(
                id=to_global_id("Workspace", row.run_workspace_id), name=row.run_workspace_name
            ),
        )
