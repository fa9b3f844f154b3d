"""Service tickets and SLA policies through the API: a ticket's conversation from opening to closing, the
deadlines its policy gives it (a channel's line over the workspace's over Tradelane's default), breaches
when the sandbox clock passes a deadline unmet (and none when answered in time), a reply on a closed
ticket refused with nothing written, and the statement counts of the ticket lists.

The sandbox clock starts at 2026-11-23T09:00Z (tests/conftest.py START) and only moves when told, so
every deadline below is START plus the policy's hours. The SLA hours are Tradelane's own defaults, not a
reference-facts row: no law sets them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.aftersales.model import ServiceTicket, SlaSubject
from domain.aftersales.sla import (
    BUILT_IN,
    MAX_HOURS,
    PolicySource,
    choose,
    ticket_deadlines_met,
    validate_hours,
)
from domain.shared.errors import DomainError
from tests.conftest import START, Seller
from tests.shipping_setup import confirmed_order, deliver, ship

OPEN = """mutation ($input: ServiceTicketOpenInput!) { serviceTicketOpen(input: $input) {
  ticket { id status kind subject firstResponseDue resolutionDue openedAt version breached
    messages { author body } orderLine { sku } order { id } }
  userErrors { field code message } } }"""
REPLY = """mutation ($input: ServiceTicketMessageInput!) { serviceTicketReply(input: $input) {
  ticket { status firstRespondedAt version messages { author body } } userErrors { field code message } } }"""
WRITE = """mutation ($input: ServiceTicketMessageInput!) { serviceTicketConsumerMessage(input: $input) {
  ticket { status version messages { author } } userErrors { field code message } } }"""
RESOLVE = """mutation ($input: ServiceTicketMoveInput!) { serviceTicketResolve(input: $input) {
  ticket { status resolvedAt firstRespondedAt nextStates } userErrors { field code message } } }"""
CLOSE = """mutation ($input: ServiceTicketMoveInput!) { serviceTicketClose(input: $input) {
  ticket { status closedAt nextStates messages { author body } } userErrors { field code message } } }"""
TICKET = """query ($id: ID!) { node(id: $id) { ... on ServiceTicket { status version firstResponseBreached
  resolutionBreached breached firstRespondedAt messages { author body sentAt } timeline { type occurredAt data }
  order { timeline { type data } } } } }"""
TICKETS = """query ($filter: ServiceTicketFilter) { serviceTickets(first: 50, filter: $filter) {
  totalCount edges { node { id status breached } } } }"""
ADVANCE = """mutation ($hours: Int!) { sandboxClockAdvance(input: {hours: $hours}) { timersFired
  userErrors { code } } }"""
SET = """mutation ($input: SlaPolicySetInput!) { slaPolicySet(input: $input) {
  policy { subject firstResponseHours resolutionHours source channelId } userErrors { field code message } } }"""
POLICIES = """query ($channelId: ID) { slaPolicies(channelId: $channelId) {
  subject firstResponseHours resolutionHours source } }"""


def at(hours: int) -> str:
    return (START + timedelta(hours=hours)).isoformat()


async def open_ticket(
    seller: Seller, order_id: str, kind: str = "CONSULTATION", **extra: Any
) -> dict[str, Any]:
    values = {"orderId": order_id, "kind": kind, "subject": "Does it shrink?", "message": "Hello"} | extra
    payload: dict[str, Any] = (await seller.gql(OPEN, {"input": values}))["serviceTicketOpen"]
    return payload


async def opened(seller: Seller, order_id: str, kind: str = "CONSULTATION", **extra: Any) -> dict[str, Any]:
    payload = await open_ticket(seller, order_id, kind, **extra)
    assert payload["userErrors"] == [], payload
    ticket: dict[str, Any] = payload["ticket"]
    return ticket


async def advance(seller: Seller, hours: int) -> int:
    data = (await seller.gql(ADVANCE, {"hours": hours}))["sandboxClockAdvance"]
    assert data["userErrors"] == [], data
    fired: int = data["timersFired"]
    return fired


async def view(seller: Seller, ticket_id: str) -> dict[str, Any]:
    node: dict[str, Any] = (await seller.gql(TICKET, {"id": ticket_id}))["node"]
    return node


# -- pure rules ---------------------------------------------------------------------------------------


def test_a_channel_line_wins_over_the_workspace_line_which_wins_over_the_default() -> None:
    """CONSULTATION: channel (2, 5) > workspace (10, 20) > built-in (24, 72)."""
    subject = SlaSubject.CONSULTATION
    assert choose(subject, (2, 5), (10, 20)).source is PolicySource.CHANNEL
    assert (
        choose(subject, (2, 5), (10, 20)).first_response_hours,
        choose(subject, (2, 5), None).resolution_hours,
    ) == (
        2,
        5,
    )
    assert choose(subject, None, (10, 20)).source is PolicySource.WORKSPACE
    fallback = choose(subject, None, None)
    assert (fallback.first_response_hours, fallback.resolution_hours, fallback.source) == (
        24,
        72,
        PolicySource.BUILT_IN,
    )


def test_the_built_in_defaults_are_the_documented_ones() -> None:
    """Tickets 24 h / 72 h, WARRANTY 24 h / 7 days (168 h); complaints CRITICAL 4/24, HIGH 12/48,
    MEDIUM 24/72, LOW 48/168."""
    assert BUILT_IN[SlaSubject.WARRANTY] == (24, 168)
    assert BUILT_IN[SlaSubject.REPAIR] == (24, 72)
    assert BUILT_IN[SlaSubject.COMPLAINT_CRITICAL] == (4, 24)
    assert BUILT_IN[SlaSubject.COMPLAINT_HIGH] == (12, 48)
    assert BUILT_IN[SlaSubject.COMPLAINT_MEDIUM] == (24, 72)
    assert BUILT_IN[SlaSubject.COMPLAINT_LOW] == (48, 168)


def test_deadlines_count_whole_hours_from_the_opening() -> None:
    """Opened 2026-11-23 09:00Z under WARRANTY's default: first response 24 h later (11-24 09:00), resolution
    168 h = 7 days later (11-30 09:00)."""
    first, resolution = choose(SlaSubject.WARRANTY, None, None).deadlines(START)
    assert first == datetime(2026, 11, 24, 9, tzinfo=UTC)
    assert resolution == datetime(2026, 11, 30, 9, tzinfo=UTC)


@given(st.integers(-10, MAX_HOURS + 10), st.integers(-10, MAX_HOURS + 10))
def test_hours_are_accepted_exactly_when_ordered_and_in_range(first: int, resolution: int) -> None:
    fine = 1 <= first <= resolution <= MAX_HOURS
    if fine:
        validate_hours(first, resolution)
    else:
        with pytest.raises(DomainError) as refused:
            validate_hours(first, resolution)
        assert refused.value.code == "INVALID_HOURS"


# -- the conversation ---------------------------------------------------------------------------------


async def test_a_warranty_ticket_from_opening_to_closing(seller: Seller) -> None:
    """WARRANTY on a delivered order, opened at START: due 24 h and 168 h later (built-in default). The
    seller's reply meets the first response; the consumer writes again; resolved; closed. Every step is on
    the ticket's timeline and the order's."""
    order = await confirmed_order(seller, country="US", currency="USD")
    await deliver(seller, await ship(seller, order["id"], incoterm="DDP"))
    line = order["lines"][0]
    ticket = await opened(seller, order["id"], "WARRANTY", orderLineId=line["id"], message="Seam tore")
    assert ticket["status"] == "OPEN" and ticket["kind"] == "WARRANTY" and ticket["openedAt"] == at(0)
    assert (ticket["firstResponseDue"], ticket["resolutionDue"]) == (at(24), at(168))
    assert ticket["messages"] == [{"author": "CONSUMER", "body": "Seam tore"}]
    assert ticket["orderLine"]["sku"] == line["sku"] and ticket["order"]["id"] == order["id"]

    await advance(seller, 2)
    replied = await seller.gql(REPLY, {"input": {"ticketId": ticket["id"], "message": "Send a photo"}})
    replied = replied["serviceTicketReply"]
    assert replied["userErrors"] == []
    assert replied["ticket"]["status"] == "WAITING_CONSUMER" and replied["ticket"]["firstRespondedAt"] == at(
        2
    )

    wrote = await seller.gql(WRITE, {"input": {"ticketId": ticket["id"], "message": "Here"}})
    assert wrote["serviceTicketConsumerMessage"]["ticket"]["status"] == "WAITING_SELLER"

    resolved = await seller.gql(RESOLVE, {"input": {"ticketId": ticket["id"], "note": "Refund sent"}})
    resolved = resolved["serviceTicketResolve"]
    assert resolved["userErrors"] == [] and resolved["ticket"]["status"] == "RESOLVED"
    assert resolved["ticket"]["resolvedAt"] == at(2) and resolved["ticket"]["firstRespondedAt"] == at(2)
    assert resolved["ticket"]["nextStates"] == ["CLOSED", "WAITING_SELLER"]

    closed = (await seller.gql(CLOSE, {"input": {"ticketId": ticket["id"]}}))["serviceTicketClose"]
    assert closed["ticket"]["status"] == "CLOSED" and closed["ticket"]["nextStates"] == []
    assert [m["author"] for m in closed["ticket"]["messages"]] == ["CONSUMER", "SELLER", "CONSUMER", "SELLER"]

    node = await view(seller, ticket["id"])
    steps = ["TICKET_OPENED", "TICKET_REPLIED", "TICKET_CONSUMER_WROTE", "TICKET_RESOLVED", "TICKET_CLOSED"]
    assert [e["type"] for e in node["timeline"]] == steps
    assert [e["type"] for e in node["order"]["timeline"] if e["type"].startswith("TICKET_")] == steps
    assert node["breached"] is False


async def test_a_reply_on_a_closed_ticket_is_refused_and_writes_nothing(seller: Seller) -> None:
    order = await confirmed_order(seller)
    ticket = await opened(seller, order["id"])
    assert (await seller.gql(CLOSE, {"input": {"ticketId": ticket["id"]}}))["serviceTicketClose"][
        "userErrors"
    ] == []
    before = await view(seller, ticket["id"])
    for document, name in ((REPLY, "serviceTicketReply"), (WRITE, "serviceTicketConsumerMessage")):
        payload = (await seller.gql(document, {"input": {"ticketId": ticket["id"], "message": "Hello?"}}))[
            name
        ]
        assert payload["ticket"] is None
        assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
            ("TICKET_CLOSED", ["input", "ticketId"])
        ]
    again = (await seller.gql(RESOLVE, {"input": {"ticketId": ticket["id"]}}))["serviceTicketResolve"]
    assert [e["code"] for e in again["userErrors"]] == ["TICKET_CLOSED"]
    assert await view(seller, ticket["id"]) == before  # no message, no event, same version


async def test_bad_input_is_a_typed_error_and_opens_nothing(seller: Seller, live_seller: Seller) -> None:
    order = await confirmed_order(seller)  # CONFIRMED: not delivered
    refused = await open_ticket(seller, order["id"], "WARRANTY")
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [
        ("ORDER_NOT_DELIVERED", ["input", "orderId"])
    ]
    empty = await open_ticket(seller, order["id"], subject="  ")
    assert [(e["code"], e["field"]) for e in empty["userErrors"]] == [("INVALID_TEXT", ["input", "subject"])]
    other = await confirmed_order(seller)
    foreign_line = await open_ticket(seller, order["id"], orderLineId=other["lines"][0]["id"])
    assert [e["code"] for e in foreign_line["userErrors"]] == ["NOT_FOUND"]
    assert (await seller.gql(TICKETS))["serviceTickets"]["totalCount"] == 0
    live = await open_ticket(live_seller, order["id"])
    assert [e["code"] for e in live["userErrors"]] == ["SANDBOX_ONLY"]


# -- deadlines and breaches ---------------------------------------------------------------------------


async def test_deadlines_passed_unmet_breach_the_ticket(seller: Seller) -> None:
    """CONSULTATION default 24 h / 72 h. At +25 h only the first response is breached; at +73 h the
    resolution is too. Each breach is an event on the ticket and on the order."""
    order = await confirmed_order(seller)
    ticket = await opened(seller, order["id"])
    assert await advance(seller, 25) >= 1
    node = await view(seller, ticket["id"])
    assert (node["firstResponseBreached"], node["resolutionBreached"], node["breached"]) == (
        True,
        False,
        True,
    )
    [event] = [e for e in node["timeline"] if e["type"] == "TICKET_FIRST_RESPONSE_BREACHED"]
    assert event["occurredAt"] == at(24) and event["data"]["deadline"] == at(24)
    breached = await seller.gql(TICKETS, {"filter": {"breached": True}})
    assert [e["node"]["id"] for e in breached["serviceTickets"]["edges"]] == [ticket["id"]]
    assert (await seller.gql(TICKETS, {"filter": {"breached": False}}))["serviceTickets"]["totalCount"] == 0

    await advance(seller, 48)
    node = await view(seller, ticket["id"])
    assert node["resolutionBreached"] is True
    order_events = [e["type"] for e in node["order"]["timeline"]]
    assert "TICKET_FIRST_RESPONSE_BREACHED" in order_events and "TICKET_RESOLUTION_BREACHED" in order_events
    # A late reply is still a reply; it does not undo the breach.
    late = (await seller.gql(REPLY, {"input": {"ticketId": ticket["id"], "message": "Sorry"}}))[
        "serviceTicketReply"
    ]
    assert late["ticket"]["firstRespondedAt"] == at(73)
    assert (await view(seller, ticket["id"]))["firstResponseBreached"] is True


async def test_a_ticket_answered_and_resolved_in_time_is_not_breached(seller: Seller) -> None:
    order = await confirmed_order(seller)
    ticket = await opened(seller, order["id"])
    await advance(seller, 23)  # 1 h before the first response is due
    assert (await seller.gql(REPLY, {"input": {"ticketId": ticket["id"], "message": "Yes"}}))[
        "serviceTicketReply"
    ]["userErrors"] == []
    await advance(seller, 48)  # 1 h before resolution is due
    assert (await seller.gql(RESOLVE, {"input": {"ticketId": ticket["id"]}}))["serviceTicketResolve"][
        "userErrors"
    ] == []
    await advance(seller, 200)  # both timers fire, find the deadlines met
    node = await view(seller, ticket["id"])
    assert (node["firstResponseBreached"], node["resolutionBreached"]) == (False, False)
    assert not [e for e in node["timeline"] if e["type"].endswith("_BREACHED")]


async def test_closing_with_a_note_is_the_first_response(seller: Seller) -> None:
    """CONSULTATION 24 h / 72 h. Closed at +1 h with a note: the note is the seller's answer, so the first
    response is at +1 h, and neither timer (at +24 h and +72 h) breaches the ticket."""
    order = await confirmed_order(seller)
    ticket = await opened(seller, order["id"])
    await advance(seller, 1)
    closed = await seller.gql(CLOSE, {"input": {"ticketId": ticket["id"], "note": "Yes, it fits."}})
    assert closed["serviceTicketClose"]["userErrors"] == []
    assert await advance(seller, 200) >= 2
    node = await view(seller, ticket["id"])
    assert (node["status"], node["firstRespondedAt"]) == ("CLOSED", at(1))
    assert (node["firstResponseBreached"], node["resolutionBreached"], node["breached"]) == (
        False,
        False,
        False,
    )
    assert not [e for e in node["timeline"] if e["type"].endswith("_BREACHED")]
    assert not [e for e in node["order"]["timeline"] if e["type"].endswith("_BREACHED")]


async def test_a_ticket_closed_or_resolved_by_a_deadline_is_not_breached_by_it(seller: Seller) -> None:
    """CONSULTATION 24 h / 72 h. Ticket A is closed at START with no note: no answer is on record
    (firstRespondedAt stays empty), so its first response is breached at +24 h (closing silently answers
    nobody), but it was done with before the resolution deadline, which it meets.
    Ticket B is resolved at +1 h and reopened by the consumer at +2 h: at +72 h it is WAITING_SELLER, yet
    it was resolved by then, and the SLA measures the first resolution. Ticket C, left open, is breached
    at both deadlines, so the timers did run."""
    order = await confirmed_order(seller)
    closed, reopened, left = [await opened(seller, order["id"]) for _ in range(3)]
    assert (await seller.gql(CLOSE, {"input": {"ticketId": closed["id"]}}))["serviceTicketClose"][
        "userErrors"
    ] == []
    await advance(seller, 1)
    assert (await seller.gql(RESOLVE, {"input": {"ticketId": reopened["id"]}}))["serviceTicketResolve"][
        "userErrors"
    ] == []
    await advance(seller, 1)
    wrote = await seller.gql(WRITE, {"input": {"ticketId": reopened["id"], "message": "Still shrinks"}})
    assert wrote["serviceTicketConsumerMessage"]["ticket"]["status"] == "WAITING_SELLER"
    await advance(seller, 100)
    a, b, c = [await view(seller, t["id"]) for t in (closed, reopened, left)]
    assert (a["status"], a["firstRespondedAt"], a["firstResponseBreached"]) == ("CLOSED", None, True)
    assert a["resolutionBreached"] is False
    assert (b["status"], b["firstRespondedAt"], b["breached"]) == ("WAITING_SELLER", at(1), False)
    assert (c["firstResponseBreached"], c["resolutionBreached"]) == (True, True)
    assert [e["type"] for e in a["timeline"] if e["type"].endswith("_BREACHED")] == [
        "TICKET_FIRST_RESPONSE_BREACHED"
    ]
    assert not [e for e in b["timeline"] if e["type"].endswith("_BREACHED")]


def _ticket(first: int | None, resolved: int | None, closed: int | None) -> ServiceTicket:
    """A ticket due at START + 24 h (first response) and + 72 h (resolution), with what happened when
    (hours from START, None: not yet)."""

    def time(hours: int | None) -> datetime | None:
        return None if hours is None else START + timedelta(hours=hours)

    return ServiceTicket(
        first_response_due=START + timedelta(hours=24),
        resolution_due=START + timedelta(hours=72),
        first_responded_at=time(first),
        resolved_at=time(resolved),
        closed_at=time(closed),
    )


def test_a_deadline_is_met_by_what_happened_by_it_not_by_the_status() -> None:
    """Closed at +100 h, after both deadlines, with nothing before: neither met, although the ticket is
    CLOSED when a late timer runs. Closed at +24 h exactly, without a word: the resolution met, the first
    response not (closing is no answer). Resolved
    at +30 h: the first response (due +24 h) was missed, the resolution (due +72 h) met. Answered at +2 h
    and resolved at +80 h: only the first response met."""
    assert ticket_deadlines_met(_ticket(None, None, 100)) == (False, False)
    assert ticket_deadlines_met(_ticket(None, None, 24)) == (False, True)
    assert ticket_deadlines_met(_ticket(None, 30, 31)) == (False, True)
    assert ticket_deadlines_met(_ticket(2, 80, None)) == (True, False)


moment = st.none() | st.integers(0, 200)


@given(moment, moment, moment)
def test_a_deadline_is_met_exactly_when_something_ended_or_answered_by_it(
    first: int | None, resolved: int | None, closed: int | None
) -> None:
    def by(due: int, *hours: int | None) -> bool:
        return any(h is not None and h <= due for h in hours)

    assert ticket_deadlines_met(_ticket(first, resolved, closed)) == (
        by(24, first, resolved),
        by(72, resolved, closed),
    )


# -- policies -----------------------------------------------------------------------------------------


async def test_a_channel_policy_beats_the_workspace_policy_which_beats_the_default(seller: Seller) -> None:
    """Workspace CONSULTATION 10 h / 20 h, the order's channel 2 h / 5 h: a ticket on that channel is due
    at START + 2 h and + 5 h. slaPolicies shows which line applies where; REPAIR keeps the default."""
    order = await confirmed_order(seller)
    channel = seller.ids["AMAZON-DE-EUR/channel"]
    workspace = await seller.gql(
        SET, {"input": {"subject": "CONSULTATION", "firstResponseHours": 10, "resolutionHours": 20}}
    )
    assert workspace["slaPolicySet"]["policy"] == {
        "subject": "CONSULTATION",
        "firstResponseHours": 10,
        "resolutionHours": 20,
        "source": "WORKSPACE",
        "channelId": None,
    }
    own = {"subject": "CONSULTATION", "firstResponseHours": 2, "resolutionHours": 5, "channelId": channel}
    assert (await seller.gql(SET, {"input": own}))["slaPolicySet"]["userErrors"] == []
    ticket = await opened(seller, order["id"])
    assert (ticket["firstResponseDue"], ticket["resolutionDue"]) == (at(2), at(5))

    on_channel = {
        p["subject"]: p for p in (await seller.gql(POLICIES, {"channelId": channel}))["slaPolicies"]
    }
    assert (on_channel["CONSULTATION"]["firstResponseHours"], on_channel["CONSULTATION"]["source"]) == (
        2,
        "CHANNEL",
    )
    assert on_channel["REPAIR"] == {
        "subject": "REPAIR",
        "firstResponseHours": 24,
        "resolutionHours": 72,
        "source": "BUILT_IN",
    }
    general = {p["subject"]: p for p in (await seller.gql(POLICIES))["slaPolicies"]}
    assert (general["CONSULTATION"]["firstResponseHours"], general["CONSULTATION"]["source"]) == (
        10,
        "WORKSPACE",
    )
    assert len(general) == 7

    # Setting the same line again replaces it.
    own["resolutionHours"] = 8
    await seller.gql(SET, {"input": own})
    again = {p["subject"]: p for p in (await seller.gql(POLICIES, {"channelId": channel}))["slaPolicies"]}
    assert again["CONSULTATION"]["resolutionHours"] == 8


async def test_a_bad_policy_is_refused_and_changes_nothing(seller: Seller, other_seller: Seller) -> None:
    bad = {"subject": "WARRANTY", "firstResponseHours": 48, "resolutionHours": 24}
    refused = (await seller.gql(SET, {"input": bad}))["slaPolicySet"]
    assert refused["policy"] is None
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [
        ("INVALID_HOURS", ["input", "resolutionHours"])
    ]
    channel = await confirmed_order(other_seller) and other_seller.ids["AMAZON-DE-EUR/channel"]
    foreign = {"subject": "WARRANTY", "firstResponseHours": 1, "resolutionHours": 2, "channelId": channel}
    assert [e["code"] for e in (await seller.gql(SET, {"input": foreign}))["slaPolicySet"]["userErrors"]] == [
        "NOT_FOUND"
    ]
    warranty = [p for p in (await seller.gql(POLICIES))["slaPolicies"] if p["subject"] == "WARRANTY"]
    assert warranty == [
        {"subject": "WARRANTY", "firstResponseHours": 24, "resolutionHours": 168, "source": "BUILT_IN"}
    ]


# -- statement counts ---------------------------------------------------------------------------------

LIST = """{ serviceTickets(first: 50) { edges { node { status order { status } messages { body }
  timeline { type } orderLine { sku } } } } }"""
BY_ORDER = (
    """{ orders(first: 50) { edges { node { status serviceTickets { status messages { body } } } } } }"""
)


async def test_ticket_lists_cost_the_same_for_1_and_10_tickets(seller: Seller, count_statements: Any) -> None:
    """Each count: the API key, entering the workspace, the page, then one statement per relation:
    serviceTickets + order, messages, events, order lines = 7; orders + tickets, their messages = 5."""
    made = 0
    for size in (1, 10):
        while made < size:
            order = await confirmed_order(seller)
            await opened(seller, order["id"], orderLineId=order["lines"][0]["id"])
            made += 1
        for query, name, statements in ((LIST, "serviceTickets", 7), (BY_ORDER, "orders", 5)):
            with count_statements() as counter:
                data = await seller.gql(query)
            assert len(data[name]["edges"]) >= size
            assert counter.count == statements, (name, size, counter.statements)
