"""GraphiQL for sellers: the self-hosted page, opened with example operations that walk a sandbox order
from placement to confirmation."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

STATIC_DIR = Path(str(resources.files("api.graphiql").joinpath("static")))

WELCOME = """# Tradelane sandbox. Press ▶ (Ctrl-Enter) to run; the tabs above walk an order
# from placement to confirmation: Catalog → Place order → Pay → Confirm → Orders.
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


@dataclass(frozen=True)
class DemoIds:
    """Global IDs of the demo workspace's seed data, for the examples' variables."""

    channel_id: str
    listing_id: str
    order_id: str
    product_id: str  # the headphones: certified, stocked, worth researching
    channel_ids: list[str]


def config(api_key: str | None, demo: DemoIds | None) -> dict[str, object]:
    headers = json.dumps({"Authorization": f"Bearer {api_key or '<your API key>'}"}, indent=2)
    order = {"orderId": demo.order_id if demo else "<an order id>"}
    tabs = [
        (CATALOG, {}),
        (PLACE, {"channelId": demo.channel_id, "listingId": demo.listing_id} if demo else {}),
        (PAY, order),
        (CONFIRM, order),
        (ORDERS, {}),
        (CLOCK, {}),
        (MARKETS, {}),
        (RESEARCH, {"productId": demo.product_id, "channelIds": demo.channel_ids} if demo else {}),
        (COMPLIANCE, {"productId": demo.product_id} if demo else {}),
        (STOCK, {}),
        (FX, {}),
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


@cache
def _template() -> str:
    return resources.files("api.graphiql").joinpath("page.html").read_text(encoding="utf-8")


def render_page(api_key: str | None, demo: DemoIds | None) -> str:
    payload = json.dumps(config(api_key, demo)).replace("<", "\\u003c")
    return _template().replace("__GRAPHIQL_CONFIG__", payload)
