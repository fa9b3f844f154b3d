"""Starting a simulation run: its sandbox and its record in one transaction, then the season in the
background."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.commands import IDEMPOTENCY, INPUT, run_command
from api.context import Info, RequestContext
from api.errors import error_code_enum, to_user_error, user_error_type
from api.simulation.queries import load_run
from api.simulation.scenarios import shipped_scenario
from api.simulation.types import SimulationRun
from domain.db.uow import UnitOfWork
from domain.simulation.handlers import StartedRun, StartRun, check_run, start_run
from domain.simulation.model import MAX_ORDERS, MAX_RUNNING

if TYPE_CHECKING:
    from api.simulation.runs import SimulationRuns
    from simulator.scenario import Scenario

SimulationErrorCode = error_code_enum(
    "SimulationErrorCode",
    {"UNKNOWN_SCENARIO", "INVALID_SCENARIO", "INVALID_SEED", "INVALID_ORDERS", "TOO_MANY_RUNS"},
    "Why a simulation command was refused.",
)
SimulationUserError = user_error_type("SimulationUserError", SimulationErrorCode, "simulation")


@strawberry.input(description="A season to play: a shipped scenario and a seed.")
class SimulationRunStartInput:
    scenario: str = strawberry.field(
        description="A shipped scenario's name: smoke, q4-peak, eu-duty-change, …"
    )
    seed: int = strawberry.field(description="0 or more; the same scenario and seed play the same season.")
    orders: int | None = strawberry.field(
        default=None,
        description=f"Scale the season to this many orders, 1 to {MAX_ORDERS}; when left out, the scenario's "
        "own number.",
    )
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY)


@strawberry.type(description="Result of simulationRunStart.")
class SimulationRunStartPayload:
    run: SimulationRun | None = strawberry.field(description="The run, RUNNING, unless refused.")
    api_key: str | None = strawberry.field(
        description="A read-only key to the run's sandbox (runWorkspace), shown this once and never stored "
        "in clear: send it as the Authorization header to read the season's orders, shipments and "
        "declarations as they are made, or to follow them with the workspaceEvents subscription. It runs "
        "no mutation (FORBIDDEN), so nothing but the season writes there. Null when refused, and on a "
        "repeat under the same idempotency key."
    )
    user_errors: list[SimulationUserError] = strawberry.field(description="Why it was refused.")  # type: ignore[valid-type]


def simulation_runs(ctx: RequestContext) -> SimulationRuns:
    """The server's registry of seasons playing in the background (made with the app)."""
    runs: SimulationRuns = ctx.request.app.state.simulation_runs
    return runs


@strawberry.type
class SimulationMutation:
    @strawberry.mutation(
        description="Start a season in the background: a new sandbox workspace of your seller (its clock at "
        "the scenario's first day) where the season plays through the API, and its run in this workspace. "
        f"Follow it with simulationRun or the simulationRunProgress subscription. At most {MAX_RUNNING} "
        "seasons of a workspace run at once."
    )
    async def simulation_run_start(
        self, info: Info, input: Annotated[SimulationRunStartInput, INPUT]
    ) -> SimulationRunStartPayload:
        ctx = info.context
        now = ctx.services.clock.now()
        scenarios: list[Scenario] = []
        started: list[StartedRun] = []

        def build() -> StartRun:
            check_run(input.seed, input.orders)
            scenario = shipped_scenario(input.scenario, input.orders)
            scenarios.append(scenario)
            return StartRun(
                scenario.name, input.seed, input.orders, scenario.start, scenario.seller.home_currency
            )

        async def start(uow: UnitOfWork, command: StartRun) -> uuid.UUID:
            run = await start_run(uow, command, now)
            started.append(run)
            return run.run_id

        outcome = await run_command(
            ctx,
            "simulationRunStart",
            build,
            start,
            uuid.UUID,
            input_=input,
            idempotency_key=input.idempotency_key,
        )
        if outcome.result is None:
            errors = [to_user_error(SimulationUserError, SimulationErrorCode, e) for e in outcome.errors]
            return SimulationRunStartPayload(run=None, api_key=None, user_errors=errors)
        key = None
        if started:  # not on an idempotent repeat: that run started the first time
            made = started[0]
            simulation_runs(ctx).start(made.run_id, ctx.principal, scenarios[0], input.seed, made.api_key)
            key = made.viewer_key
        return SimulationRunStartPayload(run=await load_run(ctx, outcome.result), api_key=key, user_errors=[])
