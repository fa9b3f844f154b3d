"""Per-request DataLoaders: every relationship field resolves through one of these, so a page of N
objects costs the same number of SQL statements as a page of one."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
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
    def __init__(self, ctx: RequestContext) -> None:
        self._ctx = ctx
        self.channel = RowLoader(self._by_id(CHANNELS))
        self.product = RowLoader(self._by_id(PRODUCTS))
        self.listing = RowLoader(self._by_id(LISTINGS))
        self.order = RowLoader(self._by_id(ORDERS))
        self.payment = RowLoader(self._by_id(PAYMENTS))
        self.registration = RowLoader(self._by_id(REGISTRATIONS))
        self.certification = RowLoader(self._by_id(CERTIFICATIONS))
        self.rate_lock = RowLoader(self._by_id(LOCKS))
        self.exchange_rate = RowLoader(self._by_id(RATES))
        self.warehouse = RowLoader(self._by_id(WAREHOUSES))
        self.lot = RowLoader(self._by_id(LOTS))
        self.stock_level = RowLoader(self._by_id(STOCK_LEVELS))
        self.order_reservations = DataLoader(self._grouped(RESERVATIONS, "order_id"))
        self.order_lines = DataLoader(self._grouped(ORDER_LINES, "order_id"))
        self.order_payments = DataLoader(self._grouped(PAYMENTS, "order_id"))
        self.shipment = RowLoader(self._by_id(SHIPMENTS))
        self.tracking_webhook = RowLoader(self._by_id(WEBHOOKS))
        self.declaration = RowLoader(self._by_id(DECLARATIONS))
        self.tax_entry = RowLoader(self._by_id(TAX_ENTRIES))
        self.order_shipments = DataLoader(self._grouped(SHIPMENTS, "order_id"))
        self.order_declarations = DataLoader(self._grouped(DECLARATIONS, "order_id"))
        self.order_tax_entries = DataLoader(self._grouped(TAX_ENTRIES, "order_id"))
        self.shipment_packages = DataLoader(self._grouped(PACKAGES, "shipment_id"))
        self.shipment_lines = DataLoader(self._grouped(SHIPMENT_LINES, "shipment_id"))
        self.tracking_events = DataLoader(self._grouped(TRACKING_EVENTS, "shipment_id"))
        self.shipment_declarations = DataLoader(self._grouped(DECLARATIONS, "shipment_id"))
        self.declaration_items = DataLoader(self._grouped(DECLARATION_ITEMS, "declaration_id"))
        self.feedback = RowLoader(self._by_id(FEEDBACK))
        self.line_feedback = DataLoader(self._grouped(FEEDBACK, "order_line_id"))
        self.service_ticket = RowLoader(self._by_id(SERVICE_TICKETS))
        self.ticket_messages = DataLoader(self._grouped(TICKET_MESSAGES, "ticket_id"))
        self.order_service_tickets = DataLoader(self._grouped(SERVICE_TICKETS, "order_id"))
        self.complaint = RowLoader(self._by_id(COMPLAINTS))
        self.order_complaints = DataLoader(self._grouped(COMPLAINTS, "order_id"))
        self.order_line = RowLoader(self._by_id(ORDER_LINES))
        self.return_request = RowLoader(self._by_id(RETURNS))
        self.return_lines = DataLoader(self._grouped(RETURN_LINES, "return_id"))
        self.order_returns = DataLoader(self._grouped(RETURNS, "order_id"))
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
