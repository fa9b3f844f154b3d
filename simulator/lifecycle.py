"""One order's life as the actors play it: placed, paid, fulfilled, carried through both customs, and
after delivery whatever the consumer does next. The process ends when nothing more will happen to the
order from outside; the API's own timers (confirmation window, SLA deadlines, the return window) do the
rest as the clock moves."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import simpy

from simulator import operations as ops
from simulator.actors import (
    ACTS_WITHIN_DAYS,
    HOURS_PER_DAY,
    Carriers,
    Consumers,
    CurrencyMarket,
    Customs,
    Disruptions,
    Order,
    PaymentProvider,
    Seller,
)
from simulator.world import Process, World

NEVER_ARRIVED = frozenset({"LOST", "SEIZED"})  # the consumer claims the money back through the platform


class Lifecycle:
    def __init__(self, world: World) -> None:
        self.world = world
        self.disruptions = Disruptions(world)
        self.consumers = Consumers(world)
        self.payments = PaymentProvider(world)
        self.seller = Seller(world, self.disruptions)
        self.customs = Customs(world)
        self.carriers = Carriers(world, self.disruptions)
        self.fx = CurrencyMarket(world)
        self.demand_over = False
        self.claims = 0

    def start(self, orders: int) -> None:
        env = self.world.env
        env.process(self.demand(orders))
        if self.world.rates:
            env.process(self.fx.run())
        for index in range(len(self.world.scenario.disruptions)):
            env.process(self.disruptions.run(index))

    @property
    def done(self) -> bool:
        return self.demand_over and self.world.orders_open == 0

    def demand(self, orders: int) -> Process:
        rng = self.consumers.rng
        streams = self.consumers.hourly_rates(self.world.scenario, orders)
        platforms = sorted(streams, key=lambda p: p or "")
        for hour in range(self.world.scenario.demand_days * 24):
            if hour > self.world.env.now:
                yield self.world.until(hour)
            for platform in platforms:
                for _ in range(int(rng.poisson(streams[platform][hour]))):
                    self.world.env.process(self.order_life(platform))
        self.demand_over = True

    def order_life(self, platform: str | None = None) -> Process:
        w = self.world
        channel, market, lines = self.consumers.choose(platform)
        order = Order(channel, market, lines, w.env.now)
        w.orders_open += 1
        try:
            placed = yield w.call(
                ops.PLACE,
                {
                    "channelId": channel.id,
                    "lines": [{"listingId": listing.id, "quantity": qty} for listing, qty in lines],
                    "buyerName": "Simulated Consumer",
                    "shipToCountry": market,
                    "shippingPrice": str(w.scenario.demand.shipping_price.get(channel.currency, Decimal(0))),
                },
            )
            if placed["error"] is not None:
                w.stats.outcomes[f"refused at placing ({placed['error']})"] += 1
                return
            order.id, order.total = placed["id"], placed["total"]
            order.lines = [
                (listing, qty, line) for (listing, qty), line in zip(lines, placed["lines"], strict=True)
            ]
            w.stats.orders += 1
            w.stats.funnel["PLACED"] += 1
            w.stats.orders_per_day[w.day()][market] += 1
            if (yield from self.payments.pay(order)):
                yield from self.deliver(order)
        finally:
            w.orders_open -= 1
            if order.id:  # finished orders, as placed ones: one the API refused to place never was one
                w.stats.finished += 1

    def deliver(self, order: Order, *, replacement: bool = False) -> Process:
        w = self.world
        shipment = yield from self.seller.fulfil(order, confirmed=replacement)
        if shipment is None:
            return
        w.stats.add_money(order.currency, "cost", self.seller.cost_of(order))
        outcome = yield from self.carriers.carry(order, shipment, self.seller, self.customs)
        w.stats.outcomes[outcome_label(outcome)] += 1
        if outcome in NEVER_ARRIVED and not replacement:
            yield from self.not_received(order)
        if outcome != "DELIVERED" or replacement:
            return
        late = (w.env.now - order.placed_at) / HOURS_PER_DAY > w.scenario.aftersales.late_after_days
        if late:
            w.stats.late_deliveries += 1
        yield from self.after_delivery(order, late)

    def after_delivery(self, order: Order, late: bool) -> Process:
        w, rng, rules = self.world, self.consumers.after, self.world.scenario.aftersales
        category = order.lines[0][0].category
        wanted = []
        if w.chance(rng, rules.return_rate.get(category, 0.0)):
            wanted.append(self.return_(order))
        if w.chance(rng, rules.complaint_rate):
            wanted.append(self.complaint(order))
        if w.chance(rng, rules.ticket_rate):
            wanted.append(self.ticket(order))
        if w.chance(rng, w.scenario.payments.chargeback_rate):
            wanted.append(self.payments.chargeback(order))
        if w.chance(rng, rules.feedback_rate):
            wanted.append(self.feedback(order, late))
        if wanted:
            yield simpy.AllOf(w.env, [w.env.process(p) for p in wanted])

    def return_(self, order: Order) -> Process:
        w, rng = self.world, self.consumers.after
        days = w.draw(rng, w.scenario.aftersales.return_days)
        if days >= ACTS_WITHIN_DAYS:
            return  # too late: the consumer keeps it
        yield w.wait(days * HOURS_PER_DAY)
        listing, quantity, line = order.lines[0]
        reason = str(w.pick(rng, w.scenario.aftersales.return_reasons))
        asked = yield w.call(
            ops.RETURN_REQUEST,
            {"orderId": order.id, "lines": [{"orderLineId": line, "quantity": quantity}], "reason": reason},
        )
        if asked["error"] is not None:
            return
        w.stats.returns_requested += 1
        w.stats.return_reasons[reason] += 1
        decided: dict[str, Any] = yield from self.seller.decide_return(order, asked["id"], reason)
        if decided["error"] is not None:
            return
        if decided["status"] == "DECLINED":
            w.stats.returns_declined += 1
            return
        resolution = decided["resolution"]
        w.stats.return_resolutions[resolution] += 1
        if decided["tracking"] is not None:
            w.stats.return_labels += 1
        if resolution == "RETURNLESS_REFUND":
            w.stats.add_money(order.currency, "refunded", decided["refund"])
            return
        if decided["tracking"] is None or not (yield from self.carriers.carry_back(decided["tracking"])):
            return
        done = yield from self.seller.inspect_return(asked["id"], line, quantity)
        if done["error"] is not None:
            return
        if done["refund"]:
            w.stats.add_money(order.currency, "refunded", done["refund"])
        if done["replacement"]:
            again = Order(order.channel, order.market, [(listing, quantity)], w.env.now)
            again.id = done["replacement"]
            again.replacement = True
            w.stats.replacements += 1
            yield from self.deliver(again, replacement=True)

    def not_received(self, order: Order) -> Process:
        """The parcel was lost or seized: the consumer claims through the platform and is refunded in full."""
        w, rng = self.world, self.consumers.after
        yield w.wait(float(rng.uniform(2, 10)) * HOURS_PER_DAY)
        self.claims += 1
        opened = yield w.call(
            ops.COMPLAINT_OPEN,
            {
                "orderId": order.id,
                "source": "PLATFORM_CLAIM",
                "severity": "HIGH",
                "description": "The parcel never arrived.",
                "claimReference": f"CLAIM-{w.seed}-{self.claims:06d}",
            },
        )
        if opened["error"] is None:
            w.stats.complaints += 1
            yield from self.seller.answer_complaint(order, opened["id"], outcome="REFUND")

    def complaint(self, order: Order) -> Process:
        w, rng = self.world, self.consumers.after
        yield w.wait(w.draw(rng, w.scenario.aftersales.return_days, ACTS_WITHIN_DAYS) * HOURS_PER_DAY / 2)
        source = str(w.pick(rng, w.scenario.aftersales.complaint_sources))
        values: dict[str, Any] = {
            "orderId": order.id,
            "source": source,
            "severity": str(w.pick(rng, {"LOW": 0.4, "MEDIUM": 0.4, "HIGH": 0.2})),
            "description": "The item is not what I expected.",
        }
        if source == "PLATFORM_CLAIM":
            self.claims += 1
            values["claimReference"] = f"CLAIM-{w.seed}-{self.claims:06d}"
        opened = yield w.call(ops.COMPLAINT_OPEN, values)
        if opened["error"] is None:
            w.stats.complaints += 1
            yield from self.seller.answer_complaint(order, opened["id"])

    def ticket(self, order: Order) -> Process:
        w, rng = self.world, self.consumers.after
        yield w.wait(w.draw(rng, w.scenario.aftersales.return_days, ACTS_WITHIN_DAYS) * HOURS_PER_DAY)
        kind = str(w.pick(rng, w.scenario.aftersales.ticket_kinds))
        opened = yield w.call(
            ops.TICKET_OPEN,
            {
                "orderId": order.id,
                "kind": kind,
                "subject": f"{kind.title()} question",
                "message": "How do I get this working?",
            },
        )
        if opened["error"] is None:
            w.stats.tickets += 1
            yield from self.seller.answer_ticket(opened["id"])

    def feedback(self, order: Order, late: bool) -> Process:
        w, rng = self.world, self.consumers.after
        yield w.wait(float(rng.uniform(1, 10)) * HOURS_PER_DAY)
        rating = self.consumers.rating(late)
        given = yield w.call(ops.FEEDBACK, {"orderLineId": order.lines[0][2], "rating": rating})
        if given["error"] is None:
            w.stats.feedback += 1
            w.stats.ratings[rating] += 1


def outcome_label(outcome: str) -> str:
    """How a parcel ended, as the report lists it: "RETURNED_TO_SENDER" -> "returned to sender", and
    "NOT_CLEARED (CHARGES_UNPAID)" -> "not cleared (CHARGES_UNPAID)" (the API's code kept as it is)."""
    head, _, code = outcome.partition(" ")
    return " ".join(filter(None, (head.lower().replace("_", " "), code)))
