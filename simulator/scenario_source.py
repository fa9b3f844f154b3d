"""Reading a scenario file: its TOML, the line each field is written on, its header comment, and its merge
over the defaults. Knows nothing of what the fields mean (simulator/scenario.py builds and checks them)."""

from __future__ import annotations

import copy
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple


# ---- errors ------------------------------------------------------------------------------------------------
class ScenarioError(Exception):
    """A scenario that cannot run, told so that its author can fix it: the file, the line and the dotted field
    at fault (each None where it does not apply), then what is wrong and what to do."""

    def __init__(
        self, message: str, *, path: str | None = None, line: int | None = None, field: str | None = None
    ) -> None:
        self.path = path
        self.line = line
        self.field = field
        self.reason = message
        where = ", ".join(part for part in (path, None if line is None else f"line {line}", field) if part)
        super().__init__(f"{where}: {message}" if where else message)


class Location(NamedTuple):
    """Where a node of a scenario is written: the file, the line (None when unknown) and its dotted path in
    that file (which differs from its path after merging when [[transit]] entries move)."""

    file: str
    line: int | None
    path: str


def display(path: Path) -> str:
    """The path as its reader would type it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@dataclass(frozen=True, slots=True)
class Document:
    file: str
    description: str
    data: dict[str, Any]
    where: dict[str, Location]  # dotted path of every node -> where it is written


def read_document(path: Path) -> Document:
    file = display(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ScenarioError("the file is not UTF-8 text. Save it as UTF-8.", path=file) from None
    except OSError as error:
        raise ScenarioError(f"cannot read the file ({error.strerror}).", path=file) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"\(at line (\d+), column (\d+)\)", str(error))
        what = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)$", "", str(error))
        line, column = (int(found[1]), int(found[2])) if found else (None, None)
        at = f" at column {column}" if column else " at the end of the file"
        raise ScenarioError(
            f"not valid TOML{at}: {what}. Check the quotes, brackets and '=' there "
            "(a key is written once per table; text values are quoted).",
            path=file,
            line=line,
        ) from None
    return Document(file, _header(text), data, _locations(data, _line_index(text), file))


def _header(text: str) -> str:
    """The comment block the file starts with, without its `# `: what the scenario tests."""
    lines = []
    for raw in text.splitlines():
        stripped = raw.strip()
        if not stripped.startswith("#"):
            break
        lines.append(stripped[1:].removeprefix(" ").rstrip())
    return "\n".join(lines).strip()


# ---- where each field is written ---------------------------------------------------------------------------
_KEY = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_ARRAY_HEADER = re.compile(rf"\[\[\s*({_DOTTED})\s*\]\]")
_TABLE_HEADER = re.compile(rf"\[\s*({_DOTTED})\s*\]")
_KEY_LINE = re.compile(rf"({_DOTTED})\s*=")
_KEY_PART = re.compile(_KEY)


def join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def parent(path: str) -> str:
    return path[: max(path.rfind("."), path.rfind("["), 0)]


def pattern(path: str) -> str:
    """The path without its array indices: `products[2].prices` -> `products.prices`."""
    return re.sub(r"\[\d+\]", "", path)


def _parts(dotted: str) -> list[str]:
    return [p[1:-1] if p[0] in "\"'" else p for p in _KEY_PART.findall(dotted)]


def _line_index(text: str) -> dict[str, int]:
    """The line each table, array-of-tables entry and key is written on, by dotted path (`policy`,
    `products[1]`, `products[1].prices`, `customs.import_hold_rate`). A value written inline, such as
    `{ p10 = 1, p90 = 2 }` or a multi-line array, belongs to its key's line."""
    index: dict[str, int] = {}
    entries: dict[str, int] = {}  # array-of-tables path -> entries seen so far
    table = ""
    open_string: str | None = None  # the delimiter of a multi-line string whose lines are skipped
    depth = 0  # brackets a multi-line array has open: its lines are values, not keys
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if open_string:
            if line.count(open_string) % 2:
                open_string = None
            continue
        if depth:
            depth = max(depth + _bracket_change(line), 0)
            continue
        if not line or line.startswith("#"):
            continue
        if found := _ARRAY_HEADER.match(line):
            path = _resolve(_parts(found[1]), entries)
            entries[path] = entries.get(path, 0) + 1
            index.setdefault(path, number)
            table = f"{path}[{entries[path] - 1}]"
            index[table] = number
        elif found := _TABLE_HEADER.match(line):
            table = _resolve(_parts(found[1]), entries)
            index.setdefault(table, number)
        elif found := _KEY_LINE.match(line):
            path = table
            for part in _parts(found[1]):
                path = join(path, part)
                index.setdefault(path, number)
            rest = line[found.end() :]
            open_string = next((d for d in ('"""', "'''") if rest.count(d) == 1), None)
            depth = 0 if open_string else max(_bracket_change(rest), 0)
    return index


def _bracket_change(text: str) -> int:
    """How many array brackets the line opens less those it closes, outside strings and comments."""
    change, quote = 0, ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "#":
            break
        else:
            change += (char == "[") - (char == "]")
    return change


def _resolve(parts: list[str], entries: Mapping[str, int]) -> str:
    """A header's path: a part naming an array of tables means its latest entry (`[products.prices]`)."""
    path = ""
    for i, part in enumerate(parts):
        path = join(path, part)
        if i < len(parts) - 1 and path in entries:
            path = f"{path}[{entries[path] - 1}]"
    return path


def _locations(data: Mapping[str, Any], index: Mapping[str, int], file: str) -> dict[str, Location]:
    """File and line of every node of the parsed document: its own line, else its nearest ancestor's."""

    def line_of(path: str) -> int | None:
        while path:
            if path in index:
                return index[path]
            path = parent(path)
        return None

    found: dict[str, Location] = {}

    def walk(node: Any, path: str) -> None:
        found[path] = Location(file, line_of(path), path)
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, join(path, key))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}[{i}]")

    for key, value in data.items():
        walk(value, key)
    return found


# ---- merging a scenario over the defaults ------------------------------------------------------------------
# Tables of shares (weights the engine normalises): a scenario's table replaces the default's whole.
DISTRIBUTIONS = frozenset(
    {
        "demand.quantity",
        "demand.lines",
        "payments.methods",
        "policy.methods",
        "customs.hold_reasons",
        "aftersales.return_reasons",
        "aftersales.complaint_sources",
        "aftersales.ticket_kinds",
        "aftersales.ratings",
    }
)


def _under(where: Mapping[str, Any], path: str) -> list[str]:
    return [p for p in where if p == path or p.startswith((f"{path}.", f"{path}["))]


def merge(base: Document, over: Document) -> tuple[dict[str, Any], dict[str, Location]]:
    """`over` laid on `base` (the rules: simulator/scenario.py), with the file and line each merged node came
    from, so that a fault is reported where it was written."""
    data = copy.deepcopy(base.data)
    where = dict(base.where)

    def take(target: dict[str, Any], key: str, value: Any, path: str) -> None:
        for old in _under(where, path):
            del where[old]
        target[key] = copy.deepcopy(value)
        where.update({p: over.where[p] for p in _under(over.where, path)})

    def overlay(target: dict[str, Any], source: Mapping[str, Any], prefix: str) -> None:
        for key, value in source.items():
            path = join(prefix, key)
            mine = target.get(key)
            if isinstance(value, dict) and isinstance(mine, dict) and pattern(path) not in DISTRIBUTIONS:
                where[path] = over.where[path]
                overlay(mine, value, path)
            elif path == "transit" and isinstance(value, list) and isinstance(mine, list):
                target[key] = _merge_transit(mine, value, where, over.where)
            else:
                take(target, key, value, path)

    overlay(data, over.data, "")
    return data, where


def _merge_transit(
    base: list[Any], over: list[Any], where: dict[str, Location], over_where: Mapping[str, Any]
) -> list[Any]:
    """The default entries, each replaced in place by the scenario's entry for the same method and market;
    then the scenario's other entries."""

    def key(entry: Any) -> str:
        return repr((entry.get("method"), entry.get("market"))) if isinstance(entry, dict) else repr(entry)

    old = {p: where.pop(p) for p in _under(where, "transit")}
    replacing: dict[str, int] = {}
    for i, entry in enumerate(over):
        replacing.setdefault(key(entry), i)  # a second entry for the same lane stays, to be refused
    order = [(over_where, replacing[key(e)]) if key(e) in replacing else (old, i) for i, e in enumerate(base)]
    used = {i for source, i in order if source is over_where}
    order += [(over_where, i) for i in range(len(over)) if i not in used]
    merged: list[Any] = []
    for source, i in order:
        entry = (over if source is over_where else base)[i]
        prefix, target = f"transit[{i}]", f"transit[{len(merged)}]"
        for p in _under(source, prefix):
            where[target + p[len(prefix) :]] = source[p]
        merged.append(copy.deepcopy(entry))
    where["transit"] = over_where["transit"]
    return merged
