"""Per-request DataLoaders: every relationship field resolves through one of these, so a page of N
objects costs the same number of SQL statements as a page of one."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

import sqlalchemy as sa
from strawberry.dataloader import DataLoader

from domain.catalog.queries import CHANNELS, LISTINGS, PRODUCTS
from domain.db import reads
from domain.db.reads import Row
from domain.orders.queries import ORDER_LINES, ORDERS, PAYMENTS
from domain.timeline import EventView, timelines

if TYPE_CHECKING:
    from api.context import RequestContext


class RowLoader(DataLoader[uuid.UUID, Row | None]):
    async def get(self, key: uuid.UUID) -> Row:
        """A row that a foreign key guarantees; its absence is a bug, not a user error."""
        row = await self.load(key)
        if row is None:
            raise LookupError(f"referenced row {key} is missing")
        return row


class Loaders:
    def __init__(self, ctx: RequestContext) -> None:
        self._ctx = ctx
        self.channel = RowLoader(self._by_id(CHANNELS))
        self.product = RowLoader(self._by_id(PRODUCTS))
        self.listing = RowLoader(self._by_id(LISTINGS))
        self.order = RowLoader(self._by_id(ORDERS))
        self.payment = RowLoader(self._by_id(PAYMENTS))
        self.order_lines = DataLoader(self._grouped(ORDER_LINES, "order_id"))
        self.order_payments = DataLoader(self._grouped(PAYMENTS, "order_id"))
        self.timeline = DataLoader(self._timeline)

    def _by_id(self, table: sa.Table) -> Callable[[Sequence[uuid.UUID]], Awaitable[list[Row | None]]]:
        async def load(ids: Sequence[uuid.UUID]) -> list[Row | None]:
            ws = self._ctx.workspace_id
            found = await self._ctx.read(lambda conn: reads.by_ids(conn, table, ws, ids))
            return [found.get(id_) for id_ in ids]

        return load

    def _grouped(
        self, table: sa.Table, key: str
    ) -> Callable[[Sequence[uuid.UUID]], Awaitable[list[list[Row]]]]:
        async def load(keys: Sequence[uuid.UUID]) -> list[list[Row]]:
            ws = self._ctx.workspace_id
            found = await self._ctx.read(lambda conn: reads.grouped(conn, table, ws, key, keys))
            return [found.get(k, []) for k in keys]

        return load

    async def _timeline(self, ids: Sequence[uuid.UUID]) -> list[list[EventView]]:
        ws = self._ctx.workspace_id
        found = await self._ctx.read(lambda conn: timelines(conn, ws, ids))
        return [found.get(id_, []) for id_ in ids]
