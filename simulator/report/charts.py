"""The report's charts: matplotlib figures of a season (`CHARTS`, in page order) and of replications,
drawn in the house style, as inline SVG for the page or as PNG files for a README.

Charts must come out byte for byte the same for the same report, so they are drawn from matplotlib's
built-in defaults (never the user's matplotlibrc) plus our style, with a fixed SVG hash salt and no dates or
software names in the metadata. Amounts are decimal strings in the report; they become floats only here,
to be drawn.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from simulator.report.canonical import Report
from simulator.report.formatting import _compact, _decimal, _humanise, _is_fraction, kpi_label
from simulator.report.markup import _e

# seaborn's "deep" palette: calm, tells ten series apart, prints well.
_PALETTE = (
    "#4c72b0",
    "#dd8452",
    "#55a868",
    "#c44e52",
    "#8172b3",
    "#937860",
    "#da8bc3",
    "#8c8c8c",
    "#ccb974",
    "#64b5cd",
)
_ACCENT = "#4c72b0"
_MUTED = "#9aa5b1"
_LOSS = "#c44e52"

_STYLE: dict[Any, Any] = {  # keys are rcParams names
    "svg.hashsalt": "tradelane",  # ids from a fixed salt instead of a random one: same bytes every time
    "svg.fonttype": "path",  # glyphs drawn as paths: the page looks the same without the font installed
    "text.parse_math": False,  # a "$" in a reason or market name is text, not mathtext
    "font.size": 9.0,
    "axes.titlesize": 10.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#66707a",
    "axes.labelcolor": "#33393f",
    "xtick.color": "#33393f",
    "ytick.color": "#33393f",
    "grid.color": "#e3e6ea",
    "legend.frameon": False,
    "figure.dpi": 100.0,
}
_SVG_METADATA = {"Date": None, "Creator": None}
_PNG_METADATA = {"Software": None}


_WIDTH = 8.0  # inches, every chart


@contextmanager
def _house_style() -> Iterator[None]:
    """matplotlib's own defaults plus ours, whatever the user's matplotlibrc says; restored afterwards."""
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        matplotlib.rcParams.update(_STYLE)
        yield


def _figure(height: float) -> Figure:
    return Figure(figsize=(_WIDTH, height), layout="constrained")


def _bars_height(bars: int) -> float:
    return max(1.8, 0.7 + 0.32 * bars)


def _nothing(fig: Figure, what: str = "none") -> Figure:
    """A chart of an empty section: one short line that says so, not a blank box."""
    fig.set_size_inches(_WIDTH, 0.6)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.5, what, ha="center", va="center", color="#66707a", fontsize=11, transform=ax.transAxes)
    return fig


def _legend_above(ax: Axes, handles: Sequence[Any] | None = None, columns: int = 4) -> None:
    """A legend in a row above the axes, where it never covers a bar."""
    kwargs: dict[str, Any] = {"handles": list(handles)} if handles is not None else {}
    ax.legend(
        **kwargs, loc="lower left", bbox_to_anchor=(0.0, 1.01), ncols=columns, fontsize=8, borderaxespad=0.2
    )


def _horizontal_bars(
    ax: Axes, labels: Sequence[str], values: Sequence[float], colors: Sequence[str], notes: Sequence[str]
) -> None:
    """Bars top-down in the given order, each with its figure written at its end."""
    positions = range(len(values))
    ax.barh(positions, values, color=colors, height=0.62)
    ax.set_yticks(list(positions), labels=list(labels))
    ax.invert_yaxis()
    ax.tick_params(axis="y", length=0)
    ax.xaxis.grid(True)
    ax.set_axisbelow(True)
    top = max(values) if values else 0.0
    ax.set_xlim(0, top * 1.15 if top > 0 else 1)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    for position, value, note in zip(positions, values, notes, strict=True):
        ax.text(value, position, f" {note}", va="center", ha="left", color="#33393f")


def _counted_bars(fig: Figure, counts: Mapping[str, Any], unit: str) -> Figure:
    items = sorted(((str(k), int(v)) for k, v in counts.items() if v), key=lambda kv: (-kv[1], kv[0]))
    if not items:
        return _nothing(fig)
    ax = fig.add_subplot()
    values = [v for _, v in items]
    _horizontal_bars(ax, [_humanise(k) for k, _ in items], values, [_ACCENT] * len(items), _counts(values))
    ax.set_xlabel(unit)
    return fig


def _counts(values: Iterable[float]) -> list[str]:
    return [f"{int(v):,}" for v in values]


def _draw_orders_per_day(report: Report) -> Figure:
    data = report.get("orders_per_day") or {}
    days = [date.fromisoformat(day) for day in data.get("days") or []]
    markets = {str(k): [int(x) for x in v] for k, v in (data.get("markets") or {}).items()}
    fig = _figure(3.2)
    if not days or not any(sum(series) for series in markets.values()):
        return _nothing(fig)
    names = sorted(markets, key=lambda m: (-sum(markets[m]), m))
    # A step drawn "post" needs one more edge for the last day to have its width.
    edges = date2num([*days, days[-1] + timedelta(days=1)])  # type: ignore[no-untyped-call]
    series = [[*markets[m], markets[m][-1]] for m in names]
    palette = [_PALETTE[i % len(_PALETTE)] for i in range(len(names))]
    ax = fig.add_subplot()
    ax.stackplot(edges, series, labels=names, colors=palette, step="post", linewidth=0)
    locator = AutoDateLocator()  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    ax.set_xlim(edges[0], edges[-1])
    ax.set_ylim(bottom=0)
    ax.yaxis.grid(True)
    ax.set_axisbelow(True)
    ax.set_ylabel("orders placed")
    _legend_above(ax, columns=min(len(names), 10))
    return fig


def _draw_funnel(report: Report) -> Figure:
    stages = [(str(s.get("stage")), int(s.get("orders") or 0)) for s in report.get("funnel") or []]
    fig = _figure(_bars_height(len(stages)))
    if not stages or not any(n for _, n in stages):
        return _nothing(fig)
    first = stages[0][1] or max(n for _, n in stages)
    values = [n for _, n in stages]
    notes = [f"{n:,}  ({n / first:.0%})" for n in values]
    _horizontal_bars(
        fig.add_subplot(), [_humanise(s) for s, _ in stages], values, [_ACCENT] * len(values), notes
    )
    fig.axes[0].set_xlabel("orders that reached the stage (share of the first)")
    return fig


def _draw_transit(report: Report) -> Figure:
    transit = report.get("transit_days") or {}
    methods = [
        (str(m), s)
        for m, s in sorted(transit.items())
        if s and s.get("n") and s.get("p10") is not None and s.get("p90") is not None
    ]
    fig = _figure(_bars_height(len(methods)))
    if not methods:
        return _nothing(fig)
    ax = fig.add_subplot()
    for i, (_, s) in enumerate(methods):
        p10, p50, p90 = float(s["p10"]), float(s.get("p50") or s["p10"]), float(s["p90"])
        ax.barh(i, p90 - p10, left=p10, height=0.5, color=_ACCENT, alpha=0.35)
        ax.plot([p50, p50], [i - 0.25, i + 0.25], color=_ACCENT, linewidth=2.5)
        if s.get("mean") is not None:
            ax.plot([float(s["mean"])], [i], marker="D", markersize=4.5, color=_PALETTE[1], linestyle="none")
        if s.get("max") is not None:
            ax.plot([float(s["max"])], [i], marker="x", markersize=5, color=_MUTED, linestyle="none")
    labels = [f"{_humanise(m)} (n={int(s['n']):,})" for m, s in methods]
    ax.set_yticks(range(len(methods)), labels=labels)
    ax.invert_yaxis()
    ax.tick_params(axis="y", length=0)
    right = max(max(float(s.get("max") or 0.0), float(s["p90"])) for _, s in methods)
    ax.set_xlim(0, right * 1.05 + 1)
    ax.xaxis.grid(True)
    ax.set_axisbelow(True)
    ax.set_xlabel("days from pickup to delivery")
    _legend_above(
        ax,
        [
            Patch(color=_ACCENT, alpha=0.35, label="10th to 90th percentile"),
            Line2D([], [], color=_ACCENT, linewidth=2.5, label="median"),
            Line2D([], [], marker="D", markersize=4.5, color=_PALETTE[1], linestyle="none", label="mean"),
            Line2D([], [], marker="x", markersize=5, color=_MUTED, linestyle="none", label="longest"),
        ],
    )
    return fig


def _draw_customs(report: Report) -> Figure:
    customs = report.get("customs") or {}
    holds = sorted(
        ((str(k), int(v)) for k, v in (customs.get("holds") or {}).items() if v),
        key=lambda kv: (-kv[1], kv[0]),
    )
    outcomes = [
        ("Inspections", int(customs.get("inspections") or 0)),
        ("Seizures", int(customs.get("seizures") or 0)),
        ("DAP refusals", int(customs.get("dap_refusals") or 0)),
    ]
    fig = _figure(_bars_height(len(holds) + len(outcomes)))
    if not holds and not any(n for _, n in outcomes):
        return _nothing(fig)
    labels = [f"Hold: {_humanise(k)}" for k, _ in holds] + [label for label, _ in outcomes]
    values = [v for _, v in holds] + [v for _, v in outcomes]
    colors = [_ACCENT] * len(holds) + [_PALETTE[1]] * len(outcomes)
    ax = fig.add_subplot()
    _horizontal_bars(ax, labels, values, colors, _counts(values))
    ax.set_xlabel("declarations")
    _legend_above(
        ax,
        [
            Patch(color=_ACCENT, label="holds by reason"),
            Patch(color=_PALETTE[1], label="inspections, seizures, DAP refusals"),
        ],
    )
    return fig


def _draw_returns(report: Report) -> Figure:
    by_reason = (report.get("returns") or {}).get("by_reason") or {}
    return _counted_bars(_figure(_bars_height(len(by_reason))), by_reason, "return requests")


def _draw_money(report: Report) -> Figure:
    money = {str(k): v for k, v in sorted((report.get("money") or {}).items()) if v}
    columns = min(len(money), 3) or 1
    rows = math.ceil(len(money) / columns) or 1
    fig = _figure(2.5 * rows)
    if not money:
        return _nothing(fig)
    shown = (("gmv", "GMV"), ("net", "Net"), ("margin", "Margin"))
    for index, (currency, figures) in enumerate(money.items(), start=1):
        ax = fig.add_subplot(rows, columns, index)
        values = [float(_decimal(figures.get(key, 0))) for key, _ in shown]
        colors = [_ACCENT, _PALETTE[2], _PALETTE[2] if values[2] >= 0 else _LOSS]
        ax.bar([label for _, label in shown], values, color=colors, width=0.6)
        ax.axhline(0, color="#66707a", linewidth=0.8)
        ax.set_title(currency)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _compact(v)))
        ax.yaxis.grid(True)
        ax.set_axisbelow(True)
        ax.tick_params(axis="x", length=0)
        low, high = min(0.0, *values), max(0.0, *values)
        span = (high - low) or 1.0
        ax.set_ylim(low - (0.12 * span if low < 0 else 0), high + 0.15 * span)
        for position, value in enumerate(values):
            ax.text(position, value, _compact(value), ha="center", va="bottom" if value >= 0 else "top")
    return fig


def _draw_sla(report: Report) -> Figure:
    breaches = (report.get("sla") or {}).get("breaches") or {}
    return _counted_bars(_figure(_bars_height(len(breaches))), breaches, "deadlines missed")


@dataclass(frozen=True, slots=True)
class _Chart:
    slug: str  # the PNG's file name and the section's anchor
    title: str
    draw: Callable[[Report], Figure]


CHARTS = (
    _Chart("orders-per-day", "Orders per day", _draw_orders_per_day),
    _Chart("state-funnel", "State funnel", _draw_funnel),
    _Chart("transit-days", "Transit days per method", _draw_transit),
    _Chart("customs-holds", "Customs holds and outcomes", _draw_customs),
    _Chart("returns-by-reason", "Returns by reason", _draw_returns),
    _Chart("money", "GMV and margin per currency", _draw_money),
    _Chart("sla-breaches", "SLA breaches", _draw_sla),
)

_SVG_REFERENCE = re.compile(r'(\bid="|url\(#|href="#)')
_SVG_COMMENT = re.compile(r"<!--.*?-->\s*", re.DOTALL)
_SVG_METADATA_BLOCK = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
_SVG_NAMESPACES = re.compile(r'\s+xmlns(?::xlink)?="[^"]*"')


def _inline_svg(fig: Figure, prefix: str, label: str) -> str:
    """The figure as an `<svg>` element fit to sit in an HTML page beside others: no XML prologue, no
    metadata, no comments (they repeat the labels), and ids prefixed so two charts never share one."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata=_SVG_METADATA)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = _SVG_METADATA_BLOCK.sub("", svg)
    svg = _SVG_COMMENT.sub("", svg)
    svg = _SVG_NAMESPACES.sub("", svg)  # the HTML parser puts <svg> in the SVG namespace itself
    svg = _SVG_REFERENCE.sub(lambda m: m.group(1) + prefix, svg)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{_e(label)}" ', 1).strip()


def _chart_svgs(report: Report) -> dict[str, str]:
    with _house_style():
        return {
            chart.slug: _inline_svg(chart.draw(report), f"{chart.slug}-", chart.title) for chart in CHARTS
        }


def write_chart_pngs(report: Report, out_dir: Path, dpi: int = 110) -> list[Path]:
    """The seven charts as PNG files named after their sections (for a README), titled since they stand
    alone; returns their paths in page order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    with _house_style():
        for chart in CHARTS:
            fig = chart.draw(report)
            fig.suptitle(chart.title, fontsize=11, fontweight="bold")
            path = out_dir / f"{chart.slug}.png"
            fig.savefig(path, format="png", dpi=dpi, metadata=_PNG_METADATA)
            paths.append(path)
    return paths


def _fraction_kpis(agg: Report) -> list[str]:
    """KPIs drawn on the interval chart: shares and rates, which share one axis (percent)."""
    chosen = []
    for name, interval in sorted((agg.get("kpis") or {}).items()):
        values = [(run.get("kpis") or {}).get(name) for run in agg.get("runs") or []]
        numbers = [float(v) for v in values if v is not None]
        if interval.get("n") and numbers and all(_is_fraction(name, v) for v in numbers):
            chosen.append(name)
    return chosen


def _draw_intervals(agg: Report) -> Figure:
    names = _fraction_kpis(agg)
    fig = _figure(_bars_height(len(names)))
    if not names:
        return _nothing(fig, "no shares or rates among the KPIs")
    ax = fig.add_subplot()
    for i, name in enumerate(names):
        interval = agg["kpis"][name]
        mean, low, high = (float(interval[k]) * 100 for k in ("mean", "ci95_low", "ci95_high"))
        runs = [
            float(v) * 100
            for r in agg.get("runs") or []
            if (v := (r.get("kpis") or {}).get(name)) is not None
        ]
        ax.plot(runs, [i] * len(runs), marker="o", markersize=3.5, linestyle="none", color=_MUTED)
        ax.errorbar(
            [mean], [i], xerr=[[mean - low], [high - mean]], fmt="D", color=_ACCENT, capsize=4, markersize=5
        )
    ax.set_yticks(range(len(names)), labels=[kpi_label(n) for n in names])
    ax.invert_yaxis()
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}%"))
    ax.xaxis.grid(True)
    ax.set_axisbelow(True)
    _legend_above(
        ax,
        [
            Line2D([], [], marker="D", color=_ACCENT, label="mean and 95% interval"),
            Line2D(
                [], [], marker="o", markersize=3.5, linestyle="none", color=_MUTED, label="one replication"
            ),
        ],
    )
    return fig
