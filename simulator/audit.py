"""The invariants of a season, checked at its end against the API's own data (read through its public
queries, page by page) and against what the simulator saw:

- every order is in a terminal state;
- money reconciles per currency: captured - refunded - charged back is the same from the orders' totals and
  from the payment ledger, and captures, refunds and chargebacks each equal what the simulator did;
- taxes paid equal taxes assessed where the seller pays at the border (DDP), net of reversals;
- stock is conserved: received = on hand + awaiting inspection + rejected + shipped - restocked, and what the
  API counts as shipped, restocked and disposed is what the simulator handed over;
- no timeline goes backwards: the events of every order and shipment, in the order the API recorded them,
  never step back in time; nor do a shipment's applied scans (the API lists scans by when they happened, so
  what is checked is that they were also recorded, and applied, in that order);
- the counts the simulator saw equal the counts the API reports.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from simulator.client import GraphQLClient
from simulator.world import World

TERMINAL = frozenset({"COMPLETED", "RETURNED", "RETURNED_TO_SENDER", "LOST", "SEIZED", "CANCELLED"})
PAGE = 100

ORDERS = """query ($after: String) { orders(first: 100, after: $after) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { node { status currency
    amountCaptured { amount } amountRefunded { amount } amountChargedBack { amount }
    payments { kind amount { amount } } timeline { occurredAt } replacementFor { id }
    shipments { history { occurredAt } timeline { recordedAt applied } } } } } }"""
TAXES = """query ($after: String) { taxEntries(first: 100, after: $after) {
  pageInfo { hasNextPage endCursor }
  edges { node { kind payer collection amount { amount currency } } } } }"""
STOCK = """query ($after: String) { stock(first: 100, after: $after) {
  pageInfo { hasNextPage endCursor }
  edges { node { onHand reserved awaitingInspection rejected shipped returned disposed } } } }"""
LOTS = """query ($after: String) { lots(first: 100, after: $after) {
  pageInfo { hasNextPage endCursor } edges { node { quantity } } } }"""
COUNTS = """{ shipments(first: 1) { totalCount } returns(first: 1) { totalCount }
  complaints(first: 1) { totalCount } serviceTickets(first: 1) { totalCount }
  feedback(first: 1) { totalCount }
  breachedTickets: serviceTickets(first: 1, filter: { breached: true }) { totalCount }
  breachedComplaints: complaints(first: 1, filter: { breached: true }) { totalCount } }"""


async def _pages(client: GraphQLClient, document: str, field: str) -> Any:
    after = None
    while True:
        data = (await client.execute(document, {"after": after}))[field]
        for edge in data["edges"]:
            yield edge["node"]
        if not data["pageInfo"]["hasNextPage"]:
            return
        after = data["pageInfo"]["endCursor"]


def _check(name: str, holds: bool, detail: str) -> dict[str, Any]:
    return {"name": name, "holds": holds, "detail": detail}


async def audit(client: GraphQLClient, world: World) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Return (invariants, facts): the checks, and the API's figures the report shows."""
    stats = world.stats
    statuses: Counter[str] = Counter()
    by_totals: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    by_ledger: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    backwards: list[str] = []
    orders = 0
    completed_new = 0  # COMPLETED orders that are not replacements: the funnel's last stage
    async for order in _pages(client, ORDERS, "orders"):
        orders += 1
        statuses[order["status"]] += 1
        if order["status"] == "COMPLETED" and order["replacementFor"] is None:
            completed_new += 1
        currency = order["currency"]
        totals = by_totals[currency]
        totals["captured"] += Decimal(order["amountCaptured"]["amount"])
        totals["refunded"] += Decimal(order["amountRefunded"]["amount"])
        totals["chargebacks"] += Decimal(order["amountChargedBack"]["amount"])
        for payment in order["payments"]:
            by_ledger[currency][payment["kind"]] += Decimal(payment["amount"]["amount"])
        if _goes_back(event["occurredAt"] for event in order["timeline"]):
            backwards.append("an order's timeline")
        for shipment in order["shipments"]:
            if _goes_back(event["occurredAt"] for event in shipment["history"]):
                backwards.append("a shipment's history")
            if _goes_back(e["recordedAt"] for e in shipment["timeline"] if e["applied"]):
                backwards.append("a shipment's tracking")
    checks = []
    open_ = sum(n for status, n in statuses.items() if status not in TERMINAL)
    checks.append(
        _check(
            "every order ends in a terminal state",
            open_ == 0,
            f"{orders - open_} of {orders} orders are final"
            + ("" if open_ == 0 else f"; still open: {_listing(statuses, exclude=TERMINAL)}"),
        )
    )

    money: dict[str, dict[str, str]] = {}
    problems = []
    for currency in sorted(set(by_totals) | set(stats.money)):
        totals, ledger = by_totals[currency], by_ledger[currency]
        net = totals["captured"] - totals["refunded"] - totals["chargebacks"]
        ledger_net = ledger["CAPTURE"] - ledger["REFUND"] - ledger["CHARGEBACK"]
        seen = stats.money[currency]
        money[currency] = {
            "captured": str(totals["captured"]),
            "refunded": str(totals["refunded"]),
            "chargebacks": str(totals["chargebacks"]),
            "net": str(net),
        }
        if net != ledger_net:
            problems.append(f"{currency}: orders say net {net}, the payment ledger {ledger_net}")
        if totals["captured"] != seen["captured"]:
            problems.append(
                f"{currency}: the API holds {totals['captured']} captured, "
                f"the simulator captured {seen['captured']}"
            )
        if totals["refunded"] != seen["refunded"]:
            problems.append(
                f"{currency}: the API holds {totals['refunded']} refunded, the simulator {seen['refunded']}"
            )
        if totals["chargebacks"] != seen["chargebacks"]:
            problems.append(
                f"{currency}: the API holds {totals['chargebacks']} charged back, "
                f"the simulator {seen['chargebacks']}"
            )
    checks.append(
        _check(
            "money reconciles per currency",
            not problems,
            "; ".join(problems)
            or f"captured - refunded - chargebacks = net in {len(money)} currencies, ledger agrees",
        )
    )

    taxes: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    assessed: dict[str, Decimal] = defaultdict(Decimal)
    async for entry in _pages(client, TAXES, "taxEntries"):
        amount, currency = Decimal(entry["amount"]["amount"]), entry["amount"]["currency"]
        if entry["payer"] == "SELLER" and entry["collection"] == "AT_BORDER":
            taxes[currency][entry["kind"]] += amount
        if entry["kind"] == "LIABILITY":
            assessed[currency] += amount
    tax_problems = [
        f"{currency}: assessed {t['LIABILITY']} - reversed {t['REVERSAL']} but paid {t['PAYMENT']}"
        for currency, t in sorted(taxes.items())
        if t["LIABILITY"] - t["REVERSAL"] != t["PAYMENT"]
    ]
    checks.append(
        _check(
            "taxes paid equal taxes assessed under DDP",
            not tax_problems,
            "; ".join(tax_problems)
            or "seller-paid border taxes: "
            + (", ".join(f"{c} {t['PAYMENT']}" for c, t in sorted(taxes.items())) or "none in this season"),
        )
    )

    level = Counter[str]()
    async for row in _pages(client, STOCK, "stock"):
        for key, value in row.items():
            level[key] += value
    received = 0
    async for lot in _pages(client, LOTS, "lots"):
        received += lot["quantity"]
    accounted = (
        level["onHand"]
        + level["awaitingInspection"]
        + level["rejected"]
        + level["shipped"]
        - level["returned"]
    )
    stock_problems = []
    if received != accounted:
        stock_problems.append(
            f"received {received} but on hand {level['onHand']} + awaiting {level['awaitingInspection']} "
            f"+ rejected {level['rejected']} + shipped {level['shipped']} - restocked {level['returned']} "
            f"= {accounted}"
        )
    for name, api, sim in (
        ("received", received, stats.units_received),
        ("shipped", level["shipped"], stats.units_picked_up),
        ("restocked", level["returned"], stats.units_restocked),
        ("disposed", level["disposed"], stats.units_disposed),
    ):
        if api != sim:
            stock_problems.append(f"the API counts {api} units {name}, the simulator {sim}")
    sold = level["shipped"] - level["returned"] - level["disposed"]
    checks.append(
        _check(
            "stock is conserved",
            not stock_problems,
            "; ".join(stock_problems)
            or f"received {received} = sold {sold} + on hand {level['onHand']} + disposed {level['disposed']}"
            f" + rejected {level['rejected']} + awaiting inspection {level['awaitingInspection']}",
        )
    )
    checks.append(
        _check(
            "no timeline goes backwards",
            not backwards,
            f"{len(backwards)} timelines out of order"
            if backwards
            else f"{orders} orders and their shipments in order",
        )
    )

    counts = await client.execute(COUNTS)
    pairs = (
        ("orders", orders, stats.orders + stats.replacements),
        ("shipments", counts["shipments"]["totalCount"], stats.shipments + stats.return_labels),
        ("returns", counts["returns"]["totalCount"], stats.returns_requested),
        ("complaints", counts["complaints"]["totalCount"], stats.complaints),
        ("service tickets", counts["serviceTickets"]["totalCount"], stats.tickets),
        ("ratings", counts["feedback"]["totalCount"], stats.feedback),
    )
    differ = [f"{name}: API {api}, simulator {sim}" for name, api, sim in pairs if api != sim]
    checks.append(
        _check(
            "the simulator's counts equal the API's",
            not differ,
            "; ".join(differ) or ", ".join(f"{api} {name}" for name, api, _ in pairs),
        )
    )
    facts = {
        "final_status": dict(sorted(statuses.items())),
        "completed_new": completed_new,
        "money": money,
        "tax_assessed": {c: str(v) for c, v in sorted(assessed.items())},
        "sla_breaches": {
            "service tickets": counts["breachedTickets"]["totalCount"],
            "complaints": counts["breachedComplaints"]["totalCount"],
        },
    }
    return checks, facts


def _goes_back(times: Iterable[str]) -> bool:
    """Whether a sequence of ISO 8601 instants ever steps back (compared as instants, not as text)."""
    last: datetime | None = None
    for text in times:
        at = datetime.fromisoformat(text)
        if last is not None and at < last:
            return True
        last = at
    return False


def _listing(counter: Counter[str], exclude: frozenset[str]) -> str:
    return ", ".join(f"{n} {status}" for status, n in sorted(counter.items()) if status not in exclude)
