"""The season's report as data (the shape `simulator.report` renders): what the simulator saw, what the API
holds, and the invariants. Everything here is a function of the scenario and the seed; the wall-clock
figures are added apart, under "wall_clock"."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from simulator.actors import minor_unit
from simulator.lifecycle import Lifecycle
from simulator.stats import FUNNEL, MONEY_KEYS
from simulator.world import World

FORMAT = 1


def _amount(value: Decimal | str, currency: str) -> str:
    """An amount with its currency's minor units (ISO 4217): 0 -> "0.00" in EUR, "0" in JPY."""
    return str(Decimal(value).quantize(minor_unit(currency)))


def _share(part: float, whole: float) -> float:
    return round(part / whole, 6) if whole else 0.0


def build_report(
    world: World, lifecycle: Lifecycle, checks: list[dict[str, Any]], facts: dict[str, Any], end: datetime
) -> dict[str, Any]:
    scenario, stats = world.scenario, world.stats
    # The demand window's days, and the day after it when the last hour's orders were placed there (an
    # actor's wait ends on the next grid point: 23:00's orders are placed at 00:00).
    placed_days = max(scenario.demand_days, max(stats.orders_per_day, default=-1) + 1)
    days = [scenario.start + timedelta(days=d) for d in range(placed_days)]
    markets = sorted({m.country for m in scenario.markets})
    final = facts["final_status"]
    orders = sum(final.values())
    delivered = stats.funnel["DELIVERED"]
    money: dict[str, dict[str, str]] = {}
    for currency in sorted(set(stats.money) | set(facts["money"])):
        seen = stats.money[currency]
        api = facts["money"].get(currency, {})
        net = Decimal(api.get("net", "0"))
        margin = net - seen["cost"] - seen["shipping_cost"] - seen["duty_and_tax"]
        row = {key: _amount(seen[key], currency) for key in MONEY_KEYS}
        row.update({k: _amount(api.get(k, "0"), currency) for k in ("captured", "refunded", "chargebacks")})
        row["net"] = _amount(net, currency)
        row["margin"] = _amount(margin, currency)
        money[currency] = row
    ratings = {str(stars): stats.ratings.get(stars, 0) for stars in range(1, 6)}
    rated = sum(stats.ratings.values())
    average = round(sum(s * n for s, n in stats.ratings.items()) / rated, 4) if rated else None
    transit = {method: h.summary() for method, h in sorted(stats.transit.items())}
    kpis: dict[str, float] = {
        "orders": float(orders),
        "delivered_share": _share(delivered, stats.orders),
        "completed_share": _share(final.get("COMPLETED", 0), orders),
        "cancelled_share": _share(final.get("CANCELLED", 0), orders),
        "return_rate": _share(stats.returns_requested, delivered),
        "complaint_rate": _share(stats.complaints, delivered),
        "customs_hold_rate": _share(sum(stats.holds.values()), sum(stats.declarations.values())),
        "late_delivery_share": _share(stats.late_deliveries, delivered),
        "sla_breaches": float(sum(facts["sla_breaches"].values())),
    }
    if average is not None:
        kpis["mean_rating"] = average
    for method, summary in transit.items():
        kpis[f"transit_p50_days.{method}"] = float(summary["p50"])
    for currency, row in money.items():
        kpis[f"net.{currency}"] = float(row["net"])
    fx = {
        currency: {
            "start": f"{float(scenario.fx.start_rates[currency]):.4f}",
            "end": f"{world.rates[currency]:.4f}",
            "low": f"{lifecycle.fx.low[currency]:.4f}",
            "high": f"{lifecycle.fx.high[currency]:.4f}",
        }
        for currency in sorted(world.rates)
    }
    return {
        "format": FORMAT,
        "scenario": {
            "name": scenario.name,
            "description": scenario.description,
            "seed": world.seed,
            "orders_requested": scenario.demand.orders,
            "home_currency": scenario.seller.home_currency,
            "start": scenario.start.isoformat(),
            "end": end.date().isoformat(),
            "days": round((end - world.start).total_seconds() / 86400, 3),
        },
        "kpis": kpis,
        "orders_per_day": {
            "days": [d.isoformat() for d in days],
            "markets": {m: [stats.orders_per_day[d].get(m, 0) for d in range(len(days))] for m in markets},
        },
        "funnel": [{"stage": stage, "orders": stats.funnel[stage]} for stage in FUNNEL]
        + [{"stage": "COMPLETED", "orders": facts["completed_new"]}],  # as the stages before: no replacements
        "final_status": final,
        "outcomes": dict(sorted(stats.outcomes.items())),
        "transit_days": transit,
        "customs": {
            "declarations": dict(sorted(stats.declarations.items())),
            "holds": dict(sorted(stats.holds.items())),
            "inspections": stats.inspections,
            "seizures": stats.seizures,
            "dap_refusals": stats.dap_refusals,
            "duty": {c: _amount(v, c) for c, v in sorted(stats.duty.items())},
            "tax": {c: _amount(v, c) for c, v in sorted(stats.tax.items())},
        },
        "returns": {
            "requested": stats.returns_requested,
            "declined": stats.returns_declined,
            "by_reason": dict(sorted(stats.return_reasons.items())),
            "by_resolution": dict(sorted(stats.return_resolutions.items())),
        },
        "money": money,
        "sla": {
            "tickets": stats.tickets,
            "complaints": stats.complaints,
            "breaches": facts["sla_breaches"],
        },
        "feedback": {"ratings": ratings, "average": average},
        "fx": fx,
        "disruptions": [
            {
                "kind": d.kind,
                "market": d.market,
                "method": d.method,
                "carrier": d.carrier,
                "start": d.start.isoformat(),
                "end": d.end.isoformat(),
                "parcels_affected": stats.disrupted.get(i, 0),
            }
            for i, d in enumerate(scenario.disruptions)
        ],
        "api": {
            "calls": dict(sorted(stats.api_calls.items())),
            "errors": dict(sorted(stats.api_errors.items())),
        },
        "invariants": checks,
    }
