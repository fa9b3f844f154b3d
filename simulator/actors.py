"""The outside world's actors, one class each, every one a set of SimPy generators acting only through
`world.call` (the public GraphQL operations in `simulator.operations`).

- Consumers: non-homogeneous Poisson demand (Poisson counts per hour of the scenario's rate curve), and
  after delivery: returns, service tickets, complaints, ratings, chargebacks.
- PaymentProvider: authorisations declined at the scenario's rate per method, retries, captures.
- Seller: the autopilot following the scenario's policy (confirm, pack, ship, answer holds, tickets and
  complaints, decide and inspect returns).
- Carriers: lognormal transit per method and market, delays, losses, failed delivery attempts, suspensions.
- Customs: holds with reasons, inspections, assessments, seizures; the consumer paying or refusing DAP
  charges.
- CurrencyMarket: a daily random walk with Student-t shocks per currency.
- Disruptions: carrier or postal suspensions to a market for a while.
"""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

import numpy as np
import simpy
from iso4217 import Currency

from simulator import operations as ops
from simulator.scenario import Scenario, Transit
from simulator.world import ChannelRef, Listing, Process, World

HOURS_PER_DAY = 24.0
RETURN_WINDOW_DAYS = 30  # the API's default window; a return asked later is refused
# A consumer acts on a delivered order (a return, a question, a complaint, a dispute) while it is fresh:
# within the return window, as its long-tailed spread would otherwise put the odd one months later.
ACTS_WITHIN_DAYS = RETURN_WINDOW_DAYS - 1
AUTHORISATION_HOURS = 7 * 24  # a card authorisation is held about a week: captured within it or never
FALLBACK_ERRORS = frozenset({"NO_LANE", "METHOD_NOT_POSSIBLE", "INVALID_PACKAGE"})


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of the currency (ISO 4217): 0.01 EUR, 1 JPY, 0.001 KWD."""
    return Decimal(1).scaleb(-(Currency(currency).exponent or 0))


class Order:
    """What one order's actors know of it while it lives; dropped when its life ends."""

    __slots__ = ("channel", "currency", "id", "lines", "market", "placed_at", "replacement", "total", "units")

    def __init__(self, channel: ChannelRef, market: str, lines: list[tuple[Listing, int]], placed_at: float):
        self.channel = channel
        self.currency = channel.currency
        self.market = market
        self.lines: list[tuple[Listing, int, str]] = [(listing, qty, "") for listing, qty in lines]
        self.units = sum(qty for _, qty in lines)
        self.placed_at = placed_at
        self.id = ""
        self.total = Decimal(0)
        self.replacement = False  # sent again after an exchange: not counted in the funnel of new orders


class Shipment:
    __slots__ = ("carrier", "declarations", "id", "incoterm", "method", "tracking")

    def __init__(self, result: dict[str, Any], method: str) -> None:
        self.id: str = result["id"]
        self.tracking: str = result["tracking"]
        self.incoterm: str = result["incoterm"]
        self.carrier: str = result["carrier"]
        self.method = method
        self.declarations: dict[str, str] = result["declarations"]


class CurrencyMarket:
    def __init__(self, world: World) -> None:
        self.world = world
        self.rng = world.rng["fx"]
        self.low = dict(world.rates)
        self.high = dict(world.rates)

    def run(self) -> Process:
        """Each day at 00:00 UTC, every currency moves against the home currency, and the day's rates of
        every pair are published in one import (as a seller's rate feed would)."""
        scenario = self.world.scenario
        nu = scenario.fx.tail_nu
        scale = math.sqrt((nu - 2) / nu) if nu > 2 else 1.0  # unit variance
        while True:
            yield self.world.until((self.world.day() + 1) * HOURS_PER_DAY)
            for currency in sorted(self.world.rates):
                sigma = scenario.fx.daily_sigma.get(currency, 0.0)
                shock = float(self.rng.standard_t(nu)) * scale * sigma
                rate = self.world.rates[currency] * math.exp(shock)
                self.world.rates[currency] = rate
                self.low[currency] = min(self.low[currency], rate)
                self.high[currency] = max(self.high[currency], rate)
            yield self.world.call(ops.FX_IMPORT, {"csv": rates_csv(self.world)})


def rates_csv(world: World) -> str:
    """Today's rate of every pair among the season's currencies and the home currency, as an import file."""
    home, day = world.scenario.seller.home_currency, world.now.date().isoformat()
    lines = ["date,base,quote,rate"]
    currencies = sorted(world.rates)
    for i, base in enumerate(currencies):
        lines.append(f"{day},{base},{home},{world.rates[base]:.6f}")
        for quote in currencies[i + 1 :]:
            lines.append(f"{day},{base},{quote},{world.rates[base] / world.rates[quote]:.6f}")
    return "\n".join(lines) + "\n"


class Disruptions:
    """The scenario's suspensions, each in force from its start to its end (`world.suspended` holds the
    indexes of those in force now). Several may hit one lane, one after the other or overlapping, for
    every carrier of the method or for one."""

    def __init__(self, world: World) -> None:
        self.world = world

    def run(self, index: int) -> Process:
        yield self.world.until(self.starts(index))
        self.world.suspended.add(index)
        yield self.world.until(self.ends(index))
        self.world.suspended.discard(index)

    def starts(self, index: int) -> float:
        return (self.world.scenario.disruptions[index].start - self.world.scenario.start).days * HOURS_PER_DAY

    def ends(self, index: int) -> float:
        return (self.world.scenario.disruptions[index].end - self.world.scenario.start).days * HOURS_PER_DAY

    def in_force(self, method: str, market: str) -> list[int]:
        """The suspensions of `method` to `market` in force now, in the scenario's order."""
        disruptions = self.world.scenario.disruptions
        return [
            i
            for i in sorted(self.world.suspended)
            if (disruptions[i].method, disruptions[i].market) == (method, market)
        ]

    def affecting(self, method: str, market: str, carrier: str) -> int | None:
        """The suspension in force now that stops this parcel (its method, market and carrier), if any."""
        disruptions = self.world.scenario.disruptions
        for index in self.in_force(method, market):
            if disruptions[index].carrier in (None, "", carrier):
                return index
        return None

    def closes(self, method: str, market: str) -> bool:
        """Whether a suspension in force now stops `method` to `market` for every carrier."""
        disruptions = self.world.scenario.disruptions
        return any(disruptions[i].carrier in (None, "") for i in self.in_force(method, market))


class PaymentProvider:
    def __init__(self, world: World) -> None:
        self.world = world
        self.rng = world.rng["payments"]

    def pay(self, order: Order) -> Process:
        """Authorise (maybe declined, maybe retried with another method) and capture. True when paid."""
        w, payments = self.world, self.world.scenario.payments
        method = w.pick(self.rng, payments.methods)
        for attempt in (1, 2):
            declined = w.chance(self.rng, payments.decline_rate.get(method, 0.0))
            values: dict[str, Any] = {"orderId": order.id, "method": method, "declined": declined}
            if declined:
                values["declineReason"] = "do_not_honor"
            result = yield w.call(ops.AUTHORIZE, values)
            if not declined and result["error"] is None:
                break
            others = {m: s for m, s in payments.methods.items() if m != method}
            if attempt == 2 or not others or not w.chance(self.rng, payments.retry_rate):
                yield w.call(ops.CANCEL, {"orderId": order.id, "reason": "PAYMENT_FAILED"})
                w.stats.outcomes["payment failed"] += 1
                return False
            method = w.pick(self.rng, others)
            yield w.wait(0.25)
        yield w.wait(w.draw(self.rng, payments.capture_delay_hours, AUTHORISATION_HOURS))
        captured = yield w.call(ops.CAPTURE, {"orderId": order.id})
        if captured["error"] is not None:  # e.g. the confirmation window closed first: the API cancelled it
            w.stats.outcomes[f"not captured ({captured['error']})"] += 1
            return False
        w.stats.funnel["PAID"] += 1
        w.stats.add_money(order.currency, "gmv", order.total)
        w.stats.add_money(order.currency, "captured", order.total)
        return True

    def chargeback(self, order: Order) -> Process:
        w = self.world
        days = w.draw(self.rng, w.scenario.aftersales.return_days, ACTS_WITHIN_DAYS)
        yield w.wait((days + 7) * HOURS_PER_DAY)
        result = yield w.call(
            ops.CHARGEBACK,
            {"orderId": order.id, "amount": str(order.total), "reason": "consumer disputes the charge"},
        )
        if result["error"] is None:
            w.stats.chargebacks += 1
            w.stats.add_money(order.currency, "chargebacks", order.total)


class Customs:
    def __init__(self, world: World) -> None:
        self.world = world
        self.rng = world.rng["customs"]

    def _decide(self, declaration: str, decision: str, **extra: Any) -> simpy.Event:
        return self.world.call(ops.DECIDE, {"declarationId": declaration, "decision": decision} | extra)

    def _hold(self, declaration: str, seller: Seller) -> Process:
        """A hold with a reason; the seller answers with documents after its response time."""
        w = self.world
        reason = w.pick(self.rng, w.scenario.customs.hold_reasons)
        held = yield self._decide(declaration, "HOLD", holdReason=reason)
        if held["error"] is not None:
            return False
        w.stats.holds[reason] += 1
        yield from seller.answer_hold(declaration)
        yield w.wait(w.draw(self.rng, w.scenario.customs.clearance_hours))
        return True

    def export(self, shipment: Shipment, seller: Seller) -> Process:
        """Export clearance at origin. Returns RELEASED, or the API's code for a refused decision."""
        w, rules = self.world, self.world.scenario.customs
        declaration = shipment.declarations.get("EXPORT")
        if declaration is None:
            return "RELEASED"
        w.stats.declarations["EXPORT"] += 1
        yield w.wait(w.draw(self.rng, rules.clearance_hours))
        if w.chance(self.rng, rules.export_hold_rate):
            yield from self._hold(declaration, seller)
        released = yield self._decide(declaration, "RELEASE")
        return "RELEASED" if released["error"] is None else released["error"]

    def import_(self, order: Order, shipment: Shipment, seller: Seller) -> Process:
        """Import clearance: maybe a hold, an inspection, a seizure; the assessment; DAP charges paid or
        refused. Returns RELEASED, SEIZED, RETURNED (the consumer refused to pay), or the API's code for a
        refused decision."""
        w, rules = self.world, self.world.scenario.customs
        declaration = shipment.declarations.get("IMPORT")
        if declaration is None:
            return "RELEASED"
        w.stats.declarations["IMPORT"] += 1
        yield w.wait(w.draw(self.rng, rules.clearance_hours))
        if w.chance(self.rng, rules.import_hold_rate):
            yield from self._hold(declaration, seller)
        if w.chance(self.rng, rules.inspection_rate):
            inspected = yield self._decide(declaration, "INSPECT")
            if inspected["error"] is None:
                w.stats.inspections += 1
                yield w.wait(w.draw(self.rng, rules.clearance_hours))
                if w.chance(self.rng, rules.seizure_rate):
                    seized = yield self._decide(declaration, "SEIZE", note="goods not admissible")
                    if seized["error"] is None:
                        w.stats.seizures += 1
                        return "SEIZED"
        assessed = yield self._decide(declaration, "ASSESS")
        if assessed["error"] is not None:
            return assessed["error"]
        currency = assessed["currency"] or order.currency
        w.stats.duty[currency] += assessed["duty"]
        w.stats.tax[currency] += assessed["tax"]
        if shipment.incoterm == "DDP":
            w.stats.add_money(currency, "duty_and_tax", assessed["duty"] + assessed["tax"])
        if assessed["status"] == "ASSESSED" and assessed["due"] > 0:
            yield w.wait(w.draw(self.rng, rules.clearance_hours))
            refuses = w.chance(self.rng, rules.dap_refusal_rate)
            paid = yield w.call(ops.CHARGES, {"declarationId": declaration, "paid": not refuses})
            if refuses and paid["error"] is None:
                w.stats.dap_refusals += 1
                return "RETURNED"
        released = yield self._decide(declaration, "RELEASE")
        return "RELEASED" if released["error"] is None else released["error"]


class Carriers:
    def __init__(self, world: World, disruptions: Disruptions) -> None:
        self.world = world
        self.rng = world.rng["carriers"]
        self.disruptions = disruptions

    def _transit(self, method: str, market: str) -> Transit:
        best: Transit | None = None
        for transit in self.world.scenario.transit:
            fits = transit.method == method and transit.market in (None, market)
            if fits and (best is None or (transit.market is not None and best.market is None)):
                best = transit
        if best is None:
            raise ValueError(f"the scenario has no transit for {method}")  # the loader checks this
        return best

    def _scan(self, shipment: Shipment, type_: str) -> simpy.Event:
        return self.world.call(ops.SCAN, {"trackingNumber": shipment.tracking, "type": type_})

    def carry(self, order: Order, shipment: Shipment, seller: Seller, customs: Customs) -> Process:
        """From pickup to the consumer's door, through both customs. Returns how the parcel ended:
        DELIVERED, LOST, SEIZED or RETURNED_TO_SENDER; or, when the API refused a step the parcel cannot
        go on without, NOT_PICKED_UP, NOT_CLEARED or NOT_DELIVERED with the API's code in brackets (the
        order is then left where it stands, for the audit to report)."""
        w = self.world
        transit = self._transit(shipment.method, order.market)
        yield w.wait(float(self.rng.uniform(2, 12)))  # the carrier's next pickup round
        picked = yield self._scan(shipment, "PICKED_UP")
        if picked["error"] is not None or not picked["applied"]:
            return f"NOT_PICKED_UP ({picked['error'] or picked['status']})"
        picked_at = w.env.now
        if not order.replacement:
            w.stats.funnel["SHIPPED"] += 1
        w.stats.units_picked_up += order.units
        exported = yield from customs.export(shipment, seller)
        if exported != "RELEASED":  # export customs here never seize: the API refused a decision
            return f"NOT_CLEARED ({exported})"
        stopped = self.disruptions.affecting(shipment.method, order.market, shipment.carrier)
        while stopped is not None:  # another suspension may be in force when this one ends
            w.stats.disrupted[stopped] += 1
            yield w.until(self.disruptions.ends(stopped))
            stopped = self.disruptions.affecting(shipment.method, order.market, shipment.carrier)
        days = w.draw(self.rng, transit.days)
        if w.chance(self.rng, transit.delay_rate):
            days += w.draw(self.rng, transit.delay_days)
        lost = w.chance(self.rng, transit.loss_rate)
        yield w.wait(days * 0.2 * HOURS_PER_DAY)
        yield self._scan(shipment, "DEPARTED_ORIGIN")
        if lost and bool(self.rng.random() < 0.5):
            yield w.wait(days * 0.3 * HOURS_PER_DAY)
            yield self._scan(shipment, "LOST")
            return "LOST"
        yield w.wait(days * 0.6 * HOURS_PER_DAY)
        yield self._scan(shipment, "ARRIVED_DESTINATION")
        imported = yield from customs.import_(order, shipment, seller)
        if imported == "SEIZED":
            return "SEIZED"
        if imported == "RETURNED":
            return "RETURNED_TO_SENDER"
        if imported != "RELEASED":
            return f"NOT_CLEARED ({imported})"
        if lost:
            yield w.wait(days * 0.1 * HOURS_PER_DAY)
            yield self._scan(shipment, "LOST")
            return "LOST"
        yield w.wait(days * 0.1 * HOURS_PER_DAY)
        yield self._scan(shipment, "OUT_FOR_DELIVERY")
        if w.chance(self.rng, transit.delivery_failure_rate):
            yield w.wait(4)
            yield self._scan(shipment, "DELIVERY_FAILED")
            yield w.wait(HOURS_PER_DAY)
            yield self._scan(shipment, "OUT_FOR_DELIVERY")
        yield w.wait(4)
        delivered = yield self._scan(shipment, "DELIVERED")
        if delivered["error"] is not None:
            return f"NOT_DELIVERED ({delivered['error']})"
        if delivered["status"] != "DELIVERED":
            return f"NOT_DELIVERED ({delivered['status']})"
        w.stats.transit[shipment.method].add((w.env.now - picked_at) / HOURS_PER_DAY)
        if not order.replacement:
            w.stats.funnel["DELIVERED"] += 1
        return "DELIVERED"

    def carry_back(self, tracking: str) -> Process:
        """A return parcel: the consumer drops it off, it travels back to the seller's warehouse."""
        w = self.world
        yield w.wait(float(self.rng.uniform(12, 72)))
        yield w.call(ops.SCAN, {"trackingNumber": tracking, "type": "PICKED_UP"})
        yield w.wait(w.draw(self.rng, w.scenario.aftersales.return_transit_days) * HOURS_PER_DAY)
        arrived = yield w.call(ops.SCAN, {"trackingNumber": tracking, "type": "DELIVERED"})
        return arrived["error"] is None


class Seller:
    """The seller's autopilot."""

    def __init__(self, world: World, disruptions: Disruptions) -> None:
        self.world = world
        self.rng = world.rng["seller"]
        self.disruptions = disruptions

    def _method(self, market: str) -> str:
        """The policy's mix, avoiding a method the news says is suspended to this market."""
        policy = self.world.scenario.policy
        open_ = {m: s for m, s in policy.methods.items() if s > 0 and not self.disruptions.closes(m, market)}
        return str(self.world.pick(self.rng, open_ or dict(policy.methods)))

    def fulfil(self, order: Order, *, confirmed: bool = False) -> Process:
        """Confirm, pack and label the order. Returns the shipment, or None when the order ended here (the
        money captured for it then goes back, as the API cancels it)."""
        w, policy = self.world, self.world.scenario.policy
        if not confirmed:
            # An order not confirmed is PAID until it is cancelled, by the seller or else by the API when
            # its confirmation window closes: either way the API gives the money back.
            if not w.chance(self.rng, policy.fill_rate):
                # The seller never gets to it: the API cancels it when the confirmation window closes.
                w.stats.outcomes["not confirmed in time"] += 1
                w.stats.add_money(order.currency, "refunded", order.total)
                return None
            yield w.wait(w.draw(self.rng, policy.confirm_hours))
            result = yield w.call(ops.CONFIRM, {"orderId": order.id})
            if result["error"] == "OUT_OF_STOCK":
                yield w.call(ops.CANCEL, {"orderId": order.id, "reason": "OUT_OF_STOCK"})
                w.stats.outcomes["out of stock"] += 1
                w.stats.add_money(order.currency, "refunded", order.total)
                return None
            if result["error"] is not None:
                w.stats.outcomes["not confirmed in time"] += 1
                w.stats.add_money(order.currency, "refunded", order.total)
                return None
            w.stats.funnel["CONFIRMED"] += 1
        yield w.wait(w.draw(self.rng, policy.pack_hours))
        packed = yield w.call(ops.PACK, {"orderId": order.id})
        if packed["error"] is not None:
            yield from self._give_up(order, f"not packed ({packed['error']})")
            return None
        if not order.replacement:
            w.stats.funnel["PACKED"] += 1
        yield w.wait(w.draw(self.rng, policy.ship_hours))
        method = self._method(order.market)
        values: dict[str, Any] = {"orderId": order.id, "method": method}
        if policy.carriers.get(method):
            values["carrier"] = policy.carriers[method]
        incoterm = next((m.incoterm for m in w.scenario.markets if m.country == order.market), None)
        if incoterm:
            values["incoterm"] = incoterm
        made = yield w.call(ops.SHIP, values)
        if made["error"] in FALLBACK_ERRORS and method != "EXPRESS":
            # Too heavy or too big for the method, or no lane: the seller sends it by express instead.
            values = {k: v for k, v in values.items() if k != "carrier"} | {"method": "EXPRESS"}
            method = "EXPRESS"
            made = yield w.call(ops.SHIP, values)
        if made["error"] is not None:
            yield from self._give_up(order, f"not shipped ({made['error']})")
            return None
        w.stats.shipments += 1
        w.stats.add_money(
            order.currency,
            "shipping_cost",
            self._convert(made["cost"], made["cost_currency"], order.currency),
        )
        return Shipment(made, method)

    def _give_up(self, order: Order, outcome: str) -> Process:
        """A confirmed order the seller cannot send: it cancels it, and the API gives back what was
        captured (nothing for a replacement). Nothing ends a CONFIRMED or PACKED order by itself, so without
        this it would stay open; a cancellation the API refuses leaves it so, for the audit to report."""
        w = self.world
        cancelled = yield w.call(ops.CANCEL, {"orderId": order.id, "reason": "SELLER_CANCELLED"})
        w.stats.outcomes[outcome] += 1
        if cancelled["error"] is None:
            w.stats.add_money(order.currency, "refunded", order.total)

    def _convert(self, amount: Decimal, source: str, target: str) -> Decimal:
        if source == target:
            return amount
        rates, home = self.world.rates, self.world.scenario.seller.home_currency
        in_home = float(amount) * (1.0 if source == home else rates.get(source, 1.0))
        converted = Decimal(in_home / (1.0 if target == home else rates.get(target, 1.0)))
        return converted.quantize(minor_unit(target))

    def cost_of(self, order: Order) -> Decimal:
        """What the goods cost the seller, in the order's currency at today's rate."""
        home = self.world.scenario.seller.home_currency
        cost = sum((listing.unit_cost * qty for listing, qty, _ in order.lines), Decimal(0))
        return self._convert(cost, home, order.currency)

    def answer_hold(self, declaration: str) -> Process:
        w = self.world
        yield w.wait(w.draw(self.rng, w.scenario.policy.hold_response_hours))
        yield w.call(
            ops.RESPOND,
            {
                "declarationId": declaration,
                "documents": ["commercial-invoice.pdf"],
                "note": "invoice attached",
            },
        )

    def answer_ticket(self, ticket: str) -> Process:
        w = self.world
        yield w.wait(w.draw(self.rng, w.scenario.policy.ticket_response_hours))
        yield w.call(ops.TICKET_REPLY, {"ticketId": ticket, "message": "Thank you; here is what to do."})
        yield w.wait(w.draw(self.rng, w.scenario.policy.ticket_response_hours))
        yield w.call(ops.TICKET_RESOLVE, {"ticketId": ticket})
        yield w.wait(2 * HOURS_PER_DAY)
        yield w.call(ops.TICKET_CLOSE, {"ticketId": ticket})

    def answer_complaint(self, order: Order, complaint: str, outcome: str | None = None) -> Process:
        w = self.world
        yield w.wait(w.draw(self.rng, w.scenario.policy.complaint_response_hours))
        yield w.call(
            ops.COMPLAINT_RESPOND,
            {"complaintId": complaint, "message": "We are sorry; we will put it right."},
        )
        yield w.wait(w.draw(self.rng, w.scenario.policy.complaint_response_hours))
        if outcome is None:
            outcome = w.pick(self.rng, {"PARTIAL_REFUND": 0.5, "DENIED": 0.3, "REFUND": 0.2})
        values: dict[str, Any] = {"complaintId": complaint, "outcome": outcome}
        amount = Decimal(0)
        if outcome == "PARTIAL_REFUND":
            amount = (order.total * Decimal("0.2")).quantize(minor_unit(order.currency), rounding=ROUND_DOWN)
            values["amount"] = str(amount)
        elif outcome == "REFUND":
            amount = order.total
            values["amount"] = str(amount)
        resolved = yield w.call(ops.COMPLAINT_RESOLVE, values)
        if resolved["error"] is not None and outcome != "DENIED":
            resolved = yield w.call(ops.COMPLAINT_RESOLVE, {"complaintId": complaint, "outcome": "DENIED"})
            amount = Decimal(0)
        if resolved["error"] is None and amount:
            w.stats.add_money(order.currency, "refunded", amount)

    def decide_return(self, order: Order, rma: str, reason: str) -> Process:
        """Approve or decline; choose the resolution. Returns the approve/decline answer."""
        w, policy = self.world, self.world.scenario.policy
        yield w.wait(w.draw(self.rng, policy.return_decision_hours))
        if w.chance(self.rng, policy.return_decline_rate):
            declined = yield w.call(
                ops.RETURN_DECLINE, {"returnId": rma, "reason": "outside our return policy"}
            )
            return declined
        if reason == "SIZE_FIT" and w.chance(self.rng, w.scenario.aftersales.exchange_share):
            resolution = "EXCHANGE"
        elif (
            self._convert(order.total, order.currency, w.scenario.seller.home_currency)
            < policy.returnless_below
        ):
            resolution = "RETURNLESS_REFUND"
        else:
            resolution = "REFUND"
        approved = yield w.call(ops.RETURN_APPROVE, {"returnId": rma, "resolution": resolution})
        if approved["error"] is not None:
            # e.g. a complaint already refunded the money: nothing is left to give back for these units.
            declined = yield w.call(
                ops.RETURN_DECLINE, {"returnId": rma, "reason": approved["message"][:200]}
            )
            return declined
        approved["resolution"] = resolution
        return approved

    def inspect_return(self, rma: str, line: str, quantity: int) -> Process:
        w = self.world
        yield w.wait(w.draw(self.rng, w.scenario.policy.inspection_hours))
        restock = int(self.rng.binomial(quantity, w.scenario.aftersales.restock_share))
        done = yield w.call(
            ops.RETURN_INSPECT,
            {
                "returnId": rma,
                "lines": [{"orderLineId": line, "restock": restock, "dispose": quantity - restock}],
            },
        )
        if done["error"] is None:
            w.stats.units_restocked += restock
            w.stats.units_disposed += quantity - restock
        return done


class Consumers:
    def __init__(self, world: World) -> None:
        self.world = world
        self.rng = world.rng["consumers"]
        self.after = world.rng["aftersales"]

    def hourly_rates(self, scenario: Scenario, orders: int) -> dict[str | None, np.ndarray]:
        """Expected orders in each hour of the demand window: base x weekday x peaks, scaled so the season
        expects `orders`. Keyed by platform: a peak tied to a platform (11.11 on AliExpress) brings its extra
        orders through that platform's storefronts; None is demand through any storefront."""
        hours = scenario.demand_days * 24
        streams: dict[str | None, np.ndarray] = {None: np.zeros(hours)}
        for peak in scenario.demand.peaks:
            streams.setdefault(peak.platform, np.zeros(hours))
        for h in range(hours):
            moment = self.world.at(h + 0.5)
            factor = scenario.demand.weekday_factors[moment.weekday()]
            streams[None][h] += factor
            for peak in scenario.demand.peaks:
                centre = self.world.start + timedelta(days=(peak.day - scenario.start).days + 0.5)
                distance = abs((moment - centre).total_seconds()) / 86400
                if peak.width_days > 0 and distance < peak.width_days:
                    streams[peak.platform][h] += (
                        factor * (peak.multiplier - 1) * (1 - distance / peak.width_days)
                    )
                elif distance < 0.5:
                    streams[peak.platform][h] += factor * (peak.multiplier - 1)
        total = sum(float(stream.sum()) for stream in streams.values())
        scale = orders / total if total > 0 else 0.0
        return {platform: stream * scale for platform, stream in streams.items()}

    def choose(self, platform: str | None = None) -> tuple[ChannelRef, str, list[tuple[Listing, int]]]:
        w, demand = self.world, self.world.scenario.demand
        market = w.pick(self.rng, {m.country: m.weight for m in w.scenario.markets})
        channels = w.catalog.channels[market]
        if platform is not None:
            # A platform's peak: its storefront serving this market, else any of its storefronts.
            own = [(ref, share) for ref, share in channels if ref.platform == platform]
            anywhere = [(ref, 1.0) for ref in w.catalog.all_channels if ref.platform == platform]
            channels = own or anywhere or channels
        channel = w.pick(self.rng, {i: share for i, (_, share) in enumerate(channels)})
        ref = channels[channel][0]
        count = min(int(w.pick(self.rng, demand.lines)), len(ref.listings))
        chosen = self.rng.choice(len(ref.listings), size=count, replace=False, p=np.array(ref.weights))
        lines = [(ref.listings[int(i)], int(w.pick(self.rng, demand.quantity))) for i in sorted(chosen)]
        return ref, market, lines

    def rating(self, late: bool) -> int:
        stars = int(self.world.pick(self.after, self.world.scenario.aftersales.ratings))
        return max(1, stars - 2) if late else stars
