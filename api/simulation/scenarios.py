"""Which seasons the API plays: the scenarios shipped with Tradelane, by name (never a path: a client
names a season, it does not point the server at its files)."""

from __future__ import annotations

from domain.shared.errors import DomainError
from simulator.scenario import Scenario, ScenarioError, available_scenarios, load_scenario, with_orders


def shipped_scenario(name: str, orders: int | None) -> Scenario:
    """The shipped scenario `name`, scaled to `orders` if given; UNKNOWN_SCENARIO or INVALID_SCENARIO."""
    known = available_scenarios()
    if name not in known:
        raise DomainError(
            "UNKNOWN_SCENARIO",
            f"No scenario '{name[:100]}'. Known scenarios: {', '.join(known)}.",
            ["input", "scenario"],
        )
    try:
        scenario = load_scenario(name)
        return scenario if orders is None else with_orders(scenario, orders)
    except ScenarioError as error:
        raise DomainError("INVALID_SCENARIO", str(error), ["input", "scenario"]) from None
