"""Seasons this server process plays in the background, one asyncio task each.

The registry keeps the tasks (asyncio holds them only weakly) and ends them when the server stops. A season
talks to the API like any client, through the sandbox's own key; what it records about itself (progress,
the ending) goes in the starting workspace's run record, in short transactions of their own. A server
that stops without ending its runs (killed, crashed) leaves them RUNNING without a heartbeat: any server
of the deployment fails those at start-up and every minute after (`fail_abandoned`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from api.context import Services
from domain.accounts.handlers import Principal
from domain.db.uow import UnitOfWork
from domain.simulation import handlers
from domain.simulation.handlers import RunProgress
from domain.simulation.model import INTERRUPTED

if TYPE_CHECKING:
    from simulator.client import GraphQLClient
    from simulator.scenario import Scenario
    from simulator.season import Progress

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 30.0
SILENCE_BEFORE_ABANDONED = timedelta(minutes=2)  # four heartbeats missed
PROGRESS_STEP = 0.02  # write progress when it moved this much since the last write ...
PROGRESS_SECONDS = 1.0  # ... or this long after it


class SeasonRunner(Protocol):
    """`simulator.season.run_season`, or a stand-in with its signature."""

    def __call__(
        self,
        scenario: Scenario,
        seed: int,
        client: GraphQLClient,
        *,
        on_progress: Callable[[Progress], Awaitable[None]] | None = None,
    ) -> Awaitable[dict[str, Any]]: ...


async def play_season(
    scenario: Scenario,
    seed: int,
    client: GraphQLClient,
    *,
    on_progress: Callable[[Progress], Awaitable[None]] | None = None,
) -> dict[str, Any]:
    """The real season; imported when first played, since the simulator's model loads numpy and SimPy."""
    from simulator.season import run_season

    return await run_season(scenario, seed, client, on_progress=on_progress)


class ProgressWriter:
    """Writes a season's progress to its run, not more often than every PROGRESS_STEP of the season or
    every PROGRESS_SECONDS of wall time, whichever comes first."""

    def __init__(
        self, write: Callable[[RunProgress], Awaitable[None]], monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._write = write
        self._monotonic = monotonic
        self._fraction: float | None = None
        self._at = 0.0

    async def __call__(self, progress: Progress) -> None:
        now = self._monotonic()
        if (
            self._fraction is not None
            and progress.fraction - self._fraction < PROGRESS_STEP
            and now - self._at < PROGRESS_SECONDS
        ):
            return
        self._fraction, self._at = progress.fraction, now
        await self._write(
            RunProgress(
                progress.fraction, progress.simulated_day, progress.orders_placed, progress.orders_finished
            )
        )


def _reported(error: BaseException) -> bool:
    """Errors a season reports in plain words (the API refused it, the season could not drain): their
    message is the run's error. Anything else is a bug, logged with an incident ID."""
    from simulator.client import ApiError
    from simulator.season import SeasonError

    return isinstance(error, ApiError | SeasonError)


def _being_cancelled() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


class SimulationRuns:
    def __init__(
        self,
        services: Services,
        client_for: Callable[[str], GraphQLClient],
        season: SeasonRunner = play_season,
        *,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
    ) -> None:
        self._services = services
        self._client_for = client_for
        self._season = season
        self._heartbeat_seconds = heartbeat_seconds
        self._tasks: dict[uuid.UUID, asyncio.Task[None]] = {}

    def start(self, run_id: uuid.UUID, owner: Principal, scenario: Scenario, seed: int, api_key: str) -> None:
        """Play the season in the background; `owner` is the workspace that started it (and owns its run)."""
        task = asyncio.create_task(
            self._play(run_id, owner, scenario, seed, api_key), name=f"season {run_id}"
        )
        self._tasks[run_id] = task
        task.add_done_callback(lambda _: self._tasks.pop(run_id, None))

    async def finished(self, run_id: uuid.UUID) -> None:
        """Wait until the run's season has ended here (at once if it is not playing in this process)."""
        task = self._tasks.get(run_id)
        if task is not None:
            await asyncio.shield(task)

    async def shutdown(self) -> None:
        """Stop every season; each records its run as FAILED, interrupted."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def fail_abandoned(self) -> int:
        """Fail the runs whose server gave no sign of life for a while, in every workspace."""
        now = self._services.clock.now()
        abandoned = await handlers.abandoned_runs(self._services.engine, now - SILENCE_BEFORE_ABANDONED)
        failed = 0
        for run in abandoned:
            if run.run_id in self._tasks:
                continue
            try:
                await self._record(run.owner, _failing(run.run_id, INTERRUPTED, now))
                failed += 1
            except Exception:
                log.exception("could not fail the abandoned run %s", run.run_id)
        return failed

    async def _record(self, owner: Principal, command: Callable[[UnitOfWork], Awaitable[None]]) -> None:
        await handlers.in_workspace(self._services.engine, owner, self._services.clock, command)

    async def _heartbeat(self, run_id: uuid.UUID, owner: Principal) -> None:
        while True:
            await asyncio.sleep(self._heartbeat_seconds)
            try:
                await self._record(owner, _beating(run_id, self._services.clock.now()))
            except Exception:
                log.exception("heartbeat of run %s failed; trying again", run_id)

    async def _play(
        self, run_id: uuid.UUID, owner: Principal, scenario: Scenario, seed: int, api_key: str
    ) -> None:
        clock = self._services.clock

        async def write_progress(progress: RunProgress) -> None:
            now = clock.now()
            await self._record(owner, lambda uow: handlers.record_progress(uow, run_id, progress, now))

        client = self._client_for(api_key)
        heartbeat = asyncio.create_task(self._heartbeat(run_id, owner))
        try:
            report = await self._season(scenario, seed, client, on_progress=ProgressWriter(write_progress))
            stored = json.loads(json.dumps(report, default=str, allow_nan=False))
            now = clock.now()
            await self._record(owner, lambda uow: self._finish(uow, run_id, stored, now))
        except asyncio.CancelledError:
            log.warning("run %s interrupted: the server is stopping", run_id)
            await self._fail(owner, run_id, INTERRUPTED)
            raise
        except Exception as error:
            if _being_cancelled():  # the cancellation surfaced as another error from a request cut short
                log.warning("run %s interrupted: the server is stopping (%r)", run_id, error)
                await self._fail(owner, run_id, INTERRUPTED)
            elif _reported(error):
                log.warning("run %s failed: %s", run_id, error)
                await self._fail(owner, run_id, str(error))
            else:
                incident = uuid.uuid4().hex[:16]
                log.exception("run %s failed: incident %s", run_id, incident)
                await self._fail(
                    owner,
                    run_id,
                    f"The season stopped on an unexpected error. It has been logged as incident {incident}; "
                    "quote that ID when you report it.",
                )
        finally:
            heartbeat.cancel()
            await asyncio.gather(heartbeat, return_exceptions=True)
            await client.aclose()

    @staticmethod
    async def _finish(uow: UnitOfWork, run_id: uuid.UUID, report: dict[str, Any], now: datetime) -> None:
        status = await handlers.finish_run(uow, run_id, report, now)
        log.info("run %s ended %s", run_id, status)

    async def _fail(self, owner: Principal, run_id: uuid.UUID, message: str) -> None:
        try:
            await self._record(owner, _failing(run_id, message, self._services.clock.now()))
        except Exception:  # the run stays RUNNING without heartbeat: it will be failed as abandoned
            log.exception("could not record the end of run %s", run_id)


def _failing(run_id: uuid.UUID, message: str, now: datetime) -> Callable[[UnitOfWork], Awaitable[None]]:
    return lambda uow: handlers.fail_run(uow, run_id, message, now)


def _beating(run_id: uuid.UUID, now: datetime) -> Callable[[UnitOfWork], Awaitable[None]]:
    return lambda uow: handlers.record_heartbeat(uow, run_id, now)
