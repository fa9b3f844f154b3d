"""ISO 3166-1 country codes."""

from __future__ import annotations

import pycountry

from domain.shared.errors import DomainError


def validate_country(code: str, field: list[str] | None = None) -> str:
    """Return the alpha-2 code for an alpha-2 or alpha-3 code; raise INVALID_COUNTRY otherwise."""
    value = code.strip().upper()
    country = None
    if len(value) in (2, 3) and value.isalpha():
        country = (
            pycountry.countries.get(alpha_2=value)
            if len(value) == 2
            else pycountry.countries.get(alpha_3=value)
        )
    if country is None:
        raise DomainError(
            "INVALID_COUNTRY",
            f"'{code}' is not an ISO 3166-1 country code. Use two letters such as US, DE or JP.",
            field,
        )
    return str(country.alpha_2)
