"""The HTML building blocks both pages share: escaping (everything from a report is escaped unless we
built it ourselves), tables, sections, the invariants banner, and the page shell with its stylesheet.

Kept apart from what a page says so that the season page and the replications page look alike and a
change to the look is made once.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

from simulator.report.formatting import _invariant_detail


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


def _section(title: str, body: str, anchor: str | None = None) -> str:
    anchor = anchor or re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return f'<section id="{_e(anchor)}"><h2>{_e(title)}</h2>{body}</section>'


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
