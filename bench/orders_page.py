"""Orders-page bench: what a GraphQL request costs next to a hand-written endpoint that runs the same SQL.

Scenario: one sandbox seller with one channel and PRODUCTS products, each listed on it, and ORDERS orders of
one line per product, each authorised and captured (so 2 payments and 4 timeline events an order). One uvicorn
process (bench.server) serves Tradelane's app and POST /plain/orders. A client keeps CONCURRENCY requests in
flight for the first page of PAGE_SIZE orders with their lines' product titles, payment amounts and timeline
types: first through GraphQL (QUERY), then through the plain endpoint. Before any timing, the two answers are
checked equal over HTTP, and the SQL statements of one request each are checked the same in-process.

Each side gets WARMUP_REQUESTS untimed requests, then MEASURED_REQUESTS timed ones, each phase cut short at
its time limit. Throughput is completed requests over the phase's wall time; latency is per request.

Units: durations in seconds (s), latencies in milliseconds (ms), throughput in requests per second (req/s).

Database: TRADELANE_BENCH_DATABASE_URL (or DATABASE_URL) names a PostgreSQL server; without either, the
embedded server in .tradelane/bench-pgdata is used. On it a database tradelane_bench_<random> is made by the
migrations and dropped at the end. Figures go to stdout and to bench/results/orders_page.json.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import psycopg
import sqlalchemy as sa
from psycopg import sql
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from api.cli import upgrade
from api.context import Services
from bench.server import ORDER_LINES, PAYMENTS, PLAIN_PATH, URL_VARIABLE, as_table, create_bench_app
from bench.server import ORDERS as ORDERS_TABLE
from bench.server import PRODUCTS as PRODUCTS_TABLE
from domain.accounts.handlers import create_seller, find_principal
from domain.accounts.model import WorkspaceKind
from domain.catalog import handlers as catalog
from domain.catalog.model import Platform, ProductCategory
from domain.compliance import handlers as compliance
from domain.compliance.model import CertificationCode
from domain.db import reads
from domain.db.engine import make_engine, start_embedded, to_async_url
from domain.db.uow import UnitOfWork, enter_workspace
from domain.orders import handlers as orders
from domain.orders.model import PaymentMethod
from domain.shared.clock import FixedClock, SystemClock
from domain.timeline import Event

# -- the scenario --------------------------------------------------------------------------------------------
ORDERS = 100  # orders seeded, all PAID
PAGE_SIZE = 100  # orders a request reads (the API's largest page)
SHIPPING = Decimal("4.99")  # USD an order
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # the sandbox clock
PRODUCTS = [  # sku, title, category, HS code, price (USD)
    ("TEE-CTN-BLK-M", "Cotton T-shirt, black, M", ProductCategory.APPAREL, "6109.10", "19.99"),
    ("BAG-LTH-TAN", "Leather tote bag, tan", ProductCategory.BAGS, "4202.21", "89.00"),
    ("HDP-BT-200", "Bluetooth headphones", ProductCategory.ELECTRONICS, "8518.30", "49.90"),
]
UNIT_COST = Decimal("60.00")  # CNY a unit, every product
WEIGHT_G = 500  # grams a unit
SIZE_MM = (300, 200, 100)  # length, width, height of a unit
QUERY = (
    f"query {{ orders(first: {PAGE_SIZE}) {{ edges {{ node {{ lines {{ product {{ title }} }} "
    "payments { amount { amount } } timeline { type } } } } }"
)
PAYMENTS_PER_ORDER = 2  # AUTHORIZATION, CAPTURE
EVENTS_PER_ORDER = 4  # ORDER_PLACED, PAYMENT_AUTHORIZED, PAYMENT_CAPTURED, ORDER_PAID

# -- the load ------------------------------------------------------------------------------------------------
CONCURRENCY = 8  # requests in flight
WARMUP_REQUESTS = 50  # a side, untimed
WARMUP_LIMIT_S = 10.0
MEASURED_REQUESTS = 400  # a side
MEASURED_LIMIT_S = 10.0
REQUEST_TIMEOUT_S = 30.0
STARTUP_LIMIT_S = 30.0  # for the server to answer /healthz
STOP_LIMIT_S = 10.0  # after SIGTERM, before SIGKILL
RATIO_AIM = 0.3  # GraphQL / plain throughput the project aims to stay above

ROOT = Path(__file__).resolve().parent.parent
EMBEDDED_DATA_DIR = ROOT / ".tradelane" / "bench-pgdata"
RESULTS_FILE = ROOT / "bench" / "results" / "orders_page.json"
EVENTS = as_table(Event.__table__)


class BenchError(Exception):
    """A check failed: the figures would not mean what they say."""


@dataclass(frozen=True)
class Target:
    """One way of asking for the page: a path and a JSON body, encoded once so both sides pay alike."""

    name: str
    path: str
    body: bytes


GRAPHQL = Target("graphql", "/graphql", json.dumps({"query": QUERY}).encode())
PLAIN = Target("plain", PLAIN_PATH, json.dumps({"first": PAGE_SIZE}).encode())


@dataclass(frozen=True)
class Figures:
    requests: int
    seconds: float
    requests_per_second: float
    p50_ms: float
    p99_ms: float

    @classmethod
    def of(cls, latencies_s: list[float], seconds: float) -> Figures:
        if len(latencies_s) < 2:
            raise BenchError(f"only {len(latencies_s)} requests finished in {seconds:.1f} s")
        cuts = statistics.quantiles(latencies_s, n=100, method="inclusive")  # cuts[k - 1]: k-th percentile
        cuts_ms = [round(cut * 1000, 2) for cut in cuts]
        rate = round(len(latencies_s) / seconds, 1)
        return cls(len(latencies_s), round(seconds, 3), rate, p50_ms=cuts_ms[49], p99_ms=cuts_ms[98])


@dataclass(frozen=True)
class Seeded:
    api_key: str
    workspace_id: uuid.UUID


@dataclass(frozen=True)
class Results:
    scenario: str
    database: str
    machine: dict[str, Any]
    rows: dict[str, int]
    statements_per_request: int
    concurrency: int
    graphql: Figures
    plain: Figures
    ratio: float
    ratio_aim: float
    recorded_at: str


# -- the database --------------------------------------------------------------------------------------------
def _server_url() -> tuple[str, str]:
    """The server to make the bench database on, and how to describe it (without any password)."""
    url = os.environ.get("TRADELANE_BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url:
        parsed = make_url(url)
        return url, f"server at {parsed.host}:{parsed.port or 5432}"
    return start_embedded(EMBEDDED_DATA_DIR, database="postgres"), f"embedded in {EMBEDDED_DATA_DIR}"


def _admin(url: str) -> psycopg.Connection[Any]:
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(conninfo, autocommit=True)


@contextlib.contextmanager
def bench_database() -> Iterator[tuple[str, str]]:
    """Make an empty database; yield its SQLAlchemy URL and where it is; drop it at the end."""
    server, where = _server_url()
    name = f"tradelane_bench_{secrets.token_hex(4)}"
    with _admin(server) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield to_async_url(make_url(server).set(database=name).render_as_string(hide_password=False)), where
    finally:
        with _admin(server) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


# -- the seed ------------------------------------------------------------------------------------------------
async def seed(engine: AsyncEngine) -> Seeded:
    """The seller, its shop and its paid orders, through the domain's handlers in one unit of work."""
    async with AsyncSession(engine) as session, session.begin():
        made = await create_seller(session, "Bench Export Co.", START, WorkspaceKind.SANDBOX)
    async with engine.connect() as conn:
        principal = await find_principal(conn, made.api_key)
        if principal is None:
            raise BenchError("the new seller's key opens no workspace")
        async with UnitOfWork(conn, principal, FixedClock(START)) as uow:
            channel_id, listing_ids = await _stock_shop(uow)
            for number in range(ORDERS):
                await _paid_order(uow, channel_id, listing_ids, number)
            await uow.commit()
    return Seeded(made.api_key, made.workspace_id)


async def _stock_shop(uow: UnitOfWork) -> tuple[uuid.UUID, list[uuid.UUID]]:
    channel = catalog.CreateChannel("Amazon US", Platform.AMAZON, "US", "USD")
    channel_id = await catalog.create_channel(uow, channel)
    listing_ids = []
    for sku, title, category, hs_code, price in PRODUCTS:
        product = catalog.CreateProduct(
            sku, title, category, hs_code, "CN", UNIT_COST, "CNY", WEIGHT_G, *SIZE_MM
        )
        product_id = await catalog.create_product(uow, product)
        if category is ProductCategory.ELECTRONICS:  # may go live on Amazon US with its FCC certificate
            held = compliance.Held(f"FCC-{sku}", "Bench Lab", START.date(), None)
            await compliance.certify_product(
                uow, compliance.CertifyProduct(product_id, CertificationCode.FCC, held)
            )
        await uow.flush()
        listing = catalog.CreateListing(product_id, channel_id, Decimal(price))
        listing_ids.append(await catalog.create_listing(uow, listing))
    await uow.flush()
    return channel_id, listing_ids


async def _paid_order(uow: UnitOfWork, channel_id: uuid.UUID, listings: list[uuid.UUID], number: int) -> None:
    """Place an order of one line per listing (1 to 3 units), then authorise and capture its total."""
    lines = [orders.OrderLineInput(listing, 1 + (number + i) % 3) for i, listing in enumerate(listings)]
    order = orders.PlaceOrder(
        channel_id,
        lines,
        f"Buyer {number}",
        "US",
        shipping_price=SHIPPING,
        channel_order_id=f"BENCH-{number:04d}",
    )
    order_id = await orders.place_order(uow, order)
    await uow.flush()
    await orders.authorize_payment(uow, orders.AuthorizePayment(order_id, PaymentMethod.CARD))
    await uow.flush()  # so that the capture finds the authorisation's method
    await orders.capture_payment(uow, orders.CapturePayment(order_id))
    await uow.flush()


async def count_rows(engine: AsyncEngine, workspace_id: uuid.UUID) -> dict[str, int]:
    """Rows of the seeded workspace; fails unless the seed made what the scenario says."""
    tables = {
        "products": PRODUCTS_TABLE,
        "orders": ORDERS_TABLE,
        "order_lines": ORDER_LINES,
        "payments": PAYMENTS,
    }
    order_events = [EVENTS.c.aggregate_type == "Order"]
    async with engine.connect() as conn:
        await enter_workspace(conn, workspace_id)
        counts = {name: await reads.count(conn, table, workspace_id) for name, table in tables.items()}
        counts["order_events"] = await reads.count(conn, EVENTS, workspace_id, order_events)
    expected = {
        "orders": ORDERS,
        "order_lines": ORDERS * len(PRODUCTS),
        "payments": ORDERS * PAYMENTS_PER_ORDER,
        "order_events": ORDERS * EVENTS_PER_ORDER,
    }
    if any(counts[name] != value for name, value in expected.items()):
        raise BenchError(f"the seed made {counts}, not {expected}")
    return counts


async def server_version(engine: AsyncEngine) -> str:
    async with engine.connect() as conn:
        return str((await conn.execute(sa.text("SHOW server_version"))).scalar_one())


# -- the checks ----------------------------------------------------------------------------------------------
async def check_same_sql(url: str, api_key: str) -> int:
    """Send each side once in-process and compare the statements (text and parameters) they run."""
    services = Services(make_engine(url), SystemClock())
    app = create_bench_app(services)
    ran: list[tuple[str, str]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        ran.append((statement, repr(parameters)))

    sa.event.listen(services.engine.sync_engine, "before_cursor_execute", record)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            by_side = {}
            for target in (GRAPHQL, PLAIN):
                ran.clear()
                _check_response(target, await _post(client, target, api_key))
                by_side[target.name] = sorted(ran)  # loaders of one request may run in another order
    finally:
        await services.engine.dispose()
    if by_side["graphql"] != by_side["plain"]:
        listed = {side: "\n".join(f"  {text[:150]}" for text, _ in seen) for side, seen in by_side.items()}
        raise BenchError(
            f"the two sides run different SQL\ngraphql:\n{listed['graphql']}\nplain:\n{listed['plain']}"
        )
    return len(by_side["graphql"])


async def check_same_data(client: httpx.AsyncClient, api_key: str) -> None:
    """Both sides must answer with the same data, and it must be the whole seed."""
    graphql, plain = [(await _post(client, target, api_key)).json() for target in (GRAPHQL, PLAIN)]
    if "errors" in graphql or graphql.get("data") != plain.get("data"):
        raise BenchError(f"the answers differ:\ngraphql: {str(graphql)[:500]}\nplain:   {str(plain)[:500]}")
    nodes = [edge["node"] for edge in graphql["data"]["orders"]["edges"]]
    shape = {(len(n["lines"]), len(n["payments"]), len(n["timeline"])) for n in nodes}
    expected = {(len(PRODUCTS), PAYMENTS_PER_ORDER, EVENTS_PER_ORDER)}
    if len(nodes) != min(ORDERS, PAGE_SIZE) or shape != expected:
        raise BenchError(f"the page has {len(nodes)} orders shaped {shape} (lines, payments, events)")


# -- the load ------------------------------------------------------------------------------------------------
async def _post(client: httpx.AsyncClient, target: Target, api_key: str) -> httpx.Response:
    headers = {"authorization": f"Bearer {api_key}", "content-type": "application/json"}
    return await client.post(target.path, content=target.body, headers=headers)


def _check_response(target: Target, response: httpx.Response) -> None:
    if response.status_code != 200 or b'"errors"' in response.content:
        raise BenchError(f"{target.name} answered {response.status_code}: {response.text[:300]}")


async def load(client: httpx.AsyncClient, target: Target, key: str, requests: int, limit_s: float) -> Figures:
    """Send up to `requests` requests, CONCURRENCY at a time, until done or `limit_s` has passed."""
    latencies_s: list[float] = []
    issued = itertools.count()
    start = time.perf_counter()
    deadline = start + limit_s

    async def worker() -> None:
        while next(issued) < requests and time.perf_counter() < deadline:
            sent = time.perf_counter()
            response = await _post(client, target, key)
            latencies_s.append(time.perf_counter() - sent)
            _check_response(target, response)

    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(CONCURRENCY):
                group.create_task(worker())
    except* BenchError as failed:  # one failed check is enough to say
        raise failed.exceptions[0] from None
    return Figures.of(latencies_s, time.perf_counter() - start)


async def measure(client: httpx.AsyncClient, target: Target, api_key: str) -> Figures:
    await load(client, target, api_key, WARMUP_REQUESTS, WARMUP_LIMIT_S)
    figures = await load(client, target, api_key, MEASURED_REQUESTS, MEASURED_LIMIT_S)
    rate, p50, p99 = f"{figures.requests_per_second:.1f}", f"{figures.p50_ms:.1f}", f"{figures.p99_ms:.1f}"
    print(_row(target.name, figures.requests, f"{figures.seconds:.2f}", rate, p50, p99), flush=True)
    return figures


def _row(*cells: object) -> str:
    return f"  {cells[0]!s:<8}" + "".join(f" {cell!s:>8}" for cell in cells[1:])


# -- the server ----------------------------------------------------------------------------------------------
@contextlib.contextmanager
def bench_server(url: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Start bench.server on a free port of 127.0.0.1; yield its base URL and process; stop it at the end."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(256)
        port = listener.getsockname()[1]
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.server", "--fd", str(listener.fileno())],
            pass_fds=[listener.fileno()],
            env={**os.environ, URL_VARIABLE: url},
            cwd=ROOT,
        )
    try:
        yield f"http://127.0.0.1:{port}", process
    finally:
        process.terminate()
        try:
            process.wait(timeout=STOP_LIMIT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def wait_healthy(client: httpx.AsyncClient, process: subprocess.Popen[bytes]) -> None:
    deadline = time.perf_counter() + STARTUP_LIMIT_S
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise BenchError(f"the server exited with code {process.returncode}")
        with contextlib.suppress(httpx.TransportError):
            if (await client.get("/healthz")).status_code == 200:
                return
        await asyncio.sleep(0.1)
    raise BenchError(f"the server did not answer /healthz within {STARTUP_LIMIT_S} s")


@contextlib.asynccontextmanager
async def http_client(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(
        base_url=base_url, timeout=REQUEST_TIMEOUT_S, limits=limits, trust_env=False
    ) as client:
        yield client


# -- the run -------------------------------------------------------------------------------------------------
def machine(postgres: str) -> dict[str, Any]:
    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "postgresql": postgres,
    }


async def run(url: str, where: str) -> Results:
    engine = make_engine(url)
    try:
        started = time.perf_counter()
        seeded = await seed(engine)
        rows = await count_rows(engine, seeded.workspace_id)
        host = machine(await server_version(engine))
    finally:
        await engine.dispose()
    seeded_s = time.perf_counter() - started
    print(f"machine: {host['nproc']} CPUs, {host['python']}, PostgreSQL {host['postgresql']} ({where})")
    print(
        f"rows: {', '.join(f'{name} {count}' for name, count in rows.items())} (seeded in {seeded_s:.1f} s)"
    )
    statements = await check_same_sql(url, seeded.api_key)
    print(f"checked: both sides run the same {statements} SQL statements a request")
    with bench_server(url) as (base_url, process):
        async with http_client(base_url) as client:
            await wait_healthy(client, process)
            await check_same_data(client, seeded.api_key)
            print("checked: both sides answer with the same data")
            print(f"load: {CONCURRENCY} in flight; a side gets {WARMUP_REQUESTS} warm-up requests, then")
            print(f"      {MEASURED_REQUESTS} timed ones or {MEASURED_LIMIT_S:.0f} s, whichever ends first")
            print(_row("side", "requests", "s", "req/s", "p50 ms", "p99 ms"))
            graphql = await measure(client, GRAPHQL, seeded.api_key)
            plain = await measure(client, PLAIN, seeded.api_key)
    return Results(
        scenario=f"orders(first: {PAGE_SIZE}) of {ORDERS} paid orders x {len(PRODUCTS)} lines",
        database=where,
        machine=host,
        rows=rows,
        statements_per_request=statements,
        concurrency=CONCURRENCY,
        graphql=graphql,
        plain=plain,
        ratio=round(graphql.requests_per_second / plain.requests_per_second, 3),
        ratio_aim=RATIO_AIM,
        recorded_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def report(results: Results) -> None:
    print(f"ratio GraphQL/plain throughput: {results.ratio:.3f}")
    if results.ratio < RATIO_AIM:
        print(f"WARNING: the ratio {results.ratio:.3f} is under the aim of {RATIO_AIM}")
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(asdict(results), indent=2) + "\n")
    print(f"written: {RESULTS_FILE.relative_to(ROOT)}")


def main() -> int:
    print(f"Tradelane bench: {QUERY}")
    try:
        with bench_database() as (url, where):
            upgrade(url)
            results = asyncio.run(run(url, where))
    except BenchError as error:
        print(f"bench failed: {error}", file=sys.stderr)
        return 1
    report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
