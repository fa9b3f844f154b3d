"""A season from start to finish: prepare the seller's workspace through the API, play the world in SimPy
with the sandbox clock following SimPy's, let the last orders end, check the invariants against the API's
own data, and build the report.

`run_season` needs a GraphQL client of a fresh sandbox workspace whose clock stands at the scenario's
start. `run_model` plays the same SimPy model with nothing behind it (the benchmark's baseline).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from simulator import operations as ops
from simulator.actors import RETURN_WINDOW_DAYS
from simulator.audit import audit
from simulator.client import ApiError, GraphQLClient
from simulator.lifecycle import Lifecycle
from simulator.reporting import build_report
from simulator.scenario import Scenario
from simulator.setup import prepare, prepare_offline
from simulator.stats import Stats
from simulator.world import World

PROGRESS_EVERY_HOURS = 24.0


@dataclass(frozen=True, slots=True)
class Progress:
    fraction: float  # 0..1 of the season
    simulated_day: date
    orders_placed: int
    orders_finished: int


ProgressCallback = Callable[[Progress], Awaitable[None]]


class Backend:
    """Runs the calls the actors queued. The GraphQL one asks the API; the offline one answers itself."""

    async def run(self, calls: list[Any], clock_to: datetime | None = None) -> list[dict[str, Any]]:
        """Move the sandbox clock to `clock_to` (if given), then run the calls in order."""
        raise NotImplementedError

    async def move_clock(self, to: datetime) -> None:
        raise NotImplementedError


class GraphQLBackend(Backend):
    """Sends the calls of one instant, with the clock move before them, as one document (`ops.Batch`)."""

    def __init__(self, client: GraphQLClient) -> None:
        self.client = client

    async def run(self, calls: list[Any], clock_to: datetime | None = None) -> list[dict[str, Any]]:
        results: list[dict[str, Any]] = []
        when = clock_to.isoformat() if clock_to is not None else None
        for batch in ops.batches([c.op for c in calls], [c.input for c in calls], when):
            clock, answers = batch.results(await self.client.execute(batch.document, batch.variables))
            if clock is not None and clock["error"] is not None:
                raise ApiError(f"The sandbox clock would not move to {when}: {clock['message']}")
            results.extend(answers)
        return results

    async def move_clock(self, to: datetime) -> None:
        await self.run([], to)


class OfflineBackend(Backend):
    async def run(self, calls: list[Any], clock_to: datetime | None = None) -> list[dict[str, Any]]:
        results = []
        for call in calls:
            result = call.op.fake(call.input)
            result["error"] = None
            results.append(result)
        return results

    async def move_clock(self, to: datetime) -> None:
        return None


async def drive(
    world: World,
    lifecycle: Lifecycle,
    backend: Backend,
    on_progress: ProgressCallback | None,
) -> None:
    """Step SimPy; at each instant with calls, move the sandbox clock there and run them in order."""
    env = world.env
    clock_at = env.now
    next_report = 0.0
    demand_hours = world.scenario.demand_days * 24.0
    horizon = demand_hours + world.scenario.drain_days * 24.0
    while not lifecycle.done:
        if world.pending:
            clock_to = world.now if env.now > clock_at else None
            clock_at = env.now
            calls = world.take_pending()
            for call, result in zip(calls, await backend.run(calls, clock_to), strict=True):
                world.answered(call, result)
            continue
        if env.peek() > horizon:
            raise SeasonError(
                f"Orders were still open {world.scenario.drain_days} days after demand ended; "
                "raise drain_days in the scenario."
            )
        env.step()
        if on_progress is not None and env.now >= next_report:
            next_report = env.now + PROGRESS_EVERY_HOURS
            await on_progress(progress(world, lifecycle))


def progress(world: World, lifecycle: Lifecycle) -> Progress:
    demand_hours = world.scenario.demand_days * 24.0
    placed, finished = world.stats.orders, world.stats.finished
    if not lifecycle.demand_over:
        fraction = 0.8 * min(1.0, world.env.now / demand_hours)
    else:
        fraction = 0.8 + 0.19 * (finished / max(1, world.stats.finished + world.orders_open))
    return Progress(round(fraction, 4), world.now.date(), placed, finished)


class SeasonError(Exception):
    """The season could not be played to its end (not an invariant: the run itself failed)."""


async def run_season(
    scenario: Scenario,
    seed: int,
    client: GraphQLClient,
    *,
    on_progress: ProgressCallback | None = None,
    wall_clock: Callable[[], float] = time.perf_counter,
    started_at: datetime | None = None,
) -> dict[str, Any]:
    """Play the season through the API and return its report (see simulator.reporting)."""
    began = wall_clock()
    stats = Stats()
    world = World(scenario, seed, stats)
    await prepare(world, client)
    lifecycle = Lifecycle(world)
    lifecycle.start(scenario.demand.orders)
    backend = GraphQLBackend(client)
    await drive(world, lifecycle, backend, on_progress)
    # Let the API's timers close what is still open: the return windows of the last deliveries.
    end = world.now + timedelta(days=RETURN_WINDOW_DAYS + 1)
    await backend.move_clock(end)
    checks, facts = await audit(client, world)
    seconds = wall_clock() - began
    report = build_report(world, lifecycle, checks, facts, end)
    report["wall_clock"] = {
        "started_at": started_at.isoformat(timespec="seconds") if started_at else None,
        "seconds": round(seconds, 3),
        "orders_per_second": round(stats.orders / seconds, 2) if seconds > 0 else 0.0,
        "api_calls_per_second": round(sum(stats.api_calls.values()) / seconds, 1) if seconds > 0 else 0.0,
    }
    if on_progress is not None:
        await on_progress(Progress(1.0, end.date(), stats.orders, stats.finished))
    return report


async def run_model(scenario: Scenario, seed: int) -> Stats:
    """The same SimPy model with no API behind it: what the world alone costs."""
    stats = Stats()
    world = World(scenario, seed, stats)
    prepare_offline(world)
    lifecycle = Lifecycle(world)
    lifecycle.start(scenario.demand.orders)
    await drive(world, lifecycle, OfflineBackend(), None)
    return stats
