"""The SimPy side of a season: its clock, its random streams, and the one door to the API.

An actor (a generator) asks the API for something by yielding `world.call(OP, input)`: the call is queued and
the actor sleeps on a SimPy event. The driver (`simulator.season`) runs every call queued at the current
simulated instant, in the order they were asked, after moving the sandbox clock to that instant (one
document for them all: `simulator.operations.Batch`); then it wakes each actor with its answer. So the API
always sees a call at the simulated time it was made, timed rules (auto-cancel, SLA breaches, closing
return windows) fire as the clock passes them, and a seed gives the same calls in the same order every run.

Time is in hours since the season's start (00:00 UTC of `scenario.start`). Actors wait through `world.wait`,
which lands on a grid of GRID_HOURS: calls made on the same grid point share one clock move.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import simpy
from babel.numbers import get_territory_currencies

from simulator.operations import Op, Result
from simulator.scenario import Scenario, Spread
from simulator.stats import Stats

GRID_HOURS = 2.0
Z90 = 1.2815515655446004  # the standard normal's 90th percentile
Z999 = 3.090232306167813  # its 99.9th: where World.draw cuts a spread's tail
ACTORS = ("consumers", "payments", "seller", "carriers", "customs", "aftersales", "fx", "disruptions")

Process = Generator[simpy.Event, Any, Any]


@dataclass(frozen=True, slots=True)
class Listing:
    id: str
    sku: str
    category: str
    price: Any  # Decimal in the channel's currency
    unit_cost: Any  # Decimal in the home currency


@dataclass(frozen=True, slots=True)
class ChannelRef:
    id: str
    platform: str
    country: str
    currency: str
    listings: tuple[Listing, ...]
    weights: tuple[float, ...]  # of the listings, normalised


@dataclass
class Catalog:
    """What the season's setup made through the API: the IDs the actors place orders with."""

    channels: dict[str, list[tuple[ChannelRef, float]]] = field(
        default_factory=dict
    )  # market -> (channel, share)
    warehouse: str = ""
    all_channels: list[ChannelRef] = field(default_factory=list)


@dataclass
class Call:
    event: simpy.Event
    op: Op
    input: dict[str, Any]


def season_currencies(scenario: Scenario) -> set[str]:
    """The storefronts' currencies and the markets' own (their tax thresholds are written in them)."""
    found = {c.currency for c in scenario.channels}
    for market in scenario.markets:
        found.update(str(c) for c in get_territory_currencies(market.country, scenario.start)[:1])
    return found - {scenario.seller.home_currency}


class World:
    def __init__(self, scenario: Scenario, seed: int, stats: Stats) -> None:
        self.scenario = scenario
        self.seed = seed
        self.env = simpy.Environment()
        self.start = datetime.combine(scenario.start, datetime.min.time(), tzinfo=UTC)
        streams = np.random.SeedSequence(seed).spawn(len(ACTORS))
        self.rng = {name: np.random.default_rng(s) for name, s in zip(ACTORS, streams, strict=True)}
        self.pending: list[Call] = []
        self.stats = stats
        self.catalog = Catalog()
        # Home-currency value of one unit of each currency the season sells or is taxed in.
        self.rates: dict[str, float] = {
            c: float(r) for c, r in scenario.fx.start_rates.items() if c in season_currencies(scenario)
        }
        # The indexes of the scenario's disruptions in force right now (see actors.Disruptions).
        self.suspended: set[int] = set()
        self.orders_open = 0

    # -- time ------------------------------------------------------------------------------------------
    @property
    def now(self) -> datetime:
        return self.start + timedelta(hours=self.env.now)

    def at(self, hours: float) -> datetime:
        return self.start + timedelta(hours=hours)

    def day(self) -> int:
        return int(self.env.now // 24)

    def wait(self, hours: float) -> simpy.Timeout:
        """Sleep at least `hours`, waking on the next grid point (never now: time always moves)."""
        target = math.ceil((self.env.now + max(hours, 0.0)) / GRID_HOURS) * GRID_HOURS
        if target <= self.env.now:
            target += GRID_HOURS
        return self.env.timeout(target - self.env.now)

    def until(self, hours: float) -> simpy.Timeout:
        """Sleep until the absolute season time `hours` (or the next grid point if that has passed)."""
        return self.wait(hours - self.env.now)

    # -- randomness ------------------------------------------------------------------------------------
    @staticmethod
    def draw(rng: np.random.Generator, spread: Spread, at_most: float = math.inf) -> float:
        """A lognormal draw whose p10 and p90 are the spread's, cut at its 99.9th percentile and at `at_most`.

        A lognormal through a wide p10-p90 has a tail that the p10 and p90 say nothing of: return parcels
        of 7-25 days would take over 100 days once in 40,000, consumers acting 2-20 days after delivery
        would wait over 100 days once in 1,000. A season of thousands of orders meets such a draw, and one
        is enough to hold an order open past the scenario's drain and fail the season. So no draw goes past
        the 99.9th percentile, and where the world has a deadline of its own (an authorisation expires, a
        consumer acts while the order is fresh) none goes past that. The cut takes no random number of its
        own."""
        if spread.p90 <= spread.p10:
            return min(spread.p10, at_most)
        mu = (math.log(spread.p10) + math.log(spread.p90)) / 2
        sigma = (math.log(spread.p90) - math.log(spread.p10)) / (2 * Z90)
        return min(float(rng.lognormal(mu, sigma)), math.exp(mu + Z999 * sigma), at_most)

    @staticmethod
    def chance(rng: np.random.Generator, p: float) -> bool:
        return p > 0 and float(rng.random()) < p

    @staticmethod
    def pick(rng: np.random.Generator, shares: dict[Any, float]) -> Any:
        keys = list(shares)
        weights = np.array([shares[k] for k in keys], dtype=float)
        return keys[int(rng.choice(len(keys), p=weights / weights.sum()))]

    # -- the API ---------------------------------------------------------------------------------------
    def call(self, op: Op, values: dict[str, Any]) -> simpy.Event:
        event = self.env.event()
        self.pending.append(Call(event, op, values))
        return event

    def take_pending(self) -> list[Call]:
        calls, self.pending = self.pending, []
        return calls

    def answered(self, call: Call, result: Result) -> None:
        self.stats.api_call(call.op.name, result.get("error"))
        call.event.succeed(result)
