"""Playing seasons from the command line: a fresh sandbox workspace per season (in this process's database,
or on a server at a URL through `sandboxWorkspaceCreate`), the season itself (`simulator.season`), and
replications in parallel processes with independent seeds.

The simulator reaches the API only through GraphQL; this module is the glue that gives it a workspace and a
client, which in-process needs the database and the app."""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import time as wall
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from domain.accounts.handlers import create_seller
from domain.accounts.model import WorkspaceKind
from simulator.client import ApiError, GraphQLClient, HttpClient, InProcessClient
from simulator.scenario import Scenario
from simulator.season import Progress, run_season

WORKSPACE = """mutation ($input: SandboxWorkspaceCreateInput!) { sandboxWorkspaceCreate(input: $input) {
  workspace { id } apiKey userErrors { field code message } } }"""
WHO = "{ workspace { id kind } }"


@dataclass(frozen=True)
class Target:
    """Where seasons run: this process's database (`database_url`) or a server (`url` + `api_key`)."""

    database_url: str | None = None
    url: str | None = None
    api_key: str | None = None


def season_start(scenario: Scenario) -> datetime:
    return datetime.combine(scenario.start, time(), tzinfo=UTC)


def replication_seeds(seed: int, replications: int) -> list[int]:
    """One seed: itself. Several: independent streams spawned from it (numpy's SeedSequence)."""
    if replications == 1:
        return [seed]
    children = np.random.SeedSequence(seed).spawn(replications)
    return [int(child.generate_state(1)[0]) for child in children]


async def check_target(target: Target) -> None:
    """Fail early, before any workspace is made: the server answers and the key opens a workspace."""
    if target.url is None:
        return
    client = HttpClient(target.url, target.api_key or "")
    try:
        await client.execute(WHO)
    finally:
        await client.aclose()


async def _remote_workspace(target: Target, scenario: Scenario, seed: int) -> str:
    client = HttpClient(target.url or "", target.api_key or "")
    try:
        data = await client.execute(
            WORKSPACE,
            {
                "input": {
                    "name": f"Season {scenario.name} seed {seed}",
                    "homeCurrency": scenario.seller.home_currency,
                    "clockStart": season_start(scenario).isoformat(),
                }
            },
        )
    finally:
        await client.aclose()
    payload = data["sandboxWorkspaceCreate"]
    if payload["userErrors"]:
        raise ApiError(
            f"The server would not make a sandbox workspace: {payload['userErrors'][0]['message']}"
        )
    key: str = payload["apiKey"]
    return key


async def play(
    target: Target,
    scenario: Scenario,
    seed: int,
    on_progress: Callable[[Progress], Any] | None = None,
) -> dict[str, Any]:
    """One season in a new sandbox workspace; its report."""
    started_at = datetime.now(UTC)

    async def progress(p: Progress) -> None:
        if on_progress is not None:
            on_progress(p)

    client: GraphQLClient
    if target.url is not None:
        key = await _remote_workspace(target, scenario, seed)
        client = HttpClient(target.url, key)
        try:
            return await run_season(scenario, seed, client, on_progress=progress, started_at=started_at)
        finally:
            await client.aclose()

    async with sandbox_client(
        target.database_url or "",
        f"Season {scenario.name} seed {seed}",
        season_start(scenario),
        scenario.seller.home_currency,
    ) as client:
        return await run_season(scenario, seed, client, on_progress=progress, started_at=started_at)


@contextlib.asynccontextmanager
async def sandbox_client(
    database_url: str, name: str, clock_start: datetime, home_currency: str
) -> AsyncIterator[InProcessClient]:
    """A new seller with one sandbox workspace (its clock at `clock_start`) in this process's database,
    and a client of the API app in this process holding that workspace's key."""
    from api.app import create_app
    from api.context import Services
    from domain.db.engine import make_engine
    from domain.shared.clock import SystemClock

    # A season's writes are sandbox data: not waiting for each commit's flush to disk is safe here (a crash
    # loses the last instants of a simulation, never live data) and spares a disk flush per call.
    engine = make_engine(
        database_url,
        pool_size=2,
        max_overflow=2,
        connect_args={"options": "-c synchronous_commit=off"},
    )
    try:
        async with AsyncSession(engine) as session, session.begin():
            made = await create_seller(session, name, clock_start, WorkspaceKind.SANDBOX, home_currency)
        client = InProcessClient(create_app(Services(engine, SystemClock())), made.api_key)
        try:
            yield client
        finally:
            await client.aclose()
    finally:
        await engine.dispose()


# -- replications in processes ---------------------------------------------------------------------------


def _replicate(job: tuple[Target, Scenario, int, int, Any]) -> dict[str, Any]:
    target, scenario, seed, index, queue = job

    def report(p: Progress) -> None:
        queue.put((index, p.fraction, p.orders_placed))

    return asyncio.run(play(target, scenario, seed, report))


def play_replications(
    target: Target,
    scenario: Scenario,
    seeds: list[int],
    workers: int,
    on_progress: Callable[[int, float, int], None],
) -> list[dict[str, Any]]:
    """Each seed in its own process (at most `workers` at once), each in its own sandbox workspace."""
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        queue = manager.Queue()
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = [pool.submit(_replicate, (target, scenario, s, i, queue)) for i, s in enumerate(seeds)]
            while not all(f.done() for f in futures):
                while not queue.empty():
                    on_progress(*queue.get())
                wall.sleep(0.1)
            while not queue.empty():
                on_progress(*queue.get())
            return [f.result() for f in futures]
