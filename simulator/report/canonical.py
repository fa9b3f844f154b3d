"""A report as data and as its one canonical text: the `Report` type every module reads, the format
number, and the JSON form with and without `wall_clock`.

The golden files and the byte-for-byte comparison of two runs both rest on this text, so it lives apart from
everything that draws or prints: sorted keys, a fixed indent, no NaN, and `wall_clock` (the one part that may
differ between runs of the same scenario and seed) removable at any depth.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

Report = Mapping[str, Any]

FORMAT = 1
WALL_CLOCK = "wall_clock"


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
