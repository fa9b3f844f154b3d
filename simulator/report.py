"""A season's report as files and tables: canonical JSON, one self-contained HTML page with charts, PNG charts
for the README, terminal tables, and the aggregate of replications with confidence intervals.

The engine hands over a plain dict (`"format": 1`: scenario, kpis, orders_per_day, funnel, final_status,
transit_days, customs, returns, money, sla, feedback, fx, disruptions, api, invariants, wall_clock, and
optionally outcomes); this module only reads it, and a section left empty is drawn as "none".

Everything but `wall_clock` must come out byte for byte the same for the same scenario and seed, so: JSON
keys are sorted, floats we compute are rounded, and the charts are drawn from matplotlib's built-in defaults
(never the user's matplotlibrc) with a fixed SVG hash salt and no dates in the metadata. Amounts stay
decimal strings in the JSON; they become floats only to be drawn.
"""

from __future__ import annotations

import copy
import html
import io
import json
import math
import re
import statistics
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator
from rich.console import Group
from rich.table import Table
from rich.text import Text
from scipy import stats

Report = Mapping[str, Any]

FORMAT = 1
WALL_CLOCK = "wall_clock"

# Section titles of the season page, in page order; the seven charts carry the titles of their sections.
SECTION_TITLES = (
    "Summary",
    "Invariants",
    "Orders per day",
    "State funnel",
    "Transit days per method",
    "Customs holds and outcomes",
    "Returns by reason",
    "GMV and margin per currency",
    "SLA breaches",
    "Feedback",
    "Currency rates",
    "Disruptions",
    "API calls",
)

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
_TRANSIT_FIGURES = ("p10", "p50", "p90", "mean", "max")
_WIDTH = 8.0  # inches, every chart
_MISSING = "\u2013"  # an en dash where a figure is missing


# ---------------------------------------------------------------------------------------------------- JSON


def canonical_json(report: Report) -> str:
    """The one textual form of a report: sorted keys, two-space indent, UTF-8 text, a final newline. NaN and
    infinities are refused, since they are not JSON and would make the golden file lie."""
    return json.dumps(report, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def without_wall_clock(report: Report) -> dict[str, Any]:
    """A deep copy without any `wall_clock` field, at any depth: what must be identical between two runs of
    the same scenario and seed (and what the golden file holds)."""

    def strip(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {key: strip(item) for key, item in value.items() if key != WALL_CLOCK}
        if isinstance(value, list | tuple):
            return [strip(item) for item in value]
        return copy.deepcopy(value)

    stripped: dict[str, Any] = strip(report)
    return stripped


# ------------------------------------------------------------------------------------------------- Numbers


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


# -------------------------------------------------------------------------------------------------- Charts


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


# ---------------------------------------------------------------------------------------------------- HTML


class _Raw(str):
    """HTML we built ourselves, to be placed as is (everything else from a report is escaped)."""


def _e(value: Any) -> str:
    return value if isinstance(value, _Raw) else html.escape(str(value), quote=True)


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]], numeric_from: int = 1) -> str:
    """A plain table; columns from `numeric_from` on are right-aligned figures. No rows: "none"."""
    if not rows:
        return '<p class="none">none</p>'

    def cell(tag: str, index: int, value: Any) -> str:
        klass = ' class="num"' if index >= numeric_from else ""
        return f"<{tag}{klass}>{_e(value)}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(cell("td", i, v) for i, v in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _paragraphs(text: Any) -> str:
    blocks = [block.strip() for block in re.split(r"\n\s*\n", str(text or "")) if block.strip()]
    return "".join(f'<p class="lead">{_e(" ".join(block.split()))}</p>' for block in blocks)


def _status(holds: bool) -> _Raw:
    return _Raw('<span class="ok">holds</span>' if holds else '<span class="broken">BROKEN</span>')


def _invariant_detail(invariant: Mapping[str, Any]) -> str:
    if "broken_in" in invariant:
        seeds = invariant.get("broken_in") or []
        return "held in every replication" if not seeds else "broken with seed " + ", ".join(map(str, seeds))
    return str(invariant.get("detail") or "")


def _invariants_html(invariants: Sequence[Mapping[str, Any]]) -> str:
    broken = sum(1 for i in invariants if not i.get("holds"))
    if not invariants:
        banner = '<p class="banner warn">No invariants were checked.</p>'
    elif broken:
        banner = f'<p class="banner bad">{broken} of {len(invariants)} invariants do not hold.</p>'
    else:
        banner = f'<p class="banner good">All {len(invariants)} invariants hold.</p>'
    rows = [(_status(bool(i.get("holds"))), i.get("name", ""), _invariant_detail(i)) for i in invariants]
    return banner + _table(("Status", "Invariant", "Detail"), rows, numeric_from=99)


def _kpi_cards(kpis: Mapping[str, Any]) -> str:
    if not kpis:
        return '<p class="none">none</p>'
    cards = "".join(
        f'<div class="kpi"><span class="value">{_e(format_kpi(name, value))}</span>'
        f'<span class="label">{_e(kpi_label(name))}</span></div>'
        for name, value in sorted(kpis.items())
    )
    return f'<div class="kpis">{cards}</div>'


def _section(title: str, body: str, anchor: str | None = None) -> str:
    anchor = anchor or re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return f'<section id="{_e(anchor)}"><h2>{_e(title)}</h2>{body}</section>'


def _chart_section(chart: _Chart, svgs: Mapping[str, str], caption: str, extra: str = "") -> str:
    figure = f"<figure>{svgs[chart.slug]}<figcaption>{_e(caption)}</figcaption></figure>"
    return _section(chart.title, figure + extra, chart.slug)


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else _MISSING


def _chart_sections(report: Report, svgs: Mapping[str, str]) -> list[str]:
    orders_chart, funnel_chart, transit_chart, customs_chart, returns_chart, money_chart, sla_chart = CHARTS
    final_status = report.get("final_status") or {}
    finals = sum(int(v) for v in final_status.values())
    transit = report.get("transit_days") or {}
    customs = report.get("customs") or {}
    returns = report.get("returns") or {}
    money = report.get("money") or {}
    sla = report.get("sla") or {}
    currencies = sorted(set(customs.get("duty") or {}) | set(customs.get("tax") or {}))
    return [
        _chart_section(orders_chart, svgs, "Orders placed each day, stacked by destination market."),
        _chart_section(
            funnel_chart,
            svgs,
            "How many orders reached each stage of the lifecycle.",
            "<h3>Where orders ended</h3>"
            + _table(
                ("Final status", "Orders", "Share"),
                [
                    (_humanise(k), _count(v), _share(int(v), finals))
                    for k, v in sorted(final_status.items(), key=lambda kv: (-int(kv[1]), kv[0]))
                ],
            )
            + _outcomes(report.get("outcomes")),
        ),
        _chart_section(
            transit_chart,
            svgs,
            "Days from pickup to delivery per logistics method; a bar spans the 10th to the 90th percentile.",
            _table(
                ("Method", "Parcels", "p10", "Median", "p90", "Mean", "Max"),
                [
                    (_humanise(m), _count(s.get("n")), *(_number(s.get(k)) for k in _TRANSIT_FIGURES))
                    for m, s in sorted(transit.items())
                ],
            ),
        ),
        _chart_section(
            customs_chart,
            svgs,
            "Declarations held, by the reason customs gave, and what else happened at the border.",
            "<h3>Declarations</h3>"
            + _table(
                ("Type", "Declarations"),
                [(_humanise(k), _count(v)) for k, v in sorted((customs.get("declarations") or {}).items())],
            )
            + "<h3>Duty and tax assessed</h3>"
            + _table(
                ("Currency", "Duty", "Tax"),
                [
                    (
                        c,
                        _amount((customs.get("duty") or {}).get(c)),
                        _amount((customs.get("tax") or {}).get(c)),
                    )
                    for c in currencies
                ],
            ),
        ),
        _chart_section(
            returns_chart,
            svgs,
            f"{_count(returns.get('requested', 0))} return requests, {_count(returns.get('declined', 0))} "
            "declined by the seller.",
            "<h3>How returns were resolved</h3>"
            + _table(
                ("Resolution", "Returns"),
                [
                    (_humanise(k), _count(v))
                    for k, v in sorted(
                        (returns.get("by_resolution") or {}).items(), key=lambda kv: (-int(kv[1]), kv[0])
                    )
                ],
            ),
        ),
        _chart_section(
            money_chart,
            svgs,
            "Each currency on its own axes, in that currency: units differ.",
            _table(
                ("", *sorted(money)),
                [(label, *(_amount(money[c].get(key)) for c in sorted(money))) for key, label in MONEY_FIELDS]
                if money
                else [],
            ),
        ),
        _chart_section(
            sla_chart,
            svgs,
            f"Deadlines missed, by subject, across {_count(sla.get('tickets', 0))} service tickets and "
            f"{_count(sla.get('complaints', 0))} complaints.",
        ),
    ]


def _outcomes(outcomes: Mapping[str, Any] | None) -> str:
    """How the simulator saw orders end, in its own words, when the engine reports it."""
    if outcomes is None:
        return ""
    total = sum(int(v) for v in outcomes.values())
    rows = [
        (k[:1].upper() + k[1:], count, _share(int(outcomes[k]), total)) for k, count in _by_count(outcomes)
    ]
    return "<h3>How the simulator saw them end</h3>" + _table(("Outcome", "Orders", "Share"), rows)


def _other_sections(report: Report) -> list[str]:
    feedback = report.get("feedback") or {}
    ratings = {str(k): int(v) for k, v in (feedback.get("ratings") or {}).items()}
    rated = sum(ratings.values())
    average = feedback.get("average")
    average_line = (
        f"<p>Average rating: <strong>{_e(f'{float(average):.2f}')}</strong> from {rated:,} ratings.</p>"
        if average is not None
        else "<p>No average rating: nobody rated an order.</p>"
    )
    fx = report.get("fx") or {}
    api = report.get("api") or {}

    def change(rates: Mapping[str, Any]) -> str:
        start, end = _decimal(rates.get("start")), _decimal(rates.get("end"))
        return f"{(end - start) / start:+.2%}" if start else _MISSING

    return [
        _section(
            "Feedback",
            average_line
            + _table(
                ("Stars", "Ratings", "Share"),
                [
                    ("★" * int(k) if k.isdigit() else k, _count(v), _share(v, rated))
                    for k, v in sorted(ratings.items())
                ],
            ),
        ),
        _section(
            "Currency rates",
            "<p>One unit of each currency in the seller's home currency.</p>"
            + _table(
                ("Currency", "Start", "End", "Change", "Low", "High"),
                [
                    (
                        c,
                        _rate(r.get("start")),
                        _rate(r.get("end")),
                        change(r),
                        _rate(r.get("low")),
                        _rate(r.get("high")),
                    )
                    for c, r in sorted(fx.items())
                ],
            ),
        ),
        _section(
            "Disruptions",
            _table(
                ("Kind", "Market", "Method", "Carrier", "From", "Until", "Parcels affected"),
                [
                    (
                        _humanise(d.get("kind", "")),
                        d.get("market") or "all",
                        _humanise(d.get("method")) if d.get("method") else "all",
                        d.get("carrier") or "any",
                        d.get("start", ""),
                        d.get("end", ""),
                        _count(d.get("parcels_affected", 0)),
                    )
                    for d in report.get("disruptions") or []
                ],
                numeric_from=6,
            ),
        ),
        _section(
            "API calls",
            '<div class="columns"><div><h3>Operations</h3>'
            + _table(("Operation", "Calls"), _by_count(api.get("calls") or {}))
            + "</div><div><h3>Errors returned</h3>"
            + _table(("Code", "Times"), _by_count(api.get("errors") or {}))
            + "</div></div>",
        ),
    ]


def _by_count(counts: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(str(k), _count(v)) for k, v in sorted(counts.items(), key=lambda kv: (-int(kv[1]), str(kv[0])))]


_CSS = """
:root { color-scheme: light; --ink: #1f2429; --soft: #5b6570; --line: #dfe3e8; --bg: #f6f7f9;
  --good: #1e7b45; --good-bg: #e3f4ea; --bad: #b3261e; --bad-bg: #fce8e6; --warn-bg: #fff4d6; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 980px; margin: 0 auto; padding: 32px 20px 16px; }
header { margin-bottom: 8px; }
.eyebrow { margin: 0; color: var(--soft); text-transform: uppercase; letter-spacing: .08em; font-size: 12px; }
h1 { margin: 4px 0 8px; font-size: 28px; line-height: 1.2; overflow-wrap: anywhere; }
h2 { margin: 0 0 12px; font-size: 19px; }
h3 { margin: 16px 0 6px; font-size: 15px; color: var(--soft); }
.lead { margin: 0 0 8px; color: var(--soft); max-width: 70ch; }
.meta { display: flex; flex-wrap: wrap; gap: 6px 24px; margin: 12px 0 0; padding: 0; }
.meta div { display: flex; gap: 6px; }
.meta dt { color: var(--soft); }
.meta dd { margin: 0; font-weight: 600; }
section { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 20px 22px;
  margin: 16px 0; }
.kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 10px; }
.kpi { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; display: flex;
  flex-direction: column; }
.kpi .value { font-size: 20px; font-weight: 650; font-variant-numeric: tabular-nums; }
.kpi .label { color: var(--soft); font-size: 13px; }
.banner { padding: 8px 12px; border-radius: 8px; font-weight: 600; margin: 0 0 12px; }
.banner.good { background: var(--good-bg); color: var(--good); }
.banner.bad { background: var(--bad-bg); color: var(--bad); }
.banner.warn { background: var(--warn-bg); }
.ok, .broken { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px;
  font-weight: 700; white-space: nowrap; }
.ok { background: var(--good-bg); color: var(--good); }
.broken { background: var(--bad); color: #fff; letter-spacing: .04em; }
table { border-collapse: collapse; width: auto; min-width: 50%; margin: 4px 0; font-size: 14px; }
th, td { text-align: left; padding: 5px 14px 5px 0; border-bottom: 1px solid var(--line);
  vertical-align: top; overflow-wrap: break-word; }
th { color: var(--soft); font-weight: 600; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 0 0 8px; }
figure svg { display: block; width: 100%; height: auto; }
figcaption { color: var(--soft); font-size: 13px; margin-top: 4px; }
.none { color: var(--soft); font-style: italic; }
.columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr)); gap: 0 24px; }
footer { max-width: 980px; margin: 0 auto; padding: 8px 20px 32px; color: var(--soft); font-size: 13px; }
"""


def _page(title: str, header: str, sections: Sequence[str], footer: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
        f"<header>{header}</header>\n" + "\n".join(sections) + f"\n</main>\n<footer>{footer}</footer>\n"
        "</body>\n</html>\n"
    )


def _meta(items: Sequence[tuple[str, Any]]) -> str:
    return (
        '<dl class="meta">'
        + "".join(f"<div><dt>{_e(k)}</dt><dd>{_e(v)}</dd></div>" for k, v in items)
        + "</dl>"
    )


def _wall_clock_footer(wall: Mapping[str, Any], replications: bool = False) -> str:
    """The only figures that differ between two runs of the same scenario and seed, kept apart."""
    parts = []
    if wall.get("started_at"):
        parts.append(f"Started {_e(wall['started_at'])}")
    seconds = wall.get("seconds_sum" if replications else "seconds")
    if seconds is not None:
        spent = "the replications took" if replications else "took"
        parts.append(f"{spent} {float(seconds):,.1f} s of wall-clock time")
    if replications and wall.get("seconds_max") is not None:
        parts.append(f"the longest {float(wall['seconds_max']):,.1f} s")
    if wall.get("orders_per_second") is not None:
        per = " per process" if replications else ""
        parts.append(f"{float(wall['orders_per_second']):,.1f} orders per second{per}")
    if wall.get("api_calls_per_second") is not None:
        parts.append(f"{float(wall['api_calls_per_second']):,.1f} API calls per second")
    if not parts:
        return "<p>No wall-clock figures recorded.</p>"
    return (
        f"<p>{', '.join(parts)}.</p>"
        "<p>Wall-clock figures are the only part of this report that changes between runs of the same "
        "scenario and seed.</p>"
    )


def render_html(report: Report) -> str:
    """The season on one self-contained page: no scripts, no external files, charts as inline SVG. Every
    text that comes from the report is escaped. Same report, same bytes."""
    scenario = report.get("scenario") or {}
    name = scenario.get("name", "season")
    header = (
        '<p class="eyebrow">Tradelane season report</p>'
        f"<h1>{_e(name)}</h1>"
        + _paragraphs(scenario.get("description"))
        + _meta(
            [
                ("Seed", scenario.get("seed", _MISSING)),
                ("Season", f"{scenario.get('start', _MISSING)} to {scenario.get('end', _MISSING)}"),
                ("Days", _number(scenario.get("days"))),
                ("Orders requested", _count(scenario.get("orders_requested"))),
            ]
        )
    )
    svgs = _chart_svgs(report)
    sections = [
        _section("Summary", _kpi_cards(report.get("kpis") or {})),
        _section("Invariants", _invariants_html(report.get("invariants") or [])),
        *_chart_sections(report, svgs),
        *_other_sections(report),
    ]
    title = f"Season {name}, seed {scenario.get('seed', _MISSING)} · Tradelane"
    return _page(title, header, sections, _wall_clock_footer(report.get(WALL_CLOCK) or {}))


def write_report(report: Report, out_dir: Path) -> tuple[Path, Path]:
    """`report.json` (canonical) and `report.html` in `out_dir`, which is created if need be."""
    return _write_pair(canonical_json(report), render_html(report), out_dir)


def _write_pair(json_text: str, html_text: str, out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, html_path = out_dir / "report.json", out_dir / "report.html"
    json_path.write_text(json_text, encoding="utf-8")
    html_path.write_text(html_text, encoding="utf-8")
    return json_path, html_path


# ------------------------------------------------------------------------------------------- Rich tables


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


# ------------------------------------------------------------------------------------------ Replications


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


def _interval_text(name: str, interval: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """Mean, standard deviation, interval and number of runs as text; shares and rates in percent."""
    if not interval.get("n"):
        return _MISSING, _MISSING, _MISSING, "0"
    mean, stdev, low, high = (float(interval[k]) for k in ("mean", "stdev", "ci95_low", "ci95_high"))
    runs = str(interval["n"])
    if _is_fraction(name, mean):
        return f"{mean * 100:.2f}%", f"{stdev * 100:.2f} pp", f"{low * 100:.2f}% to {high * 100:.2f}%", runs
    return f"{mean:,.4g}", f"{stdev:,.4g}", f"{low:,.4g} to {high:,.4g}", runs


def render_aggregate_html(agg: Report) -> str:
    """Replications on one page: KPI means with 95% intervals, invariants with the seeds that broke them."""
    scenario = agg.get("scenario") or {}
    name = scenario.get("name", "season")
    seeds = scenario.get("seeds") or []
    header = (
        '<p class="eyebrow">Tradelane replications report</p>'
        f"<h1>{_e(name)}</h1>"
        + _paragraphs(scenario.get("description"))
        + _meta(
            [
                ("Replications", agg.get("replications", len(seeds))),
                ("Seeds", ", ".join(map(str, seeds))),
                ("Orders requested", _count(scenario.get("orders_requested"))),
            ]
        )
    )
    kpis = agg.get("kpis") or {}
    with _house_style():
        svg = _inline_svg(_draw_intervals(agg), "kpi-intervals-", "KPI intervals")
    runs = agg.get("runs") or []
    run_rows = []
    for run in runs:
        checked = run.get("invariants") or []
        broken = [str(i.get("name")) for i in checked if not i.get("holds")]
        run_rows.append(
            (
                run.get("seed"),
                f"{len(checked) - len(broken)} of {len(checked)}",
                ", ".join(broken) or _MISSING,
            )
        )
    sections = [
        _section(
            "KPIs over the replications",
            "<p>Mean over the seeds with a Student-t 95% confidence interval for the mean.</p>"
            + _table(
                ("KPI", "Mean", "Std. dev.", "95% interval", "Runs"),
                [(kpi_label(n), *_interval_text(n, i)) for n, i in sorted(kpis.items())],
            ),
        ),
        _section(
            "KPI intervals",
            f"<figure>{svg}<figcaption>Shares and rates: each replication, and the mean with its 95% "
            "interval.</figcaption></figure>",
        ),
        _section("Invariants", _invariants_html(agg.get("invariants") or [])),
        _section("Runs", _table(("Seed", "Invariants holding", "Broken"), run_rows, numeric_from=99)),
    ]
    title = f"Season {name}, {agg.get('replications', len(seeds))} replications · Tradelane"
    return _page(title, header, sections, _wall_clock_footer(agg.get(WALL_CLOCK) or {}, replications=True))


def write_aggregate(agg: Report, out_dir: Path) -> tuple[Path, Path]:
    """`report.json` and `report.html` of replications in `out_dir` (created if need be)."""
    return _write_pair(canonical_json(agg), render_aggregate_html(agg), out_dir)


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
