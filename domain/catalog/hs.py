"""Harmonized System codes: the first six digits are the same in every customs union; countries add
two (EU CN, US HTS) or four (EU TARIC, UK import) more."""

from __future__ import annotations

import csv
from datetime import date
from functools import cache
from importlib import resources

from domain.shared.errors import DomainError

LENGTHS = (6, 8, 10)
RESERVED_CHAPTERS = frozenset({77})  # kept free for future use by the HS itself


class InvalidHsCode(DomainError):
    def __init__(self, code: str, why: str, field: list[str] | None = None) -> None:
        super().__init__(
            "INVALID_HS_CODE",
            f"'{code}' is not a valid HS code: {why}. Give the 6-digit HS subheading, optionally extended "
            "to 8 or 10 digits by the destination's tariff (e.g. 6109.10 or 6109100010).",
            field,
        )


@cache
def subheadings() -> frozenset[str]:
    with resources.files("domain.catalog").joinpath("data/hs_subheadings.csv").open(encoding="utf-8") as f:
        return frozenset(row["hs6"] for row in csv.DictReader(f))


def normalize_hs_code(code: str, field: list[str] | None = None) -> str:
    """Strip dots and spaces and check the code; return the digits."""
    digits = code.replace(".", "").replace(" ", "")
    if not digits.isascii() or not digits.isdigit():
        raise InvalidHsCode(code, "only digits, dots and spaces are allowed", field)
    if len(digits) not in LENGTHS:
        raise InvalidHsCode(code, f"it has {len(digits)} digits, not 6, 8 or 10", field)
    chapter = int(digits[:2])
    if not 1 <= chapter <= 97 or chapter in RESERVED_CHAPTERS:
        raise InvalidHsCode(
            code, f"chapter {digits[:2]} does not exist (chapters run 01-97, 77 is reserved)", field
        )
    if digits[:6] not in subheadings():
        raise InvalidHsCode(code, f"subheading {digits[:6]} is not in the HS nomenclature", field)
    return digits


# The HS editions Tradelane holds, with the days they are in force. HS 2028 takes effect on 2028-01-01;
# its nomenclature is not loaded yet, so codes on declarations from that day cannot be checked.
EDITIONS = (("HS 2022", date(2022, 1, 1), date(2028, 1, 1)),)


def normalize_hs_code_on(code: str, day: date, field: list[str] | None = None) -> str:
    """As `normalize_hs_code`, against the edition in force on `day`."""
    for _, start, end in EDITIONS:
        if start <= day < end:
            return normalize_hs_code(code, field)
    raise DomainError(
        "HS_EDITION_NOT_LOADED",
        f"No HS edition Tradelane holds is in force on {day} (it holds "
        + ", ".join(f"{name} from {start} until {end}" for name, start, end in EDITIONS)
        + "). Declare with a date inside those, or load the newer nomenclature.",
        field,
    )
