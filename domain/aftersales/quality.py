"""Product quality: what consumers said about a product and what came back, per market and overall, and
what stands out against the typical figures in `data/return_rates.toml`.

A market is the order's destination (ship_to_country). The figures, and how each is counted:
- ratings: every rating of the product's order lines; average to 2 decimals (half up), count, and the count
  of each of 1 to 5 stars;
- units sold: units of the product in the seller's parcels that were DELIVERED (only those can come back),
  and the orders they belong to ("delivered orders");
- units returned and the top reasons: units on return lines of the product, on returns that are neither
  DECLINED nor CANCELLED (a refused or withdrawn return says less about the product); a return's reason is
  its request's; share = the reason's units / units returned;
- return rate = units returned / units sold;
- complaint rate = complaints on the product's delivered orders / those orders;
- refunded, per currency: what went back to consumers for the product, in three kinds, each spread across
  products by value (quantity x unit price):
  - a RESOLVED return's refund, times this product's share of the value of the units returned;
  - a complaint's refund (`refunded`: REFUND or PARTIAL_REFUND), and
  - a chargeback's amount (source CHARGEBACK, whatever its status: the bank took it when it arrived),
    each times this product's share of the value of the order's lines, since neither names lines;
  on any order holding the product, delivered or not. The shares are summed unrounded and the total is
  rounded half up to the currency's minor units.
Rates and shares are fractions rounded half up to 4 decimals; null where the denominator is zero.

Everything is aggregated in SQL: five statements whatever the number of ratings, orders or returns.
"""

from __future__ import annotations

import tomllib
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.aftersales.model import BUILTIN_REASONS, ComplaintSource, ReturnStatus
from domain.aftersales.queries import COMPLAINTS, FEEDBACK, RETURN_LINES
from domain.aftersales.queries import RETURNS as RETURN_REQUESTS
from domain.catalog.model import ProductCategory
from domain.catalog.queries import PRODUCTS
from domain.logistics.model import ShipmentKind, ShipmentStatus
from domain.logistics.queries import SHIPMENT_LINES, SHIPMENTS
from domain.markets.reference import Confidence, InvalidReferenceData
from domain.orders.queries import ORDER_LINES, ORDERS
from domain.shared.countries import validate_country
from domain.shared.errors import DomainError, NotFound
from domain.shared.money import Money

STARS = (1, 2, 3, 4, 5)
TOP_REASONS = 5
MAX_IMPROVEMENTS = 10
MAX_MARKETS = 50
CENT = Decimal("0.01")
RATE_PLACES = Decimal("0.0001")
NOT_COUNTED = (ReturnStatus.DECLINED, ReturnStatus.CANCELLED)


# -- the yardsticks ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Band:
    """A typical range, as a fraction, with where it comes from."""

    low: Decimal
    high: Decimal
    source: str
    confidence: Confidence


@dataclass(frozen=True, slots=True)
class Benchmarks:
    version: str
    retail: Band  # low = high: one figure
    categories: Mapping[str, Band]
    reasons: Mapping[str, Band]
    min_units: int
    min_returns: int
    min_ratings: int
    low_rating: Decimal
    thresholds_source: str
    thresholds_confidence: Confidence

    def return_rate(self, category: str) -> tuple[Band, str]:
        """The band a product of `category` is judged by, and what it is called."""
        band = self.categories.get(category)
        if band is not None:
            return band, f"typical for {category.lower()}"
        return self.retail, "the US retail rate (no figure for this category)"


def _text(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidReferenceData(f"return_rates.toml {where}: `{key}` must be non-empty text")
    return value.strip()


def _fraction(entry: Mapping[str, Any], key: str, where: str) -> Decimal:
    text = _text(entry, key, where)
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidReferenceData(f"return_rates.toml {where}: `{key}` = {text!r} is not a number") from None
    if not Decimal(0) <= value <= Decimal(1):
        raise InvalidReferenceData(f"return_rates.toml {where}: `{key}` = {text} is not between 0 and 1")
    return value


def _confidence(entry: Mapping[str, Any], where: str) -> Confidence:
    text = _text(entry, "confidence", where)
    if text not in Confidence.__members__:
        raise InvalidReferenceData(f"return_rates.toml {where}: confidence {text!r} is not H, M or L")
    return Confidence(text)


def _band(entry: Mapping[str, Any], where: str) -> Band:
    low, high = _fraction(entry, "low", where), _fraction(entry, "high", where)
    if low > high:
        raise InvalidReferenceData(f"return_rates.toml {where}: low {low} is above high {high}")
    return Band(low, high, _text(entry, "source", where), _confidence(entry, where))


def _bands(entries: object, key: str, allowed: Sequence[str]) -> dict[str, Band]:
    if not isinstance(entries, list) or not entries:
        raise InvalidReferenceData(f"return_rates.toml: [[{key}]] entries are missing")
    found: dict[str, Band] = {}
    for i, entry in enumerate(entries):
        name = _text(entry, key, f"{key} #{i + 1}")
        where = f"{key} {name}"
        if name not in allowed:
            raise InvalidReferenceData(f"return_rates.toml {where}: not one of {', '.join(allowed)}")
        if name in found:
            raise InvalidReferenceData(f"return_rates.toml {where}: given twice")
        found[name] = _band(entry, where)
    return found


def _count(entry: Mapping[str, Any], key: str) -> int:
    value = entry.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InvalidReferenceData(f"return_rates.toml thresholds: `{key}` must be a whole number above 0")
    return value


def parse_benchmarks(data: Mapping[str, Any]) -> Benchmarks:
    """The yardsticks from the file's contents, checked entry by entry."""
    retail = data.get("retail")
    thresholds = data.get("thresholds")
    if not isinstance(retail, dict) or not isinstance(thresholds, dict):
        raise InvalidReferenceData("return_rates.toml: [retail] and [thresholds] are required")
    rate = _fraction(retail, "rate", "retail")
    low_rating = _text(thresholds, "low_rating", "thresholds")
    try:
        low = Decimal(low_rating)
    except InvalidOperation:
        low = Decimal(0)
    if not Decimal(1) < low <= Decimal(5):
        raise InvalidReferenceData(f"return_rates.toml thresholds: low_rating {low_rating} is not in (1, 5]")
    return Benchmarks(
        version=_text(data, "version", "top"),
        retail=Band(rate, rate, _text(retail, "source", "retail"), _confidence(retail, "retail")),
        categories=_bands(data.get("category"), "category", list(ProductCategory)),
        reasons=_bands(data.get("reason"), "reason", BUILTIN_REASONS),
        min_units=_count(thresholds, "min_units"),
        min_returns=_count(thresholds, "min_returns"),
        min_ratings=_count(thresholds, "min_ratings"),
        low_rating=low,
        thresholds_source=_text(thresholds, "source", "thresholds"),
        thresholds_confidence=_confidence(thresholds, "thresholds"),
    )


@cache
def benchmarks() -> Benchmarks:
    data = resources.files("domain.aftersales").joinpath("data/return_rates.toml").read_bytes()
    return parse_benchmarks(tomllib.loads(data.decode("utf-8")))


# -- the figures ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What SQL aggregated, before any arithmetic: counts by market (and star, reason or currency)."""

    ratings: Mapping[tuple[str, int], int]  # (market, stars) -> ratings
    sold: Mapping[str, tuple[int, int, int]]  # market -> (units delivered, delivered orders, complaints)
    returned: Mapping[tuple[str, str], int]  # (market, reason) -> units
    refunded: Mapping[tuple[str, str], Decimal]  # (market, currency) -> unrounded refund share


@dataclass(frozen=True, slots=True)
class ReasonCount:
    code: str
    units: int
    share: Decimal


@dataclass(frozen=True, slots=True)
class QualityRow:
    market: str | None  # None: every market together
    ratings: int
    average_rating: Decimal | None
    distribution: tuple[int, int, int, int, int]  # ratings of 1, 2, 3, 4 and 5 stars
    units_sold: int
    units_returned: int
    return_rate: Decimal | None
    top_return_reasons: tuple[ReasonCount, ...]
    delivered_orders: int
    complaints: int
    complaint_rate: Decimal | None
    refunded: tuple[Money, ...]  # one per currency, by currency code


class ImprovementKind(StrEnum):
    RETURN_RATE_ABOVE_TYPICAL = "RETURN_RATE_ABOVE_TYPICAL"
    RETURN_REASON_ABOVE_TYPICAL = "RETURN_REASON_ABOVE_TYPICAL"
    LOW_RATING = "LOW_RATING"


@dataclass(frozen=True, slots=True)
class Improvement:
    kind: ImprovementKind
    market: str | None
    reason: str | None
    value: Decimal  # the product's rate, share or average rating
    typical: Decimal  # the figure it is judged by
    message: str
    source: str
    confidence: Confidence
    excess: Decimal  # how far beyond, relative to `typical`: what sorts the list


@dataclass(frozen=True, slots=True)
class ProductQuality:
    product_id: uuid.UUID
    category: str
    markets: tuple[QualityRow, ...]
    overall: QualityRow
    improvements: tuple[Improvement, ...]
    benchmarks_version: str


def ratio(part: int | Decimal, whole: int | Decimal, places: Decimal = RATE_PLACES) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(places, ROUND_HALF_UP)


def _row(market: str | None, facts: Facts, markets: Sequence[str]) -> QualityRow:
    chosen = set(markets)
    stars = [sum(n for (m, s), n in facts.ratings.items() if m in chosen and s == star) for star in STARS]
    count = sum(stars)
    units = sum(facts.sold[m][0] for m in chosen if m in facts.sold)
    orders = sum(facts.sold[m][1] for m in chosen if m in facts.sold)
    complaints = sum(facts.sold[m][2] for m in chosen if m in facts.sold)
    reasons: dict[str, int] = defaultdict(int)
    for (m, reason), n in facts.returned.items():
        if m in chosen:
            reasons[reason] += n
    returned = sum(reasons.values())
    refunds: dict[str, Decimal] = defaultdict(Decimal)
    for (m, currency), amount in facts.refunded.items():
        if m in chosen:
            refunds[currency] += amount
    top = sorted(reasons.items(), key=lambda item: (-item[1], item[0]))[:TOP_REASONS]
    return QualityRow(
        market=market,
        ratings=count,
        average_rating=ratio(sum(s * n for s, n in zip(STARS, stars, strict=True)), count, CENT),
        distribution=(stars[0], stars[1], stars[2], stars[3], stars[4]),
        units_sold=units,
        units_returned=returned,
        return_rate=ratio(returned, units),
        top_return_reasons=tuple(ReasonCount(code, n, ratio(n, returned) or Decimal(0)) for code, n in top),
        delivered_orders=orders,
        complaints=complaints,
        complaint_rate=ratio(complaints, orders),
        refunded=tuple(Money.of(refunds[c], c) for c in sorted(refunds)),
    )


def _percent(fraction: Decimal) -> str:
    return f"{(fraction * 100).quantize(Decimal('0.1'), ROUND_HALF_UP).normalize():f}%"


def improvements(category: str, rows: Sequence[QualityRow], marks: Benchmarks) -> tuple[Improvement, ...]:
    """What stands out: return rates above the category's typical range, reasons above their typical share,
    and low average ratings, judged only on samples of the thresholds' size. Most striking first."""
    found: list[Improvement] = []
    band, called = marks.return_rate(category)
    for row in rows:
        where = f"in {row.market}" if row.market else "across all markets"
        rate = row.return_rate
        if rate is not None and row.units_sold >= marks.min_units and rate > band.high:
            found.append(
                Improvement(
                    ImprovementKind.RETURN_RATE_ABOVE_TYPICAL,
                    row.market,
                    None,
                    rate,
                    band.high,
                    f"{_percent(rate)} of units delivered {where} came back ({row.units_returned} of "
                    f"{row.units_sold}); {called} is up to {_percent(band.high)}.",
                    band.source,
                    band.confidence,
                    (rate - band.high) / band.high if band.high else rate,
                )
            )
        if row.units_returned >= marks.min_returns:
            for reason in row.top_return_reasons:
                typical = marks.reasons.get(reason.code)
                if typical is not None and reason.share > typical.high:
                    found.append(
                        Improvement(
                            ImprovementKind.RETURN_REASON_ABOVE_TYPICAL,
                            row.market,
                            reason.code,
                            reason.share,
                            typical.high,
                            f"{reason.code} accounts for {_percent(reason.share)} of units returned {where} "
                            f"({reason.units} of {row.units_returned}); typically up to "
                            f"{_percent(typical.high)}.",
                            typical.source,
                            typical.confidence,
                            (reason.share - typical.high) / typical.high if typical.high else reason.share,
                        )
                    )
        average = row.average_rating
        if average is not None and row.ratings >= marks.min_ratings and average < marks.low_rating:
            found.append(
                Improvement(
                    ImprovementKind.LOW_RATING,
                    row.market,
                    None,
                    average,
                    marks.low_rating,
                    f"Consumers {where} rate it {average} stars on average over {row.ratings} ratings, "
                    f"below {marks.low_rating}.",
                    marks.thresholds_source,
                    marks.thresholds_confidence,
                    (marks.low_rating - average) / marks.low_rating,
                )
            )
    found.sort(key=lambda i: (-i.excess, i.market or "", i.kind, i.reason or ""))
    return tuple(found[:MAX_IMPROVEMENTS])


def build(product_id: uuid.UUID, category: str, facts: Facts, named: Sequence[str] | None) -> ProductQuality:
    """The read model from the aggregated facts: one row per market (the named ones, or each with any
    figure), one for all of them together, and what stands out."""
    seen = {m for m, _ in facts.ratings} | set(facts.sold) | {m for m, _ in facts.returned}
    markets = sorted(named if named is not None else seen | {m for m, _ in facts.refunded})
    rows = tuple(_row(m, facts, [m]) for m in markets)
    overall = _row(None, facts, markets)
    marks = benchmarks()
    judged = [*rows, overall] if len(rows) > 1 else list(rows)
    return ProductQuality(
        product_id, category, rows, overall, improvements(category, judged, marks), marks.version
    )


# -- the reads --------------------------------------------------------------------------------------------


def check_markets(markets: Sequence[str] | None) -> list[str] | None:
    if markets is None:
        return None
    if not markets or len(markets) > MAX_MARKETS:
        raise DomainError("INVALID_SELECTION", f"Name 1 to {MAX_MARKETS} markets, or none.", ["markets"])
    return list(dict.fromkeys(validate_country(code, ["markets"]) for code in markets))


async def product_quality(
    conn: AsyncConnection, ws: uuid.UUID, product_id: uuid.UUID, markets: Sequence[str] | None = None
) -> ProductQuality:
    named = check_markets(markets)
    category = await conn.scalar(
        sa.select(PRODUCTS.c.category).where(PRODUCTS.c.workspace_id == ws, PRODUCTS.c.id == product_id)
    )
    if category is None:
        raise NotFound("product", ["productId"])
    facts = Facts(
        ratings=await _ratings(conn, ws, product_id, named),
        sold=await _sold(conn, ws, product_id, named),
        returned=await _returned(conn, ws, product_id, named),
        refunded=await _refunded(conn, ws, product_id, named),
    )
    return build(product_id, str(category), facts, named)


def _in(column: sa.ColumnElement[str], named: list[str] | None) -> list[sa.ColumnElement[bool]]:
    return [] if named is None else [column.in_(named)]


async def _ratings(
    conn: AsyncConnection, ws: uuid.UUID, product_id: uuid.UUID, named: list[str] | None
) -> dict[tuple[str, int], int]:
    f = FEEDBACK.c
    rows = await conn.execute(
        sa.select(f.market, f.rating, sa.func.count())
        .where(f.workspace_id == ws, f.product_id == product_id, *_in(f.market, named))
        .group_by(f.market, f.rating)
    )
    return {(market, rating): n for market, rating, n in rows}


async def _sold(
    conn: AsyncConnection, ws: uuid.UUID, product_id: uuid.UUID, named: list[str] | None
) -> dict[str, tuple[int, int, int]]:
    line, shipment, order = SHIPMENT_LINES.c, SHIPMENTS.c, ORDERS.c
    delivered = (
        sa.select(
            order.id.label("order_id"),
            order.ship_to_country.label("market"),
            sa.func.sum(line.quantity).label("units"),
        )
        .select_from(
            SHIPMENT_LINES.join(SHIPMENTS, shipment.id == line.shipment_id)
            .join(ORDER_LINES, ORDER_LINES.c.id == line.order_line_id)
            .join(ORDERS, order.id == ORDER_LINES.c.order_id)
        )
        .where(
            line.workspace_id == ws,
            ORDER_LINES.c.product_id == product_id,
            shipment.kind == ShipmentKind.OUTBOUND,
            shipment.status == ShipmentStatus.DELIVERED,
            *_in(order.ship_to_country, named),
        )
        .group_by(order.id, order.ship_to_country)
        .cte("delivered")
    )
    complaints = (
        sa.select(COMPLAINTS.c.order_id, sa.func.count().label("n"))
        .where(COMPLAINTS.c.workspace_id == ws, COMPLAINTS.c.order_id.in_(sa.select(delivered.c.order_id)))
        .group_by(COMPLAINTS.c.order_id)
        .subquery()
    )
    rows = await conn.execute(
        sa.select(
            delivered.c.market,
            sa.func.sum(delivered.c.units),
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(complaints.c.n), 0),
        )
        .select_from(delivered.outerjoin(complaints, complaints.c.order_id == delivered.c.order_id))
        .group_by(delivered.c.market)
    )
    return {market: (int(units), int(orders), int(n)) for market, units, orders, n in rows}


async def _returned(
    conn: AsyncConnection, ws: uuid.UUID, product_id: uuid.UUID, named: list[str] | None
) -> dict[tuple[str, str], int]:
    line, rma, order = RETURN_LINES.c, RETURN_REQUESTS.c, ORDERS.c
    rows = await conn.execute(
        sa.select(order.ship_to_country, rma.reason, sa.func.sum(line.quantity))
        .select_from(
            RETURN_LINES.join(RETURN_REQUESTS, rma.id == line.return_id).join(
                ORDERS, order.id == rma.order_id
            )
        )
        .where(
            line.workspace_id == ws,
            line.product_id == product_id,
            rma.status.not_in(NOT_COUNTED),
            *_in(order.ship_to_country, named),
        )
        .group_by(order.ship_to_country, rma.reason)
    )
    return {(market, reason): int(units) for market, reason, units in rows}


async def _refunded(
    conn: AsyncConnection, ws: uuid.UUID, product_id: uuid.UUID, named: list[str] | None
) -> dict[tuple[str, str], Decimal]:
    """Each refund with this product's value and the value it is spread over, in one statement: returns
    by the units returned, complaints and chargebacks by the order's lines."""
    line, rma, order, ordered = RETURN_LINES.c, RETURN_REQUESTS.c, ORDERS.c, ORDER_LINES.c
    value = line.quantity * ordered.unit_price
    with_product = sa.select(line.return_id).where(line.workspace_id == ws, line.product_id == product_id)
    per_return = (
        sa.select(
            order.ship_to_country.label("market"),
            rma.currency.label("currency"),
            rma.refund_amount.label("refund"),
            sa.func.sum(sa.case((line.product_id == product_id, value), else_=0)).label("mine"),
            sa.func.sum(value).label("total"),
        )
        .select_from(
            RETURN_LINES.join(RETURN_REQUESTS, rma.id == line.return_id)
            .join(ORDER_LINES, ordered.id == line.order_line_id)
            .join(ORDERS, order.id == rma.order_id)
        )
        .where(
            line.workspace_id == ws,
            rma.status == ReturnStatus.RESOLVED,
            rma.refund_amount > 0,
            rma.id.in_(with_product),
            *_in(order.ship_to_country, named),
        )
        .group_by(rma.id, order.ship_to_country, rma.currency, rma.refund_amount)
    )
    complaint = COMPLAINTS.c
    chargeback = complaint.source == ComplaintSource.CHARGEBACK
    taken = sa.case((chargeback, complaint.amount), else_=complaint.refunded)
    ordered_value = ordered.quantity * ordered.unit_price
    orders_with_product = sa.select(ordered.order_id).where(
        ordered.workspace_id == ws, ordered.product_id == product_id
    )
    per_complaint = (
        sa.select(
            order.ship_to_country.label("market"),
            complaint.currency.label("currency"),
            taken.label("refund"),
            sa.func.sum(sa.case((ordered.product_id == product_id, ordered_value), else_=0)).label("mine"),
            sa.func.sum(ordered_value).label("total"),
        )
        .select_from(
            COMPLAINTS.join(ORDERS, order.id == complaint.order_id).join(
                ORDER_LINES, ordered.order_id == complaint.order_id
            )
        )
        .where(
            complaint.workspace_id == ws,
            taken > 0,
            complaint.order_id.in_(orders_with_product),
            *_in(order.ship_to_country, named),
        )
        .group_by(complaint.id, order.ship_to_country, complaint.currency, taken)
    )
    refunds = sa.union_all(per_return, per_complaint).subquery()
    share = refunds.c.refund * refunds.c.mine / sa.func.nullif(refunds.c.total, 0)
    rows = await conn.execute(
        sa.select(refunds.c.market, refunds.c.currency, sa.func.coalesce(sa.func.sum(share), 0)).group_by(
            refunds.c.market, refunds.c.currency
        )
    )
    return {(market, currency): Decimal(amount) for market, currency, amount in rows}
