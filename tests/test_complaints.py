"""Complaints through the API: a chargeback takes money back through the payment ledger when it arrives
(and never above what the seller holds), deadlines by severity escalate the complaint when they pass unmet
(and not when answered in time), and resolutions refund, replace or deny, each through the ledger or a
replacement order. A replacement sends only delivered units with no remedy yet (no standing return, not
sent again already). Refusals are typed userErrors with nothing written.

Orders come from tests/shipping_setup.confirmed_order: 2 T-shirts at 19.99 plus 4.99 shipping, so the
consumer paid 2 x 19.99 + 4.99 = 44.97 (captured in full). The sandbox clock starts at START
(2026-11-23T09:00Z). SLA hours are Tradelane's defaults (HIGH 12 h / 48 h), not a reference-facts row."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from domain.aftersales.replacement import without_remedy
from domain.orders.model import OrderLine
from tests.conftest import START, Seller
from tests.shipping_setup import PLACE, confirmed_order, deliver, ship
from tests.test_returns import DECLINE, INSPECT, approved, asked, delivered_order, run, sent_back

OPEN = """mutation ($input: ComplaintOpenInput!) { complaintOpen(input: $input) {
  complaint { id status source severity amount { amount currency } firstResponseDue resolutionDue breached
    claimReference order { amountChargedBack { amount } amountRefunded { amount } } }
  userErrors { field code message } } }"""
RESPOND = """mutation ($input: ComplaintRespondInput!) { complaintRespond(input: $input) {
  complaint { status firstRespondedAt version } userErrors { field code message } } }"""
RESOLVE = """mutation ($input: ComplaintResolveInput!) { complaintResolve(input: $input) {
  complaint { status outcome refunded { amount currency } resolvedAt nextStates
    replacementOrder { id status total { amount } subtotal { amount } lines { sku quantity } }
    order { amountRefunded { amount } amountChargedBack { amount } } }
  userErrors { field code message } } }"""
COMPLAINT = """query ($id: ID!) { node(id: $id) { ... on Complaint { status breached escalatedAt version outcome
  timeline { type occurredAt data }
  order { amountCaptured { amount } amountRefunded { amount } amountChargedBack { amount }
    payments { kind amount { amount } reason } timeline { type data } complaints { id } } } } }"""
ORDER = """query ($id: ID!) { node(id: $id) { ... on Order { amountRefunded { amount }
  amountChargedBack { amount } payments { kind amount { amount } } complaints { id } timeline { type } } } }"""
COMPLAINTS = """query ($filter: ComplaintFilter) { complaints(first: 50, filter: $filter) {
  totalCount edges { node { id status breached } } } }"""
ADVANCE = """mutation ($hours: Int!) { sandboxClockAdvance(input: {hours: $hours}) { timersFired
  userErrors { code } } }"""


def at(hours: int) -> str:
    return (START + timedelta(hours=hours)).isoformat()


async def complain(seller: Seller, order_id: str, **values: Any) -> dict[str, Any]:
    base = {"orderId": order_id, "source": "DIRECT", "severity": "HIGH", "description": "Arrived torn"}
    payload: dict[str, Any] = (await seller.gql(OPEN, {"input": base | values}))["complaintOpen"]
    return payload


async def opened(seller: Seller, order_id: str, **values: Any) -> dict[str, Any]:
    payload = await complain(seller, order_id, **values)
    assert payload["userErrors"] == [], payload
    complaint: dict[str, Any] = payload["complaint"]
    return complaint


async def resolve(seller: Seller, complaint_id: str, outcome: str, **values: Any) -> dict[str, Any]:
    input_ = {"complaintId": complaint_id, "outcome": outcome} | values
    payload: dict[str, Any] = (await seller.gql(RESOLVE, {"input": input_}))["complaintResolve"]
    return payload


async def view(seller: Seller, complaint_id: str) -> dict[str, Any]:
    node: dict[str, Any] = (await seller.gql(COMPLAINT, {"id": complaint_id}))["node"]
    return node


async def order_view(seller: Seller, order_id: str) -> dict[str, Any]:
    node: dict[str, Any] = (await seller.gql(ORDER, {"id": order_id}))["node"]
    return node


async def advance(seller: Seller, hours: int) -> None:
    data = (await seller.gql(ADVANCE, {"hours": hours}))["sandboxClockAdvance"]
    assert data["userErrors"] == [], data


def codes(payload: dict[str, Any]) -> list[tuple[str, list[str]]]:
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


# -- chargebacks --------------------------------------------------------------------------------------


async def test_a_chargeback_takes_its_amount_back_through_the_ledger_at_once(seller: Seller) -> None:
    """The bank takes 20.00 of the 44.97 captured: the order has 20.00 charged back and a CHARGEBACK line
    in its ledger, with the case number as the reason; the seller now holds 44.97 - 20.00 = 24.97."""
    order = await confirmed_order(seller, country="US", currency="USD")
    complaint = await opened(
        seller, order["id"], source="CHARGEBACK", severity="CRITICAL", amount="20.00", claimReference="CB-1"
    )
    assert complaint["amount"] == {"amount": "20.00", "currency": "USD"}
    assert complaint["order"]["amountChargedBack"] == {"amount": "20.00"}
    assert (complaint["firstResponseDue"], complaint["resolutionDue"]) == (at(4), at(24))
    node = await view(seller, complaint["id"])
    assert {"kind": "CHARGEBACK", "amount": {"amount": "20.00"}, "reason": "Chargeback CB-1"} in node[
        "order"
    ]["payments"]
    order_events = [e["type"] for e in node["order"]["timeline"]]
    assert "CHARGEBACK_RECEIVED" in order_events and "COMPLAINT_OPENED" in order_events
    assert node["order"]["complaints"] == [{"id": complaint["id"]}]

    # The money already went back: a second remedy is refused, and nothing moves.
    for outcome, extra in (
        ("PARTIAL_REFUND", {"amount": "5.00"}),
        ("REFUND", {"amount": "5.00"}),
        ("REPLACEMENT", {}),
    ):
        refused = await resolve(seller, complaint["id"], outcome, **extra)
        assert [code for code, _ in codes(refused)] == ["ALREADY_CHARGED_BACK"], outcome
    assert await view(seller, complaint["id"]) == node

    # Accepting it (REFUND, no amount) moves nothing more.
    accepted = await resolve(seller, complaint["id"], "REFUND")
    assert accepted["userErrors"] == []
    assert accepted["complaint"]["refunded"] == {"amount": "0.00", "currency": "USD"}
    assert accepted["complaint"]["order"] == {
        "amountRefunded": {"amount": "0.00"},
        "amountChargedBack": {"amount": "20.00"},
    }


async def test_a_chargeback_above_what_is_held_is_refused_and_writes_nothing(seller: Seller) -> None:
    """44.97 was captured: 44.98 is one cent too many."""
    order = await confirmed_order(seller, country="US", currency="USD")
    before = await order_view(seller, order["id"])
    refused = await complain(seller, order["id"], source="CHARGEBACK", amount="44.98")
    assert refused["complaint"] is None
    assert codes(refused) == [("AMOUNT_TOO_LARGE", ["input", "amount"])]
    assert "44.97" in refused["userErrors"][0]["message"]
    missing = await complain(seller, order["id"], source="CHARGEBACK")
    assert codes(missing) == [("AMOUNT_REQUIRED", ["input", "amount"])]
    assert await order_view(seller, order["id"]) == before
    assert (await seller.gql(COMPLAINTS))["complaints"]["totalCount"] == 0


# -- escalation ---------------------------------------------------------------------------------------


async def test_a_complaint_unanswered_past_its_deadline_is_escalated(seller: Seller) -> None:
    """HIGH: first response due at START + 12 h. At +13 h it is ESCALATED and breached, escalated at the
    deadline (the sandbox clock steps to each timer), with COMPLAINT_ESCALATED on it and on the order. At
    +49 h the resolution deadline (48 h) passes too: written down again, still ESCALATED since +12 h."""
    order = await confirmed_order(seller)
    complaint = await opened(seller, order["id"], source="PLATFORM_CLAIM", claimReference="A-TO-Z-9")
    assert (complaint["firstResponseDue"], complaint["resolutionDue"]) == (at(12), at(48))
    await advance(seller, 13)
    node = await view(seller, complaint["id"])
    assert (node["status"], node["breached"], node["escalatedAt"]) == ("ESCALATED", True, at(12))
    [escalated] = [e for e in node["timeline"] if e["type"] == "COMPLAINT_ESCALATED"]
    assert escalated["data"]["deadline"] == "FIRST_RESPONSE" and escalated["occurredAt"] == at(12)
    assert [e["type"] for e in node["order"]["timeline"]].count("COMPLAINT_ESCALATED") == 1
    listed = await seller.gql(COMPLAINTS, {"filter": {"breached": True, "status": ["ESCALATED"]}})
    assert [e["node"]["id"] for e in listed["complaints"]["edges"]] == [complaint["id"]]

    await advance(seller, 36)
    node = await view(seller, complaint["id"])
    deadlines = [e["data"]["deadline"] for e in node["timeline"] if e["type"] == "COMPLAINT_ESCALATED"]
    assert deadlines == ["FIRST_RESPONSE", "RESOLUTION"]
    assert (node["status"], node["escalatedAt"]) == ("ESCALATED", at(12))
    # An escalated complaint can still be resolved.
    assert (await resolve(seller, complaint["id"], "DENIED"))["complaint"]["status"] == "RESOLVED"


async def test_a_complaint_answered_and_resolved_in_time_is_not_escalated(seller: Seller) -> None:
    order = await confirmed_order(seller)
    complaint = await opened(seller, order["id"])
    await advance(seller, 11)
    responded = await seller.gql(RESPOND, {"input": {"complaintId": complaint["id"], "message": "Sorry"}})
    assert responded["complaintRespond"]["complaint"]["firstRespondedAt"] == at(11)
    await advance(seller, 36)  # +47 h: 1 h before resolution is due
    assert (await resolve(seller, complaint["id"], "DENIED", note="Worn, not torn"))["userErrors"] == []
    await advance(seller, 100)
    node = await view(seller, complaint["id"])
    assert (node["status"], node["breached"], node["escalatedAt"], node["outcome"]) == (
        "RESOLVED",
        False,
        None,
        "DENIED",
    )
    assert "COMPLAINT_ESCALATED" not in [e["type"] for e in node["timeline"]]
    assert (await seller.gql(COMPLAINTS, {"filter": {"breached": True}}))["complaints"]["totalCount"] == 0


# -- resolutions --------------------------------------------------------------------------------------


async def test_refunds_go_through_the_ledger_and_never_above_what_is_held(seller: Seller) -> None:
    """A PARTIAL_REFUND of 10.00 leaves 44.97 - 10.00 = 34.97 held. A second complaint's REFUND of 34.98
    is refused; its REFUND with no amount gives back the complaint's own amount (5.00)."""
    order = await confirmed_order(seller, country="US", currency="USD")
    first = await opened(seller, order["id"])
    needs_amount = await resolve(seller, first["id"], "PARTIAL_REFUND")
    assert codes(needs_amount) == [("AMOUNT_REQUIRED", ["input", "amount"])]
    partial = await resolve(seller, first["id"], "PARTIAL_REFUND", amount="10.00")
    assert partial["userErrors"] == []
    assert partial["complaint"]["refunded"] == {"amount": "10.00", "currency": "USD"}
    assert partial["complaint"]["order"]["amountRefunded"] == {"amount": "10.00"}
    again = await seller.gql(RESPOND, {"input": {"complaintId": first["id"], "message": "More?"}})
    assert [e["code"] for e in again["complaintRespond"]["userErrors"]] == ["COMPLAINT_RESOLVED"]

    second = await opened(seller, order["id"], amount="5.00")
    before = await view(seller, second["id"])
    too_much = await resolve(seller, second["id"], "REFUND", amount="34.98")
    assert codes(too_much) == [("AMOUNT_TOO_LARGE", ["input", "amount"])]
    denied_with_money = await resolve(seller, second["id"], "DENIED", amount="1.00")
    assert codes(denied_with_money) == [("UNEXPECTED_AMOUNT", ["input", "amount"])]
    assert await view(seller, second["id"]) == before
    refunded = await resolve(seller, second["id"], "REFUND")
    assert refunded["complaint"]["refunded"]["amount"] == "5.00"
    assert refunded["complaint"]["order"]["amountRefunded"] == {"amount": "15.00"}
    ledger = [p for p in (await order_view(seller, order["id"]))["payments"] if p["kind"] == "REFUND"]
    assert [p["amount"]["amount"] for p in ledger] == ["10.00", "5.00"]


async def test_a_replacement_is_a_new_confirmed_order_of_total_zero(seller: Seller) -> None:
    """REPLACEMENT sends 1 of the 2 delivered T-shirts again: a CONFIRMED order, total 0, linked to the
    original; the original keeps its status and shipments, and both timelines say so."""
    order = await confirmed_order(seller, country="US", currency="USD")
    await deliver(seller, await ship(seller, order["id"], incoterm="DDP"))
    complaint = await opened(seller, order["id"])
    line = order["lines"][0]
    bad = await resolve(
        seller, complaint["id"], "REPLACEMENT", lines=[{"orderLineId": line["id"], "quantity": 3}]
    )
    assert codes(bad) == [("INVALID_QUANTITY", ["input", "lines", "0", "quantity"])]
    done = await resolve(
        seller, complaint["id"], "REPLACEMENT", lines=[{"orderLineId": line["id"], "quantity": 1}]
    )
    assert done["userErrors"] == []
    replacement = done["complaint"]["replacementOrder"]
    assert replacement["status"] == "CONFIRMED"
    assert (replacement["total"], replacement["subtotal"]) == ({"amount": "0.00"}, {"amount": "0.00"})
    assert replacement["lines"] == [{"sku": line["sku"], "quantity": 1}]
    assert done["complaint"]["order"]["amountRefunded"] == {"amount": "0.00"}
    original = await seller.gql(
        """query ($id: ID!) { node(id: $id) { ... on Order { status timeline { type data } } } }""",
        {"id": order["id"]},
    )
    assert original["node"]["status"] == "DELIVERED"
    [created] = [e for e in original["node"]["timeline"] if e["type"] == "REPLACEMENT_ORDER_CREATED"]
    assert created["data"]["replacementOrderId"] in _uuid_of(replacement["id"])
    # The replacement ships like any order.
    shipped = await ship(seller, replacement["id"], incoterm="DDP")
    assert shipped["status"] == "LABEL_CREATED"


def _uuid_of(global_id: str) -> str:
    from api.relay import parse_global_id

    return str(parse_global_id(global_id)[1])


async def test_complaint_commands_refuse_bad_input_and_live_workspaces(
    seller: Seller, live_seller: Seller
) -> None:
    order = await confirmed_order(seller)
    assert codes(await complain(seller, order["id"], amount="-1")) == [
        ("INVALID_AMOUNT", ["input", "amount"])
    ]
    assert codes(await complain(seller, order["id"], description="")) == [
        ("INVALID_TEXT", ["input", "description"])
    ]
    assert [c for c, _ in codes(await complain(live_seller, order["id"]))] == ["SANDBOX_ONLY"]
    assert (await seller.gql(COMPLAINTS))["complaints"]["totalCount"] == 0


# -- what a replacement may send ----------------------------------------------------------------------

ORDER_COUNT = "{ orders(first: 1) { totalCount } }"


async def order_count(seller: Seller) -> int:
    count: int = (await seller.gql(ORDER_COUNT))["orders"]["totalCount"]
    return count


async def refused_with_nothing_written(
    seller: Seller, complaint_id: str, expected: list[tuple[str, list[str]]], **values: Any
) -> dict[str, Any]:
    """Resolve as REPLACEMENT, expect exactly `expected`, and read back that nothing changed: the
    complaint (with its order's timeline and ledger) and the workspace's order count."""
    before, orders = await view(seller, complaint_id), await order_count(seller)
    refused = await resolve(seller, complaint_id, "REPLACEMENT", **values)
    assert codes(refused) == expected, refused
    assert refused["complaint"] is None
    assert await view(seller, complaint_id) == before
    assert await order_count(seller) == orders
    return refused


async def test_a_replacement_needs_a_delivered_order(seller: Seller) -> None:
    """A CONFIRMED order (paid, not shipped) and a PLACED one never paid: nothing reached the consumer,
    so there is nothing to send again; the seller can still refund or deny."""
    confirmed = await confirmed_order(seller, country="US", currency="USD")
    complaint = await opened(seller, confirmed["id"])
    refused = await refused_with_nothing_written(
        seller, complaint["id"], [("ORDER_NOT_DELIVERED", ["input", "outcome"])]
    )
    assert "CONFIRMED" in refused["userErrors"][0]["message"]
    line = [{"orderLineId": confirmed["lines"][0]["id"], "quantity": 1}]
    await refused_with_nothing_written(
        seller, complaint["id"], [("ORDER_NOT_DELIVERED", ["input", "outcome"])], lines=line
    )

    values = {
        "channelId": seller.ids["AMAZON-US-USD/channel"],
        "lines": [{"listingId": seller.ids["AMAZON-US-USD"], "quantity": 2}],
        "buyerName": "Eve Unpaid",
        "shipToCountry": "US",
        "shippingPrice": "4.99",
    }
    placed = (await seller.gql(PLACE, {"input": values}))["orderPlace"]
    assert placed["userErrors"] == [] and placed["order"]["status"] == "PLACED"
    unpaid = await opened(seller, placed["order"]["id"])
    await refused_with_nothing_written(seller, unpaid["id"], [("ORDER_NOT_DELIVERED", ["input", "outcome"])])
    assert (await resolve(seller, unpaid["id"], "DENIED"))["complaint"]["status"] == "RESOLVED"


async def test_a_replacement_sends_only_units_with_no_remedy_yet(seller: Seller) -> None:
    """3 T-shirts delivered. A return of 1 that the seller DECLINED leaves the unit with the consumer; a
    RETURNLESS_REFUND of 1 is a remedy: 3 - 1 = 2 units may be sent again. Asking for 3 is refused; 1 is
    sent (2 - 1 = 1 left), then the rest by default (1), then nothing is left."""
    order = await delivered_order(seller, quantity=3)
    declined = await asked(seller, order, 1)
    assert (await run(seller, DECLINE, "returnDecline", returnId=declined["id"], reason="Worn"))[
        "userErrors"
    ] == []
    refunded = await approved(seller, (await asked(seller, order, 1))["id"], "RETURNLESS_REFUND")
    assert refunded["status"] == "RESOLVED"

    first = await opened(seller, order["id"])
    too_many = await refused_with_nothing_written(
        seller,
        first["id"],
        [("NOTHING_TO_REPLACE", ["input", "lines", "0", "quantity"])],
        lines=[{"orderLineId": order["line"], "quantity": 3}],
    )
    assert too_many["userErrors"][0]["message"].startswith("2 unit(s)")
    one = await resolve(
        seller, first["id"], "REPLACEMENT", lines=[{"orderLineId": order["line"], "quantity": 1}]
    )
    assert one["userErrors"] == [] and one["complaint"]["replacementOrder"]["lines"][0]["quantity"] == 1

    second = await opened(seller, order["id"])
    rest = await resolve(seller, second["id"], "REPLACEMENT")
    assert rest["userErrors"] == []
    assert [line["quantity"] for line in rest["complaint"]["replacementOrder"]["lines"]] == [1]

    third = await opened(seller, order["id"])
    await refused_with_nothing_written(seller, third["id"], [("NOTHING_TO_REPLACE", ["input", "outcome"])])
    await refused_with_nothing_written(
        seller,
        third["id"],
        [("NOTHING_TO_REPLACE", ["input", "lines", "0", "quantity"])],
        lines=[{"orderLineId": order["line"], "quantity": 1}],
    )


async def test_after_an_exchange_only_the_units_not_exchanged_are_sent_again(seller: Seller) -> None:
    """3 T-shirts delivered; 1 is exchanged (sent back, restocked, and a replacement order sends 1). The
    exchanged unit had its remedy, and its replacement order answers that unit, not another: 3 - 1 = 2
    may be sent again. Once they are, nothing is left, although the consumer now holds 3 units."""
    order = await delivered_order(seller, quantity=3)
    rma = await approved(seller, (await asked(seller, order, 1))["id"], "EXCHANGE")
    await sent_back(seller, rma)
    line = [{"orderLineId": order["line"], "restock": 1, "dispose": 0}]
    exchanged = await run(seller, INSPECT, "returnInspect", returnId=rma["id"], lines=line)
    assert exchanged["userErrors"] == [] and exchanged["returnRequest"]["replacementOrder"] is not None

    first = await opened(seller, order["id"])
    sent = await resolve(seller, first["id"], "REPLACEMENT")
    assert sent["userErrors"] == []
    assert [line["quantity"] for line in sent["complaint"]["replacementOrder"]["lines"]] == [2]
    second = await opened(seller, order["id"])
    await refused_with_nothing_written(seller, second["id"], [("NOTHING_TO_REPLACE", ["input", "outcome"])])


def _line(listing: uuid.UUID) -> OrderLine:
    return OrderLine(id=uuid.uuid4(), listing_id=listing)


@given(
    st.lists(st.tuples(st.integers(0, 1), st.integers(0, 5), st.integers(0, 5)), min_size=1, max_size=5),
    st.integers(0, 12),
    st.integers(0, 12),
)
def test_units_sent_again_are_set_against_their_listing_lines_in_turn(
    shape: list[tuple[int, int, int]], sent_a: int, sent_b: int
) -> None:
    """Lines of two listings (A, B), each with units delivered and units in returns. Per line, what is
    left never exceeds delivered - returned (nor goes below 0); per listing, the units left are that
    listing's units without a return, less the units sent again, never below 0."""
    listings = (uuid.uuid4(), uuid.uuid4())
    sent = {listings[0]: sent_a, listings[1]: sent_b}
    lines = [_line(listings[which]) for which, _, _ in shape]
    delivered = {line.id: units for line, (_, units, _) in zip(lines, shape, strict=True)}
    returned = {line.id: units for line, (_, _, units) in zip(lines, shape, strict=True)}
    left = without_remedy(lines, delivered, returned, sent)
    for line in lines:
        assert 0 <= left[line.id] <= max(delivered[line.id] - returned[line.id], 0)
    for listing in listings:
        mine = [line for line in lines if line.listing_id == listing]
        kept = sum(max(delivered[line.id] - returned[line.id], 0) for line in mine)
        assert sum(left[line.id] for line in mine) == max(kept - sent[listing], 0)


def test_units_sent_again_come_off_the_first_line_of_their_listing_first() -> None:
    """Two lines of listing A (3 and 2 units delivered, the first with 1 returned) and one of B (4). 3
    sent again of A: the first line keeps 3 - 1 = 2, all taken; the second 2 - 1 = 1. B: 4 - 0 = 4."""
    a, b = uuid.uuid4(), uuid.uuid4()
    first, second, other = _line(a), _line(a), _line(b)
    left = without_remedy(
        [first, second, other],
        {first.id: 3, second.id: 2, other.id: 4},
        {first.id: 1},
        {a: 3},
    )
    assert left == {first.id: 0, second.id: 1, other.id: 4}


# -- statement counts ---------------------------------------------------------------------------------

LIST = """{ complaints(first: 50) { edges { node { status amount { amount } order { status }
  timeline { type } replacementOrder { id } } } } }"""
BY_ORDER = """{ orders(first: 50) { edges { node { status complaints { status timeline { type } } } } } }"""


async def test_complaint_lists_cost_the_same_for_1_and_10_complaints(
    seller: Seller, count_statements: Any
) -> None:
    """Each count: the API key, entering the workspace, the page, then one statement per relation:
    complaints + order, events = 5 (no replacement orders to load); orders + complaints, events = 5."""
    made = 0
    for size in (1, 10):
        while made < size:
            order = await confirmed_order(seller)
            await opened(seller, order["id"])
            made += 1
        for query, name, statements in ((LIST, "complaints", 5), (BY_ORDER, "orders", 5)):
            with count_statements() as counter:
                data = await seller.gql(query)
            assert len(data[name]["edges"]) >= size
            assert counter.count == statements, (name, size, counter.statements)
