"""Feedback through the API: a consumer rates a delivered order line once, 1 to 5 stars; anything else is a
typed userError and nothing is written. Ratings are listed, filtered, and shown on their order line."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from domain.aftersales.feedback import check_rating
from domain.shared.errors import DomainError
from tests.catalog_setup import create_channel, create_listing, create_product
from tests.conftest import Seller
from tests.shipping_setup import confirmed_order, deliver, order_view, ship

GIVE = """mutation ($input: FeedbackGiveInput!) { feedbackGive(input: $input) {
  feedback { id rating text market orderLineId givenAt product { sku } order { id status } }
  order { timeline { type data } }
  userErrors { field code message } } }"""
FEEDBACK = """query ($filter: FeedbackFilter, $first: Int) { feedback(first: $first, filter: $filter) {
  totalCount edges { node { rating market text order { id } product { id sku } } } } }"""
NODE = """query ($id: ID!) { node(id: $id) { ... on Feedback { rating market order { id } } } }"""
LINE_FEEDBACK = """query ($id: ID!) { node(id: $id) { ... on Order {
  lines { id feedback { id rating text } } timeline { type } } } }"""


async def one_product_in(seller: Seller, *markets: tuple[str, str], sku: str = "TEE-RATED") -> str:
    """One product (a T-shirt, APPAREL) listed on an Amazon channel of each (country, currency), so that
    `confirmed_order(seller, country=..., currency=...)` orders it there. Returns the product's ID."""
    product = await create_product(seller, sku)
    for country, currency in markets:
        key = f"AMAZON-{country}-{currency}"
        channel = await create_channel(seller, currency, name=f"Amazon {country}", country=country)
        seller.ids[key] = await create_listing(seller, product, channel, "19.99")
        seller.ids[f"{key}/channel"] = channel
    return product


async def delivered_order(
    seller: Seller, country: str = "US", currency: str = "USD", quantity: int = 2
) -> dict[str, Any]:
    """An order of `quantity` units, shipped DDP and delivered: DELIVERED."""
    order = await confirmed_order(seller, country=country, currency=currency, quantity=quantity)
    await deliver(seller, await ship(seller, order["id"], incoterm="DDP"))
    return order


async def rate(seller: Seller, line_id: str, rating: int, text: str | None = None) -> dict[str, Any]:
    values: dict[str, Any] = {"orderLineId": line_id, "rating": rating}
    if text is not None:
        values["text"] = text
    payload: dict[str, Any] = (await seller.gql(GIVE, {"input": values}))["feedbackGive"]
    return payload


async def rated(seller: Seller, line_id: str, rating: int, text: str | None = None) -> dict[str, Any]:
    payload = await rate(seller, line_id, rating, text)
    assert payload["userErrors"] == [], payload
    feedback: dict[str, Any] = payload["feedback"]
    return feedback


async def listed(seller: Seller, **filter_: Any) -> dict[str, Any]:
    data = await seller.gql(FEEDBACK, {"filter": filter_ or None, "first": 50})
    found: dict[str, Any] = data["feedback"]
    return found


async def line_feedback(seller: Seller, order_id: str) -> dict[str, Any]:
    node: dict[str, Any] = (await seller.gql(LINE_FEEDBACK, {"id": order_id}))["node"]
    return node


# -- pure ---------------------------------------------------------------------------------------------------


@given(st.integers(min_value=-1000, max_value=1000))
def test_a_rating_is_accepted_exactly_when_it_is_1_to_5_stars(rating: int) -> None:
    try:
        assert check_rating(rating) == rating
        accepted = True
    except DomainError as error:
        assert (error.code, error.field) == ("INVALID_RATING", ["input", "rating"])
        accepted = False
    assert accepted == (1 <= rating <= 5)


# -- giving -------------------------------------------------------------------------------------------------


async def test_a_delivered_line_is_rated_once_and_shows_on_the_line_and_the_timeline(seller: Seller) -> None:
    order = await delivered_order(seller)
    line = order["lines"][0]["id"]

    feedback = await rated(seller, line, 4, "  Fits well, thin fabric  ")

    assert feedback["rating"] == 4
    assert feedback["text"] == "Fits well, thin fabric"  # trimmed
    assert feedback["market"] == "US"  # the order's destination
    assert feedback["orderLineId"] == line
    assert feedback["givenAt"] == "2026-11-23T09:00:00+00:00"  # the sandbox clock
    assert feedback["product"]["sku"] == "TEE-AMAZON-US-USD"
    assert feedback["order"] == {"id": order["id"], "status": "DELIVERED"}  # rating does not move the order
    view = await line_feedback(seller, order["id"])
    assert view["lines"] == [
        {"id": line, "feedback": {"id": feedback["id"], "rating": 4, "text": feedback["text"]}}
    ]
    events = [e["type"] for e in view["timeline"]]
    assert events[-1] == "FEEDBACK_GIVEN" and events.count("FEEDBACK_GIVEN") == 1
    node = await seller.gql(NODE, {"id": feedback["id"]})
    assert node["node"] == {"rating": 4, "market": "US", "order": {"id": order["id"]}}

    again = await rate(seller, line, 1, "changed my mind")

    assert again["feedback"] is None and again["order"] is None
    assert [(e["code"], e["field"]) for e in again["userErrors"]] == [
        ("ALREADY_RATED", ["input", "orderLineId"])
    ]
    view = await line_feedback(seller, order["id"])
    assert view["lines"][0]["feedback"]["rating"] == 4  # the first rating stands
    assert [e["type"] for e in view["timeline"]].count("FEEDBACK_GIVEN") == 1
    assert (await listed(seller))["totalCount"] == 1


async def test_the_timeline_event_names_the_line_and_the_rating(seller: Seller) -> None:
    order = await delivered_order(seller)
    line = order["lines"][0]["id"]
    payload = await rate(seller, line, 5)
    event = payload["order"]["timeline"][-1]
    assert event["type"] == "FEEDBACK_GIVEN"
    assert event["data"]["rating"] == 5 and event["data"]["sku"] == "TEE-AMAZON-US-USD"
    assert payload["feedback"]["text"] is None


async def test_a_rating_outside_1_to_5_is_refused_and_nothing_is_written(seller: Seller) -> None:
    order = await delivered_order(seller)
    line = order["lines"][0]["id"]
    for bad in (0, 6, -3, 100):
        payload = await rate(seller, line, bad, "nope")
        assert payload["feedback"] is None
        assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
            ("INVALID_RATING", ["input", "rating"])
        ]
        assert str(bad) in payload["userErrors"][0]["message"]
    view = await line_feedback(seller, order["id"])
    assert view["lines"][0]["feedback"] is None
    assert "FEEDBACK_GIVEN" not in [e["type"] for e in view["timeline"]]
    assert (await listed(seller))["totalCount"] == 0
    # the line can still be rated properly afterwards
    assert (await rated(seller, line, 1))["rating"] == 1


async def test_a_line_not_yet_delivered_cannot_be_rated(seller: Seller) -> None:
    order = await confirmed_order(seller, country="US", currency="USD")
    line = order["lines"][0]["id"]
    refused = await rate(seller, line, 5)
    assert [e["code"] for e in refused["userErrors"]] == ["NOT_DELIVERED"]
    assert "CONFIRMED" in refused["userErrors"][0]["message"]

    await ship(seller, order["id"], incoterm="DDP")  # on its way: still not delivered
    refused = await rate(seller, line, 5)
    assert [e["code"] for e in refused["userErrors"]] == ["NOT_DELIVERED"]
    assert (await order_view(seller, order["id"]))["status"] == "PACKED"
    assert (await listed(seller))["totalCount"] == 0


async def test_text_and_ids_are_checked(seller: Seller, other_seller: Seller) -> None:
    order = await delivered_order(seller)
    line = order["lines"][0]["id"]
    too_long = await rate(seller, line, 3, "x" * 2001)
    assert [(e["code"], e["field"]) for e in too_long["userErrors"]] == [("INVALID_TEXT", ["input", "text"])]
    wrong_type = await rate(seller, order["id"], 3)
    assert [(e["code"], e["field"]) for e in wrong_type["userErrors"]] == [
        ("INVALID_ID", ["input", "orderLineId"])
    ]
    # another workspace's line is as absent as one that never was
    theirs = await rate(other_seller, line, 3)
    assert [(e["code"], e["field"]) for e in theirs["userErrors"]] == [
        ("NOT_FOUND", ["input", "orderLineId"])
    ]
    assert (await listed(seller))["totalCount"] == 0
    assert (await rated(seller, line, 3, "x" * 2000))["rating"] == 3  # 2,000 characters is the limit


async def test_a_live_workspace_cannot_stand_for_the_consumer(seller: Seller, live_seller: Seller) -> None:
    order = await delivered_order(seller)
    refused = await rate(live_seller, order["lines"][0]["id"], 5)
    assert [e["code"] for e in refused["userErrors"]] == ["SANDBOX_ONLY"]


# -- listing ------------------------------------------------------------------------------------------------


async def test_ratings_are_listed_newest_first_and_filtered(seller: Seller) -> None:
    product = await one_product_in(seller, ("US", "USD"), ("DE", "EUR"))
    given_ = [("US", "USD", 5), ("DE", "EUR", 2), ("US", "USD", 2)]
    for country, currency, stars in given_:
        order = await delivered_order(seller, country, currency)
        await rated(seller, order["lines"][0]["id"], stars, f"{country} {stars}")
    other = await delivered_order(seller, "GB", "GBP")  # a different product (confirmed_order's own)
    await rated(seller, other["lines"][0]["id"], 2)

    everything = await listed(seller)
    assert everything["totalCount"] == 4
    assert [n["node"]["text"] for n in everything["edges"]] == [None, "US 2", "DE 2", "US 5"]  # newest first
    mine = await listed(seller, productId=product)
    assert mine["totalCount"] == 3 and {n["node"]["product"]["id"] for n in mine["edges"]} == {product}
    assert [n["node"]["text"] for n in (await listed(seller, market="us"))["edges"]] == ["US 2", "US 5"]
    two_stars = await listed(seller, rating=2, productId=product)
    assert [n["node"]["text"] for n in two_stars["edges"]] == ["US 2", "DE 2"]
    assert (await listed(seller, market="FR"))["totalCount"] == 0


# -- statements ---------------------------------------------------------------------------------------------

# Each count: the API key, entering the workspace, the page, then one statement per relation loaded.
PAGES = {
    # + orders, products
    "feedback": (
        """{ feedback(first: 50) { edges { node { rating order { status } product { sku } } } } }""",
        5,
    ),
    # + order lines, their feedback
    "orders": ("""{ orders(first: 50) { edges { node { lines { sku feedback { rating } } } } } }""", 5),
}


async def test_pages_cost_the_same_for_1_and_10_ratings(seller: Seller, count_statements: Any) -> None:
    made = 0
    for size in (1, 10):
        while made < size:
            order = await delivered_order(seller)
            await rated(seller, order["lines"][0]["id"], 1 + made % 5)
            made += 1
        for name, (query, statements) in PAGES.items():
            with count_statements() as counter:
                data = await seller.gql(query)
            assert len(data[name]["edges"]) == size, name
            assert counter.count == statements, (name, size, counter.statements)
