"""Season bench: how fast a whole season runs through the API, next to the same SimPy model with nothing
behind it, and whether memory grows with the orders already finished.

Scenario: SCENARIO (q4-peak) with ORDERS (2,000) expected orders and seed SEED, in this process: the API app
over a fresh database, called in-process as `tradelane simulate` does. Every order goes through the whole
lifecycle (placed, paid, confirmed, packed, shipped, both customs, delivered or not, after-sales), and the
invariants are checked at the end against the API's data.

Measured in the same run:
1. the model alone (`simulator.season.run_model`: the same actors, answered by the simulator itself), its
   orders per second and its Python heap's peak (tracemalloc) at ORDERS / 4 and at ORDERS: a model whose
   memory grew with finished orders would need about four times the heap for four times the orders;
2. the season through the API: orders per second end to end (setup and audit included), API calls per
   second, the process's resident memory sampled as the season goes (at each tenth of the demand), and its
   peak.

3. the floor under any season here: the cheapest authenticated call (a one-second clock move with nothing
   due: four SQL statements, three after the first in a document, whose key is checked once), alone in
   its request and as one of `simulator.operations.BATCH_CALLS` in a document as the season sends them,
   and the rate that floor allows at this season's calls per order, were every call as cheap as it.

Units: seconds (s), orders per second (orders/s), mebibytes (MiB), milliseconds (ms).

Database: TRADELANE_BENCH_DATABASE_URL (or DATABASE_URL) names a PostgreSQL server; without either, the
embedded server in .tradelane/bench-pgdata is used. A database tradelane_bench_<random> is made by the
migrations and dropped at the end. Figures go to stdout and to bench/results/season.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from api.cli import upgrade
from api.simulate import Target, play, sandbox_client
from bench.orders_page import bench_database
from simulator import operations as ops
from simulator.scenario import load_scenario, with_orders
from simulator.season import Progress, run_model

SCENARIO = "q4-peak"
ORDERS = 2_000
SEED = 42
AIM_ORDERS_PER_SECOND = 100.0
FLOOR_CALLS = 400  # timed clock moves, each way
RESULTS = Path(__file__).parent / "results" / "season.json"
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE / 2**20


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def model_alone(scenario_name: str, orders: int, seed: int) -> dict[str, float]:
    scenario = with_orders(load_scenario(scenario_name), orders)
    tracemalloc.start()
    began = time.perf_counter()
    stats = await run_model(scenario, seed)
    seconds = time.perf_counter() - began
    held, peak = tracemalloc.get_traced_memory()  # held: what is left once every order has finished
    tracemalloc.stop()
    return {
        "orders": stats.orders,
        "seconds": round(seconds, 3),
        "orders_per_second": round(stats.orders / seconds, 1),
        "heap_peak_mib": round(peak / 2**20, 2),
        "heap_after_mib": round(held / 2**20, 2),
    }


async def through_api(database_url: str, scenario_name: str, orders: int, seed: int) -> dict[str, Any]:
    scenario = with_orders(load_scenario(scenario_name), orders)
    samples: list[dict[str, float]] = []
    marks = iter([i / 10 for i in range(1, 11)])
    next_mark: float | None = next(marks)

    def sample(p: Progress) -> None:
        nonlocal next_mark
        while next_mark is not None and p.fraction >= next_mark * 0.8:  # 0.8 of progress is the demand window
            samples.append(
                {"demand_done": next_mark, "orders_placed": p.orders_placed, "rss_mib": round(rss_mib(), 1)}
            )
            next_mark = next(marks, None)

    began = time.perf_counter()
    report = await play(Target(database_url=database_url), scenario, seed, sample)
    seconds = time.perf_counter() - began
    placed = int(report["kpis"]["orders"])
    return {
        "orders": placed,
        "seconds": round(seconds, 1),
        "orders_per_second": round(placed / seconds, 2),
        "api_calls": sum(report["api"]["calls"].values()),
        "api_calls_per_second": round(sum(report["api"]["calls"].values()) / seconds, 1),
        "rss_samples": samples,
        "rss_peak_mib": round(peak_rss_mib(), 1),
        "invariants_hold": all(check["holds"] for check in report["invariants"]),
    }


async def call_floor(database_url: str) -> dict[str, float]:
    """Milliseconds per call of the cheapest authenticated mutation, alone and batched."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    async with sandbox_client(database_url, "Call floor", start, "USD") as client:

        async def timed(size: int, documents: int) -> float:
            batch = ops.Batch((ops.CLOCK,) * size, ({"seconds": 1},) * size)
            began = time.perf_counter()
            for _ in range(documents):
                data = await client.execute(batch.document, batch.variables)
                assert all(answer["error"] is None for answer in batch.results(data)[1])
            return (time.perf_counter() - began) * 1000 / (size * documents)

        await timed(1, 50)  # warm: connections, caches, prepared statements
        alone = await timed(1, FLOOR_CALLS)
        batched = await timed(ops.BATCH_CALLS, FLOOR_CALLS // ops.BATCH_CALLS)
    return {"alone_ms": round(alone, 3), "batched_ms": round(batched, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default=SCENARIO)
    parser.add_argument("--orders", type=int, default=ORDERS)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()

    small = asyncio.run(model_alone(args.scenario, max(1, args.orders // 4), args.seed))
    model = asyncio.run(model_alone(args.scenario, args.orders, args.seed))
    for run in (small, model):
        print(
            f"model alone, {run['orders']} orders: {run['orders_per_second']} orders/s, heap peak "
            f"{run['heap_peak_mib']} MiB (orders in flight at the busiest hour), "
            f"{run['heap_after_mib']} MiB held after"
        )
    growth = model["heap_after_mib"] / small["heap_after_mib"] if small["heap_after_mib"] else 0.0
    print(
        f"  held after {model['orders']} orders / after {small['orders']}: {growth:.2f} "
        "(4 would mean memory per finished order)"
    )

    with bench_database() as (database_url, _):
        upgrade(database_url)
        api = asyncio.run(through_api(database_url, args.scenario, args.orders, args.seed))
        floor = asyncio.run(call_floor(database_url))

    ratio = api["orders_per_second"] / model["orders_per_second"]
    print(
        f"through the API, {api['orders']} orders: {api['orders_per_second']} orders/s end to end "
        f"({api['api_calls_per_second']} API calls/s, {api['api_calls']} calls), {api['seconds']} s"
    )
    print(f"  API / model alone: {ratio:.4f}; aim: {AIM_ORDERS_PER_SECOND:.0f} orders/s through the API")
    print(
        "  resident memory as the demand window passes: "
        + ", ".join(f"{s['demand_done']:.0%} {s['rss_mib']} MiB" for s in api["rss_samples"])
    )
    print(f"  peak resident memory: {api['rss_peak_mib']} MiB; invariants hold: {api['invariants_hold']}")
    if api["orders_per_second"] < AIM_ORDERS_PER_SECOND:
        print(f"  below the aim of {AIM_ORDERS_PER_SECOND:.0f} orders/s")
    calls_per_order = api["api_calls"] / api["orders"]
    floor["calls_per_order"] = round(calls_per_order, 2)
    floor["ceiling_orders_per_second"] = round(1000 / (calls_per_order * floor["batched_ms"]), 1)
    print(
        "floor: the cheapest authenticated call (a clock move with nothing due: 4 SQL statements alone, 3 "
        "after the first in a document) takes "
        f"{floor['alone_ms']} ms alone, {floor['batched_ms']} ms as one of {ops.BATCH_CALLS} in a document"
    )
    print(
        f"  at this season's {calls_per_order:.1f} calls per order (clock moves not counted), calls that "
        f"cheap would allow at most {floor['ceiling_orders_per_second']} orders/s"
    )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
                "scenario": args.scenario,
                "seed": args.seed,
                "model_small": small,
                "model": model,
                "model_heap_growth": round(growth, 3),
                "api": api,
                "api_over_model": round(ratio, 5),
                "call_floor": floor,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
