"""Simulation runs in the API: sandboxWorkspaceCreate, simulationRunStart and its background season,
simulationRun(s), and the stock figures a season checks conservation with.

The season here is a stand-in with run_season's signature: it makes real GraphQL calls into the run's
sandbox through the in-process client, reports progress and returns a report, so that what the API does
around a season is tested without playing a whole one (tests of the simulator play real seasons).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from api.app import create_app
from api.context import Services
from api.relay import parse_global_id, to_global_id
from api.simulation.runs import ProgressWriter, SimulationRuns
from domain.accounts.handlers import create_sandbox, find_principal, sandbox_spec
from domain.accounts.model import WorkspaceKind
from domain.db.uow import UnitOfWork
from domain.shared.errors import ConcurrentChange
from domain.simulation import handlers
from domain.simulation.handlers import RunProgress
from domain.simulation.model import INTERRUPTED, MAX_RUNNING, SimulationRun
from simulator.client import ApiError, GraphQLClient
from simulator.scenario import Scenario, load_scenario
from simulator.season import Progress
from tests.catalog_setup import CHANNEL_CREATE
from tests.conftest import START, Seller, make_seller
from tests.test_returns import INSPECT, approved, asked, run, sent_back, tracked_delivered_order

SANDBOX_CREATE = """
mutation ($input: SandboxWorkspaceCreateInput!) {
  sandboxWorkspaceCreate(input: $input) {
    workspace { id name kind now homeCurrency }
    apiKey
    userErrors { field code message }
  }
}"""

RUN_FIELDS = """id scenario seed orders status progress simulatedDay ordersPlaced ordersFinished report error
  createdAt finishedAt runWorkspace { id name }"""
START_RUN = f"""
mutation ($input: SimulationRunStartInput!) {{
  simulationRunStart(input: $input) {{ run {{ {RUN_FIELDS} }} apiKey userErrors {{ field code message }} }}
}}"""
RUN = f"""query ($id: ID!) {{ simulationRun(id: $id) {{ {RUN_FIELDS} }} }}"""
RUNS = """query ($first: Int) {
  simulationRuns(first: $first) { edges { node { id scenario seed status runWorkspace { id name } } } }
}"""
NODE = """query ($id: ID!) { node(id: $id) { id ... on SimulationRun { scenario status } } }"""
WORKSPACE = "{ workspace { id name kind now homeCurrency } }"

SMOKE = load_scenario("smoke")
SMOKE_START = datetime.combine(SMOKE.start, datetime.min.time(), tzinfo=UTC)


@dataclass
class Season:
    """A stand-in season: reads the sandbox it was given, writes in it, reports progress, returns a report."""

    invariants_hold: bool = True
    error: BaseException | None = None
    gate: asyncio.Event | None = None
    calls: list[dict[str, Any]] = field(default_factory=list)
    playing: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(
        self, scenario: Scenario, seed: int, client: GraphQLClient, *, on_progress: Any = None
    ) -> dict[str, Any]:
        seen = await client.execute(WORKSPACE)
        made = await client.execute(
            CHANNEL_CREATE,
            {"input": {"name": "Season shop", "platform": "AMAZON", "country": "US", "currency": "USD"}},
        )
        self.calls.append({"scenario": scenario.name, "orders": scenario.demand.orders, "seed": seed} | seen)
        assert made["channelCreate"]["userErrors"] == []
        self.playing.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.error is not None:
            raise self.error
        for week, fraction in enumerate((0.25, 0.5, 1.0)):
            day = scenario.start + timedelta(days=7 * week)
            await on_progress(Progress(fraction, day, 10 * (week + 1), 5 * (week + 1)))
        invariant = {"name": "every order ends", "holds": self.invariants_hold, "detail": "30 of 30"}
        return {"scenario": scenario.name, "seed": seed, "kpis": {"orders": 30}, "invariants": [invariant]}


@dataclass
class Sim:
    app: Starlette
    client: httpx.AsyncClient

    @property
    def runs(self) -> SimulationRuns:
        runs: SimulationRuns = self.app.state.simulation_runs
        return runs


@pytest.fixture
def season() -> Season:
    return Season()


@pytest.fixture
async def sim(services: Services, season: Season) -> AsyncIterator[Sim]:
    app = create_app(services, season=season)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://tradelane.test"
    ) as c:
        yield Sim(app, c)
        await app.state.simulation_runs.shutdown()


@pytest.fixture
async def owner(engine: AsyncEngine, sim: Sim) -> Seller:
    return await make_seller(engine, sim.client, WorkspaceKind.SANDBOX)


@pytest.fixture
async def stranger(engine: AsyncEngine, sim: Sim) -> Seller:
    return await make_seller(engine, sim.client, WorkspaceKind.SANDBOX)


async def seller_workspaces(
    engine: AsyncEngine, seller: Seller
) -> set[tuple[uuid.UUID, str, datetime | None]]:
    """The workspaces of the seller whose key `seller` holds (read as the owner)."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            sa.text(
                "SELECT id, kind, sandbox_now FROM workspaces WHERE seller_id = "
                "(SELECT seller_id FROM workspaces WHERE id = :ws)"
            ),
            {"ws": seller.workspace_id},
        )
        return {(row.id, row.kind, row.sandbox_now) for row in rows}


def key_holder(seller: Seller, key: str) -> Seller:
    return Seller(seller.client, key, seller.workspace_id)


# -- sandboxWorkspaceCreate ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [WorkspaceKind.SANDBOX, WorkspaceKind.LIVE])
async def test_a_seller_makes_a_sandbox_with_its_own_clock_and_key(
    engine: AsyncEngine, sim: Sim, stranger: Seller, kind: WorkspaceKind
) -> None:
    seller = await make_seller(engine, sim.client, kind)
    before = await seller_workspaces(engine, seller)
    values = {"name": "  Peak season  ", "homeCurrency": "cny", "clockStart": "2026-06-01T08:00:00+08:00"}
    made = (await seller.gql(SANDBOX_CREATE, {"input": values}))["sandboxWorkspaceCreate"]
    assert made["userErrors"] == []
    workspace = made["workspace"]
    assert workspace | {"id": None} == {
        "id": None,
        "name": "Peak season",
        "kind": "SANDBOX",
        "now": "2026-06-01T00:00:00+00:00",
        "homeCurrency": "CNY",
    }
    # The key opens the new workspace, whose clock is where it was set; the caller's is untouched.
    assert (await key_holder(seller, made["apiKey"]).gql(WORKSPACE))["workspace"] == workspace
    assert (await seller.gql(WORKSPACE))["workspace"]["kind"] == kind.value
    after = await seller_workspaces(engine, seller)
    new_id = parse_global_id(workspace["id"])[1]
    assert after - before == {(new_id, "SANDBOX", datetime(2026, 6, 1, tzinfo=UTC))} and before < after
    assert all(w[0] != new_id for w in await seller_workspaces(engine, stranger))


async def test_a_sandbox_starts_now_without_a_clock_start(owner: Seller) -> None:
    made = (await owner.gql(SANDBOX_CREATE, {"input": {"name": "Today"}}))["sandboxWorkspaceCreate"]
    assert made["workspace"]["now"] == START.isoformat() and made["workspace"]["homeCurrency"] == "USD"


@pytest.mark.parametrize(
    ("values", "code", "field"),
    [
        ({"name": "   "}, "INVALID_TEXT", ["input", "name"]),
        ({"name": "x" * 201}, "INVALID_TEXT", ["input", "name"]),
        ({"name": "Shop", "homeCurrency": "XYZ"}, "INVALID_CURRENCY", ["input", "homeCurrency"]),
        (
            {"name": "Shop", "clockStart": "2026-06-01T00:00:00"},
            "INVALID_CLOCK_START",
            ["input", "clockStart"],
        ),
        (
            {"name": "Shop", "clockStart": "1999-12-31T23:59:59Z"},
            "INVALID_CLOCK_START",
            ["input", "clockStart"],
        ),
        (
            {"name": "Shop", "clockStart": "2100-01-01T00:00:00Z"},
            "INVALID_CLOCK_START",
            ["input", "clockStart"],
        ),
    ],
)
async def test_a_bad_sandbox_is_refused_and_nothing_is_written(
    engine: AsyncEngine, owner: Seller, values: dict[str, Any], code: str, field: list[str]
) -> None:
    before = await seller_workspaces(engine, owner)
    made = (await owner.gql(SANDBOX_CREATE, {"input": values}))["sandboxWorkspaceCreate"]
    assert made["workspace"] is None and made["apiKey"] is None
    assert [(e["code"], e["field"]) for e in made["userErrors"]] == [(code, field)]
    assert await seller_workspaces(engine, owner) == before


async def test_a_repeated_sandbox_create_answers_the_first_without_its_key(
    engine: AsyncEngine, owner: Seller
) -> None:
    values = {"name": "Once", "idempotencyKey": "sandbox-1"}
    first = (await owner.gql(SANDBOX_CREATE, {"input": values}))["sandboxWorkspaceCreate"]
    again = (await owner.gql(SANDBOX_CREATE, {"input": values}))["sandboxWorkspaceCreate"]
    assert again["workspace"] == first["workspace"] and again["userErrors"] == []
    assert first["apiKey"].startswith("tl_sand_") and again["apiKey"] is None
    assert len(await seller_workspaces(engine, owner)) == 2
    other = await owner.gql(SANDBOX_CREATE, {"input": {"name": "Twice", "idempotencyKey": "sandbox-1"}})
    assert [e["code"] for e in other["sandboxWorkspaceCreate"]["userErrors"]] == ["IDEMPOTENCY_KEY_REUSED"]


async def test_the_key_of_a_new_sandbox_is_not_stored_in_clear(engine: AsyncEngine, owner: Seller) -> None:
    values = {"name": "Secret", "idempotencyKey": "sandbox-2"}
    key = (await owner.gql(SANDBOX_CREATE, {"input": values}))["sandboxWorkspaceCreate"]["apiKey"]
    async with engine.connect() as conn:
        found = await conn.execute(
            sa.text(
                "SELECT count(*) FROM idempotency_keys WHERE result::text LIKE :k"
                " UNION ALL SELECT count(*) FROM api_keys WHERE key_hash = :k OR prefix = :k"
            ),
            {"k": f"%{key[12:]}%"},
        )
        assert [row[0] for row in found] == [0, 0]


async def test_a_command_that_makes_a_sandbox_returns_to_its_workspace_for_the_rest(
    engine: AsyncEngine, services: Services, owner: Seller
) -> None:
    """The sandbox is made as the database owner; what the command does next runs as the service's role
    again, confined by row-level security to the caller's workspace."""
    spec = sandbox_spec("Steps", "USD", START)
    async with engine.connect() as conn:
        principal = await find_principal(conn, owner.key)
        assert principal is not None
        async with UnitOfWork(conn, principal, services.clock) as uow:
            made = await create_sandbox(uow, spec, START)
            role = (await uow.session.execute(sa.text("SELECT current_user"))).scalar_one()
            seen = (await uow.session.execute(sa.text("SELECT id FROM workspaces"))).scalars().all()
    assert role == "tradelane_app"
    assert seen == [owner.workspace_id] and made.workspace_id != owner.workspace_id


# -- stock figures -------------------------------------------------------------------------------------

STOCK = """{
  stock(first: 10) { edges { node { onHand reserved shipped returned disposed rejected awaitingInspection } } }
  lots(first: 10) { edges { node { quantity passedQuantity } } }
}"""


async def test_stock_levels_show_what_left_and_came_back_so_stock_can_be_conserved(owner: Seller) -> None:
    """10 received and passed; 2 shipped; both come back, 1 restocked and 1 disposed, and the exchange's
    replacement holds 2: on hand 9, reserved 2, shipped 2, returned 1, disposed 1 (tests/test_returns.py).
    Passed at inspection + returned = on hand + shipped: 10 + 1 = 9 + 2."""
    order = await tracked_delivered_order(owner)
    rma = await approved(owner, (await asked(owner, order, 2))["id"], "EXCHANGE")
    await sent_back(owner, rma)
    lines = [{"orderLineId": order["line"], "restock": 1, "dispose": 1}]
    assert (await run(owner, INSPECT, "returnInspect", returnId=rma["id"], lines=lines))["userErrors"] == []
    data = await owner.gql(STOCK)
    [level] = [edge["node"] for edge in data["stock"]["edges"]]
    assert level == {
        "onHand": 9,
        "reserved": 2,
        "shipped": 2,
        "returned": 1,
        "disposed": 1,
        "rejected": 0,
        "awaitingInspection": 0,
    }
    [lot] = [edge["node"] for edge in data["lots"]["edges"]]
    assert lot == {"quantity": 10, "passedQuantity": 10}
    assert lot["passedQuantity"] + level["returned"] == level["onHand"] + level["shipped"]


async def test_a_lot_has_no_passed_quantity_before_inspection(owner: Seller) -> None:
    warehouse = await owner.gql(
        """mutation { warehouseCreate(input: {name: "DC", kind: DOMESTIC, country: "CN"}) { warehouse { id } } }"""
    )
    product = await owner.gql(
        """mutation ($input: ProductCreateInput!) { productCreate(input: $input) { product { id } } }""",
        {
            "input": {
                "sku": "LOT-1",
                "title": "T",
                "category": "APPAREL",
                "hsCode": "6109.10",
                "originCountry": "CN",
                "unitCost": {"amount": "1", "currency": "CNY"},
                "weightGrams": 100,
                "dimensions": {"lengthMm": 10, "widthMm": 10, "heightMm": 10},
            }
        },
    )
    received = await owner.gql(
        """mutation ($p: ID!, $w: ID!) { lotReceive(input: {productId: $p, warehouseId: $w, quantity: 7}) {
          lot { quantity passedQuantity } userErrors { code } } }""",
        {
            "p": product["productCreate"]["product"]["id"],
            "w": warehouse["warehouseCreate"]["warehouse"]["id"],
        },
    )
    assert received["lotReceive"] == {"lot": {"quantity": 7, "passedQuantity": None}, "userErrors": []}


# -- simulationRunStart --------------------------------------------------------------------------------


async def start(seller: Seller, **values: Any) -> dict[str, Any]:
    payload: dict[str, Any] = (
        await seller.gql(START_RUN, {"input": {"scenario": "smoke", "seed": 7} | values})
    )["simulationRunStart"]
    return payload


async def finished(sim: Sim, seller: Seller, run_id: str) -> dict[str, Any]:
    await asyncio.wait_for(sim.runs.finished(parse_global_id(run_id)[1]), timeout=60)
    found: dict[str, Any] = (await seller.gql(RUN, {"id": run_id}))["simulationRun"]
    return found


@pytest.mark.parametrize("kind", [WorkspaceKind.SANDBOX, WorkspaceKind.LIVE])
async def test_a_run_plays_its_season_in_a_new_sandbox_and_records_how_it_ended(
    engine: AsyncEngine, sim: Sim, season: Season, kind: WorkspaceKind
) -> None:
    seller = await make_seller(engine, sim.client, kind)
    started = await start(seller, orders=30)
    assert started["userErrors"] == []
    run_ = started["run"]
    assert run_ | {"id": None, "runWorkspace": None} == {
        "id": None,
        "scenario": "smoke",
        "seed": 7,
        "orders": 30,
        "status": "RUNNING",
        "progress": 0.0,
        "simulatedDay": None,
        "ordersPlaced": 0,
        "ordersFinished": 0,
        "report": None,
        "error": None,
        "createdAt": START.isoformat(),
        "finishedAt": None,
        "runWorkspace": None,
    }
    assert run_["runWorkspace"]["name"] == "Season smoke (seed 7)"
    done = await finished(sim, seller, run_["id"])
    assert done | {"report": None} == run_ | {
        "status": "SUCCEEDED",
        "progress": 1.0,
        "simulatedDay": (SMOKE.start + timedelta(days=14)).isoformat(),
        "ordersPlaced": 30,
        "ordersFinished": 15,
        "finishedAt": START.isoformat(),
        "report": None,
    }
    assert done["report"]["invariants"] == [{"name": "every order ends", "holds": True, "detail": "30 of 30"}]
    # The season ran through the API in the run's sandbox: scaled, with the scenario's clock and currency.
    [call] = season.calls
    assert call == {
        "scenario": "smoke",
        "orders": 30,
        "seed": 7,
        "workspace": {
            "id": run_["runWorkspace"]["id"],
            "name": "Season smoke (seed 7)",
            "kind": "SANDBOX",
            "now": SMOKE_START.isoformat(),
            "homeCurrency": SMOKE.seller.home_currency,
        },
    }
    # The sandbox belongs to the caller's seller; its channel is not the caller's.
    ids = [w[0] for w in await seller_workspaces(engine, seller)]
    assert parse_global_id(run_["runWorkspace"]["id"])[1] in ids
    assert (await seller.gql("{ channels(first: 5) { totalCount } }"))["channels"]["totalCount"] == 0


async def test_the_run_key_opens_the_runs_sandbox_and_nothing_of_the_caller(
    sim: Sim, season: Season, owner: Seller
) -> None:
    started = await start(owner, orders=30)
    await finished(sim, owner, started["run"]["id"])
    inside = Seller(owner.client, started["apiKey"], owner.workspace_id)
    seen = (await inside.gql(WORKSPACE))["workspace"]
    assert (seen["id"], seen["kind"]) == (started["run"]["runWorkspace"]["id"], "SANDBOX")
    # What the season made there (its channel) is read with the run's key, and the caller's runs are not.
    assert (await inside.gql("{ channels(first: 5) { edges { node { name } } } }"))["channels"]["edges"] == [
        {"node": {"name": "Season shop"}}
    ]
    assert (await inside.gql(RUNS))["simulationRuns"]["edges"] == []
    # It only reads: nothing but the season writes in the run's sandbox.
    channel = {"name": "Mine", "platform": "AMAZON", "country": "US", "currency": "USD"}
    response = await inside.post(CHANNEL_CREATE, {"input": channel})
    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await inside.gql("{ channels(first: 5) { totalCount } }"))["channels"]["totalCount"] == 1
    refused = await start(owner, scenario="no-such-season")
    assert refused["apiKey"] is None and refused["run"] is None


async def test_a_run_without_orders_plays_the_scenarios_own_number(
    sim: Sim, season: Season, owner: Seller
) -> None:
    started = await start(owner)
    await finished(sim, owner, started["run"]["id"])
    assert started["run"]["orders"] is None and season.calls[0]["orders"] == SMOKE.demand.orders


async def test_a_broken_invariant_is_said_in_the_status(sim: Sim, season: Season, owner: Seller) -> None:
    season.invariants_hold = False
    done = await finished(sim, owner, (await start(owner))["run"]["id"])
    assert done["status"] == "INVARIANT_BROKEN" and done["error"] is None
    assert done["report"]["invariants"][0]["holds"] is False


async def test_a_season_the_api_refused_fails_with_its_message(
    sim: Sim, season: Season, owner: Seller
) -> None:
    season.error = ApiError("The API answered with an error: the clock is stuck (CLOCK_BACKWARDS)")
    done = await finished(sim, owner, (await start(owner))["run"]["id"])
    assert done["status"] == "FAILED" and done["report"] is None and done["finishedAt"] == START.isoformat()
    assert done["error"] == "The API answered with an error: the clock is stuck (CLOCK_BACKWARDS)"


async def test_an_unexpected_error_fails_the_run_without_leaking_it(
    sim: Sim, season: Season, owner: Seller, caplog: pytest.LogCaptureFixture
) -> None:
    season.error = RuntimeError("secret connection string postgres://admin:hunter2@db")
    run_id = (await start(owner))["run"]["id"]
    done = await finished(sim, owner, run_id)
    assert done["status"] == "FAILED"
    assert "hunter2" not in done["error"] and "incident" in done["error"]
    incident = done["error"].split("incident ")[1][:16]
    assert any(incident in r.getMessage() and r.exc_info for r in caplog.records)


@pytest.mark.parametrize(
    ("values", "code", "field"),
    [
        ({"scenario": "no-such-season"}, "UNKNOWN_SCENARIO", ["input", "scenario"]),
        ({"scenario": "defaults"}, "UNKNOWN_SCENARIO", ["input", "scenario"]),
        ({"scenario": "../../etc/passwd"}, "UNKNOWN_SCENARIO", ["input", "scenario"]),
        ({"scenario": "simulator/scenarios/smoke.toml"}, "UNKNOWN_SCENARIO", ["input", "scenario"]),
        ({"seed": -1}, "INVALID_SEED", ["input", "seed"]),
        ({"orders": 0}, "INVALID_ORDERS", ["input", "orders"]),
        ({"orders": 5001}, "INVALID_ORDERS", ["input", "orders"]),
    ],
)
async def test_a_bad_run_is_refused_and_nothing_is_made(
    engine: AsyncEngine, season: Season, owner: Seller, values: dict[str, Any], code: str, field: list[str]
) -> None:
    before = await seller_workspaces(engine, owner)
    refused = await start(owner, **values)
    assert refused["run"] is None
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [(code, field)]
    assert "Known scenarios: " in refused["userErrors"][0]["message"] or code != "UNKNOWN_SCENARIO"
    assert await seller_workspaces(engine, owner) == before
    assert (await owner.gql(RUNS))["simulationRuns"]["edges"] == []
    assert season.calls == []


async def test_a_malformed_scenario_is_refused_with_where_it_is_wrong(
    monkeypatch: pytest.MonkeyPatch, owner: Seller
) -> None:
    from api.simulation import scenarios
    from simulator.scenario import ScenarioError

    def broken(name: str) -> Scenario:
        raise ScenarioError(
            "must be a fraction from 0 to 1; got -0.2.", path="smoke.toml", line=12, field="x"
        )

    monkeypatch.setattr(scenarios, "load_scenario", broken)
    refused = await start(owner)
    assert refused["userErrors"] == [
        {
            "field": ["input", "scenario"],
            "code": "INVALID_SCENARIO",
            "message": "smoke.toml, line 12, x: must be a fraction from 0 to 1; got -0.2.",
        }
    ]


async def test_the_sandbox_and_the_run_are_made_together_or_not_at_all(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch, season: Season, owner: Seller
) -> None:
    def conflict(*args: Any, **kwargs: Any) -> Any:
        raise ConcurrentChange("simulation run")

    before = await seller_workspaces(engine, owner)
    monkeypatch.setattr(handlers.SimulationRun, "begin", conflict)
    refused = await start(owner)
    assert [e["code"] for e in refused["userErrors"]] == ["CONFLICT"]
    assert await seller_workspaces(engine, owner) == before  # the sandbox made first was rolled back
    assert season.calls == []


async def test_a_workspace_runs_a_few_seasons_at_once_at_most(
    engine: AsyncEngine, sim: Sim, season: Season, owner: Seller
) -> None:
    season.gate = asyncio.Event()  # the seasons wait until let go
    started = [await start(owner, seed=seed) for seed in range(MAX_RUNNING)]
    assert all(s["userErrors"] == [] for s in started)
    before = await seller_workspaces(engine, owner)
    refused = await start(owner, seed=99)
    assert refused["run"] is None and [e["code"] for e in refused["userErrors"]] == ["TOO_MANY_RUNS"]
    assert await seller_workspaces(engine, owner) == before
    season.gate.set()
    await finished(sim, owner, started[0]["run"]["id"])
    assert (await start(owner, seed=99))["userErrors"] == []


async def test_a_repeated_start_answers_the_first_run_and_plays_once(
    engine: AsyncEngine, sim: Sim, season: Season, owner: Seller
) -> None:
    first = await start(owner, idempotencyKey="season-1")
    again = await start(owner, idempotencyKey="season-1")
    assert again["userErrors"] == [] and again["run"]["id"] == first["run"]["id"]
    assert first["apiKey"].startswith("tl_sand_") and again["apiKey"] is None  # shown once
    await finished(sim, owner, first["run"]["id"])
    assert len(season.calls) == 1
    assert len(await seller_workspaces(engine, owner)) == 2


async def test_runs_are_seen_only_by_the_workspace_that_started_them(
    sim: Sim, owner: Seller, stranger: Seller
) -> None:
    run_id = (await start(owner))["run"]["id"]
    await finished(sim, owner, run_id)
    assert (await owner.gql(NODE, {"id": run_id}))["node"] == {
        "id": run_id,
        "scenario": "smoke",
        "status": "SUCCEEDED",
    }
    assert (await stranger.gql(RUN, {"id": run_id}))["simulationRun"] is None
    assert (await stranger.gql(NODE, {"id": run_id}))["node"] is None
    assert (await stranger.gql(RUNS))["simulationRuns"]["edges"] == []
    listed = (await owner.gql(RUNS))["simulationRuns"]["edges"]
    assert [edge["node"]["id"] for edge in listed] == [run_id]
    # The run's sandbox is a workspace of its own: its ID opens nothing from here.
    sandbox_id = listed[0]["node"]["runWorkspace"]["id"]
    assert (await owner.gql("query ($id: ID!) { node(id: $id) { id } }", {"id": sandbox_id}))["node"] is None


async def test_a_run_id_of_another_type_is_refused(owner: Seller) -> None:
    response = await owner.post(RUN, {"id": to_global_id("Order", uuid.uuid4())})
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "INVALID_ID"


# -- runs that stop --------------------------------------------------------------------------------------


async def test_stopping_the_server_fails_its_runs_as_interrupted(
    sim: Sim, season: Season, owner: Seller
) -> None:
    season.gate = asyncio.Event()  # the season waits for ever
    run_id = (await start(owner))["run"]["id"]
    await asyncio.wait_for(season.playing.wait(), timeout=30)
    await asyncio.wait_for(sim.runs.shutdown(), timeout=30)
    stopped = (await owner.gql(RUN, {"id": run_id}))["simulationRun"]
    assert stopped["status"] == "FAILED" and stopped["error"] == INTERRUPTED
    assert stopped["finishedAt"] is not None


async def _record_runs(
    engine: AsyncEngine, services: Services, seller: Seller, at: datetime, count: int = 1
) -> list[uuid.UUID]:
    """Run records as starting them makes them, at `at`, in one transaction, past the cap on running ones
    (their seasons never play)."""
    spec = sandbox_spec("Season smoke (seed 1)", "CNY", SMOKE_START)
    async with engine.connect() as conn:
        principal = await find_principal(conn, seller.key)
        assert principal is not None
        async with UnitOfWork(conn, principal, services.clock) as uow:
            runs = []
            for _ in range(count):
                sandbox = await create_sandbox(uow, spec, at)
                runs.append(
                    SimulationRun.begin(
                        uow.workspace_id, sandbox.workspace_id, spec.name, "smoke", 1, None, at
                    )
                )
            uow.session.add_all(runs)
            await uow.commit()
    return [run.id for run in runs]


async def test_runs_whose_server_went_silent_are_failed(
    engine: AsyncEngine, services: Services, owner: Seller
) -> None:
    [silent] = await _record_runs(engine, services, owner, START - timedelta(minutes=10))
    [alive] = await _record_runs(engine, services, owner, START - timedelta(seconds=30))
    runs = SimulationRuns(services, lambda key: None)  # type: ignore[arg-type,return-value]
    assert await runs.fail_abandoned() >= 1
    statuses = {
        parse_global_id(edge["node"]["id"])[1]: edge["node"]["status"]
        for edge in (await owner.gql(RUNS))["simulationRuns"]["edges"]
    }
    assert statuses == {silent: "FAILED", alive: "RUNNING"}
    failed = (await owner.gql(RUN, {"id": to_global_id("SimulationRun", silent)}))["simulationRun"]
    assert failed["error"] == INTERRUPTED


async def test_progress_is_written_every_two_percent_or_every_second() -> None:
    written: list[float] = []
    clock = [100.0]

    async def write(progress: RunProgress) -> None:
        written.append(progress.fraction)

    writer = ProgressWriter(write, monotonic=lambda: clock[0])
    day = date(2026, 9, 7)
    for fraction, seconds in [
        (0.0, 0),
        (0.01, 0.1),
        (0.019, 0.2),
        (0.021, 0.3),
        (0.03, 1.2),
        (0.031, 1.5),
        (0.05, 1.6),
        (0.052, 1.7),
    ]:
        clock[0] = 100.0 + seconds
        await writer(Progress(fraction, day, 0, 0))
    # 0.021: two percent on; 0.031: a second on; 0.052: two percent on
    assert written == [0.0, 0.021, 0.031, 0.052]


# -- the list's cost -------------------------------------------------------------------------------------

# API key look-up, entering the workspace, the page of runs: the run's sandbox is on its row.
RUNS_PAGE_STATEMENTS = 3


@pytest.mark.parametrize("count", [1, 10, 100])
async def test_a_runs_page_costs_the_same_statements_for_any_page_size(
    engine: AsyncEngine, services: Services, owner: Seller, count_statements: Any, count: int
) -> None:
    await _record_runs(engine, services, owner, START, count)
    with count_statements() as counter:
        data = await owner.gql(RUNS, {"first": count})
    edges = data["simulationRuns"]["edges"]
    assert len(edges) == count and all(
        e["node"]["runWorkspace"]["name"] == "Season smoke (seed 1)" for e in edges
    )
    assert counter.count == RUNS_PAGE_STATEMENTS, counter.statements
