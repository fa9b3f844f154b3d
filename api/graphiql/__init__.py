"""GraphiQL for sellers: the self-hosted page, opened with example operations that walk a sandbox order
from placement to confirmation, then two paid orders through shipping, tracking, customs and the tax
ledger, then a delivered order through after-sales: a return, a service ticket and a complaint that miss
their deadlines as the sandbox clock moves, and feedback; and a simulated season, started and followed."""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

STATIC_DIR = Path(str(resources.files("api.graphiql").joinpath("static")))

WELCOME = """# Tradelane sandbox. Press ▶ (Ctrl-Enter) to run; the tabs above walk an order
# from placement to confirmation: Catalog → PlaceOrder → Pay → Confirm → Orders.
# Two demo orders are paid and confirmed already; the next tabs ship and clear them:
# Shipping → Tracking → Customs → Deliver → ShipDap (a refusal under DAP) → Taxes.
# A third demo order was delivered already; after sales: Returns → Service → Complaints → Feedback
# (Service and Complaints move the sandbox clock forward: run them after the tabs before them).
# Simulate plays a whole season (the smoke scenario) in a sandbox of its own and follows it.
# Where a tab holds several operations, ▶ asks which to run: run them top to bottom.
# The Authorization header below carries your API key (see the Headers pane).
"""

CATALOG = (
    WELCOME
    + """query Catalog {
  workspace { name kind now }
  channels(first: 10) {
    edges { node { id name platform country currency feeSchedule { referralRate } } }
  }
  listings(first: 20) {
    totalCount
    edges {
      node {
        id
        status
        price { amount currency }
        product { sku title hsCode originCountry }
        channel { name }
      }
    }
  }
}
"""
)

PLACE = """# A consumer orders on a channel (sandbox only). The currency, if given, must be the channel's.
mutation PlaceOrder($channelId: ID!, $listingId: ID!) {
  orderPlace(input: {
    channelId: $channelId
    lines: [{ listingId: $listingId, quantity: 2 }]
    buyerName: "Ada Consumer"
    shipToCountry: "US"
    shippingPrice: "4.99"
  }) {
    order { id status nextStates total { amount currency } confirmBy }
    userErrors { field code message }
  }
}
"""

PAY = """# The payment provider authorises the payment (sandbox only); capturing it makes the order PAID.
# Both mutations run in order, each in its own transaction. Run it twice to see a typed refusal.
mutation Pay($orderId: ID!) {
  paymentAuthorize(input: { orderId: $orderId, method: CARD }) {
    payment { kind amount { amount currency } }
    userErrors { field code message }
  }
  paymentCapture(input: { orderId: $orderId }) {
    order { status nextStates amountCaptured { amount currency } }
    userErrors { field code message }
  }
}
"""

CONFIRM = """# The seller confirms the paid order before its confirmBy deadline.
mutation Confirm($orderId: ID!) {
  orderConfirm(input: { orderId: $orderId }) {
    order {
      status
      nextStates
      timeline { type occurredAt data }
    }
    userErrors { field code message }
  }
}
"""

ORDERS = """query Orders {
  orders(first: 10) {
    totalCount
    edges {
      node {
        id
        status
        total { amount currency }
        lines { sku quantity product { title } }
        payments { kind amount { amount currency } }
        timeline { type occurredAt }
      }
    }
  }
}
"""

CLOCK = """# Move the sandbox clock. Orders not confirmed within their channel's window (48 h by default)
# are cancelled and refunded as the clock passes their deadline.
mutation Advance {
  sandboxClockAdvance(input: { hours: 49 }) {
    workspace { now }
    timersFired
    userErrors { field code message }
  }
}
"""

# The shipping walk. The demo orders' IDs come in through the variables; a tracking number or a declaration
# ID exists only once a shipment is made, so each tab that needs one finds it by a query first, and the
# seller pastes it into the variables (GraphQL cannot pass one operation's answer to the next).
SHIPPING = """# Ship the Amazon DE order: two T-shirts; Amazon collected VAT and the EUR 3 duty at sale
# (IOSS). Shipping: every way the parcel could travel, cheapest usable first. Ship: buy the
# cheapest POSTAL label; the order is PACKED, and the export (CN) and import (DE) declarations
# are lodged with customs.
query Shipping($orderId: ID!) {
  shipmentQuotes(orderId: $orderId) {
    method carrier { code name } service cost { amount currency }
    transitDaysP50 estimatedDelivery available unavailableReason
  }
}

mutation Ship($orderId: ID!) {
  shipmentCreate(input: { orderId: $orderId, method: POSTAL }) {
    shipment {
      trackingNumber status incoterm cost { amount currency } estimatedDelivery
      declarations { id direction status scheme items { hsCode value { amount currency } } }
    }
    order { status }
    userErrors { field code message }
  }
}
"""

TRACKING = """# The carrier's scans move the parcel forward; a late or repeated scan is kept but changes
# nothing. Tracking: find the DE order's parcel, then paste its trackingNumber and its EXPORT
# declaration's id into the variables. Track: picked up (the order is SHIPPED), released for
# export by CN customs, departed, arrived in DE, where import customs decide (next tab).
query Tracking($orderId: ID!) {
  shipments(first: 1, filter: { orderId: $orderId }) {
    edges { node { trackingNumber status declarations { id direction status } } }
  }
}

mutation Track($trackingNumber: String!, $exportId: ID!) {
  pickedUp: trackingScanRecord(input: { trackingNumber: $trackingNumber, type: PICKED_UP }) {
    applied shipment { status order { status } } userErrors { field code message }
  }
  exportCleared: customsDecisionRecord(input: { declarationId: $exportId, decision: RELEASE }) {
    declaration { direction status } shipment { status } userErrors { field code message }
  }
  departed: trackingScanRecord(input: { trackingNumber: $trackingNumber, type: DEPARTED_ORIGIN }) {
    applied shipment { status } userErrors { field code message }
  }
  arrived: trackingScanRecord(input: { trackingNumber: $trackingNumber, type: ARRIVED_DESTINATION }) {
    applied shipment { status } userErrors { field code message }
  }
}
"""

CUSTOMS = """# Import customs in DE (in a sandbox, these mutations stand for customs). Customs: the DE
# order's declarations; paste the IMPORT one's id into the variables, then run in turn:
#   Hold     customs hold the parcel and ask for the invoice (IMPORT_CUSTOMS_HOLD);
#   Respond  the seller sends it (the declaration is RESUBMITTED);
#   Release  customs assess it (IOSS: the tax was paid at sale, nothing is due) and release it.
# Seize is the other way a hold may end, instead of Release: the goods, the parcel and the
# order end SEIZED, and the Deliver tab then changes nothing.
query Customs($orderId: ID!) {
  customsDeclarations(first: 10, filter: { orderId: $orderId }) {
    edges {
      node {
        id direction country status nextStates scheme schemeCollector reference
        items { hsCode quantity value { amount currency } }
      }
    }
  }
}

mutation Hold($importId: ID!) {
  customsDecisionRecord(input: {
    declarationId: $importId, decision: HOLD, holdReason: MISSING_DOCUMENTS, note: "send the invoice"
  }) {
    declaration { status holdReason nextStates }
    shipment { status }
    userErrors { field code message }
  }
}

mutation Respond($importId: ID!) {
  customsDeclarationRespond(input: {
    declarationId: $importId, documents: ["invoice 302-0000001-0000001.pdf"], note: "as asked"
  }) {
    declaration { status documents }
    userErrors { field code message }
  }
}

mutation Release($importId: ID!) {
  assess: customsDecisionRecord(input: { declarationId: $importId, decision: ASSESS }) {
    declaration { status dueFromConsumer { amount currency } assessment { regime rulesVersion } }
    userErrors { field code message }
  }
  release: customsDecisionRecord(input: { declarationId: $importId, decision: RELEASE }) {
    declaration { status }
    shipment { status }
    userErrors { field code message }
  }
}

mutation Seize($importId: ID!) {
  customsDecisionRecord(input: { declarationId: $importId, decision: SEIZE, note: "counterfeit" }) {
    declaration { status nextStates }
    shipment { status order { status } }
    userErrors { field code message }
  }
}
"""

DELIVER = """# Cleared in DE: the carrier goes out for delivery and delivers; with every unit delivered,
# the order is DELIVERED. Paste the trackingNumber from the Tracking tab. Run it twice: the
# repeated scans are kept, marked applied: false, and change nothing.
mutation Deliver($trackingNumber: String!) {
  outForDelivery: trackingScanRecord(input: { trackingNumber: $trackingNumber, type: OUT_FOR_DELIVERY }) {
    applied shipment { status } userErrors { field code message }
  }
  delivered: trackingScanRecord(input: { trackingNumber: $trackingNumber, type: DELIVERED }) {
    applied
    shipment { status order { status completedAt } timeline { type applied source } }
    userErrors { field code message }
  }
}
"""

SHIP_DAP = """# A refusal under DAP. The Amazon US order owes US duty at the border (no de minimis since
# 2025-08-29), which under DAP the consumer pays at the door. ShipDap: ship it DAP, then paste
# its trackingNumber and its EXPORT and IMPORT declarations' ids into the variables. Refuse: the
# parcel is picked up, leaves China and lands; US customs assess the duty, the consumer refuses
# to pay it, and the parcel goes back. Returned: the order is RETURNED_TO_SENDER and the duty
# is reversed.
mutation ShipDap($orderId: ID!) {
  shipmentCreate(input: { orderId: $orderId, method: POSTAL, incoterm: DAP }) {
    shipment { trackingNumber status incoterm declarations { id direction status } }
    userErrors { field code message }
  }
}

mutation Refuse($trackingNumber: String!, $exportId: ID!, $importId: ID!) {
  pickedUp: trackingScanRecord(input: { trackingNumber: $trackingNumber, type: PICKED_UP }) {
    applied userErrors { field code message }
  }
  exportCleared: customsDecisionRecord(input: { declarationId: $exportId, decision: RELEASE }) {
    declaration { status } userErrors { field code message }
  }
  arrived: trackingScanRecord(input: { trackingNumber: $trackingNumber, type: ARRIVED_DESTINATION }) {
    applied shipment { status } userErrors { field code message }
  }
  assess: customsDecisionRecord(input: { declarationId: $importId, decision: ASSESS }) {
    declaration { status dutyTotal { amount currency } dueFromConsumer { amount currency } }
    userErrors { field code message }
  }
  refuse: customsChargesCollect(input: { declarationId: $importId, paid: false }) {
    declaration { status }
    shipment { status }
    userErrors { field code message }
  }
}

query Returned($orderId: ID!) {
  node(id: $orderId) {
    ... on Order {
      status
      shipments { status timeline { type applied source } }
      taxEntries { kind taxType jurisdiction payer amount { amount currency } }
    }
  }
}
"""

TAXES = """# The tax ledger after the walks, per jurisdiction, tax, payer and way of collection. DE: the
# VAT and duty Amazon collected at sale (as deemed supplier, Amazon files and pays them). US:
# the duty assessed at the border, reversed when the consumer refused the parcel; and the duty
# you paid under DDP on the demo order delivered before you came (the after-sales tabs' order).
# The IOSS return holds what you collect under your own IOSS number (own shop): none of these.
query Taxes($from: Date!, $to: Date!, $month: String!) {
  taxReport(from: $from, to: $to) {
    jurisdiction taxType payer collection scheme
    owed { amount currency } payments { amount } outstanding { amount } entries
  }
  iossReturn(month: $month) {
    period lines { memberState taxType rate amountEur { amount } } totalEur { amount currency }
  }
  taxEntries(first: 10) {
    edges { node { kind taxType jurisdiction payer collection amount { amount currency } ruleId } }
  }
}
"""


# The after-sales walk, on the demo order delivered to the US (2 T-shirts at USD 19.99 + 4.99 shipping:
# USD 44.97 captured). Its order and line IDs come in through the variables; a return's, ticket's or
# complaint's ID exists only once it is made, so the seller pastes it from the answer that made it.
# Service and Complaints move the sandbox clock, which is the whole workspace's: they come after every tab
# that counts on the clock standing still (orders not confirmed within 48 h are cancelled as it passes),
# and Returns comes before them, well inside the 30-day return window.
RETURNS = """# A return, from the consumer's request to the refund. Returns: the delivered order, its
# lines and the reasons a consumer may give. Then run in turn, pasting as you go:
#   RequestReturn  the consumer sends 1 of the 2 T-shirts back: SIZE_FIT (sandbox only);
#                  paste its id into returnId;
#   ApproveReturn  REFUND; a return label with the carrier that delivered the goods, back to CN;
#                  paste the label's trackingNumber into returnTrackingNumber;
#   ReturnParcel   the carrier picks the parcel up and delivers it back: the return is RECEIVED;
#   InspectReturn  the T-shirt is fit to sell again: restock (the demo keeps no stock of
#                  T-shirts, so only the return counts it; a stocked product goes back on hand).
#                  The refund, the unit's USD 19.99 (not the shipping), goes through the payment
#                  ledger; 1 of 2 units is back, so the order is PARTIALLY_RETURNED. The outbound
#                  parcel and its tracking are untouched.
# The other ways a return goes, instead of ApproveReturn (for another return you request):
#   ApproveExchange    the consumer gets a free replacement order, linked to this one, once the
#                      parcel is back and inspected;
#   ApproveReturnless  refunded at once; the consumer keeps the goods (no label, no parcel);
#   ApprovePartial     part of the value refunded (refundAmount), after the parcel is back;
#   DeclineReturn      refused, with a reason; the units may be asked for again.
query Returns($orderId: ID!) {
  node(id: $orderId) {
    ... on Order {
      status
      amountCaptured { amount currency }
      lines { id sku quantity unitPrice { amount currency } }
      shipments { kind status trackingNumber }
    }
  }
  returnReasons { code label }
}

mutation RequestReturn($orderId: ID!, $orderLineId: ID!) {
  returnRequest(input: {
    orderId: $orderId
    lines: [{ orderLineId: $orderLineId, quantity: 1 }]
    reason: "SIZE_FIT"
    comment: "Runs small"
  }) {
    returnRequest { id status reason lines { quantity product { sku } } }
    userErrors { field code message }
  }
}

mutation ApproveReturn($returnId: ID!) {
  returnApprove(input: { returnId: $returnId, resolution: REFUND, returnShippingCost: "3.50" }) {
    returnRequest {
      status
      resolution
      returnShipment {
        kind trackingNumber status carrier { code } originCountry destinationCountry
        cost { amount currency }
      }
    }
    userErrors { field code message }
  }
}

mutation ApproveExchange($returnId: ID!) {
  returnApprove(input: { returnId: $returnId, resolution: EXCHANGE }) {
    returnRequest { status resolution returnShipment { trackingNumber } }
    userErrors { field code message }
  }
}

mutation ApproveReturnless($returnId: ID!) {
  returnApprove(input: { returnId: $returnId, resolution: RETURNLESS_REFUND }) {
    returnRequest { status resolution refundAmount { amount currency } returnShipment { id } }
    order { status amountRefunded { amount currency } }
    userErrors { field code message }
  }
}

mutation ApprovePartial($returnId: ID!) {
  returnApprove(input: { returnId: $returnId, resolution: PARTIAL_REFUND, refundAmount: "5.00" }) {
    returnRequest { status resolution refundAmount { amount currency } }
    userErrors { field code message }
  }
}

mutation DeclineReturn($returnId: ID!) {
  returnDecline(input: { returnId: $returnId, reason: "Worn and washed" }) {
    returnRequest { status declineReason nextStates }
    userErrors { field code message }
  }
}

mutation ReturnParcel($returnTrackingNumber: String!) {
  pickedUp: trackingScanRecord(input: { trackingNumber: $returnTrackingNumber, type: PICKED_UP }) {
    applied shipment { kind status } userErrors { field code message }
  }
  delivered: trackingScanRecord(input: { trackingNumber: $returnTrackingNumber, type: DELIVERED }) {
    applied shipment { kind status } userErrors { field code message }
  }
}

mutation InspectReturn($returnId: ID!, $orderLineId: ID!) {
  returnInspect(input: {
    returnId: $returnId
    lines: [{ orderLineId: $orderLineId, restock: 1, dispose: 0 }]
  }) {
    returnRequest {
      status refundAmount { amount currency } receivedAt resolvedAt
      lines { quantity restocked disposed }
      timeline { type occurredAt }
    }
    order {
      status
      amountRefunded { amount currency }
      payments { kind amount { amount currency } reason }
      shipments { kind status }
    }
    userErrors { field code message }
  }
}
"""

SERVICE = """# A warranty ticket that misses its first-response deadline. Service: the workspace's
# WARRANTY line becomes 4 h to the first response, 48 h to resolution (the default is 24 h / 7
# days), and the consumer opens a ticket on the delivered T-shirts; paste its id into ticketId.
# Then run in turn:
#   MissFirstResponse  the sandbox clock moves 5 hours on, past the 4 h deadline. The clock is
#                      the workspace's: every order and timer sees the time move (run the tabs
#                      before this one first);
#   Ticket             the ticket is breached: TICKET_FIRST_RESPONSE_BREACHED at the deadline;
#   ReplyToTicket      the seller answers, late (a late reply does not undo the breach);
#   ResolveTicket      resolved within 48 h: the resolution deadline is met.
mutation Service($orderId: ID!, $orderLineId: ID!) {
  policy: slaPolicySet(input: { subject: WARRANTY, firstResponseHours: 4, resolutionHours: 48 }) {
    policy { subject firstResponseHours resolutionHours source }
    userErrors { field code message }
  }
  opened: serviceTicketOpen(input: {
    orderId: $orderId
    orderLineId: $orderLineId
    kind: WARRANTY
    subject: "Seam came apart"
    message: "The side seam opened after the first wash."
  }) {
    ticket { id status kind openedAt firstResponseDue resolutionDue breached }
    userErrors { field code message }
  }
}

mutation MissFirstResponse {
  sandboxClockAdvance(input: { hours: 5 }) {
    workspace { now }
    timersFired
    userErrors { field code message }
  }
}

query Ticket($ticketId: ID!) {
  node(id: $ticketId) {
    ... on ServiceTicket {
      status firstResponseDue firstResponseBreached resolutionBreached breached
      timeline { type occurredAt }
    }
  }
}

mutation ReplyToTicket($ticketId: ID!) {
  serviceTicketReply(input: { ticketId: $ticketId, message: "Sorry! Please send a photo of the seam." }) {
    ticket { status firstRespondedAt firstResponseBreached messages { author body } }
    userErrors { field code message }
  }
}

mutation ResolveTicket($ticketId: ID!) {
  serviceTicketResolve(input: { ticketId: $ticketId, note: "Replacement promised" }) {
    ticket { status resolvedAt resolutionBreached nextStates }
    userErrors { field code message }
  }
}
"""

COMPLAINTS = """# A platform claim (an A-to-z claim) that escalates. Complaints: the claim arrives, HIGH
# severity, so the first response is due in 12 h and resolution in 48 h (Tradelane's defaults;
# see slaPolicies); paste its id into complaintId. Then run in turn:
#   MissComplaintDeadline  the sandbox clock moves 13 hours on, past the first-response deadline
#                          (again, for the whole workspace);
#   Complaint              nobody answered: ESCALATED and breached, COMPLAINT_ESCALATED at the
#                          deadline;
#   SettleComplaint        settled with a partial refund of USD 5.00 through the payment ledger.
mutation Complaints($orderId: ID!) {
  complaintOpen(input: {
    orderId: $orderId
    source: PLATFORM_CLAIM
    severity: HIGH
    description: "Seam came apart; the buyer filed an A-to-z claim."
    claimReference: "A-TO-Z-0001"
  }) {
    complaint { id status source severity openedAt firstResponseDue resolutionDue breached }
    userErrors { field code message }
  }
}

mutation MissComplaintDeadline {
  sandboxClockAdvance(input: { hours: 13 }) {
    workspace { now }
    timersFired
    userErrors { field code message }
  }
}

query Complaint($complaintId: ID!) {
  node(id: $complaintId) {
    ... on Complaint {
      status breached escalatedAt nextStates
      timeline { type occurredAt data }
    }
  }
}

mutation SettleComplaint($complaintId: ID!) {
  complaintResolve(input: {
    complaintId: $complaintId, outcome: PARTIAL_REFUND, amount: "5.00", note: "Goodwill for the seam"
  }) {
    complaint {
      status outcome refunded { amount currency } resolvedAt
      order { status amountRefunded { amount currency } payments { kind amount { amount } reason } }
    }
    userErrors { field code message }
  }
}
"""

FEEDBACK = """# The consumer rates the T-shirts 2 stars (sandbox only; in live use ratings come from the
# platforms). Quality: what the T-shirt's ratings, returns, complaints and refunds say, per
# market and overall. Improvements are judged only on enough data (10 units delivered, 5
# returned, 5 ratings in a market): the demo's few orders are too few, so none stand out yet.
mutation Feedback($orderLineId: ID!) {
  feedbackGive(input: { orderLineId: $orderLineId, rating: 2, text: "Runs small and the seam tore." }) {
    feedback { rating text market givenAt product { sku } }
    order { status }
    userErrors { field code message }
  }
}

query Quality($productId: ID!) {
  productQuality(productId: $productId) {
    product { sku }
    markets {
      market ratingCount averageRating unitsSold unitsReturned returnRate
      deliveredOrders complaints refunded { amount currency }
    }
    overall {
      ratingCount averageRating distribution { stars count }
      unitsSold unitsReturned returnRate topReturnReasons { code units share }
      deliveredOrders complaints complaintRate refunded { amount currency }
    }
    improvements { kind market reason value typical message }
    benchmarksVersion
  }
}
"""


MARKETS = """# The rules of a destination market as of a day: taxes, low-value regimes, duty rates,
# certifications, marketplace fees; each with its validity and source. Try another date.
query Markets($code: String! = "DE", $date: Date = "2026-07-01") {
  markets { code name customsUnion }
  market(code: $code) {
    name
    rulesAsOf(date: $date) {
      asOf
      currency
      taxes { kind rate validity { source confidence } }
      lowValueRegimes { name upTo { amount currency } tax duty dutyPerTariffLine { amount currency } }
      dutyRates { hs6 rate }
      certifications { code category accepts }
    }
  }
}
"""


RESEARCH = """# What the headphones cost landed, and earn, in four markets through the demo's channels:
# FX-converted cost, fees, shipping per method, duty and tax by the market's regime, and compliance.
query Research($productId: ID!, $channelIds: [ID!]!) {
  marketAnalysis(productId: $productId, markets: ["US", "DE", "GB", "JP"], channelIds: $channelIds) {
    rank market channel { name } price { amount currency } scheme compliance missing problems
    best { method landedCost { amount } margin { amount } marginRate duty { amount } tax { amount } }
  }
  productSelection(market: "DE") { rank product { sku } best { marginRate } compliance }
}
"""

COMPLIANCE = """# What a product needs in a market, and what the seller holds; listings go live when READY.
query Compliance($productId: ID!) {
  complianceCheck(productId: $productId, market: "GB") {
    status missing requirements { kind code accepts blocking status heldNumber }
  }
  productCertifications(first: 10) { edges { node { code number validTo product { sku } } } }
}
"""

STOCK = """# Warehouses, inspected lots and stock levels; confirming an order reserves stock.
query Stock {
  warehouses(first: 10) { edges { node { name kind country } } }
  stock(first: 10) {
    edges { node { product { sku } warehouse { name } onHand reserved available rejected } }
  }
}
"""

FX = """# Rates per pair, conversion as of the workspace clock, what is owed in foreign currencies
# (locked or not), and realised FX gains once orders settle (orderSettle, in a sandbox).
query Fx {
  convert(amount: { amount: "100", currency: "USD" }, to: "CNY") { amount { amount currency } rate rateAsOf }
  exchangeRates(first: 10) { totalCount edges { node { base quote rate asOf source } } }
  currencyExposure {
    homeCurrency
    currencies { currency receivables { amount } locked { amount } unlocked { amount } }
  }
  fxSummary { homeCurrency realisedGainLoss { amount currency } settledOrders }
}
"""

SIMULATE = """# A simulated season: the smoke scenario played with a seed through this API, in a new sandbox
# workspace of your seller whose clock starts on the scenario's first day; `orders` scales it (the
# scenario's own is 300, about a minute). StartSeason answers at once and the season plays in the
# background: paste the run's id into the variables, then run WatchSeason to see it progress live (a
# subscription over a websocket at /graphql: the key from the Headers pane goes in connection_init), or
# Season to read it once, with its report (KPIs and invariants) at the end. The same seed plays the same
# season. `apiKey` opens the run's sandbox, shown this once: put it in the Headers pane
# ({"Authorization": "Bearer <apiKey>"}) to query the season's orders as they are made, or to follow them
# with `workspaceEvents`, which streams every state change of a workspace's objects the same way.
mutation StartSeason($orders: Int) {
  simulationRunStart(input: { scenario: "smoke", seed: 1, orders: $orders }) {
    run { id status scenario seed orders runWorkspace { id name } }
    apiKey
    userErrors { field code message }
  }
}

subscription WatchSeason($runId: ID!) {
  simulationRunProgress(id: $runId) {
    status progress simulatedDay ordersPlaced ordersFinished error
  }
}

query Season($runId: ID!) {
  simulationRun(id: $runId) {
    status progress simulatedDay ordersPlaced ordersFinished error finishedAt
    report
  }
  simulationRuns(first: 5) { edges { node { scenario seed status progress createdAt } } }
}
"""


@dataclass(frozen=True)
class DemoIds:
    """Global IDs of the demo workspace's seed data, and the month its sandbox clock is in, for the
    examples' variables."""

    channel_id: str
    listing_id: str
    order_id: str
    product_id: str  # the headphones: certified, stocked, worth researching
    channel_ids: list[str]
    de_order_id: str  # paid and confirmed on Amazon DE: the Shipping, Tracking, Customs and Deliver tabs
    us_order_id: str  # paid and confirmed on Amazon US: the refusal under DAP
    sandbox_month: str  # YYYY-MM of the sandbox clock when the demo was made: the Taxes tab's period
    delivered_order_id: str  # delivered on Amazon US: the Returns, Service, Complaints and Feedback tabs
    delivered_line_id: str  # its one line, 2 T-shirts
    delivered_product_id: str  # the T-shirt: the Feedback tab's productQuality


def config(api_key: str | None, demo: DemoIds | None) -> dict[str, object]:
    headers = json.dumps({"Authorization": f"Bearer {api_key or '<your API key>'}"}, indent=2)
    order = {"orderId": demo.order_id if demo else "<an order id>"}
    de_order = {"orderId": demo.de_order_id if demo else "<a confirmed order's id>"}
    us_order = {"orderId": demo.us_order_id if demo else "<a confirmed order's id>"}
    tracking = {"trackingNumber": "<trackingNumber from Tracking>"}
    delivered = {
        "orderId": demo.delivered_order_id if demo else "<a delivered order's id>",
        "orderLineId": demo.delivered_line_id if demo else "<one of its lines' id>",
    }
    tabs = [
        (CATALOG, {}),
        (PLACE, {"channelId": demo.channel_id, "listingId": demo.listing_id} if demo else {}),
        (PAY, order),
        (CONFIRM, order),
        (ORDERS, {}),
        (SHIPPING, de_order),
        (TRACKING, de_order | tracking | {"exportId": "<the EXPORT declaration's id from Tracking>"}),
        (CUSTOMS, de_order | {"importId": "<the IMPORT declaration's id from Customs>"}),
        (DELIVER, tracking),
        (
            SHIP_DAP,
            us_order
            | {
                "trackingNumber": "<trackingNumber from ShipDap>",
                "exportId": "<the EXPORT declaration's id from ShipDap>",
                "importId": "<the IMPORT declaration's id from ShipDap>",
            },
        ),
        (TAXES, _month_period(demo.sandbox_month if demo else None)),
        (
            RETURNS,
            delivered
            | {
                "returnId": "<the return's id from RequestReturn>",
                "returnTrackingNumber": "<the return label's trackingNumber from ApproveReturn>",
            },
        ),
        (SERVICE, delivered | {"ticketId": "<the ticket's id from Service>"}),
        (
            COMPLAINTS,
            {"orderId": delivered["orderId"], "complaintId": "<the complaint's id from Complaints>"},
        ),
        (
            FEEDBACK,
            {
                "orderLineId": delivered["orderLineId"],
                "productId": demo.delivered_product_id if demo else "<a product's id>",
            },
        ),
        (CLOCK, {}),
        (MARKETS, {}),
        (RESEARCH, {"productId": demo.product_id, "channelIds": demo.channel_ids} if demo else {}),
        (COMPLIANCE, {"productId": demo.product_id} if demo else {}),
        (STOCK, {}),
        (FX, {}),
        (SIMULATE, {"orders": 30, "runId": "<the run's id from StartSeason>"}),
    ]
    return {
        "headers": headers,
        "tabs": [
            {
                "query": query,
                "variables": json.dumps(variables, indent=2) if variables else "",
                "headers": headers,
            }
            for query, variables in tabs
        ],
    }


def _month_period(month: str | None) -> dict[str, str]:
    """The Taxes tab's variables: a month's first and last day, and the month."""
    if month is None:
        return {"from": "<YYYY-MM-DD>", "to": "<YYYY-MM-DD>", "month": "<YYYY-MM>"}
    year, number = (int(part) for part in month.split("-"))
    last = calendar.monthrange(year, number)[1]
    return {"from": f"{month}-01", "to": f"{month}-{last:02d}", "month": month}


@cache
def _template() -> str:
    return resources.files("api.graphiql").joinpath("page.html").read_text(encoding="utf-8")


def render_page(api_key: str | None, demo: DemoIds | None) -> str:
    payload = json.dumps(config(api_key, demo)).replace("<", "\\u003c")
    return _template().replace("__GRAPHIQL_CONFIG__", payload)
