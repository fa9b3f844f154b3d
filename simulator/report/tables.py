"""A report in a terminal, as rich tables: a season's key figures and money, the invariants of a season
or of replications, and the replications' KPI intervals. Cells are `Text`, never markup strings, so a "["
in report data prints as itself.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from simulator.report.canonical import Report
from simulator.report.formatting import (
    _MISSING,
    MONEY_FIELDS,
    _amount,
    _interval_text,
    _invariant_detail,
    format_kpi,
    kpi_label,
)


def _text(value: Any, style: str = "") -> Text:
    return Text(str(value), style=style)  # Text, not str: "[" in report data is not rich markup


def summary_table(report: Report) -> Table:
    """The season in a terminal: KPIs, then money per currency (currencies as columns, amounts in each)."""
    scenario = report.get("scenario") or {}
    kpis = Table(title="Key figures", title_justify="left", expand=False)
    kpis.add_column("KPI")
    kpis.add_column("Value", justify="right")
    for name, value in sorted((report.get("kpis") or {}).items()):
        kpis.add_row(_text(kpi_label(name)), _text(format_kpi(name, value)))
    money = report.get("money") or {}
    currencies = sorted(money)
    amounts = Table(title="Money per currency", title_justify="left")
    amounts.add_column("")
    for currency in currencies:
        amounts.add_column(_text(currency), justify="right")
    for key, label in MONEY_FIELDS:
        amounts.add_row(_text(label), *(_text(_amount(money[c].get(key))) for c in currencies))
    outer = Table.grid(padding=(1, 0))
    outer.title = f"Season {scenario.get('name', '')} · seed {scenario.get('seed', _MISSING)}"
    outer.title_style = "bold"
    outer.title_justify = "left"
    outer.add_column()
    outer.add_row(kpis)
    outer.add_row(amounts if currencies else Group(_text("Money per currency: none", "italic")))
    return outer


def invariants_table(report: Report) -> Table:
    """The invariants of a season or of replications, a broken one in bold red."""
    table = Table(title="Invariants", title_justify="left")
    table.add_column("Status")
    table.add_column("Invariant")
    table.add_column("Detail")
    for invariant in report.get("invariants") or []:
        holds = bool(invariant.get("holds"))
        table.add_row(
            _text("holds", "green") if holds else _text("BROKEN", "bold red"),
            _text(invariant.get("name", "")),
            _text(_invariant_detail(invariant)),
        )
    return table


def aggregate_table(agg: Report) -> Table:
    """Replications in a terminal: per KPI the mean, standard deviation and 95% interval."""
    scenario = agg.get("scenario") or {}
    table = Table(
        title=f"Season {scenario.get('name', '')} · {agg.get('replications', 0)} replications",
        title_justify="left",
    )
    table.add_column("KPI")
    for heading in ("Mean", "Std. dev.", "95% interval", "Runs"):
        table.add_column(heading, justify="right")
    for name, interval in sorted((agg.get("kpis") or {}).items()):
        table.add_row(_text(kpi_label(name)), *(_text(t) for t in _interval_text(name, interval)))
    return table
