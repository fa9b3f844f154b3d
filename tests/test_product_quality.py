"""productQuality: a product's ratings, returns, complaints and refunds per market and overall, and what
stands out against the typical figures of reference-facts section 5 (domain/aftersales/data/return_rates.toml).

Figures are worked by hand in each test's docstring. Rates and shares are fractions rounded half up to 4
decimals, averages to 2.
"""

from __future__ import annotations

import copy
import tomllib
import uuid
from datetime import timedelta
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from api.relay import parse_global_id, to_global_id
from domain.aftersales import quality
from domain.aftersales.model import (
    Complaint,
    ComplaintSource,
    ComplaintStatus,
    Resolution,
    ReturnLine,
    ReturnRequest,
    ReturnStatus,
    Severity,
)
from domain.markets.reference import Confidence, InvalidReferenceData
from domain.shared.money import Money
from tests.catalog_setup import create_listing, create_product, pay
from tests.conftest import START, Seller
from tests.shipping_setup import CONFIRM, PLACE, deliver, register, ship
from tests.test_complaints import opened as complaint_opened
from tests.test_complaints import resolve as complaint_resolve
from tests.test_feedback import delivered_order, one_product_in, rated

QUALITY = """query ($id: ID!, $markets: [String!]) { productQuality(productId: $id, markets: $markets) {
  product { id sku } benchmarksVersion
  markets { ...row } overall { ...row }
  improvements { kind market reason value typical message source confidence } } }
fragment row on ProductQualityRow { market ratingCount averageRating distribution { stars count }
  unitsSold unitsReturned returnRate topReturnReasons { code units share }
  deliveredOrders complaints complaintRate refunded { amount currency } }"""


def file_data() -> dict[str, Any]:
    raw = resources.files("domain.aftersales").joinpath("data/return_rates.toml").read_bytes()
    return tomllib.loads(raw.decode("utf-8"))


async def product_quality(seller: Seller, product: str, markets: list[str] | None = None) -> dict[str, Any]:
    data = await seller.gql(QUALITY, {"id": product, "markets": markets})
    found: dict[str, Any] = data["productQuality"]
    return found


def stars(*counts: int) -> list[dict[str, int]]:
    return [{"stars": s, "count": n} for s, n in zip((1, 2, 3, 4, 5), counts, strict=True)]


# -- the typical figures --------------------------------------------------------------------------------------


def test_the_shipped_figures_are_those_of_reference_facts_section_5() -> None:
    """reference-facts section 5: apparel 20-30%, shoes 25-35%, electronics 8-12%, home 10-15%, beauty
    5-10% (L); reasons fit/size 30-40%, not as expected 20-30%, damaged 10-15% (L); US retail 16.9% (NRF, H)."""
    marks = quality.benchmarks()
    bands = {name: (band.low, band.high, band.confidence) for name, band in marks.categories.items()}
    L = Confidence.L
    assert bands == {
        "APPAREL": (Decimal("0.20"), Decimal("0.30"), L),
        "FOOTWEAR": (Decimal("0.25"), Decimal("0.35"), L),
        "ELECTRONICS": (Decimal("0.08"), Decimal("0.12"), L),
        "HOME": (Decimal("0.10"), Decimal("0.15"), L),
        "BEAUTY": (Decimal("0.05"), Decimal("0.10"), L),
    }
    assert {name: (b.low, b.high) for name, b in marks.reasons.items()} == {
        "SIZE_FIT": (Decimal("0.30"), Decimal("0.40")),
        "NOT_AS_DESCRIBED": (Decimal("0.20"), Decimal("0.30")),
        "DAMAGED_IN_TRANSIT": (Decimal("0.10"), Decimal("0.15")),
    }
    assert (marks.retail.high, marks.retail.confidence) == (Decimal("0.169"), Confidence.H)
    assert all("reference-facts section 5" in band.source for band in marks.categories.values())
    # a category without a figure of its own is judged by the retail rate, and says so
    assert marks.return_rate("TOYS") == (marks.retail, "the US retail rate (no figure for this category)")


def _set(data: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(data)
    target: Any = changed
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return changed


@pytest.mark.parametrize(
    ("path", "value", "says"),
    [
        (("category", 0, "low"), "0.45", "low 0.45 is above high 0.30"),
        (("category", 0, "high"), "1.5", "is not between 0 and 1"),
        (("category", 0, "high"), "lots", "is not a number"),
        (("category", 0, "category"), "GADGETS", "not one of"),
        (("category", 1, "category"), "APPAREL", "given twice"),
        (("reason", 0, "reason"), "MY_OWN", "not one of"),
        (("category", 0, "confidence"), "X", "is not H, M or L"),
        (("category", 0, "source"), " ", "`source` must be non-empty text"),
        (("thresholds", "min_units"), 0, "min_units"),
        (("thresholds", "low_rating"), "7", "low_rating 7"),
        (("retail",), None, "[retail] and [thresholds] are required"),
    ],
)
def test_figures_that_do_not_check_out_are_refused_at_load(
    path: tuple[Any, ...], value: Any, says: str
) -> None:
    with pytest.raises(InvalidReferenceData) as refused:
        quality.parse_benchmarks(_set(file_data(), path, value))
    assert says in str(refused.value)


# -- the arithmetic, without a database ------------------------------------------------------------------------

FACTS = quality.Facts(
    ratings={("US", 5): 3, ("US", 4): 1, ("US", 1): 1, ("DE", 2): 5, ("DE", 3): 1},
    sold={"US": (20, 10, 1), "DE": (15, 6, 3)},
    returned={
        ("US", "SIZE_FIT"): 2,
        ("DE", "SIZE_FIT"): 4,
        ("DE", "DEFECTIVE"): 1,
        ("DE", "NOT_AS_DESCRIBED"): 1,
    },
    refunded={("US", "USD"): Decimal("19.99"), ("DE", "EUR"): Decimal("10.005")},
)


def test_rows_are_worked_out_per_market_and_overall() -> None:
    """US: ratings 5,5,5,4,1 -> 20/5 = 4.00; 2 of 20 units back = 0.1000; 1 complaint on 10 orders = 0.1000.
    DE: ratings 2,2,2,2,2,3 -> 13/6 = 2.1666.. = 2.17; 6 of 15 units back = 0.4000; SIZE_FIT 4/6 = 0.6667,
    then DEFECTIVE and NOT_AS_DESCRIBED 1/6 = 0.1667 each (ties by code); 3 complaints / 6 orders = 0.5000;
    refunded EUR 10.005 -> 10.01 (half up). Overall: 33/11 = 3.00; 8 of 35 = 0.2286 (0.228571..);
    SIZE_FIT 6/8 = 0.7500; 4 / 16 orders = 0.2500."""
    found = quality.build(uuid.uuid4(), "APPAREL", FACTS, None)
    de, us = found.markets
    assert (us.market, us.ratings, us.average_rating, us.distribution) == (
        "US",
        5,
        Decimal("4.00"),
        (1, 0, 0, 1, 3),
    )
    assert (us.units_sold, us.units_returned, us.return_rate) == (20, 2, Decimal("0.1000"))
    assert (us.delivered_orders, us.complaints, us.complaint_rate) == (10, 1, Decimal("0.1000"))
    assert us.refunded == (Money.of("19.99", "USD"),)
    assert (de.market, de.average_rating, de.distribution) == ("DE", Decimal("2.17"), (0, 5, 1, 0, 0))
    assert (de.units_returned, de.return_rate, de.complaint_rate) == (6, Decimal("0.4000"), Decimal("0.5000"))
    assert [(r.code, r.units, r.share) for r in de.top_return_reasons] == [
        ("SIZE_FIT", 4, Decimal("0.6667")),
        ("DEFECTIVE", 1, Decimal("0.1667")),
        ("NOT_AS_DESCRIBED", 1, Decimal("0.1667")),
    ]
    assert de.refunded == (Money.of("10.01", "EUR"),)
    every = found.overall
    assert (every.market, every.ratings, every.average_rating, every.distribution) == (
        None,
        11,
        Decimal("3.00"),
        (1, 5, 1, 1, 3),
    )
    assert (every.units_sold, every.units_returned, every.return_rate) == (35, 8, Decimal("0.2286"))
    assert every.top_return_reasons[0] == quality.ReasonCount("SIZE_FIT", 6, Decimal("0.7500"))
    assert (every.delivered_orders, every.complaints, every.complaint_rate) == (16, 4, Decimal("0.2500"))
    assert every.refunded == (Money.of("10.01", "EUR"), Money.of("19.99", "USD"))  # by currency code


def test_what_to_improve_is_what_stands_out_most_first() -> None:
    """Apparel is typically returned up to 30%; SIZE_FIT up to 40% of returns; an average below 3.5 is low;
    judged from 10 units, 5 returned units, 5 ratings. Excess = how far beyond, relative to the figure:
    overall SIZE_FIT (0.75 - 0.40) / 0.40 = 0.875; DE SIZE_FIT (0.6667 - 0.40) / 0.40 = 0.6668;
    DE rating (3.5 - 2.17) / 3.5 = 0.38; DE return rate (0.40 - 0.30) / 0.30 = 0.3333;
    overall rating (3.5 - 3.00) / 3.5 = 0.1429. Not flagged: US (2 returned units is too few to judge its
    reasons; 10% and 4.00 are fine), NOT_AS_DESCRIBED (1/6 is under 30%), DEFECTIVE (no typical share),
    the overall return rate (22.9% is under 30%)."""
    found = quality.build(uuid.uuid4(), "APPAREL", FACTS, None)
    K = quality.ImprovementKind
    assert [(i.kind, i.market, i.reason, i.value, i.typical) for i in found.improvements] == [
        (K.RETURN_REASON_ABOVE_TYPICAL, None, "SIZE_FIT", Decimal("0.7500"), Decimal("0.40")),
        (K.RETURN_REASON_ABOVE_TYPICAL, "DE", "SIZE_FIT", Decimal("0.6667"), Decimal("0.40")),
        (K.LOW_RATING, "DE", None, Decimal("2.17"), Decimal("3.5")),
        (K.RETURN_RATE_ABOVE_TYPICAL, "DE", None, Decimal("0.4000"), Decimal("0.30")),
        (K.LOW_RATING, None, None, Decimal("3.00"), Decimal("3.5")),
    ]
    rate = found.improvements[3]
    assert (
        rate.message == "40% of units delivered in DE came back (6 of 15); typical for apparel is up to 30%."
    )
    assert rate.confidence is Confidence.L and "apparel 20-30%" in rate.source
    # electronics is held to 8-12%: the US's 10% passes, and the overall 22.9% now stands out too
    gadgets = quality.build(uuid.uuid4(), "ELECTRONICS", FACTS, None)
    flagged = {(i.market, i.value) for i in gadgets.improvements if i.kind is K.RETURN_RATE_ABOVE_TYPICAL}
    assert flagged == {("DE", Decimal("0.4000")), (None, Decimal("0.2286"))}


def test_named_markets_get_a_row_even_when_empty_and_one_market_is_not_judged_twice() -> None:
    """Asking for FR and DE: FR has no figures (nulls, zeros), DE is as above; overall = DE alone."""
    found = quality.build(uuid.uuid4(), "APPAREL", FACTS, ["FR", "DE"])
    de, fr = found.markets
    assert (fr.market, fr.ratings, fr.average_rating, fr.return_rate, fr.complaint_rate) == (
        "FR",
        0,
        None,
        None,
        None,
    )
    assert fr.distribution == (0, 0, 0, 0, 0) and fr.top_return_reasons == () and fr.refunded == ()
    assert found.overall.units_sold == de.units_sold == 15
    only_de = quality.build(uuid.uuid4(), "APPAREL", FACTS, ["DE"])
    assert len(only_de.improvements) == 3 and {i.market for i in only_de.improvements} == {"DE"}


# -- through the API ------------------------------------------------------------------------------------------


async def test_ratings_in_two_markets(seller: Seller) -> None:
    """One T-shirt sold in the US and Germany, 2 units an order, each order delivered and rated.
    US: 5, 4, 4 -> 13/3 = 4.333.. = 4.33. DE: 1, 2 -> 3/2 = 1.50. Overall: 16/5 = 3.20, below 3.5 with 5
    ratings: LOW_RATING across all markets (DE alone has too few ratings, 2 of 5, to be judged).
    Units sold: US 3 orders x 2 = 6, DE 2 x 2 = 4, overall 10; nothing came back (rates 0)."""
    product = await one_product_in(seller, ("US", "USD"), ("DE", "EUR"))
    for country, currency, given in (
        ("US", "USD", 5),
        ("US", "USD", 4),
        ("US", "USD", 4),
        ("DE", "EUR", 1),
        ("DE", "EUR", 2),
    ):
        order = await delivered_order(seller, country, currency)
        await rated(seller, order["lines"][0]["id"], given)
    await delivered_order(seller, "DE", "EUR")  # delivered, never rated: sold, not in the ratings

    found = await product_quality(seller, product)

    assert found["product"] == {"id": product, "sku": "TEE-RATED"}
    assert found["benchmarksVersion"] == "2026.11.23"
    de, us = found["markets"]
    assert us == {
        "market": "US",
        "ratingCount": 3,
        "averageRating": "4.33",
        "distribution": stars(0, 0, 0, 2, 1),
        "unitsSold": 6,
        "unitsReturned": 0,
        "returnRate": "0.0000",
        "topReturnReasons": [],
        "deliveredOrders": 3,
        "complaints": 0,
        "complaintRate": "0.0000",
        "refunded": [],
    }
    assert (de["market"], de["ratingCount"], de["averageRating"]) == ("DE", 2, "1.50")
    assert de["distribution"] == stars(1, 1, 0, 0, 0)
    assert (de["unitsSold"], de["deliveredOrders"]) == (6, 3)  # 3 orders of 2, one unrated
    overall = found["overall"]
    assert (overall["market"], overall["ratingCount"], overall["averageRating"]) == (None, 5, "3.20")
    assert overall["distribution"] == stars(1, 1, 0, 2, 1)
    assert (overall["unitsSold"], overall["returnRate"]) == (12, "0.0000")
    assert found["improvements"] == [
        {
            "kind": "LOW_RATING",
            "market": None,
            "reason": None,
            "value": "3.20",
            "typical": "3.5",
            "message": "Consumers across all markets rate it 3.20 stars on average over 5 ratings, below 3.5.",
            "source": "Tradelane's own choice, not a researched figure",
            "confidence": "L",
        }
    ]

    germany = await product_quality(seller, product, ["deu"])  # alpha-3 is read as DE
    assert [row["market"] for row in germany["markets"]] == ["DE"]
    assert germany["overall"] | {"market": "DE"} == germany["markets"][0]
    assert germany["improvements"] == []  # 2 ratings are too few to judge


async def test_bad_arguments_are_errors_with_codes(seller: Seller) -> None:
    product = await one_product_in(seller, ("US", "USD"))
    cases: list[tuple[dict[str, Any], str]] = [
        ({"id": product, "markets": ["XX"]}, "INVALID_COUNTRY"),
        ({"id": product, "markets": []}, "INVALID_SELECTION"),
        ({"id": to_global_id("Product", uuid.UUID(int=0)), "markets": None}, "NOT_FOUND"),
        ({"id": seller.ids["AMAZON-US-USD"], "markets": None}, "INVALID_ID"),  # a listing's ID
    ]
    for variables, code in cases:
        body = (await seller.post(QUALITY, variables)).json()
        assert body["data"] is None and [e["extensions"]["code"] for e in body["errors"]] == [code], body


async def test_another_workspace_sees_nothing_of_it(seller: Seller, other_seller: Seller) -> None:
    product = await one_product_in(seller, ("US", "USD"))
    order = await delivered_order(seller)
    await rated(seller, order["lines"][0]["id"], 5)
    body = (await other_seller.post(QUALITY, {"id": product})).json()
    assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_FOUND"]


# -- returns, complaints and refunds (written straight to their tables, as the returns flow will) -------------


async def _two_product_order(seller: Seller) -> tuple[dict[str, Any], str, str]:
    """A US order of 2 T-shirts at 19.99 and 1 cap at 10.00, paid, shipped DDP and delivered."""
    tee = await one_product_in(seller, ("US", "USD"))
    cap = await create_product(seller, "CAP-1", category="APPAREL")
    cap_listing = await create_listing(seller, cap, seller.ids["AMAZON-US-USD/channel"], "10.00")
    values = {
        "channelId": seller.ids["AMAZON-US-USD/channel"],
        "lines": [
            {"listingId": seller.ids["AMAZON-US-USD"], "quantity": 2},
            {"listingId": cap_listing, "quantity": 1},
        ],
        "buyerName": "Ada Consumer",
        "shipToCountry": "US",
        "shippingPrice": "4.99",
    }
    await register(seller, "EXPORT_RIGHTS", "GLOBAL", "CN-EXP-0001")
    placed = await seller.gql(PLACE, {"input": values})
    assert placed["orderPlace"]["userErrors"] == [], placed
    order: dict[str, Any] = placed["orderPlace"]["order"]
    await pay(seller, order["id"])
    assert (await seller.gql(CONFIRM, {"id": order["id"]}))["orderConfirm"]["userErrors"] == []
    await deliver(seller, await ship(seller, order["id"], incoterm="DDP"))
    return order, tee, cap


def _raw(global_id: str) -> uuid.UUID:
    return parse_global_id(global_id)[1]


async def test_returns_complaints_and_refunds_count_for_the_product(
    seller: Seller, engine: AsyncEngine
) -> None:
    """The order: tee 2 x 19.99, cap 1 x 10.00, delivered. Returns: #1 RESOLVED, SIZE_FIT, 1 tee + 1 cap,
    refunded 20.00 (partly); #2 DECLINED, DEFECTIVE, 1 tee (not counted). One complaint on the order.
    Tee: 1 of 2 units back = 0.5000 (above apparel's 30%, but 2 units are too few to judge); SIZE_FIT 1/1;
    complaint rate 1/1; refund share 20.00 x 19.99 / (19.99 + 10.00) = 399.80 / 29.99 = 13.3311.. = 13.33.
    Cap: 20.00 x 10.00 / 29.99 = 6.6689.. = 6.67 (13.33 + 6.67 = 20.00)."""
    order, tee, cap = await _two_product_order(seller)
    order_id = _raw(order["id"])
    tee_line, cap_line = (_raw(line["id"]) for line in order["lines"])
    at = START + timedelta(days=1)
    async with AsyncSession(engine) as session, session.begin():
        resolved, declined = uuid.uuid4(), uuid.uuid4()
        common = {"workspace_id": seller.workspace_id, "order_id": order_id, "currency": "USD", "version": 1}
        session.add_all(
            [
                ReturnRequest(
                    id=resolved,
                    status=ReturnStatus.RESOLVED,
                    reason="SIZE_FIT",
                    resolution=Resolution.PARTIAL_REFUND,
                    refund_amount=Decimal("20.00"),
                    requested_at=at,
                    resolved_at=at,
                    **common,
                ),
                ReturnRequest(
                    id=declined, status=ReturnStatus.DECLINED, reason="DEFECTIVE", requested_at=at, **common
                ),
                Complaint(
                    id=uuid.uuid4(),
                    source=ComplaintSource.DIRECT,
                    severity=Severity.LOW,
                    status=ComplaintStatus.OPEN,
                    description="Late and the wrong colour",
                    first_response_due=at + timedelta(hours=24),
                    resolution_due=at + timedelta(hours=72),
                    breached=False,
                    opened_at=at,
                    **common,
                ),
            ]
        )
        await session.flush()
        ws = seller.workspace_id
        session.add_all(
            [
                ReturnLine(
                    id=uuid.uuid4(),
                    workspace_id=ws,
                    return_id=resolved,
                    order_line_id=tee_line,
                    product_id=_raw(tee),
                    quantity=1,
                ),
                ReturnLine(
                    id=uuid.uuid4(),
                    workspace_id=ws,
                    return_id=resolved,
                    order_line_id=cap_line,
                    product_id=_raw(cap),
                    quantity=1,
                ),
                ReturnLine(
                    id=uuid.uuid4(),
                    workspace_id=ws,
                    return_id=declined,
                    order_line_id=tee_line,
                    product_id=_raw(tee),
                    quantity=1,
                ),
            ]
        )

    found = (await product_quality(seller, tee))["overall"]

    assert (found["unitsSold"], found["unitsReturned"], found["returnRate"]) == (2, 1, "0.5000")
    assert found["topReturnReasons"] == [{"code": "SIZE_FIT", "units": 1, "share": "1.0000"}]
    assert (found["deliveredOrders"], found["complaints"], found["complaintRate"]) == (1, 1, "1.0000")
    assert found["refunded"] == [{"amount": "13.33", "currency": "USD"}]
    capped = (await product_quality(seller, cap))["overall"]
    assert (capped["unitsSold"], capped["unitsReturned"], capped["refunded"]) == (
        1,
        1,
        [{"amount": "6.67", "currency": "USD"}],
    )
    assert (await product_quality(seller, tee))["improvements"] == []  # 2 units: too few to judge


# -- statements ------------------------------------------------------------------------------------------------


async def test_product_quality_costs_the_same_for_1_and_10_ratings(
    seller: Seller, count_statements: Any
) -> None:
    """The API key, entering the workspace, the product, ratings, sales with complaints, return reasons,
    refunds: 7 statements, whatever the number of ratings; + 1 when the product is selected."""
    product = await one_product_in(seller, ("US", "USD"), ("GB", "GBP"))
    made = 0
    for size in (1, 10):
        while made < size:
            country, currency = ("US", "USD") if made % 2 else ("GB", "GBP")
            order = await delivered_order(seller, country, currency)
            await rated(seller, order["lines"][0]["id"], 1 + made % 5)
            made += 1
        with count_statements() as counter:
            found = await product_quality(seller, product)
        assert found["overall"]["ratingCount"] == size
        assert counter.count == 8, (size, counter.statements)


# -- returns through the API ---------------------------------------------------------------------------------

RETURN_REQUEST = """mutation ($input: ReturnRequestInput!) { returnRequest(input: $input) {
  returnRequest { id status } userErrors { field code message } } }"""
RETURN_APPROVE = """mutation ($input: ReturnApproveInput!) { returnApprove(input: $input) {
  returnRequest { id status } order { status } userErrors { field code message } } }"""


async def test_a_returnless_refund_shows_as_a_return_and_a_refund(seller: Seller) -> None:
    """A US order of 2 T-shirts at 19.99, delivered and rated 2. The consumer returns 1 for SIZE_FIT and
    the seller refunds it returnless: 1 of 2 units back = 0.5000; SIZE_FIT 1 of 1 = 1.0000; refunded
    19.99 x 1 / 1 = 19.99 USD (the return holds only this product)."""
    product = await one_product_in(seller, ("US", "USD"))
    order = await delivered_order(seller)
    line = order["lines"][0]["id"]
    await rated(seller, line, 2)
    asked = await seller.gql(
        RETURN_REQUEST,
        {
            "input": {
                "orderId": order["id"],
                "lines": [{"orderLineId": line, "quantity": 1}],
                "reason": "SIZE_FIT",
            }
        },
    )
    assert asked["returnRequest"]["userErrors"] == [], asked
    approved = await seller.gql(
        RETURN_APPROVE,
        {
            "input": {
                "returnId": asked["returnRequest"]["returnRequest"]["id"],
                "resolution": "RETURNLESS_REFUND",
            }
        },
    )
    assert approved["returnApprove"]["userErrors"] == [], approved
    assert approved["returnApprove"]["returnRequest"]["status"] == "RESOLVED"

    found = await product_quality(seller, product)

    us = found["markets"][0]
    assert (us["market"], us["unitsSold"], us["unitsReturned"], us["returnRate"]) == ("US", 2, 1, "0.5000")
    assert us["topReturnReasons"] == [{"code": "SIZE_FIT", "units": 1, "share": "1.0000"}]
    assert us["refunded"] == [{"amount": "19.99", "currency": "USD"}]
    assert (us["ratingCount"], us["averageRating"]) == (1, "2.00")
    assert found["overall"] == us | {"market": None}


async def test_complaint_refunds_and_chargebacks_count_as_refunded(seller: Seller) -> None:
    """Order 1: tee 2 x 19.99 = 39.98 and cap 1 x 10.00, lines worth 49.98 (shipping is not a product's).
    A complaint refunded 10.00 (PARTIAL_REFUND); a chargeback of 5.00, accepted (REFUND: no more money
    moves, the 5.00 counts once); a complaint DENIED (nothing); the cap refunded returnless (10.00, a
    return of the cap alone). Order 2: tee only (39.98), a chargeback of 2.00 the seller contests (DENIED:
    the bank took it all the same).
    Tee: (10.00 + 5.00) x 39.98 / 49.98 + 2.00 x 39.98 / 39.98 = 11.99879.. + 2.00 = 13.99879.. = 14.00.
    Cap: 15.00 x 10.00 / 49.98 + 10.00 = 3.00120.. + 10.00 = 13.00120.. = 13.00.
    14.00 + 13.00 = 27.00 = 10.00 + 5.00 + 10.00 + 2.00, all that went back."""
    order, tee, cap = await _two_product_order(seller)
    partial = await complaint_opened(seller, order["id"])
    assert (await complaint_resolve(seller, partial["id"], "PARTIAL_REFUND", amount="10.00"))[
        "userErrors"
    ] == []
    charged = await complaint_opened(seller, order["id"], source="CHARGEBACK", amount="5.00")
    accepted = await complaint_resolve(seller, charged["id"], "REFUND")
    assert accepted["complaint"]["refunded"] == {"amount": "0.00", "currency": "USD"}
    denied = await complaint_opened(seller, order["id"], amount="3.00")
    assert (await complaint_resolve(seller, denied["id"], "DENIED"))["userErrors"] == []
    cap_line = order["lines"][1]["id"]
    asked = await seller.gql(
        RETURN_REQUEST,
        {
            "input": {
                "orderId": order["id"],
                "lines": [{"orderLineId": cap_line, "quantity": 1}],
                "reason": "SIZE_FIT",
            }
        },
    )
    rma = asked["returnRequest"]["returnRequest"]["id"]
    approved = await seller.gql(
        RETURN_APPROVE, {"input": {"returnId": rma, "resolution": "RETURNLESS_REFUND"}}
    )
    assert approved["returnApprove"]["userErrors"] == [], approved
    tee_only = await delivered_order(seller)
    contested = await complaint_opened(seller, tee_only["id"], source="CHARGEBACK", amount="2.00")
    assert (await complaint_resolve(seller, contested["id"], "DENIED"))["userErrors"] == []

    tee_found = await product_quality(seller, tee)
    assert [row["market"] for row in tee_found["markets"]] == ["US"]
    assert tee_found["overall"]["refunded"] == [{"amount": "14.00", "currency": "USD"}]
    assert tee_found["overall"]["complaints"] == 4  # 3 on order 1, 1 on order 2
    assert (await product_quality(seller, cap))["overall"]["refunded"] == [
        {"amount": "13.00", "currency": "USD"}
    ]
    elsewhere = await product_quality(seller, tee, ["GB"])  # the refunds were all on US orders
    assert elsewhere["overall"]["refunded"] == [] and elsewhere["markets"][0]["refunded"] == []
