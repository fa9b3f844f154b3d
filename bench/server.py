"""The server bench.orders_page measures: Tradelane's real app at `/` and, beside it, `POST /plain/orders`:
a hand-written endpoint that runs the same SQL statements as the bench's GraphQL query and returns the same
data.

The parent runs it as `python -m bench.server --fd N`: it serves on the listening socket the parent opened
(so no one can take the port in between) and reads the database URL from TRADELANE_BENCH_SERVE_URL, which
keeps a password out of the process list.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

import sqlalchemy as sa
import uvicorn
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from api.app import create_app
from api.context import Services
from domain.accounts.handlers import find_principal
from domain.catalog import queries as catalog
from domain.db import reads
from domain.db.engine import make_engine
from domain.db.reads import Row
from domain.db.uow import enter_workspace
from domain.orders import queries as orders
from domain.shared.clock import SystemClock
from domain.shared.money import round_amount
from domain.timeline import EventView, timelines

URL_VARIABLE = "TRADELANE_BENCH_SERVE_URL"
PLAIN_PATH = "/plain/orders"
DEFAULT_FIRST = 100  # orders a page, when the request body does not say


def as_table(clause: sa.FromClause) -> sa.Table:
    """`Model.__table__` is typed as a FromClause; the reads take the Table it is."""
    if not isinstance(clause, sa.Table):
        raise TypeError(f"{clause!r} is not a table")
    return clause


ORDERS = as_table(orders.ORDERS)
ORDER_LINES = as_table(orders.ORDER_LINES)
PAYMENTS = as_table(orders.PAYMENTS)
PRODUCTS = as_table(catalog.PRODUCTS)


def create_bench_app(services: Services) -> Starlette:
    """Tradelane's app mounted at `/`, plus the plain endpoint on the same engine (so the same pool)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Starlette does not run a mounted app's lifespan; this stands in for Tradelane's (no timer loop).
        try:
            yield
        finally:
            await services.engine.dispose()

    async def plain_orders(request: Request) -> Response:
        body = await request.json()
        first = body.get("first", DEFAULT_FIRST) if isinstance(body, dict) else None
        if not isinstance(first, int) or not 1 <= first <= reads.MAX_PAGE:
            return JSONResponse({"error": f"`first` must be from 1 to {reads.MAX_PAGE}"}, status_code=400)
        key = _bearer_key(request)
        data = None
        if key is not None:
            async with services.engine.connect() as conn:
                data = await orders_page(conn, key, first)
        if data is None:
            return JSONResponse(
                {"error": "send a valid key as 'Authorization: Bearer <key>'"}, status_code=401
            )
        return JSONResponse({"data": data})

    return Starlette(
        routes=[Route(PLAIN_PATH, plain_orders, methods=["POST"]), Mount("/", app=create_app(services))],
        lifespan=lifespan,
    )


def _bearer_key(request: Request) -> str | None:
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    return key.strip() if scheme.lower() == "bearer" and key.strip() else None


async def orders_page(conn: AsyncConnection, key: str, first: int) -> dict[str, Any] | None:
    """The statements GraphQL runs for the bench query, in one transaction: the key, the workspace, the page,
    then lines, payments and timelines batched by order ID, then the lines' products by ID. None: bad key."""
    principal = await find_principal(conn, key)
    if principal is None:
        return None
    ws = principal.workspace_id
    await enter_workspace(conn, ws)
    page = await reads.page(conn, ORDERS, ws, first=first, after=None, newest_first=True)
    order_ids = [row.id for row in page.rows]
    if not order_ids:  # GraphQL resolves no order fields, so it runs no batch
        return {"orders": {"edges": []}}
    lines = await reads.grouped(conn, ORDER_LINES, ws, "order_id", order_ids)
    payments = await reads.grouped(conn, PAYMENTS, ws, "order_id", order_ids)
    events = await timelines(conn, ws, order_ids)
    product_ids = list(dict.fromkeys(line.product_id for id_ in order_ids for line in lines.get(id_, [])))
    products = await reads.by_ids(conn, PRODUCTS, ws, product_ids) if product_ids else {}
    edges = [
        {"node": _order(lines.get(id_, []), payments.get(id_, []), events.get(id_, []), products)}
        for id_ in order_ids
    ]
    return {"orders": {"edges": edges}}


def _order(
    lines: Sequence[Row], payments: Sequence[Row], events: Sequence[EventView], products: dict[uuid.UUID, Row]
) -> dict[str, Any]:
    return {
        "lines": [{"product": {"title": products[line.product_id].title}} for line in lines],
        # As the Money type shows it: rounded to the currency's minor units, as a decimal string.
        "payments": [{"amount": {"amount": str(round_amount(p.amount, p.currency))}} for p in payments],
        "timeline": [{"type": event.type} for event in events],
    }


def serve(fd: int) -> None:
    """Serve on the inherited listening socket `fd` until SIGTERM or SIGINT."""
    services = Services(make_engine(os.environ[URL_VARIABLE]), SystemClock())
    config = uvicorn.Config(create_bench_app(services), log_level="warning", access_log=False, lifespan="on")
    uvicorn.Server(config).run(sockets=[socket.socket(fileno=fd)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--fd", type=int, required=True, help="a listening TCP socket, inherited")
    serve(parser.parse_args().fd)


if __name__ == "__main__":
    main()
