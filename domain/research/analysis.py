"""Market analysis: a product's landed cost, margin and compliance per market and channel, ranked."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.catalog.model import ProductCategory
from domain.catalog.queries import CHANNELS, LISTINGS, PRODUCTS
from domain.compliance.check import ComplianceStatus, RequirementKind
from domain.compliance.queries import assess
from domain.currency.rates import convert
from domain.customs.engine import at_sale_collector, personal_use_factor, scheme_registrations
from domain.logistics.lanes import (
    LaneBook,
    LogisticsMethod,
    Parcel,
    Quote,
    lane_book,
    quotes,
    regime_method,
)
from domain.markets.reference import (
    Market,
    RegimeRule,
    ShippingMethod,
    TaxCollection,
    reference,
    validate_market,
)
from domain.markets.rules import MarketRules, band_currency, duty_rate, fee_for, regime_for, rules_as_of
from domain.research.landed import Costs, Incoterm, Landed, landed
from domain.shared.errors import DomainError, NotFound
from domain.shared.money import Money

MAX_MARKETS = 20
MAX_CHANNELS = 20


class RateBook:
    """Rates looked up once per pair for one analysis, as of one moment."""

    def __init__(self, conn: AsyncConnection, workspace_id: uuid.UUID, at: datetime) -> None:
        self._conn, self._ws, self._at = conn, workspace_id, at
        self._rates: dict[tuple[str, str], Decimal | None] = {}

    async def to(self, money: Money, currency: str) -> Money | None:
        if money.currency == currency:
            return money
        pair = (money.currency, currency)
        if pair not in self._rates:
            try:
                done = await convert(
                    self._conn, self._ws, Money(Decimal(1), money.currency), currency, self._at
                )
                self._rates[pair] = done.rate
            except DomainError:
                self._rates[pair] = None
        rate = self._rates[pair]
        return None if rate is None else Money.of(money.amount * rate, currency)


@dataclass(frozen=True)
class ShippingOption:
    """One logistics method, priced on its cheapest lane from the product's origin for one unit."""

    quote: Quote  # the lane's quote, in the lane's currency
    cost: Money  # the quote's cost in the channel's currency
    landed: Landed
    scheme: str | None  # the low-value regime the parcel falls under this way; None for goods sent in bulk

    @property
    def method(self) -> LogisticsMethod:
        return self.quote.method


@dataclass
class AnalysisRow:
    product_id: uuid.UUID
    market: str
    channel_id: uuid.UUID
    currency: str
    price: Money | None = None
    scheme: str | None = None
    unit_cost: Money | None = None
    options: list[ShippingOption] = field(default_factory=list)
    compliance: ComplianceStatus = ComplianceStatus.READY
    missing: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    fee_schedule: str = "CHANNEL"
    rank: int = 0

    @property
    def best(self) -> ShippingOption | None:
        return min(self.options, key=lambda o: o.landed.landed_cost.amount) if self.options else None


async def _product(conn: AsyncConnection, ws: uuid.UUID, product_id: uuid.UUID) -> Any:
    row = (
        await conn.execute(
            sa.select(PRODUCTS).where(PRODUCTS.c.workspace_id == ws, PRODUCTS.c.id == product_id)
        )
    ).one_or_none()
    if row is None:
        raise NotFound("product", ["productId"])
    return row


async def analyse(
    conn: AsyncConnection,
    ws: uuid.UUID,
    product_id: uuid.UUID,
    market_codes: list[str],
    channel_ids: list[uuid.UUID],
    price: Money | None,
    incoterm: Incoterm,
    at: datetime,
) -> list[AnalysisRow]:
    if not market_codes or len(market_codes) > MAX_MARKETS:
        raise DomainError("INVALID_SELECTION", f"Name 1 to {MAX_MARKETS} markets.", ["markets"])
    if not channel_ids or len(channel_ids) > MAX_CHANNELS:
        raise DomainError("INVALID_SELECTION", f"Name 1 to {MAX_CHANNELS} channels.", ["channelIds"])
    markets = [validate_market(code, ["markets"]) for code in dict.fromkeys(m.upper() for m in market_codes)]
    product = await _product(conn, ws, product_id)
    channels = {
        row.id: row
        for row in await conn.execute(
            sa.select(CHANNELS).where(CHANNELS.c.workspace_id == ws, CHANNELS.c.id.in_(channel_ids))
        )
    }
    for channel_id in channel_ids:
        if channel_id not in channels:
            raise NotFound("channel", ["channelIds"])
    listed = {
        row.channel_id: Money.of(row.price_amount, row.currency)
        for row in await conn.execute(
            sa.select(LISTINGS).where(
                LISTINGS.c.workspace_id == ws,
                LISTINGS.c.product_id == product.id,
                LISTINGS.c.channel_id.in_(channel_ids),
            )
        )
    }
    book = RateBook(conn, ws, at)
    rows = []
    for market in markets:
        rules = rules_as_of(market, at.date())
        report = await assess(conn, ws, product.id, market.code, at.date())
        for channel_id in dict.fromkeys(channel_ids):
            held = frozenset(
                r.code
                for r in (report.requirements if report else ())
                if r.kind is RequirementKind.REGISTRATION and r.met
            )
            row = await _row(
                book, rules, product, channels[channel_id], listed.get(channel_id), price, incoterm, held
            )
            if report is not None:
                row.compliance = report.status
                row.missing = [r.describe() for r in report.blocking_problems]
            rows.append(row)
    return rank(rows)


def rank(rows: list[AnalysisRow]) -> list[AnalysisRow]:
    """Sellable first (compliance READY, every figure known), then by margin rate, highest first."""

    def key(row: AnalysisRow) -> tuple[bool, Decimal]:
        best = row.best
        return (
            row.compliance is not ComplianceStatus.READY or best is None,
            -(best.landed.margin_rate if best else Decimal(0)),
        )

    ordered = sorted(rows, key=key)
    for position, row in enumerate(ordered, start=1):
        row.rank = position
    return ordered


async def _row(
    book: RateBook,
    rules: MarketRules,
    product: Any,
    channel: Any,
    listed: Money | None,
    asked: Money | None,
    incoterm: Incoterm,
    registrations: frozenset[str] = frozenset(),
) -> AnalysisRow:
    currency = channel.currency
    row = AnalysisRow(product.id, rules.market.code, channel.id, currency)

    async def into(money: Money | None, what: str) -> Money | None:
        if money is None:
            return None
        converted = await book.to(money, currency)
        note = f"no {money.currency}/{currency} rate for the {what}"
        if converted is None and note not in row.problems:
            row.problems.append(note)
        return converted

    row.price = await into(asked, "price") if asked is not None else listed
    if row.price is None:
        if asked is None:
            row.problems.append(f"not listed on {channel.name}: give a price")
        return row
    row.unit_cost = await into(Money.of(product.unit_cost_amount, product.unit_cost_currency), "unit cost")
    if not row.price.is_positive:
        raise DomainError("INVALID_AMOUNT", "A price to analyse must be above zero.", ["price"])
    tax_rate = next((t.rate for t in rules.taxes if t.rate is not None), None)
    band = next((band_currency(r) for r in rules.regimes if band_currency(r)), None)
    duty = duty_rate(rules, product.hs_code)
    personal_use = personal_use_factor(rules.market, rules.as_of)
    if row.unit_cost is None:
        return row
    zero = Money.zero(currency)
    fees = await _fees(book, channel, product.category, rules.as_of)
    row.fee_schedule = fees.source
    for quote in _unit_lanes(product, rules.market, rules.as_of, row.problems):
        method = regime_method(quote.method)
        if method is None:
            # Sent in bulk to a warehouse in the market: the seller imports the goods under the ordinary
            # rules (no low-value regime) and pays their duty and tax, whatever the consumer's incoterm.
            # Duty is on the value the price leaves for the goods, as for a parcel: an upper bound, since
            # a bulk import is valued at what the seller paid. The seller imports it to sell, not for
            # personal use: customs take the goods at their whole value.
            regime, terms, factor = None, Incoterm.DDP, Decimal(1)
        else:
            # The regime can depend on how the parcel travels (post or courier), so each method has its own.
            # A parcel goes to a consumer: a market that values personal imports at a share of the price
            # (Japan's 60%) values it so, as the customs engine does.
            factor = personal_use
            regime, value = await _regime(
                book, rules, row.price, tax_rate, incoterm, product.origin_country, band, method, factor
            )
            if value is None and band is not None:
                row.problems.append(f"no {currency}/{band} rate to place the value in a regime band")
                row.options.clear()
                break
            regime = _usable(regime, rules, channel, registrations, row.problems)
            if regime is None:
                row.problems.append(
                    f"no import regime known for {method.value.lower()} consignments of this value to "
                    f"{rules.market.code}: counted as a standard import"
                )
            terms = incoterm
        cost = await into(quote.cost, "shipping")
        per_line = await into(regime.duty_per_line, "per-line duty") if regime else None
        deduction = await into(regime.deduction, "duty deduction") if regime else None
        if cost is None:
            continue
        costs = Costs(
            price=row.price,
            unit_cost=row.unit_cost,
            referral_rate=fees.referral_rate,
            minimum_referral_fee=fees.minimum,
            per_order_fee=fees.per_order,
            shipping=cost,
            tax_rate=tax_rate,
            regime=regime,
            duty_rate=duty.rate if duty else None,
            per_line_duty=per_line or (zero if regime else None),
            flat_deduction=deduction,
            incoterm=terms,
            customs_value_factor=factor,
        )
        row.options.append(ShippingOption(quote, cost, landed(costs), regime.name if regime else None))
    best = row.best
    row.scheme = best.scheme if best else None
    if any(option.landed.duty_rate_unknown for option in row.options):
        row.problems.append(
            f"no duty rate known for HS {product.hs_code[:6]} in {rules.market.code}: duty counted as 0"
        )
    return row


def cheapest_lanes(
    origin: str, market: Market, parcel: Parcel, day: date, book: LaneBook | None = None
) -> list[Quote]:
    """For each logistics method with a lane in force on `day` from `origin` to `market`, the cheapest
    lane's quote for `parcel` (then the fastest, as `quotes` orders them), in the methods' order.

    Lanes that start in the market itself are left out: they deliver stock already imported in bulk, and
    research prices the goods from where they are made. So a product made abroad is shown the per-parcel
    methods and, where a lane carries it from its origin to a warehouse in the market, sea freight."""
    found = quotes(book or lane_book(), origin, market.code, [parcel], day)
    cheapest: dict[LogisticsMethod, Quote] = {}
    for quote in found:  # cheapest first
        if quote.lane.origin != market.code:
            cheapest.setdefault(quote.method, quote)
    return [cheapest[method] for method in LogisticsMethod if method in cheapest]


def _unit_lanes(product: Any, market: Market, day: date, problems: list[str]) -> list[Quote]:
    """The cheapest lane of each method for one unit of the product, or none with the reason in `problems`."""
    origin = product.origin_country
    parcel = Parcel(product.weight_grams, product.length_mm, product.width_mm, product.height_mm)
    try:
        found = cheapest_lanes(origin, market, parcel, day)
    except DomainError as refusal:  # one unit is heavier or larger than any parcel a lane takes
        problems.append(f"one unit cannot be quoted as a parcel: {refusal.message}")
        return []
    if not found:
        why = ": the product's origin is the market itself" if origin == market.code else ""
        problems.append(f"no carrier lane from {origin} to {market.code} in force on {day}{why}")
    return found


def _usable(
    regime: RegimeRule | None, rules: MarketRules, channel: Any, held: frozenset[str], problems: list[str]
) -> RegimeRule | None:
    """A collect-at-sale scheme needs someone registered to collect: the marketplace (as deemed supplier),
    or, selling through an own shop, the seller's registration for it (the customs engine decides who).
    Without either, the tax is collected at the border as if there were no scheme."""
    if regime is None or regime.tax is not TaxCollection.AT_SALE:
        return regime
    if at_sale_collector(regime, rules, channel.platform, held) is not None:
        return regime
    needed = scheme_registrations(regime, rules)
    note = f"{' or '.join(needed)} registration missing: {regime.name} tax counted as collected at the border"
    if note not in problems:
        problems.append(note)
    return replace(regime, tax=TaxCollection.AT_BORDER)


@dataclass(frozen=True)
class Fees:
    referral_rate: Decimal
    minimum: Money
    per_order: Money
    source: str  # CHANNEL: the channel's own schedule; MARKETPLACE_CATEGORY: the platform's for the category


async def _fees(book: RateBook, channel: Any, category: ProductCategory, day: date) -> Fees:
    """The platform's published fee for the product's category on the channel's marketplace, where the
    rules have one; otherwise the channel's own schedule (one rate for every category)."""
    own = Fees(
        channel.referral_rate,
        Money.of(channel.minimum_referral_fee, channel.currency),
        Money.of(channel.per_order_fee, channel.currency),
        "CHANNEL",
    )
    marketplace = reference().markets.get(channel.country)
    if marketplace is None:
        return own
    rule = fee_for(rules_as_of(marketplace, day), channel.platform, category)
    if rule is None or rule.category is None:
        return own
    zero = Money.zero(channel.currency)
    minimum = await book.to(rule.minimum_fee, channel.currency) if rule.minimum_fee else zero
    per_order = await book.to(rule.per_order_fee, channel.currency) if rule.per_order_fee else zero
    if minimum is None or per_order is None:
        return own
    return Fees(rule.referral_rate, minimum, per_order, "MARKETPLACE_CATEGORY")


async def _regime(
    book: RateBook,
    rules: MarketRules,
    price: Money,
    tax_rate: Decimal | None,
    incoterm: Incoterm,
    origin: str,
    band: str | None,
    method: ShippingMethod,
    factor: Decimal = Decimal(1),
) -> tuple[RegimeRule | None, Money | None]:
    """The regime and the value that placed it. Bands are on the goods' value without tax: a price that
    includes the tax (DDP, or a regime that collects it at sale) is taken net of it first, then at
    `factor`: the share of the goods' value at which customs value a personal import (Japan: 0.6)."""

    async def place(value: Money) -> tuple[RegimeRule | None, Money | None]:
        customs = value if factor == 1 else value * factor
        in_band = customs if band is None else await book.to(customs, band)
        return (None, None) if in_band is None else (regime_for(rules, in_band, origin, method), in_band)

    net = Money.of(price.amount / (1 + (tax_rate or Decimal(0))), price.currency)
    regime, value = await place(net)
    if incoterm is Incoterm.DDP or (regime is not None and regime.tax is TaxCollection.AT_SALE):
        return regime, value
    return await place(price)  # DAP outside a collect-at-sale regime: the price carries no tax


async def select_products(
    conn: AsyncConnection, ws: uuid.UUID, market_code: str, incoterm: Incoterm, at: datetime, limit: int = 100
) -> list[AnalysisRow]:
    """Each product's best channel for one market, ranked. The channels considered are those in the
    market's country; without any, every channel the product is listed on."""
    market: Market = validate_market(market_code, ["market"])
    channels = (
        await conn.execute(sa.select(CHANNELS.c.id, CHANNELS.c.country).where(CHANNELS.c.workspace_id == ws))
    ).all()
    local = [c.id for c in channels if c.country == market.code]
    products = (
        (
            await conn.execute(
                sa.select(PRODUCTS.c.id)
                .where(PRODUCTS.c.workspace_id == ws)
                .order_by(PRODUCTS.c.seq)
                .limit(limit)
            )
        )
        .scalars()
        .all()
    )
    best = []
    for product_id in products:
        chosen = local or [
            row.channel_id
            for row in await conn.execute(
                sa.select(LISTINGS.c.channel_id).where(
                    LISTINGS.c.workspace_id == ws, LISTINGS.c.product_id == product_id
                )
            )
        ]
        if not chosen:
            continue
        rows = await analyse(conn, ws, product_id, [market.code], chosen, None, incoterm, at)
        best.append(rows[0])
    return rank(best)
