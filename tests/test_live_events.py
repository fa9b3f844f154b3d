"""Subscriptions over the websocket: a workspace's events as they commit, and a simulation run's progress.

The subscriber is a second app with an engine of its own, driven by Starlette's TestClient in its own
thread and event loop, as another server process would be; what it sees was written through the first
app (the tests' usual client), so it learns of it only through the database (LISTEN/NOTIFY and reads).
Waits are bounded (a generous liveness bound, not a timing assertion).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.testclient import TestClient, WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from api.app import create_app
from api.context import Services
from api.live.events import KINDS
from api.relay import decode_cursor, encode_cursor, parse_global_id
from api.sockets import INVALID_KEY, MISSING_KEY
from domain.accounts.model import WorkspaceKind
from domain.db.base import RecordsEvents
from domain.db.engine import make_engine
from domain.live import FeedPosition, events_channel, listening, read_feed
from domain.shared.clock import FixedClock
from tests.catalog_setup import place_order, stock_shop
from tests.conftest import START, Seller, make_seller
from tests.shipping_setup import confirmed_order, ship
from tests.test_simulation_api import START_RUN, Season, Sim

WAIT = 60.0  # seconds: how long anything may take before the test gives up
PROTOCOL = ["graphql-transport-ws"]

EVENTS = """subscription ($types: [AggregateType!], $after: String) {
  workspaceEvents(types: $types, after: $after) { cursor aggregateType aggregateId type occurredAt data }
}"""
PROGRESS = """subscription ($id: ID!) {
  simulationRunProgress(id: $id) { id status progress simulatedDay ordersPlaced ordersFinished error }
}"""


@pytest.fixture
def subscriber_app(database_url: str) -> Iterator[TestClient]:
    app = create_app(Services(make_engine(database_url), FixedClock(START)))
    with TestClient(app) as client:
        yield client


async def receive(ws: WebSocketTestSession) -> dict[str, Any]:
    message: dict[str, Any] = await asyncio.wait_for(asyncio.to_thread(ws.receive_json), timeout=WAIT)
    return message


async def closed(ws: WebSocketTestSession) -> WebSocketDisconnect:
    with pytest.raises(WebSocketDisconnect) as refused:
        await receive(ws)
    return refused.value


@contextmanager
def socket(app: TestClient, **headers: str) -> Iterator[WebSocketTestSession]:
    with app.websocket_connect("/graphql", subprotocols=PROTOCOL, headers=headers) as ws:
        assert ws.accepted_subprotocol == "graphql-transport-ws"
        yield ws


async def signed_in(ws: WebSocketTestSession, key: str) -> None:
    ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}})
    assert await receive(ws) == {"type": "connection_ack"}


def subscribe(ws: WebSocketTestSession, query: str, **variables: Any) -> None:
    ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables}})


async def next_payload(ws: WebSocketTestSession) -> dict[str, Any]:
    message = await receive(ws)
    assert message["type"] == "next" and message["id"] == "1", message
    payload: dict[str, Any] = message["payload"]
    return payload


async def next_event(ws: WebSocketTestSession) -> dict[str, Any]:
    payload = await next_payload(ws)
    assert "errors" not in payload, payload
    event: dict[str, Any] = payload["data"]["workspaceEvents"]
    return event


async def listening_to(engine: AsyncEngine, channel: str, *, listeners: int = 1) -> None:
    """Wait until `listeners` connections LISTEN on `channel` (a workspaceEvents subscription reads where
    it starts before it listens)."""
    async with asyncio.timeout(WAIT):
        while True:
            async with engine.connect() as conn:
                found = (
                    await conn.execute(
                        sa.text("SELECT count(*) FROM pg_stat_activity WHERE query = :q"),
                        {"q": f'LISTEN "{channel}"'},
                    )
                ).scalar_one()
            if found == listeners:
                return
            await asyncio.sleep(0.05)


# -- workspaceEvents -------------------------------------------------------------------------------------


async def test_a_subscriber_sees_its_workspaces_orders_as_they_commit_and_no_others(
    subscriber_app: TestClient, engine: AsyncEngine, seller: Seller, other_seller: Seller
) -> None:
    await stock_shop(seller)
    await stock_shop(other_seller)
    with socket(subscriber_app) as ws:
        await signed_in(ws, seller.key)
        subscribe(ws, EVENTS, types=["ORDER"])
        await listening_to(engine, events_channel(seller.workspace_id))
        theirs = await place_order(other_seller)  # committed first: it would come first if it leaked
        ours = await place_order(seller)
        event = await next_event(ws)
    # The client went away: its subscription's LISTEN connection is closed.
    await listening_to(engine, events_channel(seller.workspace_id), listeners=0)
    assert event | {"cursor": None, "data": None} == {
        "cursor": None,
        "aggregateType": "ORDER",
        "aggregateId": ours["id"],
        "type": "ORDER_PLACED",
        "occurredAt": START.isoformat(),
        "data": None,
    }
    assert event["aggregateId"] != theirs["id"]
    assert decode_cursor(event["cursor"]) is not None


async def test_resuming_after_a_cursor_sends_what_came_since_in_order(
    subscriber_app: TestClient, seller: Seller
) -> None:
    await stock_shop(seller)
    first, second = await place_order(seller), await place_order(seller)
    with socket(subscriber_app) as ws:
        await signed_in(ws, seller.key)
        subscribe(ws, EVENTS, types=["ORDER"], after=encode_cursor(0))
        events = [await next_event(ws), await next_event(ws)]
    assert [(e["aggregateId"], e["type"]) for e in events] == [
        (first["id"], "ORDER_PLACED"),
        (second["id"], "ORDER_PLACED"),
    ]
    with socket(subscriber_app) as ws:
        await signed_in(ws, seller.key)
        subscribe(ws, EVENTS, after=events[0]["cursor"])
        assert (await next_event(ws))["aggregateId"] == second["id"]


async def test_kinds_not_asked_for_are_left_out(subscriber_app: TestClient, seller: Seller) -> None:
    """Before its shipment, the order has only ORDER events (placed, paid, confirmed): asked for shipments,
    the subscriber's first event is the shipment's."""
    order = await confirmed_order(seller)
    with socket(subscriber_app) as ws:
        await signed_in(ws, seller.key)
        subscribe(ws, EVENTS, types=["SHIPMENT"], after=encode_cursor(0))
        shipment = await ship(seller, order["id"])
        event = await next_event(ws)
    assert (event["aggregateType"], event["aggregateId"]) == ("SHIPMENT", shipment["id"])


def test_every_kind_of_object_that_records_events_is_named() -> None:
    recorded = {cls.__aggregate_type__ for cls in _subclasses(RecordsEvents)}
    assert recorded == set(KINDS)


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    return found.union(*(_subclasses(sub) for sub in found))


# -- who may subscribe -----------------------------------------------------------------------------------


async def test_a_socket_without_a_key_is_refused_and_told_why(subscriber_app: TestClient) -> None:
    with socket(subscriber_app) as ws:
        ws.send_json({"type": "connection_init"})
        refused = await closed(ws)
    assert (refused.code, refused.reason) == (4403, MISSING_KEY)


async def test_a_socket_with_a_bad_key_is_refused_and_told_why(subscriber_app: TestClient) -> None:
    with socket(subscriber_app) as ws:
        ws.send_json({"type": "connection_init", "payload": {"Authorization": "Bearer tl_sand_nope"}})
        refused = await closed(ws)
    assert (refused.code, refused.reason) == (4403, INVALID_KEY)


async def test_a_subscription_before_signing_in_closes_the_socket(subscriber_app: TestClient) -> None:
    with socket(subscriber_app) as ws:
        subscribe(ws, EVENTS)
        refused = await closed(ws)
    assert refused.code == 4401


async def test_the_key_may_come_in_the_upgrade_requests_header(
    subscriber_app: TestClient, seller: Seller
) -> None:
    await stock_shop(seller)
    placed = await place_order(seller)
    with socket(subscriber_app, Authorization=f"Bearer {seller.key}") as ws:
        ws.send_json({"type": "connection_init"})
        assert await receive(ws) == {"type": "connection_ack"}
        subscribe(ws, EVENTS, after=encode_cursor(0))
        assert (await next_event(ws))["aggregateId"] == placed["id"]


async def test_queries_go_over_http_and_subscriptions_over_the_socket(
    subscriber_app: TestClient, seller: Seller
) -> None:
    with socket(subscriber_app) as ws:
        await signed_in(ws, seller.key)
        subscribe(ws, "{ workspace { id } }")
        payload = await next_payload(ws)
    assert payload["data"] is None
    assert payload["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    response = await seller.post(EVENTS)
    errors = response.json()["errors"]
    assert errors[0]["extensions"]["code"] == "BAD_REQUEST" and "websocket" in errors[0]["message"]


# -- events that commit out of seq order ----------------------------------------------------------------


async def _insert_event(conn: Any, workspace_id: uuid.UUID) -> int:
    seq: int = (
        await conn.execute(
            sa.text(
                "INSERT INTO events (id, workspace_id, aggregate_type, aggregate_id, type, occurred_at, data)"
                " VALUES (:id, :ws, 'Order', :agg, 'ORDER_NOTED', :at, '{}') RETURNING seq"
            ),
            {"id": uuid.uuid4(), "ws": workspace_id, "agg": uuid.uuid4(), "at": START},
        )
    ).scalar_one()
    return seq


async def test_an_event_that_commits_after_a_later_one_is_still_sent(
    engine: AsyncEngine, seller: Seller
) -> None:
    """Two commands: the first takes seq a, the second seq b > a and commits first. The feed sends b, then a
    once it commits, then nothing more; its position moves past both only when nothing can still come."""
    position = FeedPosition(low=0)
    assert await read_feed(engine, seller.workspace_id, position) == []
    async with engine.connect() as slow, engine.connect() as fast:
        a = await _insert_event(slow, seller.workspace_id)
        b = await _insert_event(fast, seller.workspace_id)
        await fast.commit()
        assert b > a
        assert [e.seq for e in await read_feed(engine, seller.workspace_id, position)] == [b]
        assert position.low < a  # the slow command is still running
        async with listening(engine, events_channel(seller.workspace_id)) as listener:
            await slow.commit()
            assert await listener.wait(WAIT)  # its commit notified
    assert [e.seq for e in await read_feed(engine, seller.workspace_id, position)] == [a]
    # Once every transaction that ran at those reads has ended (any of the server's, not only these),
    # the position forgets what it sent: nothing at or below b can still commit.
    async with asyncio.timeout(WAIT):
        while position.low < b:
            assert await read_feed(engine, seller.workspace_id, position) == []
            await asyncio.sleep(0.05)
    assert not position.delivered and not position.pending


# -- simulationRunProgress -------------------------------------------------------------------------------


@pytest.fixture
def season() -> Season:
    return Season(gate=asyncio.Event())


@pytest.fixture
async def starter(services: Services, season: Season) -> AsyncIterator[Sim]:
    """The app that starts runs and plays their seasons (in this test's event loop)."""
    app = create_app(services, season=season)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://tradelane.test"
    ) as c:
        yield Sim(app, c)
        await app.state.simulation_runs.shutdown()


async def test_a_runs_progress_streams_until_it_ends(
    subscriber_app: TestClient, engine: AsyncEngine, starter: Sim, season: Season
) -> None:
    seller = await make_seller(engine, starter.client, WorkspaceKind.SANDBOX)
    started = await seller.gql(START_RUN, {"input": {"scenario": "smoke", "seed": 3, "orders": 30}})
    run_id = started["simulationRunStart"]["run"]["id"]
    with socket(subscriber_app) as ws:
        await signed_in(ws, seller.key)
        subscribe(ws, PROGRESS, id=run_id)
        states = [(await next_payload(ws))["data"]["simulationRunProgress"]]
        assert states[0]["status"] == "RUNNING" and states[0]["progress"] == 0.0
        assert season.gate is not None
        season.gate.set()
        while (message := await receive(ws))["type"] == "next":
            states.append(message["payload"]["data"]["simulationRunProgress"])
    assert message == {"id": "1", "type": "complete"}
    assert [s["status"] for s in states[:-1]] == ["RUNNING"] * (len(states) - 1)
    assert states[-1] | {"simulatedDay": None} == {
        "id": run_id,
        "status": "SUCCEEDED",
        "progress": 1.0,
        "simulatedDay": None,
        "ordersPlaced": 30,
        "ordersFinished": 15,
        "error": None,
    }
    progress = [s["progress"] for s in states]
    assert progress == sorted(progress) and len(set(map(str, states))) == len(states)


async def test_a_run_that_has_ended_is_sent_once_and_the_subscription_ends(
    subscriber_app: TestClient, engine: AsyncEngine, starter: Sim, season: Season
) -> None:
    assert season.gate is not None
    season.gate.set()
    seller = await make_seller(engine, starter.client, WorkspaceKind.SANDBOX)
    started = await seller.gql(START_RUN, {"input": {"scenario": "smoke", "seed": 4}})
    run_id = started["simulationRunStart"]["run"]["id"]
    await asyncio.wait_for(starter.runs.finished(parse_global_id(run_id)[1]), timeout=WAIT)
    with socket(subscriber_app) as ws:
        await signed_in(ws, seller.key)
        subscribe(ws, PROGRESS, id=run_id)
        assert (await next_payload(ws))["data"]["simulationRunProgress"]["status"] == "SUCCEEDED"
        assert await receive(ws) == {"id": "1", "type": "complete"}


async def test_another_workspaces_run_is_not_found(
    subscriber_app: TestClient, engine: AsyncEngine, starter: Sim, other_seller: Seller
) -> None:
    seller = await make_seller(engine, starter.client, WorkspaceKind.SANDBOX)
    started = await seller.gql(START_RUN, {"input": {"scenario": "smoke", "seed": 5}})
    run_id = started["simulationRunStart"]["run"]["id"]
    with socket(subscriber_app) as ws:
        await signed_in(ws, other_seller.key)
        subscribe(ws, PROGRESS, id=run_id)
        message = await receive(ws)
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert [e["extensions"]["code"] for e in errors] == ["NOT_FOUND"]
    assert "simulationRunProgress" not in str(message.get("payload", {}).get("data") or "")
