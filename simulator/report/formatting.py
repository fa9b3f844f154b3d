"""Numbers and labels as a person reads them, shared by the HTML page and the terminal tables so both
say the same thing the same way: KPI values and names, amounts, counts, exchange rates, invariant details
and replication intervals, with an en dash wherever a figure is missing.

Also the rounding of computed statistics (`_round6`), which keeps float noise out of the JSON.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

MONEY_FIELDS = (
    ("gmv", "GMV"),
    ("captured", "Captured"),
    ("refunded", "Refunded"),
    ("chargebacks", "Chargebacks"),
    ("net", "Net"),
    ("cost", "Cost of goods"),
    ("shipping_cost", "Shipping cost"),
    ("duty_and_tax", "Duty and tax"),
    ("margin", "Margin"),
)

_FRACTION_SUFFIXES = ("_share", "_rate", "_ratio")


_MISSING = "\u2013"  # an en dash where a figure is missing


def _round6(value: float) -> float:
    """Six significant digits, never coarser than a unit: enough for a statistic, and stable across summation
    orders (the last bits of a float sum are noise that would otherwise show in the JSON)."""
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {value!r}")
    rounded = float(round(value)) if abs(value) >= 1e6 else float(f"{value:.6g}")
    return rounded + 0.0  # no "-0.0"


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)


def _is_fraction(name: str, value: float) -> bool:
    return name.endswith(_FRACTION_SUFFIXES) and 0.0 <= value <= 1.0


def format_kpi(name: str, value: Any) -> str:
    """A KPI as a person reads it: shares and rates in percent, counts with thousands separators."""
    if value is None:
        return _MISSING
    number = float(value)
    if _is_fraction(name, number):
        return f"{number * 100:.1f}%"
    if number.is_integer() and abs(number) < 1e15:
        return f"{int(number):,}"
    return f"{number:,.2f}" if abs(number) >= 100 else f"{number:,.3g}"


def kpi_label(name: str) -> str:
    """delivered_share -> "Delivered share"; a KPI per method or currency keeps its code:
    net.EUR -> "Net · EUR"."""
    base, _, qualifier = name.partition(".")
    return f"{_humanise(base)} · {qualifier}" if qualifier else _humanise(base)


def _rate(value: Any) -> str:
    """An exchange rate: four decimals, more when the rate is small (one yen in euros)."""
    if value is None:
        return _MISSING
    rate = _decimal(value)
    return f"{rate:,.4f}" if abs(rate) >= Decimal("0.01") else f"{rate:.6f}"


def _amount(value: Any) -> str:
    return f"{_decimal(value):,}" if value is not None else _MISSING


def _count(value: Any) -> str:
    return f"{int(value):,}" if value is not None else _MISSING


def _number(value: Any) -> str:
    return _MISSING if value is None else f"{float(value):,.1f}"


def _humanise(code: Any) -> str:
    """SIZE_FIT -> "Size fit"; codes stay recognisable, but read as words."""
    text = str(code).replace("_", " ").strip()
    return text[:1].upper() + text[1:].lower()


def _compact(value: float) -> str:
    magnitude = abs(value)
    if magnitude >= 1e6:
        return f"{value / 1e6:.1f}M"
    if magnitude >= 1e4:
        return f"{value / 1e3:.0f}k"
    if magnitude >= 1e3:
        return f"{value / 1e3:.1f}k"
    return f"{value:.0f}" if magnitude >= 10 or value == int(value) else f"{value:.1f}"


def _invariant_detail(invariant: Mapping[str, Any]) -> str:
    if "broken_in" in invariant:
        seeds = invariant.get("broken_in") or []
        return "held in every replication" if not seeds else "broken with seed " + ", ".join(map(str, seeds))
    return str(invariant.get("detail") or "")


def _interval_text(name: str, interval: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """Mean, standard deviation, interval and number of runs as text; shares and rates in percent."""
    if not interval.get("n"):
        return _MISSING, _MISSING, _MISSING, "0"
    mean, stdev, low, high = (float(interval[k]) for k in ("mean", "stdev", "ci95_low", "ci95_high"))
    runs = str(interval["n"])
    if _is_fraction(name, mean):
        return f"{mean * 100:.2f}%", f"{stdev * 100:.2f} pp", f"{low * 100:.2f}% to {high * 100:.2f}%", runs
    return f"{mean:,.4g}", f"{stdev:,.4g}", f"{low:,.4g} to {high:,.4g}", runs
