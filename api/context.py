"""Per-request state: the caller's workspace, one database connection, and the DataLoaders.

A request holds one pooled connection. Reads run in a transaction that has entered the caller's workspace
(row-level security applies from then on); a mutation ends that transaction and runs its own unit of work
on the same connection. Queries on the connection are serialised by a lock, since DataLoaders of one
request dispatch concurrently.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import strawberry
from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from starlette.requests import Request
from starlette.responses import Response

from api.loaders import Loaders
from domain.accounts.handlers import Principal, find_principal
from domain.db.uow import UnitOfWork, enter_workspace
from domain.shared.clock import Clock

R = TypeVar("R")


@dataclass(frozen=True)
class Services:
    """What every request shares: the engine and the real-time clock."""

    engine: AsyncEngine
    clock: Clock


class Unauthenticated(GraphQLError):
    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": "UNAUTHENTICATED"})


class RequestContext:
    def __init__(self, request: Request, response: Response, services: Services) -> None:
        self.request = request
        self.response = response
        self.services = services
        self.loaders = Loaders(self)
        self._lock = asyncio.Lock()
        self._conn: AsyncConnection | None = None
        self._principal: Principal | None = None
        self._entered = False

    # -- the caller -------------------------------------------------------------------------------------
    async def authenticate(self) -> Principal:
        if self._principal is not None:
            return self._principal
        header = self.request.headers.get("authorization", "")
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise Unauthenticated(
                "Send your API key as the header 'Authorization: Bearer <key>'. "
                "Create a seller and key with `tradelane seller create --name NAME`."
            )
        async with self._lock:
            principal = await find_principal(await self._connection(), key.strip())
        if principal is None:
            raise Unauthenticated(
                "That API key is not valid (unknown or revoked). Check it, or issue a new one."
            )
        self._principal = principal
        return principal

    @property
    def principal(self) -> Principal:
        if self._principal is None:  # the auth extension runs before any resolver
            raise RuntimeError("resolver ran before authentication")
        return self._principal

    @property
    def workspace_id(self) -> uuid.UUID:
        return self.principal.workspace_id

    # -- the database -----------------------------------------------------------------------------------
    async def _connection(self) -> AsyncConnection:
        if self._conn is None:
            self._conn = await self.services.engine.connect()
        return self._conn

    async def read(self, query: Callable[[AsyncConnection], Awaitable[R]]) -> R:
        """Run a read inside the caller's workspace."""
        async with self._lock:
            conn = await self._connection()
            if not self._entered:
                await enter_workspace(conn, self.workspace_id)
                self._entered = True
            return await query(conn)

    async def write(self, command: Callable[[UnitOfWork], Awaitable[R]], *, moves_clock: bool = False) -> R:
        """Run `command` in its own unit of work; it commits or nothing is written."""
        async with self._lock:
            conn = await self._connection()
            self._entered = False
            # What the loaders cached may be stale once this commits: later fields load afresh.
            self.loaders = Loaders(self)
            async with UnitOfWork(conn, self.principal, self.services.clock, moves_clock=moves_clock) as uow:
                return await command(uow)

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None


Info = strawberry.Info[RequestContext, None]
