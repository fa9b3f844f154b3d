"""Replications of one scenario over several seeds as one report: per KPI the mean, sample standard
deviation and Student-t 95% interval, per invariant the seeds it broke with, and the wall-clock totals.

Runs are ordered by seed and the statistics rounded, so the aggregate does not depend on which worker
finished first nor on the order floats were summed in.
"""

from __future__ import annotations

import copy
import math
import statistics
from collections.abc import Mapping, Sequence
from typing import Any

from scipy import stats

from simulator.report.canonical import FORMAT, WALL_CLOCK, Report
from simulator.report.formatting import _round6


def _interval(values: Sequence[float]) -> dict[str, Any]:
    """Mean, sample standard deviation and Student-t 95% interval; one value is its own interval."""
    n = len(values)
    if n == 0:
        return {"n": 0, "mean": None, "stdev": None, "ci95_low": None, "ci95_high": None}
    mean = statistics.fmean(values)
    stdev = statistics.stdev(values) if n > 1 else 0.0
    half = float(stats.t.ppf(0.975, n - 1)) * stdev / math.sqrt(n) if n > 1 else 0.0
    return {
        "n": n,
        "mean": _round6(mean),
        "stdev": _round6(stdev),
        "ci95_low": _round6(mean - half),
        "ci95_high": _round6(mean + half),
    }


def aggregate(reports: Sequence[Report]) -> dict[str, Any]:
    """Replications of one scenario as one report: per KPI its mean and 95% interval over the seeds, per
    invariant the seeds it broke with (missing from a run counts as broken there: it was not shown to hold).
    Runs are ordered by seed, so the result does not depend on which worker finished first."""
    if not reports:
        raise ValueError("no reports to aggregate")
    names = sorted({str((r.get("scenario") or {}).get("name")) for r in reports})
    if len(names) > 1:
        raise ValueError(f"replications of different scenarios cannot be aggregated: {', '.join(names)}")
    runs = sorted(reports, key=lambda r: r["scenario"]["seed"])
    seeds = [r["scenario"]["seed"] for r in runs]
    scenario = runs[0]["scenario"]

    kpi_names = sorted({name for r in runs for name in r.get("kpis") or {}})
    kpis = {
        name: _interval([float(v) for r in runs if (v := (r.get("kpis") or {}).get(name)) is not None])
        for name in kpi_names
    }

    invariant_names: list[str] = []
    for run in runs:
        for invariant in run.get("invariants") or []:
            if invariant["name"] not in invariant_names:
                invariant_names.append(invariant["name"])
    invariants = []
    for name in invariant_names:
        broken_in = [
            run["scenario"]["seed"]
            for run in runs
            if not any(i["name"] == name and i.get("holds") for i in run.get("invariants") or [])
        ]
        invariants.append({"name": name, "holds": not broken_in, "broken_in": broken_in})

    return {
        "format": FORMAT,
        "kind": "replications",
        "scenario": {
            "name": scenario.get("name"),
            "description": scenario.get("description"),
            "orders_requested": scenario.get("orders_requested"),
            "seeds": seeds,
        },
        "replications": len(runs),
        "kpis": kpis,
        "invariants": invariants,
        "runs": [
            {
                "seed": run["scenario"]["seed"],
                "kpis": copy.deepcopy(dict(run.get("kpis") or {})),
                "invariants": copy.deepcopy(list(run.get("invariants") or [])),
            }
            for run in runs
        ],
        WALL_CLOCK: _wall_clock_totals([run.get(WALL_CLOCK) or {} for run in runs]),
    }


def _wall_clock_totals(clocks: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Summed and longest run time; orders per second is per process (replications ran side by side)."""
    timed = [c for c in clocks if c.get("seconds") is not None]
    seconds = [float(c["seconds"]) for c in timed]
    orders = sum(float(c["seconds"]) * float(c.get("orders_per_second") or 0) for c in timed)
    starts = sorted(str(c["started_at"]) for c in clocks if c.get("started_at"))
    total = math.fsum(seconds)
    return {
        "started_at": starts[0] if starts else None,
        "seconds_sum": _round6(total),
        "seconds_max": _round6(max(seconds, default=0.0)),
        "orders_per_second": _round6(orders / total) if total > 0 else None,
    }
