"""What the simulator saw during a season, kept in memory that does not grow with the orders already
finished: counters, sums and fixed-bin histograms, never a list per order."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

BIN_DAYS = 0.05
MAX_DAYS = 365.0
BINS = int(MAX_DAYS / BIN_DAYS)
FUNNEL = ("PLACED", "PAID", "CONFIRMED", "PACKED", "SHIPPED", "DELIVERED")
MONEY_KEYS = ("gmv", "captured", "refunded", "chargebacks", "cost", "shipping_cost", "duty_and_tax")


class Histogram:
    """Durations in days on fixed bins of BIN_DAYS: percentiles to within half a bin, in constant memory."""

    def __init__(self) -> None:
        self.counts = np.zeros(BINS + 1, dtype=np.int64)
        self.n = 0
        self.total = 0.0
        self.max = 0.0

    def add(self, days: float) -> None:
        self.counts[min(int(days / BIN_DAYS), BINS)] += 1
        self.n += 1
        self.total += days
        self.max = max(self.max, days)

    def percentile(self, q: float) -> float:
        target = q * self.n
        cumulative = np.cumsum(self.counts)
        index = int(np.searchsorted(cumulative, target, side="left"))
        return (index + 0.5) * BIN_DAYS

    def summary(self) -> dict[str, float | int]:
        if self.n == 0:
            return {"n": 0, "p10": 0.0, "p50": 0.0, "p90": 0.0, "mean": 0.0, "max": 0.0}
        return {
            "n": self.n,
            "p10": round(self.percentile(0.10), 2),
            "p50": round(self.percentile(0.50), 2),
            "p90": round(self.percentile(0.90), 2),
            "mean": round(self.total / self.n, 2),
            "max": round(self.max, 2),
        }


@dataclass
class Stats:
    orders_per_day: dict[int, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    funnel: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)  # how the simulator saw each order end
    transit: dict[str, Histogram] = field(default_factory=lambda: defaultdict(Histogram))
    declarations: Counter[str] = field(default_factory=Counter)
    holds: Counter[str] = field(default_factory=Counter)
    inspections: int = 0
    seizures: int = 0
    dap_refusals: int = 0
    duty: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    tax: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    returns_requested: int = 0
    returns_declined: int = 0
    return_reasons: Counter[str] = field(default_factory=Counter)
    return_resolutions: Counter[str] = field(default_factory=Counter)
    money: dict[str, dict[str, Decimal]] = field(
        default_factory=lambda: defaultdict(lambda: dict.fromkeys(MONEY_KEYS, Decimal(0)))
    )
    tickets: int = 0
    complaints: int = 0
    ratings: Counter[int] = field(default_factory=Counter)
    chargebacks: int = 0
    api_calls: Counter[str] = field(default_factory=Counter)
    api_errors: Counter[str] = field(default_factory=Counter)
    disrupted: Counter[int] = field(default_factory=Counter)  # disruption index -> parcels affected
    # What the API must agree with at the end (see simulator.audit).
    orders: int = 0
    replacements: int = 0
    shipments: int = 0
    return_labels: int = 0
    units_received: int = 0
    units_picked_up: int = 0
    units_restocked: int = 0
    units_disposed: int = 0
    feedback: int = 0
    finished: int = 0
    late_deliveries: int = 0

    def api_call(self, name: str, error: str | None) -> None:
        self.api_calls[name] += 1
        if error:
            self.api_errors[f"{name}:{error}"] += 1

    def add_money(self, currency: str, key: str, amount: Decimal) -> None:
        self.money[currency][key] += amount
