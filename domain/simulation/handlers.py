"""Commands on simulation runs: start one (its sandbox and its record in one transaction), record how far
it has come, and end it. The season's own calls go through the API with the sandbox's key; these run in
the workspace that started the run, which owns its record."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.accounts.handlers import Principal, SandboxSpec, create_sandbox, issue_viewer_key
from domain.accounts.model import Workspace
from domain.db.uow import UnitOfWork, get_owned
from domain.shared.clock import Clock
from domain.shared.errors import DomainError
from domain.simulation.model import MAX_ORDERS, MAX_RUNNING, RunStatus, SimulationRun
from domain.simulation.queries import RUNS

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class StartRun:
    """Play `scenario` with `seed` in a new sandbox whose clock starts on the scenario's first day."""

    scenario: str
    seed: int
    orders: int | None
    starts_on: date
    home_currency: str  # the scenario's seller books in it


def check_run(seed: int, orders: int | None) -> None:
    """What a run is asked to be, checked before its scenario is even read."""
    if seed < 0:
        raise DomainError("INVALID_SEED", "seed must be 0 or more.", ["input", "seed"])
    if orders is not None and not 1 <= orders <= MAX_ORDERS:
        raise DomainError(
            "INVALID_ORDERS",
            f"orders must be from 1 to {MAX_ORDERS} (the API plays seasons of that size; "
            "`tradelane simulate` plays larger ones), or left out for the scenario's own number.",
            ["input", "orders"],
        )


@dataclass(frozen=True, slots=True)
class StartedRun:
    run_id: uuid.UUID
    run_workspace_id: uuid.UUID
    api_key: str  # the sandbox's key: for the season only, never shown, never stored in clear
    viewer_key: str  # a read-only key to the sandbox, shown once to the caller


def run_workspace_name(command: StartRun) -> str:
    return f"Season {command.scenario} (seed {command.seed})"


async def start_run(uow: UnitOfWork, command: StartRun, now: datetime) -> StartedRun:
    """The run's sandbox (a new workspace of the caller's seller, with its own key) and the run's record
    in the caller's workspace, in the caller's one transaction: either both exist or neither."""
    await _check_room(uow)
    name = run_workspace_name(command)
    clock_start = datetime.combine(command.starts_on, time(), tzinfo=UTC)
    sandbox = await create_sandbox(uow, SandboxSpec(name, command.home_currency, clock_start), now)
    viewer_key = await issue_viewer_key(uow, sandbox, now)
    run = SimulationRun.begin(
        uow.workspace_id,
        sandbox.workspace_id,
        name,
        command.scenario,
        command.seed,
        command.orders,
        now,
    )
    uow.session.add(run)
    await uow.flush()
    return StartedRun(run.id, sandbox.workspace_id, sandbox.api_key, viewer_key)


async def _check_room(uow: UnitOfWork) -> None:
    """A workspace plays at most MAX_RUNNING seasons at once: each one is a server's work for minutes.
    Starts in one workspace queue on a lock until commit, so that two cannot both take the last place."""
    await uow.session.execute(
        sa.text("SELECT pg_advisory_xact_lock(hashtextextended('simulation_runs:' || :ws, 0))"),
        {"ws": str(uow.workspace_id)},
    )
    running = (
        await uow.session.execute(
            sa.select(sa.func.count())
            .select_from(RUNS)
            .where(RUNS.c.workspace_id == uow.workspace_id, RUNS.c.status == RunStatus.RUNNING)
        )
    ).scalar_one()
    if running >= MAX_RUNNING:
        raise DomainError(
            "TOO_MANY_RUNS",
            f"This workspace already has {running} seasons running, the most it may; start another once "
            "one has ended (simulationRuns shows them).",
            ["input"],
        )


@dataclass(frozen=True, slots=True)
class RunProgress:
    fraction: float  # 0 to 1
    simulated_day: date
    orders_placed: int
    orders_finished: int


async def _run(uow: UnitOfWork, run_id: uuid.UUID) -> SimulationRun:
    return await get_owned(uow, SimulationRun, run_id, "simulation run", ["id"])


async def record_progress(uow: UnitOfWork, run_id: uuid.UUID, progress: RunProgress, now: datetime) -> None:
    run = await _run(uow, run_id)
    run.advance(
        progress.fraction, progress.simulated_day, progress.orders_placed, progress.orders_finished, now
    )


async def record_heartbeat(uow: UnitOfWork, run_id: uuid.UUID, now: datetime) -> None:
    (await _run(uow, run_id)).beat(now)


async def finish_run(uow: UnitOfWork, run_id: uuid.UUID, report: dict[str, Any], now: datetime) -> RunStatus:
    run = await _run(uow, run_id)
    run.finish(report, now)
    return run.status


async def fail_run(uow: UnitOfWork, run_id: uuid.UUID, message: str, now: datetime) -> None:
    (await _run(uow, run_id)).fail(message, now)


@dataclass(frozen=True, slots=True)
class AbandonedRun:
    run_id: uuid.UUID
    owner: Principal


async def abandoned_runs(engine: AsyncEngine, silent_since: datetime) -> list[AbandonedRun]:
    """Runs still RUNNING whose server has given no sign of life since `silent_since`, in every workspace:
    the server that played them stopped. Read as the database owner (no workspace entered), as the live
    timer loop finds its workspaces; each is then failed inside its own workspace."""
    runs = RUNS
    query = (
        sa.select(runs.c.id, Workspace.id, Workspace.seller_id, Workspace.kind)
        .join(Workspace, Workspace.id == runs.c.workspace_id)
        .where(runs.c.status == RunStatus.RUNNING, runs.c.heartbeat_at < silent_since)
        .order_by(runs.c.seq)
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    return [AbandonedRun(row[0], Principal(row[1], row[2], row[3])) for row in rows]


async def in_workspace(
    engine: AsyncEngine, principal: Principal, clock: Clock, command: Callable[[UnitOfWork], Awaitable[R]]
) -> R:
    """Run `command` outside any request (a season playing in the background records its run this way): a
    connection and a unit of work of its own, committed when the command returns."""
    async with engine.connect() as conn, UnitOfWork(conn, principal, clock) as uow:
        result = await command(uow)
        await uow.commit()
        return result
