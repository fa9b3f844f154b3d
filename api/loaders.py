"""Per-request DataLoaders: every relationship field resolves through one of these, so a page of N
objects costs the same number of SQL statements as a page of one."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from strawberry.dataloader import DataLoader

from domain.aftersales.queries import (
    COMPLAINTS,
    FEEDBACK,
    RETURN_LINES,
    RETURNS,
    SERVICE_TICKETS,
    TICKET_MESSAGES,
)
from domain.catalog.queries import CHANNELS, LISTINGS, PRODUCTS
from domain.compliance.queries import CERTIFICATIONS, REGISTRATIONS
from domain.currency.queries import LOCKS, RATES
from domain.customs.queries import DECLARATION_ITEMS, DECLARATIONS
from domain.db import reads
from domain.db.reads import Row
from domain.logistics.queries import PACKAGES, SHIPMENT_LINES, SHIPMENTS, TRACKING_EVENTS, WEBHOOKS
from domain.orders.queries import ORDER_LINES, ORDERS, PAYMENTS
from domain.stock.queries import LOTS, RESERVATIONS, STOCK_LEVELS, WAREHOUSES
from domain.taxes.queries import TAX_ENTRIES
from domain.timeline import EventView, timelines

if TYPE_CHECKING:
    from api.context import RequestContext

K = TypeVar("K")
V = TypeVar("V")
R = TypeVar("R")


def present(row: Row | None) -> Row:
    """A row that a foreign key guarantees; its absence is a bug, not a user error."""
    if row is None:
        raise LookupError("a referenced row is missing")
    return row


class RowLoader(DataLoader[uuid.UUID, Row | None]):
    """Loads rows by ID, and keeps what each row was built into, so that a product on 300 order lines is
    one object, built once per request."""

    def __init__(self, load_fn: Callable[[Sequence[uuid.UUID]], Awaitable[list[Row | None]]]) -> None:
        super().__init__(load_fn)
        self._built: dict[uuid.UUID, Any] = {}

    async def get(self, key: uuid.UUID) -> Row:
        return present(await self.load(key))

    def node(self, key: uuid.UUID, build: Callable[[Row], R]) -> R | Awaitable[R]:
        """The object built from the row with this ID (a foreign key guarantees it exists)."""
        if key in self._built:
            built: R = self._built[key]
            return built

        def remember(row: Row | None) -> R:
            value = self._built[key] = build(present(row))
            return value

        return now_or_later(self, key, remember)


class Loaders:
    """The request's DataLoaders, each made on first use: most requests touch two or three of the forty."""

    def __init__(self, ctx: RequestContext) -> None:
        self._ctx = ctx

    @cached_property
    def channel(self) -> RowLoader:
        return RowLoader(self._by_id(CHANNELS))

    @cached_property
    def product(self) -> RowLoader:
        return RowLoader(self._by_id(PRODUCTS))

    @cached_property
    def listing(self) -> RowLoader:
        return RowLoader(self._by_id(LISTINGS))

    @cached_property
    def order(self) -> RowLoader:
        return RowLoader(self._by_id(ORDERS))

    @cached_property
    def payment(self) -> RowLoader:
        return RowLoader(self._by_id(PAYMENTS))

    @cached_property
    def registration(self) -> RowLoader:
        return RowLoader(self._by_id(REGISTRATIONS))

    @cached_property
    def certification(self) -> RowLoader:
        return RowLoader(self._by_id(CERTIFICATIONS))

    @cached_property
    def rate_lock(self) -> RowLoader:
        return RowLoader(self._by_id(LOCKS))

    @cached_property
    def exchange_rate(self) -> RowLoader:
        return RowLoader(self._by_id(RATES))

    @cached_property
    def warehouse(self) -> RowLoader:
        return RowLoader(self._by_id(WAREHOUSES))

    @cached_property
    def lot(self) -> RowLoader:
        return RowLoader(self._by_id(LOTS))

    @cached_property
    def stock_level(self) -> RowLoader:
        return RowLoader(self._by_id(STOCK_LEVELS))

    @cached_property
    def order_reservations(self) -> DataLoader[uuid.UUID, list[Row]]:
        return DataLoader(self._grouped(RESERVATIONS, "order_id"))

    @cached_property
    def order_lines(self) -> DataLoader[uuid.UUID, list[Row]]:
        return DataLoader(self._grouped(ORDER_LINES, "order_id"))

    @cached_property
    def order_payments(self) -> DataLoader[uuid.UUID, list[Row]]:
        return DataLoader(self._grouped(PAYMENTS, "order_id"))

    @cached_property
    def shipment(self) -> RowLoader:
        return RowLoader(self._by_id(SHIPMENTS))

    @cached_property
    def tracking_webhook(self) -> RowLoader:
        return RowLoader(self._by_id(WEBHOOKS))

    @cached_property
    def declaration(self) -> RowLoader:
        return RowLoader(self._by_id(DECLARATIONS))

    @cached_property
    def tax_entry(self) -> RowLoader:
        return RowLoader(self._by_id(TAX_ENTRIES))

    @cached_property
    def order_shipments(self) -> DataLoader[uuid.UUID, list[Row]]:
        return DataLoader(self._grouped(SHIPMENTS, "order_id"))

    @cached_property
    def order_declarations(self) -> DataLoader[uuid.UUID, list[Row]]:
        return DataLoader(self._grouped(DECLARATIONS, "order_id"))

    @cached_property
    def order_tax_entries(self) -> DataLoader[uuid.UUID, list[Row]]:
        return DataLoader(self._grouped(TAX_ENTRIES, "order_id"))

    @cached_property
    def shipment_packages(self) -> DataLoader[uuid.UUID, list[Row]]:
        return DataLoader(self._grouped(PACKAGES, "shipment_id"))

    @cached_property
    def shipment_lines(self) -> DataLoader[uuid.UUID, list[Row]]:
        return DataLoader(self._grouped(SHIPMENT_LINES, "shipment_id"))

    @cached_property
    def tracking_events(self) -> DataLoader[uuid.UUID, list[Row]]:
        return DataLoader(self._grouped(TRACKING_EVENTS, "shipment_id"))

    @cached_property
    def shipment_declarations(self) -> DataLoader[uuid.UUID, list[Row]]:
        return DataLoader(self._grouped(DECLARATIONS, "shipment_id"))

    @cached_property
    def declaration_items(self) -> DataLoader[uuid.UUID, list[Row]]:
        return DataLoader(self._grouped(DECLARATION_ITEMS, "declaration_id"))

    @cached_property
    def feedback(self) -> RowLoader:
        return RowLoader(self._by_id(FEEDBACK))

    @cached_property
    def line_feedback(self) -> DataLoader[uuid.UUID, list[Row]]:
        return DataLoader(self._grouped(FEEDBACK, "order_line_id"))

    @cached_property
    def service_ticket(self) -> RowLoader:
        return RowLoader(self._by_id(SERVICE_TICKETS))

    @cached_property
    def ticket_messages(self) -> DataLoader[uuid.UUID, list[Row]]:
        return DataLoader(self._grouped(TICKET_MESSAGES, "ticket_id"))

    @cached_property
    def order_service_tickets(self) -> DataLoader[uuid.UUID, list[Row]]:
        return DataLoader(self._grouped(SERVICE_TICKETS, "order_id"))

    @cached_property
    def complaint(self) -> RowLoader:
        return RowLoader(self._by_id(COMPLAINTS))

    @cached_property
    def order_complaints(self) -> DataLoader[uuid.UUID, list[Row]]:
        return DataLoader(self._grouped(COMPLAINTS, "order_id"))

    @cached_property
    def order_line(self) -> RowLoader:
        return RowLoader(self._by_id(ORDER_LINES))

    @cached_property
    def return_request(self) -> RowLoader:
        return RowLoader(self._by_id(RETURNS))

    @cached_property
    def return_lines(self) -> DataLoader[uuid.UUID, list[Row]]:
        return DataLoader(self._grouped(RETURN_LINES, "return_id"))

    @cached_property
    def order_returns(self) -> DataLoader[uuid.UUID, list[Row]]:
        return DataLoader(self._grouped(RETURNS, "order_id"))

    @cached_property
    def timeline(self) -> DataLoader[uuid.UUID, list[EventView]]:
        return DataLoader(self._timeline)

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


def now_or_later(loader: DataLoader[K, V], key: K, build: Callable[[V], R]) -> R | Awaitable[R]:
    """The built value at once when the loader already holds it (a parent prefetched it), else an
    awaitable. Sync results spare graphql-core a coroutine and a task per field, which dominate the cost of
    large pages."""
    future = loader.cache_map.get(key)
    if future is not None and future.done() and not future.cancelled() and future.exception() is None:
        return build(future.result())
    return _later(loader.load(key), build)


async def _later(pending: Awaitable[V], build: Callable[[V], R]) -> R:
    return build(await pending)
