"""The season report as files: canonical JSON, the HTML page and its charts, terminal tables, and the
aggregate of replications. No database: reports are plain dicts."""

from __future__ import annotations

import copy
import functools
import json
import math
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.table import Table

from simulator.report import (
    CHARTS,
    SECTION_TITLES,
    aggregate,
    aggregate_table,
    canonical_json,
    invariants_table,
    render_aggregate_html,
    render_html,
    summary_table,
    without_wall_clock,
    write_aggregate,
    write_chart_pngs,
    write_report,
)

T_975_2 = 4.302652729911275  # Student t, 97.5th percentile, 2 degrees of freedom


def sample_report(seed: int = 1, **kpis: float) -> dict[str, Any]:
    """A season as the engine reports it: 120 days, three markets, every section filled."""
    start = date(2026, 3, 2)
    days = [(start + timedelta(days=i)).isoformat() for i in range(120)]
    return {
        "format": 1,
        "scenario": {
            "name": "smoke",
            "description": "A few hundred orders to three markets.\n\nChecks that the whole flow holds.",
            "seed": seed,
            "orders_requested": 300,
            "start": "2026-03-02",
            "end": "2026-06-30",
            "days": 120.0,
        },
        "kpis": {
            "orders": 312.0,
            "delivered_share": 0.91,
            "return_rate": 0.12,
            "on_time_share": 0.85,
            "mean_transit_days": 14.9,
            "net.EUR": 1080.0,
            **kpis,
        },
        "orders_per_day": {
            "days": days,
            "markets": {
                "US": [(i * 7) % 5 for i in range(120)],
                "DE": [(i * 3) % 4 for i in range(120)],
                "GB": [1 if i % 6 == 0 else 0 for i in range(120)],
            },
        },
        "funnel": [
            {"stage": "PLACED", "orders": 312},
            {"stage": "PAID", "orders": 280},
            {"stage": "CONFIRMED", "orders": 276},
            {"stage": "SHIPPED", "orders": 270},
            {"stage": "DELIVERED", "orders": 255},
            {"stage": "COMPLETED", "orders": 250},
        ],
        "final_status": {"COMPLETED": 250, "CANCELLED": 30, "REFUNDED": 20, "RETURNED_TO_SENDER": 12},
        "outcomes": {"completed": 250, "payment failed": 30, "refunded": 20, "not shipped (NO_LABEL)": 12},
        "transit_days": {
            "POSTAL": {"n": 120, "p10": 9.8, "p50": 14.2, "p90": 20.1, "mean": 14.9, "max": 31.0},
            "EXPRESS": {"n": 100, "p10": 3.1, "p50": 4.0, "p90": 6.2, "mean": 4.4, "max": 9.5},
            "SEA_FREIGHT": {"n": 50, "p10": 25.0, "p50": 31.5, "p90": 40.2, "mean": 32.0, "max": 48.0},
        },
        "customs": {
            "declarations": {"EXPORT": 280, "IMPORT": 280},
            "holds": {"MISSING_DOCUMENTS": 4, "VALUATION_QUERY": 2},
            "inspections": 1,
            "seizures": 0,
            "dap_refusals": 3,
            "duty": {"EUR": "12.00"},
            "tax": {"EUR": "150.30", "GBP": "20.00"},
        },
        "returns": {
            "requested": 40,
            "declined": 3,
            "by_reason": {"SIZE_FIT": 15, "DEFECTIVE": 9, "NOT_AS_DESCRIBED": 8, "CHANGED_MIND": 8},
            "by_resolution": {"REFUND": 30, "EXCHANGE": 5, "RETURNLESS_REFUND": 2},
        },
        "money": {
            "EUR": {
                "gmv": "1234.56",
                "captured": "1200.00",
                "refunded": "100.00",
                "chargebacks": "20.00",
                "net": "1080.00",
                "cost": "400.00",
                "shipping_cost": "150.00",
                "duty_and_tax": "30.00",
                "margin": "500.00",
            },
            "USD": {
                "gmv": "2210.00",
                "captured": "2100.00",
                "refunded": "300.00",
                "chargebacks": "0.00",
                "net": "1800.00",
                "cost": "900.00",
                "shipping_cost": "700.00",
                "duty_and_tax": "0.00",
                "margin": "-12.50",
            },
        },
        "sla": {
            "tickets": 10,
            "complaints": 5,
            "breaches": {"TICKET_FIRST_RESPONSE": 2, "COMPLAINT_ANSWER": 1},
        },
        "feedback": {"ratings": {"1": 2, "2": 1, "3": 5, "4": 20, "5": 40}, "average": 4.3},
        "fx": {
            "EUR": {"start": "7.80", "end": "7.91", "low": "7.62", "high": "7.99"},
            "USD": {"start": "7.10", "end": "7.05", "low": "6.98", "high": "7.22"},
        },
        "disruptions": [
            {
                "kind": "CARRIER_SUSPENSION",
                "market": "US",
                "method": "POSTAL",
                "carrier": None,
                "start": "2026-04-01",
                "end": "2026-04-22",
                "parcels_affected": 40,
            }
        ],
        "api": {"calls": {"orderPlace": 312, "shipmentCreate": 270}, "errors": {"OUT_OF_STOCK": 1}},
        "invariants": [
            {"name": "every order ends in a terminal state", "holds": True, "detail": "312 of 312"},
            {"name": "money reconciles per currency", "holds": True, "detail": "EUR, USD"},
            {"name": "stock is conserved", "holds": True, "detail": "3 SKUs"},
        ],
        "wall_clock": {
            "started_at": "2026-11-23T15:00:00+00:00",
            "seconds": 3.2,
            "orders_per_second": 97.5,
            "api_calls_per_second": 1040.0,
        },
    }


def empty_season() -> dict[str, Any]:
    """A season where nothing happened after the orders: no transit, no holds, no returns, no money."""
    report = sample_report()
    report["orders_per_day"] = {"days": [], "markets": {}}
    report["funnel"] = []
    report["final_status"] = {}
    report["transit_days"] = {}
    report["customs"] = {
        "declarations": {},
        "holds": {},
        "inspections": 0,
        "seizures": 0,
        "dap_refusals": 0,
        "duty": {},
        "tax": {},
    }
    report["returns"] = {"requested": 0, "declined": 0, "by_reason": {}, "by_resolution": {}}
    report["money"] = {}
    report["sla"] = {"tickets": 0, "complaints": 0, "breaches": {}}
    report["feedback"] = {"ratings": {}, "average": None}
    report["fx"] = {}
    report["disruptions"] = []
    report["api"] = {"calls": {}, "errors": {}}
    return report


@functools.cache
def sample_page() -> str:
    """The sample season's page, rendered once for the tests that only read it."""
    return render_html(sample_report())


def text_of(table: Table) -> str:
    console = Console(record=True, width=120)
    console.print(table)
    return console.export_text()


def section(page: str, title: str) -> str:
    """The HTML of the section whose heading is `title`."""
    match = re.search(rf"<section[^>]*><h2>{re.escape(title)}</h2>(.*?)</section>", page, re.DOTALL)
    assert match, title
    return match.group(1)


# ------------------------------------------------------------------------------------------------ JSON


def test_canonical_json_sorts_keys_and_ends_with_a_newline() -> None:
    text = canonical_json({"b": 1.5, "a": {"é": "ü", "c": [0.1, 2]}})
    assert text == '{\n  "a": {\n    "c": [\n      0.1,\n      2\n    ],\n    "é": "ü"\n  },\n  "b": 1.5\n}\n'


def test_canonical_json_refuses_nan() -> None:
    with pytest.raises(ValueError):
        canonical_json({"kpis": {"x": math.nan}})


def test_without_wall_clock_drops_only_wall_clock_and_leaves_the_input_alone() -> None:
    report = sample_report()
    stripped = without_wall_clock(report)
    assert "wall_clock" not in stripped
    assert stripped == {k: v for k, v in report.items() if k != "wall_clock"}
    assert "wall_clock" in report
    stripped["kpis"]["orders"] = 0.0
    assert report["kpis"]["orders"] == 312.0


def test_two_runs_differing_only_in_wall_clock_compare_equal() -> None:
    first, second = sample_report(), sample_report()
    second["wall_clock"] = {
        "started_at": "2027-01-01T00:00:00+00:00",
        "seconds": 9.9,
        "orders_per_second": 1.0,
    }
    assert canonical_json(first) != canonical_json(second)
    assert canonical_json(without_wall_clock(first)) == canonical_json(without_wall_clock(second))


# ------------------------------------------------------------------------------------------------ HTML


def test_the_page_has_seven_charts_and_every_section() -> None:
    page = sample_page()
    assert page.count("<svg") == 7 == len(CHARTS)
    for title in SECTION_TITLES:
        assert f"<h2>{title}</h2>" in page
    assert page.startswith("<!DOCTYPE html>")
    assert "A few hundred orders to three markets." in page


def test_the_page_is_self_contained() -> None:
    page = sample_page()
    assert "<script" not in page
    assert "http://" not in page and "https://" not in page
    assert not re.search(r"\b(src|href)=\"(?!#)", page)
    assert "<metadata>" not in page and "<?xml" not in page


def test_chart_ids_do_not_collide_between_charts() -> None:
    page = sample_page()
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    referenced = set(re.findall(r'url\(#([^)]+)\)|href="#([^"]+)"', page))
    assert {ref for pair in referenced for ref in pair if ref} <= set(ids)


def test_rendering_twice_gives_the_same_bytes() -> None:
    assert render_html(sample_report()).encode() == sample_page().encode()


def test_the_charts_do_not_depend_on_the_users_matplotlib_settings() -> None:
    import matplotlib

    before = sample_page()
    with matplotlib.rc_context({"font.size": 20.0, "axes.facecolor": "black", "svg.fonttype": "none"}):
        assert render_html(sample_report()) == before
    assert matplotlib.rcParams["svg.hashsalt"] is None  # our settings did not leak out either


def test_the_page_shows_figures_from_every_section() -> None:
    page = sample_page()
    assert "91.0%" in section(page, "Summary")  # delivered share
    assert "312" in section(page, "Summary")
    assert "1,234.56" in section(page, "GMV and margin per currency")
    assert "-12.50" in section(page, "GMV and margin per currency")
    assert "150.30" in section(page, "Customs holds and outcomes")
    assert "Returnless refund" in section(page, "Returns by reason")
    assert "10 service tickets and 5 complaints" in section(page, "SLA breaches")
    assert "4.30" in section(page, "Feedback")
    assert "Net · EUR" in section(page, "Summary")
    assert "Not shipped (NO_LABEL)" in section(page, "State funnel")
    assert "+1.41%" in section(page, "Currency rates")  # EUR 7.80 -> 7.91
    assert "7.9100" in section(page, "Currency rates")
    assert "Carrier suspension" in section(page, "Disruptions")
    assert "orderPlace" in section(page, "API calls") and "OUT_OF_STOCK" in section(page, "API calls")
    assert "97.5 orders per second" in page.split("<footer>")[1]
    assert "3.2 s" in page.split("<footer>")[1]
    assert "1,040.0 API calls per second" in page.split("<footer>")[1]


def test_invariants_that_hold_are_not_called_broken() -> None:
    page = sample_page()
    assert "BROKEN" not in page
    assert "All 3 invariants hold." in section(page, "Invariants")


def test_a_broken_invariant_shows_as_broken() -> None:
    report = sample_report()
    report["invariants"][1] = {
        "name": "money reconciles per currency",
        "holds": False,
        "detail": "EUR off by 0.01",
    }
    invariants = section(render_html(report), "Invariants")
    row = re.search(r"<tr><td>([^\n]*?)</td><td>money reconciles per currency</td>", invariants)
    assert row and "BROKEN" in row.group(1)
    assert invariants.count("BROKEN") == 1
    assert "1 of 3 invariants do not hold." in invariants
    assert "EUR off by 0.01" in invariants


def test_text_from_the_report_is_escaped() -> None:
    report = sample_report()
    report["scenario"]["name"] = '<script>alert("x")</script>'
    report["scenario"]["description"] = "Tom & Jerry's <b>season</b>"
    report["invariants"][0]["detail"] = "<img src=x onerror=alert(1)>"
    report["api"]["errors"] = {"<i>BAD</i>": 1}
    report["returns"]["by_reason"]["$5 <off>"] = 2  # neither HTML nor mathtext
    page = render_html(report)
    assert "<script" not in page and "<img" not in page and "<b>season" not in page and "<i>BAD" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "Tom &amp; Jerry&#x27;s &lt;b&gt;season&lt;/b&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert page.count("<svg") == 7


def test_an_empty_season_renders_with_none_in_its_charts() -> None:
    page = render_html(empty_season())
    assert page.count("<svg") == 7
    for title in SECTION_TITLES:
        assert f"<h2>{title}</h2>" in page
    assert 'class="none">none<' in section(page, "Disruptions")
    assert "No average rating" in section(page, "Feedback")
    # An empty chart draws only the word "none": far smaller than a chart with data.
    full = sample_page()
    for title in ("Transit days per method", "Returns by reason", "Customs holds and outcomes"):
        assert len(section(page, title)) < len(section(full, title)) / 2


def test_a_report_without_optional_sections_renders() -> None:
    bare = {"format": 1, "scenario": {"name": "bare", "seed": 3}, "kpis": {}, "invariants": []}
    page = render_html(bare)
    assert page.count("<svg") == 7
    assert "No invariants were checked." in page
    assert "No wall-clock figures recorded" in page


# ---------------------------------------------------------------------------------------------- Files


def test_write_report_writes_json_that_reads_back_equal(tmp_path: Path) -> None:
    report = sample_report()
    json_path, html_path = write_report(report, tmp_path / "out" / "smoke")
    assert (json_path.name, html_path.name) == ("report.json", "report.html")
    assert json.loads(json_path.read_text(encoding="utf-8")) == report
    assert json_path.read_text(encoding="utf-8") == canonical_json(report)
    assert html_path.read_text(encoding="utf-8") == render_html(report)


def test_chart_pngs_are_written_one_per_chart_and_reproducibly(tmp_path: Path) -> None:
    first = write_chart_pngs(sample_report(), tmp_path / "a")
    second = write_chart_pngs(sample_report(), tmp_path / "b")
    assert [p.name for p in first] == [f"{chart.slug}.png" for chart in CHARTS]
    assert "orders-per-day.png" in [p.name for p in first]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert a.read_bytes() == b.read_bytes()


# ------------------------------------------------------------------------------------------ Terminal


def test_summary_table_shows_kpis_and_money_per_currency() -> None:
    text = text_of(summary_table(sample_report()))
    assert "Season smoke · seed 1" in text
    assert "Delivered share" in text and "91.0%" in text
    assert "Orders" in text and "312" in text
    assert "EUR" in text and "USD" in text
    assert "1,234.56" in text and "-12.50" in text
    assert "Margin" in text
    assert "Net · EUR" in text and "1,080" in text


def test_summary_table_of_an_empty_season() -> None:
    text = text_of(summary_table(empty_season()))
    assert "Money per currency: none" in text


def test_invariants_table_marks_the_broken_one() -> None:
    report = sample_report()
    report["invariants"][2] = {"name": "stock is conserved [SKU-1]", "holds": False, "detail": "off by 2"}
    lines = text_of(invariants_table(report)).splitlines()
    broken = [line for line in lines if "BROKEN" in line]
    assert len(broken) == 1 and "stock is conserved [SKU-1]" in broken[0] and "off by 2" in broken[0]
    assert sum("holds" in line for line in lines) == 2


# -------------------------------------------------------------------------------------- Replications


def test_aggregate_gives_mean_and_student_t_interval() -> None:
    agg = aggregate([sample_report(seed, orders=float(seed)) for seed in (1, 2, 3)])
    orders = agg["kpis"]["orders"]
    half = T_975_2 * 1.0 / math.sqrt(3)
    assert orders["n"] == 3
    assert orders["mean"] == 2.0
    assert orders["stdev"] == 1.0
    assert orders["ci95_low"] == pytest.approx(2 - half, rel=1e-6)
    assert orders["ci95_high"] == pytest.approx(2 + half, rel=1e-6)
    assert agg["kpis"]["delivered_share"] == {
        "n": 3,
        "mean": 0.91,
        "stdev": 0.0,
        "ci95_low": 0.91,
        "ci95_high": 0.91,
    }


def test_aggregate_shape() -> None:
    agg = aggregate([sample_report(seed) for seed in (7, 3, 5)])
    assert agg["format"] == 1 and agg["kind"] == "replications" and agg["replications"] == 3
    assert agg["scenario"] == {
        "name": "smoke",
        "description": sample_report()["scenario"]["description"],
        "orders_requested": 300,
        "seeds": [3, 5, 7],
    }
    assert [run["seed"] for run in agg["runs"]] == [3, 5, 7]
    assert agg["runs"][0]["kpis"] == sample_report()["kpis"]
    assert agg["runs"][0]["invariants"] == sample_report()["invariants"]
    assert agg["wall_clock"] == {
        "started_at": "2026-11-23T15:00:00+00:00",
        "seconds_sum": 9.6,
        "seconds_max": 3.2,
        "orders_per_second": 97.5,
    }
    assert "wall_clock" not in without_wall_clock(agg)


def test_aggregate_of_one_replication_is_its_own_interval() -> None:
    interval = aggregate([sample_report(4)])["kpis"]["mean_transit_days"]
    assert interval == {"n": 1, "mean": 14.9, "stdev": 0.0, "ci95_low": 14.9, "ci95_high": 14.9}


def test_aggregate_does_not_depend_on_the_order_runs_finished_in() -> None:
    reports = [sample_report(seed, orders=100.0 + seed * 0.1) for seed in range(1, 8)]
    forward = canonical_json(aggregate(reports))
    assert canonical_json(aggregate(list(reversed(reports)))) == forward


def test_aggregate_floats_are_rounded_to_six_significant_digits() -> None:
    agg = aggregate([sample_report(seed, return_rate=rate) for seed, rate in ((1, 0.1), (2, 0.2), (3, 0.25))])
    for value in agg["kpis"]["return_rate"].values():
        assert len(repr(value).lstrip("-0.").replace(".", "")) <= 6


def test_an_invariant_broken_in_one_replication_names_its_seed() -> None:
    reports = [sample_report(seed) for seed in (11, 12, 13)]
    reports[1]["invariants"][2] = {"name": "stock is conserved", "holds": False, "detail": "off by 2"}
    agg = aggregate(reports)
    by_name = {i["name"]: i for i in agg["invariants"]}
    assert by_name["stock is conserved"] == {"name": "stock is conserved", "holds": False, "broken_in": [12]}
    assert by_name["money reconciles per currency"] == {
        "name": "money reconciles per currency",
        "holds": True,
        "broken_in": [],
    }
    assert [i["name"] for i in agg["invariants"]] == [i["name"] for i in sample_report()["invariants"]]
    page = render_aggregate_html(agg)
    invariants = section(page, "Invariants")
    assert invariants.count("BROKEN") == 1 and "broken with seed 12" in invariants
    assert "broken with seed 12" in text_of(invariants_table(agg))


def test_aggregate_refuses_nothing_and_mixed_scenarios() -> None:
    with pytest.raises(ValueError, match="no reports"):
        aggregate([])
    other = sample_report(2)
    other["scenario"]["name"] = "q4-peak"
    with pytest.raises(ValueError, match="different scenarios"):
        aggregate([sample_report(1), other])


def test_aggregate_page_table_and_files(tmp_path: Path) -> None:
    reports = [
        sample_report(seed, delivered_share=share) for seed, share in ((1, 0.90), (2, 0.92), (3, 0.94))
    ]
    agg = aggregate(reports)
    page = render_aggregate_html(agg)
    assert page.count("<svg") == 1
    assert page == render_aggregate_html(copy.deepcopy(agg))
    kpis = section(page, "KPIs over the replications")
    assert "Delivered share" in kpis and "92.00%" in kpis
    low, high = agg["kpis"]["delivered_share"]["ci95_low"], agg["kpis"]["delivered_share"]["ci95_high"]
    assert f"{low * 100:.2f}% to {high * 100:.2f}%" in kpis
    assert "1, 2, 3" in page
    text = text_of(aggregate_table(agg))
    assert "3 replications" in text and "Delivered share" in text and "92.00%" in text

    json_path, html_path = write_aggregate(agg, tmp_path / "reps")
    assert json.loads(json_path.read_text(encoding="utf-8")) == agg
    assert html_path.read_text(encoding="utf-8") == page


def test_aggregate_page_escapes_scenario_text() -> None:
    report = sample_report()
    report["scenario"]["name"] = "<b>peak</b>"
    page = render_aggregate_html(aggregate([report]))
    assert "<b>peak" not in page and "&lt;b&gt;peak&lt;/b&gt;" in page
