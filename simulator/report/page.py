"""The two HTML pages, each self-contained (no scripts, no external files, charts as inline SVG): a
season's, with its summary, invariants and sections, and the replications', with KPI means and their 95%
intervals. Each is written beside its canonical JSON as `report.json` and `report.html`.

Same report, same bytes: only the wall-clock footer may differ between runs of the same scenario and seed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from simulator.report.canonical import WALL_CLOCK, Report, canonical_json
from simulator.report.charts import _chart_svgs, _draw_intervals, _house_style, _inline_svg
from simulator.report.formatting import _MISSING, _count, _interval_text, _number, kpi_label
from simulator.report.markup import _e, _invariants_html, _meta, _page, _paragraphs, _section, _table
from simulator.report.sections import _chart_sections, _kpi_cards, _other_sections

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
