"""Simulated seasons through the real API (issue 6): the four scenarios at a reduced size with every invariant
holding, the smoke report byte for byte against its golden file, and the invariants failing when the API's
data and the simulator's disagree.

Set TRADELANE_UPDATE_GOLDEN=1 to rewrite the golden file after a deliberate change, and read the diff.
"""

from __future__ import annotations

import asyncio
import math
import os
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from api.app import create_app
from api.context import Services
from api.relay import parse_global_id
from api.simulate import Target, play
from domain.accounts.model import WorkspaceKind
from simulator import audit
from simulator import operations as ops
from simulator import report as reports
from simulator.actors import Order, Shipment
from simulator.lifecycle import Lifecycle
from simulator.reporting import build_report
from simulator.scenario import Disruption, Scenario, Spread, available_scenarios, load_scenario, with_orders
from simulator.season import OfflineBackend, drive, run_model
from simulator.setup import prepare_offline
from simulator.stats import Stats
from simulator.world import Process, World
from tests.conftest import make_seller

START_RUN = """mutation ($input: SimulationRunStartInput!) { simulationRunStart(input: $input) {
  run { id } userErrors { field code message } } }"""
RUN = """query ($id: ID!) { simulationRun(id: $id) { status progress ordersPlaced report error } }"""

GOLDEN = Path(__file__).parent / "golden" / "smoke-seed1-orders40.json"
CI_ORDERS = 30  # per scenario: enough for every stage to happen, small enough for CI


@pytest.fixture(scope="module")
def target(database_url: str) -> Target:
    return Target(database_url=database_url)


async def test_the_smoke_season_gives_its_golden_report(target: Target) -> None:
    report = await play(target, with_orders(load_scenario("smoke"), 40), seed=1)
    text = reports.canonical_json(reports.without_wall_clock(report))
    if os.environ.get("TRADELANE_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text)
    assert text == GOLDEN.read_text(), "the smoke season changed; if on purpose, TRADELANE_UPDATE_GOLDEN=1"
    assert all(check["holds"] for check in report["invariants"]), report["invariants"]
    stages = {row["stage"]: row["orders"] for row in report["funnel"]}
    assert stages["PLACED"] >= stages["PAID"] >= stages["SHIPPED"] >= stages["DELIVERED"] > 0


@pytest.mark.parametrize("name", available_scenarios())
async def test_every_scenario_runs_with_its_invariants_holding(target: Target, name: str) -> None:
    scenario = with_orders(load_scenario(name), CI_ORDERS)
    report = await play(target, scenario, seed=7)
    broken = [check for check in report["invariants"] if not check["holds"]]
    assert broken == []
    assert report["kpis"]["orders"] > 0
    assert report["final_status"], report
    assert sum(report["final_status"].values()) == report["kpis"]["orders"]


async def test_a_run_started_through_the_api_plays_a_real_season(
    services: Services, engine: AsyncEngine
) -> None:
    app = create_app(services)  # the real season behind simulationRunStart
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://tradelane.test"
    ) as c:
        seller = await make_seller(engine, c, WorkspaceKind.SANDBOX)
        started = (await seller.gql(START_RUN, {"input": {"scenario": "smoke", "seed": 2, "orders": 10}}))[
            "simulationRunStart"
        ]
        assert started["userErrors"] == [], started
        run_id = started["run"]["id"]
        await asyncio.wait_for(app.state.simulation_runs.finished(parse_global_id(run_id)[1]), timeout=600)
        done = (await seller.gql(RUN, {"id": run_id}))["simulationRun"]
        await app.state.simulation_runs.shutdown()
    assert done["status"] == "SUCCEEDED", done["error"]
    assert done["progress"] == 1.0 and done["ordersPlaced"] > 0
    assert done["report"]["scenario"]["name"] == "smoke"
    assert all(check["holds"] for check in done["report"]["invariants"])


# -- the model on its own (no API): actors answered as the offline model answers them, or refused ---------


def offline(scenario: Scenario, seed: int = 1) -> tuple[World, Lifecycle]:
    world = World(scenario, seed, Stats())
    prepare_offline(world)
    return world, Lifecycle(world)


def play_alone(
    world: World, process: Process, refuse: Callable[[str, dict[str, Any]], str | None] = lambda op, v: None
) -> tuple[Any, list[tuple[float, str, dict[str, Any]]]]:
    """Run one actor's process to its end, answering its calls as the offline model does, except those
    `refuse` gives a code for; return what the process returned and the calls it made (hour, name, input)."""
    calls: list[tuple[float, str, dict[str, Any]]] = []
    done = world.env.process(process)
    while done.is_alive:
        if not world.pending:
            world.env.step()
            continue
        for call in world.take_pending():
            calls.append((world.env.now, call.op.name, call.input))
            code = refuse(call.op.name, call.input)
            result = (
                {"error": code, "message": "refused"} if code else call.op.fake(call.input) | {"error": None}
            )
            world.answered(call, result)
    return done.value, calls


def placed_order(world: World, market: str = "DE", total: str = "20.00") -> Order:
    channel = world.catalog.channels[market][0][0]
    order = Order(channel, market, [(channel.listings[0], 1)], world.env.now)
    order.id, order.total = "Order:1", Decimal(total)
    order.lines = [(channel.listings[0], 1, "OrderLine:1")]
    return order


def test_draws_stop_at_the_spreads_far_tail_and_at_a_deadline() -> None:
    rng = np.random.default_rng(3)
    spread = Spread(7.0, 25.0)  # a return parcel's days: p99.9 is 61 days, one in 40,000 takes over 100
    z90, z999 = 1.2815515655446004, 3.090232306167813  # the standard normal's 90th and 99.9th percentiles
    far = math.sqrt(7.0 * 25.0) * (25.0 / 7.0) ** (z999 / (2 * z90))
    draws = [World.draw(rng, spread) for _ in range(100_000)]
    assert max(draws) <= far
    assert sum(d >= far * 0.999 for d in draws) > 20  # about 0.1% are cut there
    assert max(World.draw(rng, Spread(2.0, 400.0), 29.0) for _ in range(1_000)) == 29.0


def test_a_consumer_or_provider_slow_beyond_any_deadline_does_not_hold_the_season_open() -> None:
    # Every delivered order gets a ticket, a complaint and a chargeback, drawn 2-400 days after delivery;
    # captures 0.5-2,000 hours after authorisation. Without deadlines some wait years and the season cannot
    # drain; with them, the consumer acts within the return window and the provider captures within a week.
    smoke = with_orders(load_scenario("smoke"), 60)
    scenario = replace(
        smoke,
        aftersales=replace(
            smoke.aftersales, ticket_rate=1.0, complaint_rate=1.0, return_days=Spread(2.0, 400.0)
        ),
        payments=replace(smoke.payments, chargeback_rate=1.0, capture_delay_hours=Spread(0.5, 2_000.0)),
    )
    stats = asyncio.run(run_model(scenario, 4))
    assert stats.orders > 40 and stats.finished == stats.orders
    assert stats.tickets == stats.chargebacks == stats.funnel["DELIVERED"]
    # Every delivered order complains, and so does every consumer whose parcel never arrived.
    assert stats.complaints == stats.funnel["DELIVERED"] + stats.outcomes["lost"] + stats.outcomes["seized"]


def test_a_parcel_waits_for_the_suspension_in_force_on_its_lane_not_the_first_listed() -> None:
    smoke = load_scenario("smoke")  # starts 2026-09-07
    gb_post = [
        Disruption("CARRIER_SUSPENSION", "POSTAL", "GB", date(2026, 9, 8), date(2026, 9, 10)),
        Disruption("CARRIER_SUSPENSION", "POSTAL", "GB", date(2026, 9, 14), date(2026, 9, 20)),
    ]
    world, lifecycle = offline(replace(smoke, disruptions=tuple(gb_post)))
    for index in range(len(gb_post)):
        world.env.process(lifecycle.disruptions.run(index))
    order = placed_order(world, "GB")
    shipment = Shipment(ops.SHIP.fake({"orderId": order.id}), "POSTAL")

    def parcel() -> Process:
        yield world.until(7.5 * 24)  # picked up during the second suspension
        return (yield from lifecycle.carriers.carry(order, shipment, lifecycle.seller, lifecycle.customs))

    outcome, calls = play_alone(world, parcel())
    departed = next(hour for hour, name, values in calls if values.get("type") == "DEPARTED_ORIGIN")
    assert departed >= 13 * 24  # not before the second suspension ends on 2026-09-20
    assert dict(world.stats.disrupted) == {1: 1}
    assert outcome == "DELIVERED"


def test_a_refused_delivery_scan_ends_the_parcel_with_the_apis_code_instead_of_crashing() -> None:
    world, lifecycle = offline(load_scenario("smoke"))
    order = placed_order(world)
    shipment = Shipment(ops.SHIP.fake({"orderId": order.id}), "POSTAL")
    process = lifecycle.carriers.carry(order, shipment, lifecycle.seller, lifecycle.customs)
    outcome, _ = play_alone(
        world, process, lambda op, v: "UNKNOWN_TRACKING_NUMBER" if v.get("type") == "DELIVERED" else None
    )
    assert outcome == "NOT_DELIVERED (UNKNOWN_TRACKING_NUMBER)"
    assert world.stats.funnel["DELIVERED"] == 0


@pytest.mark.parametrize(
    ("refused", "cancel_refused", "refunded"),
    [("orderPack", False, "20.00"), ("shipmentCreate", False, "20.00"), ("orderPack", True, "0")],
)
def test_an_order_the_seller_cannot_send_is_cancelled_and_only_a_real_refund_is_counted(
    refused: str, cancel_refused: bool, refunded: str
) -> None:
    world, lifecycle = offline(load_scenario("smoke"))
    order = placed_order(world)
    refusals = {refused: "ILLEGAL_TRANSITION"} | (
        {"orderCancel": "ILLEGAL_TRANSITION"} if cancel_refused else {}
    )
    _, calls = play_alone(world, lifecycle.deliver(order), lambda op, v: refusals.get(op))
    cancels = [values for _, name, values in calls if name == "orderCancel"]
    assert cancels == [{"orderId": order.id, "reason": "SELLER_CANCELLED"}]
    assert world.stats.money[order.currency]["refunded"] == Decimal(refunded)
    assert sum(world.stats.outcomes.values()) == 1


def test_an_order_the_api_refused_to_place_is_not_counted_as_finished() -> None:
    world, lifecycle = offline(load_scenario("smoke"))
    play_alone(
        world, lifecycle.order_life(), lambda op, v: "CURRENCY_MISMATCH" if op == "orderPlace" else None
    )
    assert (world.stats.orders, world.stats.finished, world.orders_open) == (0, 0, 0)
    assert world.stats.outcomes == {"refused at placing (CURRENCY_MISMATCH)": 1}


def test_the_orders_per_day_chart_holds_every_order_placed() -> None:
    # Orders drawn for the demand window's last hour are placed on the next grid point: 00:00 the day after.
    world, lifecycle = offline(with_orders(load_scenario("smoke"), 100), seed=0)
    lifecycle.start(100)
    asyncio.run(drive(world, lifecycle, OfflineBackend(), None))
    facts = {"final_status": {}, "completed_new": 0, "money": {}, "sla_breaches": {}}
    chart = build_report(world, lifecycle, [], facts, world.now)["orders_per_day"]
    assert sum(sum(per_day) for per_day in chart["markets"].values()) == world.stats.orders
    assert len(chart["days"]) == world.scenario.demand_days + 1


# -- the audit, against made-up answers of the API ----------------------------------------------------------


def _page(nodes: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "totalCount": len(nodes),
        "pageInfo": {"hasNextPage": False, "endCursor": None},
        "edges": [{"node": node} for node in nodes],
    }


class MadeUpApi:
    """Answers the audit's queries with a season of one order (and any added), shipped and completed."""

    def __init__(self) -> None:
        def at(hour: int) -> str:
            return f"2026-09-07T{hour:02d}:00:00+00:00"

        self.orders: list[dict[str, Any]] = [
            {
                "status": "COMPLETED",
                "currency": "EUR",
                "amountCaptured": {"amount": "20.00"},
                "amountRefunded": {"amount": "5.00"},
                "amountChargedBack": {"amount": "0.00"},
                "payments": [
                    {"kind": "CAPTURE", "amount": {"amount": "20.00"}},
                    {"kind": "REFUND", "amount": {"amount": "5.00"}},
                ],
                "timeline": [{"occurredAt": at(h)} for h in (1, 2, 3, 8)],
                "replacementFor": None,
                "shipments": [
                    {
                        "history": [{"occurredAt": at(h)} for h in (4, 5, 6)],
                        # Listed by when they happened, as the API lists them.
                        "timeline": [
                            {"occurredAt": at(h), "recordedAt": at(h), "applied": True} for h in (5, 6)
                        ],
                    }
                ],
            }
        ]
        self.stock = [
            {
                "onHand": 99,
                "reserved": 0,
                "awaitingInspection": 0,
                "rejected": 0,
                "shipped": 1,
                "returned": 0,
                "disposed": 0,
            }
        ]

    async def execute(self, document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        if document == audit.ORDERS:
            return {"orders": _page(self.orders)}
        if document == audit.TAXES:
            return {"taxEntries": _page([])}
        if document == audit.STOCK:
            return {"stock": _page(self.stock)}
        if document == audit.LOTS:
            return {"lots": _page([{"quantity": 100}])}
        assert document == audit.COUNTS
        counts = {"shipments": 1, "returns": 0, "complaints": 0, "serviceTickets": 0, "feedback": 0}
        counts |= {"breachedTickets": 0, "breachedComplaints": 0}
        return {name: {"totalCount": n} for name, n in counts.items()}

    async def aclose(self) -> None:
        return None


def audited_world() -> World:
    """What the simulator saw of MadeUpApi's season."""
    world, _ = offline(load_scenario("smoke"))
    stats = world.stats
    stats.orders, stats.shipments, stats.units_received, stats.units_picked_up = 1, 1, 100, 1
    stats.add_money("EUR", "captured", Decimal("20.00"))
    stats.add_money("EUR", "refunded", Decimal("5.00"))
    return world


def holding(checks: list[dict[str, Any]]) -> dict[str, bool]:
    return {check["name"]: check["holds"] for check in checks}


def test_the_audit_holds_on_a_season_where_the_api_and_the_simulator_agree() -> None:
    checks, facts = asyncio.run(audit.audit(MadeUpApi(), audited_world()))
    assert all(holding(checks).values()), checks
    assert facts["completed_new"] == 1


def test_the_audit_sees_scans_applied_out_of_the_order_they_were_recorded_in() -> None:
    api = MadeUpApi()
    # Listed by when they happened, but the later one was recorded (and applied) first.
    api.orders[0]["shipments"][0]["timeline"][0]["recordedAt"] = "2026-09-07T07:00:00+00:00"
    checks, _ = asyncio.run(audit.audit(api, audited_world()))
    assert holding(checks)["no timeline goes backwards"] is False


def test_the_audit_sees_a_shipment_history_that_goes_back() -> None:
    api = MadeUpApi()
    api.orders[0]["shipments"][0]["history"].append({"occurredAt": "2026-09-07T05:30:00+00:00"})
    checks, _ = asyncio.run(audit.audit(api, audited_world()))
    assert holding(checks)["no timeline goes backwards"] is False


def test_the_audit_sees_refunds_the_simulator_did_not_count() -> None:
    world = audited_world()
    world.stats.add_money("EUR", "refunded", Decimal("20.00"))  # e.g. counted for a cancellation refused
    checks, _ = asyncio.run(audit.audit(MadeUpApi(), world))
    money = next(check for check in checks if check["name"] == "money reconciles per currency")
    assert money["holds"] is False
    assert "EUR: the API holds 5.00 refunded, the simulator 25.00" in money["detail"]


def test_the_funnels_last_stage_counts_no_replacement_orders() -> None:
    api = MadeUpApi()
    replacement = dict(api.orders[0], replacementFor={"id": "Order:1"}, shipments=[], payments=[])
    replacement |= {"amountCaptured": {"amount": "0.00"}, "amountRefunded": {"amount": "0.00"}}
    api.orders.append(replacement)
    world = audited_world()
    world.stats.replacements = 1
    checks, facts = asyncio.run(audit.audit(api, world))
    report = build_report(world, Lifecycle(world), checks, facts, world.now)
    funnel = {row["stage"]: row["orders"] for row in report["funnel"]}
    assert report["final_status"] == {"COMPLETED": 2}
    assert funnel["COMPLETED"] == 1


def test_a_consumer_whose_parcel_never_arrived_claims_and_is_refunded_in_full() -> None:
    world, lifecycle = offline(load_scenario("smoke"))
    order = placed_order(world, "DE", total="37.98")
    _, calls = play_alone(world, lifecycle.not_received(order))
    claim = next(values for _, name, values in calls if name == "complaintOpen")
    assert (claim["source"], claim["severity"], claim["orderId"]) == ("PLATFORM_CLAIM", "HIGH", order.id)
    resolved = next(values for _, name, values in calls if name == "complaintResolve")
    assert (resolved["outcome"], resolved["amount"]) == ("REFUND", "37.98")
    assert world.stats.money[order.currency]["refunded"] == Decimal("37.98")
    assert world.stats.complaints == 1


def test_a_partial_refund_in_a_currency_without_cents_is_whole() -> None:
    world, lifecycle = offline(load_scenario("q4-peak"))
    order = placed_order(world, "JP", total="2999")
    order.currency = "JPY"
    _, calls = play_alone(
        world, lifecycle.seller.answer_complaint(order, "Complaint:1", outcome="PARTIAL_REFUND")
    )
    resolved = next(values for _, name, values in calls if name == "complaintResolve")
    assert resolved["amount"] == "599"  # 20% of JPY 2,999, rounded down to whole yen


def test_costs_converted_into_a_currency_without_cents_are_whole() -> None:
    world, lifecycle = offline(load_scenario("q4-peak"))
    seller = lifecycle.seller
    order = placed_order(world, "JP", total="2999")
    order.currency = "JPY"
    cost = seller.cost_of(order)
    assert cost == cost.to_integral_value() and cost.as_tuple().exponent == 0  # yen, not 1234.56
    assert seller.cost_of(placed_order(world, "DE")).as_tuple().exponent == -2  # euro cents
