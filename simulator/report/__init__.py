"""A season's report as files and tables: canonical JSON, one self-contained HTML page with charts, PNG charts
for the README, terminal tables, and the aggregate of replications with confidence intervals.

The engine hands over a plain dict (`"format": 1`: scenario, kpis, orders_per_day, funnel, final_status,
transit_days, customs, returns, money, sla, feedback, fx, disruptions, api, invariants, wall_clock, and
optionally outcomes); this package only reads it, and a section left empty is drawn as "none".

Everything but `wall_clock` must come out byte for byte the same for the same scenario and seed, so: JSON
keys are sorted, floats we compute are rounded, and the charts are drawn from matplotlib's built-in defaults
(never the user's matplotlibrc) with a fixed SVG hash salt and no dates in the metadata. Amounts stay
decimal strings in the JSON; they become floats only to be drawn.

One module per concern: `canonical` (the JSON text), `formatting` (numbers and labels), `charts`
(matplotlib figures, SVG and PNG), `markup` (HTML building blocks), `sections` and `page` (the HTML pages),
`tables` (rich tables) and `replications` (the aggregate and its statistics). Importers use the names below.
"""

from __future__ import annotations

from simulator.report.canonical import canonical_json, without_wall_clock
from simulator.report.charts import CHARTS, write_chart_pngs
from simulator.report.formatting import MONEY_FIELDS, format_kpi, kpi_label
from simulator.report.page import (
    SECTION_TITLES,
    render_aggregate_html,
    render_html,
    write_aggregate,
    write_report,
)
from simulator.report.replications import aggregate
from simulator.report.tables import aggregate_table, invariants_table, summary_table

__all__ = [
    "CHARTS",
    "MONEY_FIELDS",
    "SECTION_TITLES",
    "aggregate",
    "aggregate_table",
    "canonical_json",
    "format_kpi",
    "invariants_table",
    "kpi_label",
    "render_aggregate_html",
    "render_html",
    "summary_table",
    "without_wall_clock",
    "write_aggregate",
    "write_chart_pngs",
    "write_report",
]
