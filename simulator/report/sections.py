"""The sections of a season's page below its summary: one per chart, each with the tables that give its
figures, then feedback, currency rates, disruptions and API calls. Every section the engine left empty reads
"none" rather than disappearing, so two pages always have the same outline.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simulator.report.canonical import Report
from simulator.report.charts import CHARTS, _Chart
from simulator.report.formatting import (
    _MISSING,
    MONEY_FIELDS,
    _amount,
    _count,
    _decimal,
    _humanise,
    _number,
    _rate,
    format_kpi,
    kpi_label,
)
from simulator.report.markup import _e, _section, _table

_TRANSIT_FIGURES = ("p10", "p50", "p90", "mean", "max")


def _kpi_cards(kpis: Mapping[str, Any]) -> str:
    if not kpis:
        return '<p class="none">none</p>'
    cards = "".join(
        f'<div class="kpi"><span class="value">{_e(format_kpi(name, value))}</span>'
        f'<span class="label">{_e(kpi_label(name))}</span></div>'
        for name, value in sorted(kpis.items())
    )
    return f'<div class="kpis">{cards}</div>'


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
