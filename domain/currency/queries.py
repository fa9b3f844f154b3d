"""Tables the currency reads page through."""

from __future__ import annotations

from typing import cast

import sqlalchemy as sa

from domain.currency.model import ExchangeRate, RateLock

RATES = cast(sa.Table, ExchangeRate.__table__)
LOCKS = cast(sa.Table, RateLock.__table__)
