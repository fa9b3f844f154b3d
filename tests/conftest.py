"""Test fixtures: a fresh database made by the migrations, the app over httpx, and sellers to act as.

TRADELANE_TEST_DATABASE_URL names a PostgreSQL server (CI sets it); without it the tests start the embedded
server in .tradelane/test-pgdata. Either way each run creates its own database and drops it at the end.
Tests isolate from each other by working in workspaces of their own.
"""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from api.app import create_app
from api.cli import upgrade
from api.context import Services
from domain.accounts.handlers import create_seller
from domain.accounts.model import WorkspaceKind
from domain.db.engine import make_engine, start_embedded, to_async_url
from domain.shared.clock import FixedClock

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TODAY_FOR_TESTS = START.date()
ROOT = Path(__file__).resolve().parent.parent


def _server_url() -> str:
    url = os.environ.get("TRADELANE_TEST_DATABASE_URL")
    if url:
        return url
    return start_embedded(ROOT / ".tradelane" / "test-pgdata", database="postgres")


def _admin(url: str) -> psycopg.Connection[Any]:
    parsed = make_url(url)
    conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(conninfo, autocommit=True)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    server = _server_url()
    name = f"tradelane_test_{os.getpid()}_{secrets.token_hex(3)}"
    with _admin(server) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = to_async_url(make_url(server).set(database=name).render_as_string(hide_password=False))
    upgrade(url)
    yield url
    with _admin(server) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def services(engine: AsyncEngine, clock: FixedClock) -> Services:
    return Services(engine, clock)


@pytest.fixture
async def client(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(services)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://tradelane.test"
    ) as c:
        yield c


@dataclass
class Seller:
    """A seller's workspace as a client sees it: its key, and a way to send it GraphQL."""

    client: httpx.AsyncClient
    key: str
    workspace_id: uuid.UUID
    ids: dict[str, str] = field(default_factory=dict)

    async def post(self, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
        return await self.client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {self.key}"},
        )

    async def gql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run a document that must succeed at the GraphQL level; return its `data`."""
        response = await self.post(query, variables)
        body = response.json()
        assert response.status_code == 200, body
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data


async def make_seller(engine: AsyncEngine, client: httpx.AsyncClient, kind: WorkspaceKind) -> Seller:
    async with AsyncSession(engine) as session, session.begin():
        made = await create_seller(session, f"Seller {secrets.token_hex(3)}", START, kind)
    return Seller(client, made.api_key, made.workspace_id)


@pytest.fixture
async def seller(engine: AsyncEngine, client: httpx.AsyncClient) -> Seller:
    return await make_seller(engine, client, WorkspaceKind.SANDBOX)


@pytest.fixture
async def other_seller(engine: AsyncEngine, client: httpx.AsyncClient) -> Seller:
    return await make_seller(engine, client, WorkspaceKind.SANDBOX)


@pytest.fixture
async def live_seller(engine: AsyncEngine, client: httpx.AsyncClient) -> Seller:
    return await make_seller(engine, client, WorkspaceKind.LIVE)


@dataclass
class StatementCounter:
    count: int = 0
    statements: list[str] = field(default_factory=list)


@pytest.fixture
def count_statements(engine: AsyncEngine) -> Any:
    @contextmanager
    def counting() -> Iterator[StatementCounter]:
        counter = StatementCounter()

        def on_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            counter.count += 1
            counter.statements.append(statement)

        sa.event.listen(engine.sync_engine, "before_cursor_execute", on_execute)
        try:
            yield counter
        finally:
            sa.event.remove(engine.sync_engine, "before_cursor_execute", on_execute)

    return counting
